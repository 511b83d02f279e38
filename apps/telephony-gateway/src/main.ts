import 'reflect-metadata';
import { createLogger } from '@codcall/logging';
import { createGatewayApp } from './app/bootstrap';
import { ConfigError, loadGatewayConfig } from './app/config';

async function main(): Promise<void> {
  const logger = createLogger({ name: 'telephony-gateway' });
  let config;
  try {
    config = loadGatewayConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal(error.message);
      process.exit(2);
    }
    throw error;
  }
  const app = await createGatewayApp(config, { logger });
  await app.listen(config.port, config.host);
  logger.info({ port: config.port, publicBaseUrl: config.publicBaseUrl }, 'telephony gateway listening');
}

void main();
