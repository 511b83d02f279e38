import { Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { CallOrchestrator } from '@codcall/call-orchestration';
import { closeOfflineSynthesizer } from '@codcall/conversation-engine';
import { GATEWAY_CONFIG } from './tokens';
import type { GatewayConfig } from './config';
import { CallsController } from './calls/calls.controller';
import { MediaStreamGateway } from './media/media-stream.gateway';
import { buildOrchestrator, type GatewayOverrides } from './orchestrator.factory';
import { GatewayCallQueue } from './queue/gateway-call-queue';
import { SqliteCallStore } from './persistence/sqlite-call-store';
import { ProcessLoadMeter } from './stats/process-load';
import { StatsController } from './stats/stats.controller';

/** Settled calls older than this leave the call store at start-up; their records stay in RECORDS_DIR. */
const CALL_STORE_RETENTION_MS = 7 * 24 * 3600 * 1000;

@Module({})
export class GatewayModule implements OnApplicationShutdown {
  constructor(
    @Inject(CallOrchestrator) private readonly calls: CallOrchestrator,
    @Inject(SqliteCallStore) private readonly store: SqliteCallStore,
    @Inject(ProcessLoadMeter) private readonly meter: ProcessLoadMeter,
  ) {}

  static register(config: GatewayConfig, overrides: GatewayOverrides = {}): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [CallsController, StatsController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        {
          provide: SqliteCallStore,
          useFactory: () => {
            const store = SqliteCallStore.openIn(config.dataDir);
            store.pruneSettledBefore(new Date(Date.now() - CALL_STORE_RETENTION_MS));
            return store;
          },
        },
        { provide: CallOrchestrator, useFactory: (store: SqliteCallStore) => buildOrchestrator(config, overrides, store), inject: [SqliteCallStore] },
        { provide: ProcessLoadMeter, useFactory: () => new ProcessLoadMeter() },
        MediaStreamGateway,
        // Distributed mode only: without REDIS_URL the gateway takes calls over POST /call alone.
        ...(config.queue ? [{ provide: GatewayCallQueue, useFactory: (calls: CallOrchestrator) => new GatewayCallQueue(config.queue!, config, calls, overrides.logger), inject: [CallOrchestrator] }] : []),
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.calls.shutdown();
    this.store.close();
    this.meter.stop();
    // The offline voice runs in a worker thread that would otherwise outlive the app.
    await closeOfflineSynthesizer();
  }
}
