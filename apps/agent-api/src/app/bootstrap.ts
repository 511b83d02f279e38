import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from '@codcall/logging';
import { HttpEdge } from '@codcall/nest-edge';
import { DEFAULT_MAX_JSON_DEPTH, type JsonBodyLimits } from '@codcall/service-edge';
import { SqliteAgentRepository } from './agents/agent.repository';
import { AgentsController } from './agents/agents.controller';
import { AGENT_REPOSITORY, AGENT_VALIDATION, AgentsService } from './agents/agents.service';
import type { AgentApiConfig } from './config';

/**
 * 1 MiB, well above any real agent (its texts are bounded far below), so that an oversized text
 * is refused by the validation that names its field rather than by the parser.
 */
const BODY_LIMITS: JsonBodyLimits = { maxBodyBytes: 1024 * 1024, maxDepth: DEFAULT_MAX_JSON_DEPTH };

@Module({})
class AgentApiModule {
  static register(config: AgentApiConfig): DynamicModule {
    return {
      module: AgentApiModule,
      controllers: [AgentsController],
      providers: [
        AgentsService,
        { provide: AGENT_REPOSITORY, useFactory: () => new SqliteAgentRepository(config.dataDir) },
        { provide: AGENT_VALIDATION, useValue: { providerUrls: { allowInsecure: config.allowInsecureProviderUrls } } },
      ],
    };
  }
}

/** Builds the agent API without listening, so main.ts and tests start it the same way. */
export async function createAgentApiApp(config: AgentApiConfig, options: { logger?: Logger } = {}): Promise<INestApplication> {
  const edge = HttpEdge.prepare({
    service: 'agent-api',
    host: config.host,
    hostVariable: 'AGENT_API_HOST',
    apiKeys: config.apiKeys,
    corsOrigins: config.corsOrigins,
    corsHeaders: ['authorization', 'content-type'],
    limits: BODY_LIMITS,
    logger: options.logger,
  });
  const app = await NestFactory.create<NestExpressApplication>(AgentApiModule.register(config), { logger: ['error', 'warn'], bodyParser: false });
  edge.apply(app);
  app.enableShutdownHooks();
  return app;
}
