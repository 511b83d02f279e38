import 'reflect-metadata';
import { fork } from 'node:child_process';
import { createLogger, type Logger } from '@codcall/logging';
import { ApiKeyConfigError } from '@codcall/service-edge';
import { GatewayPrimary } from './app/cluster/gateway-primary';
import { WorkerPool, WorkerStartError } from './app/cluster/worker-pool';
import { ConfigError, loadGatewayConfig, workerShare, type GatewayConfig } from './app/config';
import { CallStoreInUseError } from './app/persistence/sqlite-call-store';

/** Refusals that an operator fixes by changing the set-up: a message and exit 2, never a stack trace. */
const SETUP_ERRORS = [ConfigError, ApiKeyConfigError, CallStoreInUseError];
const SETUP_EXIT_CODE = 2;

async function main(): Promise<void> {
  const logger = createLogger({ name: 'telephony-gateway' });
  try {
    const config = loadGatewayConfig();
    if (config.worker) return await runWorker(config, config.worker.index, logger);
    if (config.workers === 1) return await runSingle(config, logger);
    await runPrimary(config, logger);
  } catch (error) {
    if (error instanceof WorkerStartError) {
      logger.fatal(error.message);
      process.exit(error.exitCode === SETUP_EXIT_CODE ? SETUP_EXIT_CODE : 1);
    }
    if (!SETUP_ERRORS.some((type) => error instanceof type)) throw error;
    logger.fatal((error as Error).message);
    process.exit(SETUP_EXIT_CODE);
  }
}

/** GATEWAY_WORKERS=1: one process does everything, as before there were workers. */
async function runSingle(config: GatewayConfig, logger: Logger): Promise<void> {
  const { createGatewayApp } = await import('./app/bootstrap');
  const app = await createGatewayApp(config, { logger });
  await app.listen(config.port, config.host);
  logger.info({ port: config.port, publicBaseUrl: config.publicBaseUrl }, 'telephony gateway listening');
}

async function runWorker(config: GatewayConfig, index: number, logger: Logger): Promise<void> {
  const workerLogger = logger.child({ worker: index });
  const share = workerShare(config, index);
  // Loaded here, not at the top: the primary never builds an app, so it need not hold NestJS and the vendors' SDKs.
  const [{ createGatewayApp }, { serveAsWorker }] = await Promise.all([import('./app/bootstrap'), import('./app/cluster/gateway-worker')]);
  const app = await createGatewayApp(share, { logger: workerLogger });
  await serveAsWorker(app, workerLogger);
}

async function runPrimary(config: GatewayConfig, logger: Logger): Promise<void> {
  const pool = new WorkerPool({
    count: config.workers,
    maxCallsOf: (index) => workerShare(config, index).maxCalls,
    logger,
    fork: (index) =>
      fork(process.argv[1], process.argv.slice(2), {
        // One secret for the whole gateway, so every worker's tokens and simulator signatures agree with the config read here.
        env: { ...process.env, GATEWAY_WORKERS: String(config.workers), GATEWAY_WORKER_INDEX: String(index), STREAM_TOKEN_SECRET: config.streamTokenSecret, SIMULATOR_WEBHOOK_SECRET: config.simulator.webhookSecret },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
  });
  const primary = new GatewayPrimary(config, pool, logger);
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping every gateway worker');
      void primary.stop().finally(() => process.exit(0));
    });
  }
  try {
    await primary.start();
  } catch (error) {
    await pool.stop();
    throw error;
  }
  logger.info({ port: config.port, publicBaseUrl: config.publicBaseUrl, workers: config.workers, maxCalls: config.maxCalls }, 'telephony gateway listening, one worker per core');
}

void main();
