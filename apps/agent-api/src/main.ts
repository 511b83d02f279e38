import 'reflect-metadata';
import { createLogger } from '@codcall/logging';
import { ApiKeyConfigError } from '@codcall/service-edge';
import { createAgentApiApp } from './app/bootstrap';
import { ConfigError, loadAgentApiConfig } from './app/config';

/** Refusals that an operator fixes by changing the set-up: a message and exit 2, never a stack trace. */
const SETUP_ERRORS = [ConfigError, ApiKeyConfigError];

async function main(): Promise<void> {
  const logger = createLogger({ name: 'agent-api' });
  try {
    const config = loadAgentApiConfig();
    const app = await createAgentApiApp(config, { logger });
    await app.listen(config.port, config.host);
    logger.info({ port: config.port, dataDir: config.dataDir }, 'agent API listening');
  } catch (error) {
    if (!SETUP_ERRORS.some((type) => error instanceof type)) throw error;
    logger.fatal((error as Error).message);
    process.exit(2);
  }
}

void main();
