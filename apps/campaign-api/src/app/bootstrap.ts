import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { HttpEdge } from '@codcall/nest-edge';
import { DEFAULT_MAX_JSON_DEPTH, type JsonBodyLimits } from '@codcall/service-edge';
import { CampaignApiModule, type CampaignApiOverrides } from './campaign-api.module';
import { CampaignErrorsFilter } from './campaigns/campaign-errors.filter';
import { mountDashboardSite } from './dashboard/dashboard-site';
import type { CampaignApiConfig } from './config';

/** Its JSON bodies are empty (pause, resume, cancel); the CSV comes as multipart, bounded by the upload limits. */
const BODY_LIMITS: JsonBodyLimits = { maxBodyBytes: 16 * 1024, maxDepth: DEFAULT_MAX_JSON_DEPTH };

/** Builds the campaign-api without listening, so main.ts and tests start it the same way. */
export async function createCampaignApiApp(config: CampaignApiConfig, overrides: CampaignApiOverrides = {}): Promise<INestApplication> {
  const edge = HttpEdge.prepare({
    service: 'campaign-api',
    host: config.host,
    hostVariable: 'CAMPAIGN_API_HOST',
    apiKeys: config.apiKeys,
    corsOrigins: config.corsOrigins,
    corsHeaders: ['authorization', 'content-type', 'last-event-id'],
    limits: BODY_LIMITS,
    acceptsMultipart: (method, path) => method === 'POST' && (path === '/campaigns' || path === '/campaigns/preflight'),
    logger: overrides.logger,
  });
  const app = await NestFactory.create<NestExpressApplication>(CampaignApiModule.register(config, overrides), { logger: ['error', 'warn'], bodyParser: false, forceCloseConnections: true, abortOnError: false });
  edge.apply(app);
  mountDashboardSite(app, config.dashboardDir);
  app.useGlobalFilters(new CampaignErrorsFilter());
  app.enableShutdownHooks();
  return app;
}
