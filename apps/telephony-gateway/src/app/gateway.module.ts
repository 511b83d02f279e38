import { Module, type DynamicModule, type OnApplicationShutdown, Inject, Optional } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CallOrchestrator } from '@codcall/call-orchestration';
import { closeOfflineSynthesizer } from '@codcall/conversation-engine';
import { GATEWAY_CONFIG } from './tokens';
import type { GatewayConfig } from './config';
import { CallsController } from './calls/calls.controller';
import { MediaStreamGateway } from './media/media-stream.gateway';
import { buildOrchestrator, type GatewayOverrides } from './orchestrator.factory';
import { DialClaimErrorsFilter } from './queue/dial-claim-errors.filter';
import { GatewayCallQueue, processGatewayId } from './queue/gateway-call-queue';
import { RedisMirroredCallStore } from './persistence/redis-mirrored-call-store';
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
    @Optional() @Inject(RedisMirroredCallStore) private readonly mirror?: RedisMirroredCallStore,
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
        // Distributed mode only: the call state is mirrored to Redis behind the SQLite write-ahead, and read back at start-up.
        ...(config.queue ? [{ provide: RedisMirroredCallStore, useFactory: (local: SqliteCallStore) => RedisMirroredCallStore.open(local, { redisUrl: config.queue!.redisUrl, gatewayId: processGatewayId(config.queue!, config), logger: overrides.logger }), inject: [SqliteCallStore] }] : []),
        {
          provide: CallOrchestrator,
          useFactory: (store: SqliteCallStore, mirror?: RedisMirroredCallStore) => buildOrchestrator(config, overrides, mirror ?? store),
          inject: [SqliteCallStore, ...(config.queue ? [RedisMirroredCallStore] : [])],
        },
        { provide: ProcessLoadMeter, useFactory: () => new ProcessLoadMeter() },
        MediaStreamGateway,
        // Distributed mode only: without REDIS_URL the gateway takes calls over POST /call alone.
        ...(config.queue
          ? [
              { provide: GatewayCallQueue, useFactory: (calls: CallOrchestrator, mirror: RedisMirroredCallStore) => new GatewayCallQueue(config.queue!, config, calls, overrides.logger, mirror), inject: [CallOrchestrator, RedisMirroredCallStore] },
              { provide: APP_FILTER, useClass: DialClaimErrorsFilter },
            ]
          : []),
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.calls.shutdown();
    // The mirror closes the local store after the last states reached Redis.
    if (this.mirror) await this.mirror.close();
    else this.store.close();
    this.meter.stop();
    // The offline voice runs in a worker thread that would otherwise outlive the app.
    await closeOfflineSynthesizer();
  }
}
