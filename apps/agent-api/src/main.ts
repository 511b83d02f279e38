import 'reflect-metadata';
import { createLogger } from '@codcall/logging';
import { createAgentApiApp } from './app/bootstrap';
import { ConfigError, loadAgentApiConfig } from './app/config';

async function main(): Promise<void> {
  const logger = createLogger({ name: 'agent-api' });
  let config;
  try {
    config = loadAgentApiConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal(error.message);
      process.exit(2);
    }
    throw error;
  }
  const app = await createAgentApiApp(config, { logger });
  await app.listen(config.port, config.host);
  logger.info({ port: config.port, dataDir: config.dataDir }, 'agent API listening');
}

void main();
