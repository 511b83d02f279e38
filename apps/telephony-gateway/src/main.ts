import 'reflect-metadata';
import { createLogger } from '@codcall/logging';
import { ApiKeyConfigError } from '@codcall/service-edge';
import { createGatewayApp } from './app/bootstrap';
import { ConfigError, loadGatewayConfig } from './app/config';
import { CallStoreInUseError } from './app/persistence/sqlite-call-store';

/** Refusals that an operator fixes by changing the set-up: a message and exit 2, never a stack trace. */
const SETUP_ERRORS = [ConfigError, ApiKeyConfigError, CallStoreInUseError];

async function main(): Promise<void> {
  const logger = createLogger({ name: 'telephony-gateway' });
  try {
    const config = loadGatewayConfig();
    const app = await createGatewayApp(config, { logger });
    await app.listen(config.port, config.host);
    logger.info({ port: config.port, publicBaseUrl: config.publicBaseUrl }, 'telephony gateway listening');
  } catch (error) {
    if (!SETUP_ERRORS.some((type) => error instanceof type)) throw error;
    logger.fatal((error as Error).message);
    process.exit(2);
  }
}

void main();
