import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import type { IncomingMessage } from 'node:http';
import { AccessPolicy, answerBodyErrors, DEFAULT_MAX_JSON_DEPTH, refuseDeepBodies, requireJsonBodies, type JsonBodyLimits } from '@codcall/service-edge';
import { ApiKeyGuard } from './api-key.guard';
import { GATEWAY_LIMITS } from './calls/place-call.dto';
import type { GatewayConfig } from './config';
import { DomainErrorsFilter } from './domain-errors.filter';
import { GatewayModule } from './gateway.module';
import type { GatewayOverrides } from './orchestrator.factory';

const BODY_LIMITS: JsonBodyLimits = { maxBodyBytes: GATEWAY_LIMITS.max_body_bytes, maxDepth: DEFAULT_MAX_JSON_DEPTH };

/** Twilio, Plivo and the simulator post their webhooks as forms; nothing else here may. */
function isCarrierWebhook(path: string): boolean {
  return /^\/call\/[^/]+\/(answer|status)\/?$/.test(path);
}

/** Builds the gateway without listening, so main.ts and tests start it the same way. */
export async function createGatewayApp(config: GatewayConfig, overrides: GatewayOverrides = {}): Promise<INestApplication> {
  const access = AccessPolicy.forService({ service: 'telephony-gateway', host: config.host, hostVariable: 'GATEWAY_HOST', keys: config.apiKeys });
  if (access.warning) overrides.logger?.warn(access.warning);
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.register(config, overrides), { logger: ['error', 'warn'], bodyParser: false });
  // Without CORS_ORIGINS no Access-Control-* header is ever sent, so no web page can read an answer.
  if (config.corsOrigins.length) app.enableCors({ origin: config.corsOrigins, allowedHeaders: ['authorization', 'content-type', 'idempotency-key'] });
  app.use(requireJsonBodies({ acceptsForm: isCarrierWebhook }));
  app.useBodyParser('json', { limit: BODY_LIMITS.maxBodyBytes, inflate: false });
  app.useBodyParser('urlencoded', {
    limit: BODY_LIMITS.maxBodyBytes,
    inflate: false,
    extended: false,
    type: (req: IncomingMessage) => isCarrierWebhook((req.url ?? '').split('?')[0]) && /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? ''),
  });
  app.use(answerBodyErrors(BODY_LIMITS));
  app.use(refuseDeepBodies(BODY_LIMITS.maxDepth));
  app.useWebSocketAdapter(new WsAdapter(app));
  app.useGlobalGuards(new ApiKeyGuard(access, app.get(Reflector)));
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
  app.useGlobalFilters(new DomainErrorsFilter());
  app.enableShutdownHooks();
  return app;
}
