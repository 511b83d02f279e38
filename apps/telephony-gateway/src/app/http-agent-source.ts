import { providerUrlProblem, type AgentRuntimeConfig, type ProviderUrlPolicy } from '@codcall/agent-config';
import type { AgentSource } from '@codcall/call-orchestration';

export class AgentNotFoundError extends Error {
  constructor(
    readonly agentId: string,
    /** Why agent-api would not hand the agent out, when it was found but is no longer valid. */
    readonly reason?: string,
  ) {
    super(reason ? `agent ${agentId} cannot be used: ${reason}` : `agent ${agentId} not found`);
  }
}

export class AgentApiUnavailableError extends Error {}

/** Reads agents from the agent API, caching each for a short while: a campaign asks for the same one thousands of times. */
export class HttpAgentSource implements AgentSource {
  private readonly cache = new Map<string, { config: AgentRuntimeConfig; expires: number }>();

  private readonly apiKey?: string;
  private readonly ttlMs: number;
  private readonly providerUrls: ProviderUrlPolicy;

  /**
   * `apiKey` is sent as `Authorization: Bearer` (CODCALL_API_KEY): agent-api refuses requests
   * without it once it has keys. `providerUrls` is checked again here, so an agent-api that
   * predates the rule cannot send this gateway's keys to a URL the rule forbids.
   */
  constructor(
    private readonly baseUrl: string,
    options: { apiKey?: string; ttlMs?: number; providerUrls?: ProviderUrlPolicy } = {},
  ) {
    this.apiKey = options.apiKey;
    this.ttlMs = options.ttlMs ?? 10_000;
    this.providerUrls = options.providerUrls ?? {};
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
    if (response.status === 404) throw new AgentNotFoundError(agentId);
    if (response.status === 400) throw new AgentNotFoundError(agentId, await refusalOf(response));
    if (response.status === 401 || response.status === 403) {
      throw new AgentApiUnavailableError(`agent API refused the gateway (${response.status}): set CODCALL_API_KEY on the gateway to one of agent-api's CODCALL_API_KEYS`);
    }
    if (!response.ok) throw new AgentApiUnavailableError(`agent API answered ${response.status} for ${url}`);
    const config = (await response.json()) as AgentRuntimeConfig;
    const problem = config.llm?.baseUrl ? providerUrlProblem(config.llm.baseUrl, this.providerUrls) : undefined;
    if (problem) throw new AgentNotFoundError(agentId, `its llm_config.base_url ${problem}`);
    this.cache.set(agentId, { config, expires: Date.now() + this.ttlMs });
    return config;
  }
}

/** agent-api's 400 for a stored agent that no longer passes: its message and the first field at fault. */
async function refusalOf(response: Response): Promise<string> {
  const body = (await response.json().catch(() => ({}))) as { message?: unknown; errors?: { path?: unknown; message?: unknown }[] };
  const first = Array.isArray(body.errors) ? body.errors[0] : undefined;
  const detail = first && typeof first.path === 'string' && typeof first.message === 'string' ? `: ${first.path}: ${first.message}` : '';
  return `${typeof body.message === 'string' ? body.message : 'agent-api refused it'}${detail}`;
}
