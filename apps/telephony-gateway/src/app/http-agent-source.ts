import type { AgentRuntimeConfig } from '@codcall/agent-config';
import type { AgentSource } from '@codcall/call-orchestration';

export class AgentNotFoundError extends Error {
  constructor(readonly agentId: string) {
    super(`agent ${agentId} not found`);
  }
}

export class AgentApiUnavailableError extends Error {}

/** Reads agents from the agent API, caching each for a short while: a campaign asks for the same one thousands of times. */
export class HttpAgentSource implements AgentSource {
  private readonly cache = new Map<string, { config: AgentRuntimeConfig; expires: number }>();

  private readonly apiKey?: string;
  private readonly ttlMs: number;

  /** `apiKey` is sent as `Authorization: Bearer` (CODCALL_API_KEY): agent-api refuses requests without it once it has keys. */
  constructor(
    private readonly baseUrl: string,
    options: { apiKey?: string; ttlMs?: number } = {},
  ) {
    this.apiKey = options.apiKey;
    this.ttlMs = options.ttlMs ?? 10_000;
  }

  async getRuntimeConfig(agentId: string): Promise<AgentRuntimeConfig> {
    const cached = this.cache.get(agentId);
    if (cached && cached.expires > Date.now()) return cached.config;
    const url = `${this.baseUrl}/agent/${encodeURIComponent(agentId)}/runtime`;
    let response: Response;
    try {
      const headers: Record<string, string> = this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {};
      response = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
    } catch (error) {
      throw new AgentApiUnavailableError(`agent API unreachable at ${this.baseUrl}: ${(error as Error).message}`);
    }
    if (response.status === 404 || response.status === 400) throw new AgentNotFoundError(agentId);
    if (response.status === 401 || response.status === 403) {
      throw new AgentApiUnavailableError(`agent API refused the gateway (${response.status}): set CODCALL_API_KEY on the gateway to one of agent-api's CODCALL_API_KEYS`);
    }
    if (!response.ok) throw new AgentApiUnavailableError(`agent API answered ${response.status} for ${url}`);
    const config = (await response.json()) as AgentRuntimeConfig;
    this.cache.set(agentId, { config, expires: Date.now() + this.ttlMs });
    return config;
  }
}
