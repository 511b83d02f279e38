import { AgentApiRequestError, AgentNotFoundError, ApiKeyRefusedError } from './errors';
import { messageOf, sendJson, trimSlash, type FetchLike } from './http';

export interface AgentApiClientOptions {
  fetch?: FetchLike;
  requestTimeoutMs?: number;
  /** Sent as `Authorization: Bearer <apiKey>` on every request (CODCALL_API_KEY). */
  apiKey?: string;
}

/** The part of agent-api a campaign needs: is there such an agent? */
export class AgentApiClient {
  readonly baseUrl: string;
  private readonly fetch: FetchLike;
  private readonly timeoutMs: number;
  private readonly apiKey?: string;

  constructor(baseUrl: string, options: AgentApiClientOptions = {}) {
    this.baseUrl = trimSlash(baseUrl);
    this.fetch = options.fetch ?? fetch;
    this.timeoutMs = options.requestTimeoutMs ?? 15_000;
    this.apiKey = options.apiKey || undefined;
  }

  /** Resolves when the agent exists; AgentNotFoundError when not, ServiceUnreachableError when agent-api is down. */
  async assertAgentExists(agentId: string): Promise<void> {
    await this.fetchAgentConfig(agentId);
  }

  /** The agent's agent_config (unknown fields kept, as agent-api stores them); errors as assertAgentExists. */
  async fetchAgentConfig(agentId: string): Promise<Record<string, unknown>> {
    const path = `/agent/${encodeURIComponent(agentId)}`;
    const answer = await sendJson({ service: 'agent-api', baseUrl: this.baseUrl, path, method: 'GET', apiKey: this.apiKey, timeoutMs: this.timeoutMs, fetch: this.fetch });
    if (answer.status === 401) throw new ApiKeyRefusedError('agent-api', this.baseUrl, this.apiKey !== undefined);
    if (answer.status === 200) {
      const body = answer.body as { agent_config?: unknown } | undefined;
      return body && typeof body.agent_config === 'object' && body.agent_config !== null ? (body.agent_config as Record<string, unknown>) : {};
    }
    if (answer.status === 404) throw new AgentNotFoundError(agentId, this.baseUrl);
    // A malformed id (e.g. not a UUID) cannot name an agent either.
    if (answer.status === 400) throw new AgentNotFoundError(agentId, this.baseUrl, messageOf(answer.body, answer.status));
    throw new AgentApiRequestError(answer.status, messageOf(answer.body, answer.status), this.baseUrl + path);
  }
}
