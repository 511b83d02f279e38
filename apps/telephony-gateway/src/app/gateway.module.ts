import { Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { CallOrchestrator } from '@codcall/call-orchestration';
import { closeOfflineSynthesizer } from '@codcall/conversation-engine';
import { GATEWAY_CONFIG } from './tokens';
import type { GatewayConfig } from './config';
import { CallsController } from './calls/calls.controller';
import { PlivoMediaStreamGateway, SimulatorMediaStreamGateway, TwilioMediaStreamGateway } from './media/media-stream.gateway';
import { buildOrchestrator, type GatewayOverrides } from './orchestrator.factory';

@Module({})
export class GatewayModule implements OnApplicationShutdown {
  constructor(@Inject(CallOrchestrator) private readonly calls: CallOrchestrator) {}

  static register(config: GatewayConfig, overrides: GatewayOverrides = {}): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [CallsController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: CallOrchestrator, useFactory: () => buildOrchestrator(config, overrides) },
        TwilioMediaStreamGateway,
        SimulatorMediaStreamGateway,
        PlivoMediaStreamGateway,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.calls.shutdown();
    // The offline voice runs in a worker thread that would otherwise outlive the app.
    await closeOfflineSynthesizer();
  }
}
