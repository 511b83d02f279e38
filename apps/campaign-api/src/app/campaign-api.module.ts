import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Module, type BeforeApplicationShutdown, type DynamicModule } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { AgentApiClient, type CampaignEvent } from '@codcall/campaign';
import { CampaignHost, type CampaignAgents, type GatewayClientFactory } from '@codcall/campaign-service';
import type { Logger } from '@codcall/logging';
import { CampaignEventStreams } from './campaigns/campaign-event-streams';
import { CAMPAIGN_HOST, CampaignsController } from './campaigns/campaigns.controller';
import type { CampaignApiConfig } from './config';
import { DashboardModule } from './dashboard/dashboard.module';
import { gatewayClientFactory } from './gateway-client.factory';
import { CampaignOutcomeWebhooks } from './outcome-webhooks';

/** What tests (and distributed mode) may put in place of the real services. */
export interface CampaignApiOverrides {
  logger?: Logger;
  agents?: CampaignAgents;
  gatewayFor?: GatewayClientFactory;
  /** Every run event of every campaign (outcome webhooks plug in here). */
  onCampaignEvent?: (campaignId: string, event: CampaignEvent) => void;
  /** Long-poll length towards the gateway (tests shorten it). */
  pollSeconds?: number;
}

const OUTCOME_WEBHOOKS = Symbol('OUTCOME_WEBHOOKS');

/** Stops the campaigns' runs as a pause would, keeping them running in campaign.json, before the HTTP server closes; then the webhook outbox (pending deliveries wait for the next start). */
class CampaignHostShutdown implements BeforeApplicationShutdown {
  constructor(
    @Inject(CAMPAIGN_HOST) private readonly host: CampaignHost,
    @Inject(OUTCOME_WEBHOOKS) private readonly webhooks: CampaignOutcomeWebhooks | undefined,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.host.close();
    await this.webhooks?.close();
  }
}

@Module({})
export class CampaignApiModule {
  static register(config: CampaignApiConfig, overrides: CampaignApiOverrides = {}): DynamicModule {
    const uploads = join(config.dataDir, 'uploads');
    // Parts left by uploads a crash cut short: nothing is being uploaded before the service listens.
    rmSync(uploads, { recursive: true, force: true });
    mkdirSync(uploads, { recursive: true });
    return {
      module: CampaignApiModule,
      imports: [
        MulterModule.register({
          dest: uploads, // under DATA_DIR: the service renames the files into their campaign
          defParamCharset: 'utf8',
          limits: { fileSize: config.maxUploadBytes, files: 3, fields: 20, parts: 23, fieldSize: 64 * 1024, fieldNameSize: 100, headerPairs: 100 },
        }),
        DashboardModule.register(config, overrides),
      ],
      controllers: [CampaignsController],
      providers: [
        {
          provide: OUTCOME_WEBHOOKS,
          useFactory: () => (config.outcomeWebhooks ? CampaignOutcomeWebhooks.open(config.dataDir, config.outcomeWebhooks, overrides.logger) : undefined),
        },
        {
          provide: CAMPAIGN_HOST,
          inject: [OUTCOME_WEBHOOKS],
          useFactory: async (webhooks: CampaignOutcomeWebhooks | undefined) => {
            const host = await CampaignHost.open({
              dataDir: config.dataDir,
              agents: overrides.agents ?? new AgentApiClient(config.agentApiUrl, { apiKey: config.clientApiKey }),
              gatewayFor: overrides.gatewayFor ?? gatewayClientFactory(config),
              limits: { maxUploadBytes: config.maxUploadBytes, maxRows: config.maxRows },
              onCampaignEvent: (campaignId, event) => {
                webhooks?.onCampaignEvent(campaignId, event);
                overrides.onCampaignEvent?.(campaignId, event);
              },
              logger: overrides.logger,
              drainTimeoutMs: config.drainTimeoutMs,
              pollSeconds: overrides.pollSeconds,
            });
            webhooks?.attach(host);
            return host;
          },
        },
        {
          provide: CampaignEventStreams,
          useFactory: () => {
            const streams = new CampaignEventStreams();
            streams.configure(config.maxEventStreams);
            return streams;
          },
        },
        CampaignHostShutdown,
      ],
    };
  }
}
