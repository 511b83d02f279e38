import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SqliteAgentRepository } from './agents/agent.repository';
import { AgentsController } from './agents/agents.controller';
import { AGENT_REPOSITORY, AgentsService } from './agents/agents.service';
import type { AgentApiConfig } from './config';

@Module({})
class AgentApiModule {
  static register(config: AgentApiConfig): DynamicModule {
    return {
      module: AgentApiModule,
      controllers: [AgentsController],
      providers: [AgentsService, { provide: AGENT_REPOSITORY, useFactory: () => new SqliteAgentRepository(config.dataDir) }],
    };
  }
}

/** Builds the agent API without listening, so main.ts and tests start it the same way. */
export async function createAgentApiApp(config: AgentApiConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AgentApiModule.register(config), { logger: ['error', 'warn'], bodyParser: false });
  app.useBodyParser('json', { limit: '1mb' });
  app.enableShutdownHooks();
  return app;
}
