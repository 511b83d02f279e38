import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { GatewayConfig } from './config';
import { DomainErrorsFilter } from './domain-errors.filter';
import { GatewayModule } from './gateway.module';
import type { GatewayOverrides } from './orchestrator.factory';

/** Builds the gateway without listening, so main.ts and tests start it the same way. */
export async function createGatewayApp(config: GatewayConfig, overrides: GatewayOverrides = {}): Promise<INestApplication> {
  const app = await NestFactory.create(GatewayModule.register(config, overrides), { logger: ['error', 'warn'] });
  app.useWebSocketAdapter(new WsAdapter(app));
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
  app.useGlobalFilters(new DomainErrorsFilter());
  app.enableShutdownHooks();
  return app;
}
