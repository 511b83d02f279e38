import { randomUUID } from 'node:crypto';
import { BadRequestException, Inject, Injectable, NotFoundException, type OnApplicationShutdown } from '@nestjs/common';
import { toRuntimeConfig, validateAgentJson, type AgentJson, type AgentRuntimeConfig, type AgentValidationOptions } from '@codcall/agent-config';
import type { AgentRepository, StoredAgent } from './agent.repository';

export const AGENT_REPOSITORY = Symbol('AGENT_REPOSITORY');
/** The deployment's rules for agents (ALLOW_INSECURE_PROVIDER_URLS), from the app's config. */
export const AGENT_VALIDATION = Symbol('AGENT_VALIDATION');

@Injectable()
export class AgentsService implements OnApplicationShutdown {
  constructor(
    @Inject(AGENT_REPOSITORY) private readonly agents: AgentRepository,
    @Inject(AGENT_VALIDATION) private readonly validation: AgentValidationOptions,
  ) {}

  create(body: unknown): { agent_id: string; state: 'created'; unknown_fields?: string[] } {
    const { agent, unknownFields } = this.validate(body);
    const agentId = randomUUID();
    this.agents.insert(agentId, agent.agent_config.agent_name, body);
    return { agent_id: agentId, state: 'created', ...(unknownFields.length ? { unknown_fields: unknownFields } : {}) };
  }

  update(agentId: string, body: unknown): { agent_id: string; state: 'updated'; unknown_fields?: string[] } {
    const { agent, unknownFields } = this.validate(body);
    if (!this.agents.replace(agentId, agent.agent_config.agent_name, body)) throw notFound(agentId);
    return { agent_id: agentId, state: 'updated', ...(unknownFields.length ? { unknown_fields: unknownFields } : {}) };
  }

  get(agentId: string): StoredAgent {
    const agent = this.agents.find(agentId);
    if (!agent) throw notFound(agentId);
    return agent;
  }

  /** Validated again on every read: an agent stored before a rule existed must not slip past it. */
  runtime(agentId: string): AgentRuntimeConfig {
    const result = validateAgentJson(this.get(agentId).document, this.validation);
    if (!result.ok) throw new BadRequestException({ message: `agent ${agentId} is stored but no longer valid`, errors: result.errors });
    return toRuntimeConfig(result.agent);
  }

  list(): StoredAgent[] {
    return this.agents.list();
  }

  delete(agentId: string): { agent_id: string; state: 'deleted' } {
    if (!this.agents.delete(agentId)) throw notFound(agentId);
    return { agent_id: agentId, state: 'deleted' };
  }

  onApplicationShutdown(): void {
    this.agents.close();
  }

  private validate(body: unknown): { agent: AgentJson; unknownFields: string[] } {
    const result = validateAgentJson(body, this.validation);
    if (!result.ok) {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'agent JSON is invalid', errors: result.errors });
    }
    return result;
  }
}

function notFound(agentId: string): NotFoundException {
  return new NotFoundException({ statusCode: 404, error: 'Not Found', message: `agent ${agentId} not found` });
}
