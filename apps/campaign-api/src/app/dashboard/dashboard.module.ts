import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { AgentApiClient } from '@codcall/campaign';
import { DEFAULT_UPLOAD_LIMITS, type CampaignAgents, type GatewayClientFactory } from '@codcall/campaign-service';
import type { Logger } from '@codcall/logging';
import type { CampaignApiConfig } from '../config';
import { gatewayClientFactory } from '../gateway-client.factory';
import { AGENT_API_FORWARD, AgentApiForwardController } from './agent-api-forward.controller';
import { CAMPAIGN_PREFLIGHT, CampaignPreflightController } from './campaign-preflight.controller';

/**
 * The routes the dashboard needs beside the campaign-api's own: the preflight of an upload before
 * it becomes a campaign, and agent-api's agent routes forwarded so the page talks to one origin.
 * The built page itself is mounted by mountDashboardSite.
 */
@Module({})
export class DashboardModule {
  static register(config: CampaignApiConfig, overrides: { logger?: Logger; agents?: CampaignAgents; gatewayFor?: GatewayClientFactory } = {}): DynamicModule {
    return {
      module: DashboardModule,
      imports: [
        MulterModule.register({
          dest: join(config.dataDir, 'uploads'),
          defParamCharset: 'utf8',
          limits: { fileSize: config.maxUploadBytes, files: 3, fields: 20, parts: 23, fieldSize: 64 * 1024, fieldNameSize: 100, headerPairs: 100 },
        }),
      ],
      controllers: [CampaignPreflightController, AgentApiForwardController],
      providers: [
        { provide: AGENT_API_FORWARD, useValue: { agentApiUrl: config.agentApiUrl } },
        {
          provide: CAMPAIGN_PREFLIGHT,
          useValue: {
            agents: overrides.agents ?? new AgentApiClient(config.agentApiUrl, { apiKey: config.clientApiKey }),
            gatewayFor: overrides.gatewayFor ?? gatewayClientFactory(config),
            limits: { ...DEFAULT_UPLOAD_LIMITS, maxUploadBytes: config.maxUploadBytes, maxRows: config.maxRows },
            logger: overrides.logger,
          },
        },
      ],
    };
  }
}
