import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { HttpEdge } from '@codcall/nest-edge';
import { DEFAULT_MAX_JSON_DEPTH, type JsonBodyLimits } from '@codcall/service-edge';
import { GATEWAY_LIMITS } from './calls/place-call.dto';
import { newCallIdOwnedBy } from './cluster/call-ownership';
import type { GatewayConfig } from './config';
import { DomainErrorsFilter } from './domain-errors.filter';
import { GatewayModule } from './gateway.module';
import { MediaStreamAdapter } from './media/media-stream.adapter';
import type { GatewayOverrides } from './orchestrator.factory';
import { warmUpGateway, type WarmUpReport } from './warm-up';

const BODY_LIMITS: JsonBodyLimits = { maxBodyBytes: GATEWAY_LIMITS.max_body_bytes, maxDepth: DEFAULT_MAX_JSON_DEPTH };

/** Twilio, Plivo and the simulator post their webhooks as forms (Plivo's fetch of a transfer document too); nothing else here may. */
function isCarrierWebhook(path: string): boolean {
  return /^\/call\/[^/]+\/(answer|status|transfer)\/?$/.test(path);
}

/**
 * Builds the gateway without listening, so main.ts and tests start it the same way. What has a
 * first-use cost runs first (see warm-up.ts), so the first call of a process stalls no one.
 * A worker of a multi-process gateway draws call ids that name it (see call-ownership.ts).
 */
export async function createGatewayApp(config: GatewayConfig, overrides: GatewayOverrides = {}): Promise<INestApplication> {
  const warmed: WarmUpReport = warmUpGateway();
  overrides.logger?.debug(warmed, 'warmed up');
  const worker = config.worker;
  if (worker && !overrides.newCallId) overrides = { ...overrides, newCallId: () => newCallIdOwnedBy(worker.index) };
  const edge = HttpEdge.prepare({
    service: 'telephony-gateway',
    host: config.host,
    hostVariable: 'GATEWAY_HOST',
    apiKeys: config.apiKeys,
    corsOrigins: config.corsOrigins,
    corsHeaders: ['authorization', 'content-type', 'idempotency-key'],
    limits: BODY_LIMITS,
    acceptsForm: isCarrierWebhook,
    logger: overrides.logger,
  });
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.register(config, overrides), { logger: ['error', 'warn'], bodyParser: false });
  edge.apply(app);
  app.useWebSocketAdapter(new MediaStreamAdapter(app));
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
  app.useGlobalFilters(new DomainErrorsFilter());
  app.enableShutdownHooks();
  return app;
}
