import 'reflect-metadata';
import { CampaignStoreError } from '@codcall/campaign-store';
import { createLogger } from '@codcall/logging';
import { ApiKeyConfigError } from '@codcall/service-edge';
import { createCampaignApiApp } from './app/bootstrap';
import { ConfigError, loadCampaignApiConfig } from './app/config';

/** Refusals that an operator fixes by changing the set-up: a message and exit 2, never a stack trace. */
const SETUP_ERRORS = [ConfigError, ApiKeyConfigError, CampaignStoreError];

async function main(): Promise<void> {
  const logger = createLogger({ name: 'campaign-api' });
  try {
    const config = loadCampaignApiConfig();
    const app = await createCampaignApiApp(config, { logger });
    await app.listen(config.port, config.host);
    // Origins only: a URL may carry credentials, which never reach the logs.
    logger.info({ port: config.port, dataDir: config.dataDir, gateway: new URL(config.gatewayUrl).origin, agentApi: new URL(config.agentApiUrl).origin }, 'campaign API listening');
  } catch (error) {
    if (!SETUP_ERRORS.some((type) => error instanceof type)) throw error;
    logger.fatal((error as Error).message);
    process.exit(2);
  }
}

void main();
