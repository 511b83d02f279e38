import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentApiUnavailableError, AgentNotFoundError, HttpAgentSource } from './http-agent-source';

/** A stand-in agent-api that answers one scripted response and remembers the headers it was sent. */
async function agentApi(answer: { status: number; body: unknown }): Promise<{ url: string; seen: IncomingHttpHeaders[]; server: Server }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const runtime = (baseUrl?: string) => ({ agentName: 'cod', llm: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2, maxTokens: 150, ...(baseUrl ? { baseUrl } : {}) } });

describe('the gateway reading an agent from agent-api', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });
  const start = async (answer: { status: number; body: unknown }) => {
    const api = await agentApi(answer);
    servers.push(api.server);
    return api;
  };

  it('sends its API key as a bearer token', async () => {
    const api = await start({ status: 200, body: runtime() });
    await new HttpAgentSource(api.url, { apiKey: 'gateway-outgoing-key-123' }).getRuntimeConfig('a1');
    expect(api.seen[0].authorization).toBe('Bearer gateway-outgoing-key-123');
  });

  it('sends no Authorization header when it has no key (agent-api in loopback dev mode)', async () => {
    const api = await start({ status: 200, body: runtime() });
    await new HttpAgentSource(api.url).getRuntimeConfig('a1');
    expect(api.seen[0].authorization).toBeUndefined();
  });

  it('says which key to set when agent-api refuses it', async () => {
    const api = await start({ status: 401, body: { message: 'missing API key' } });
    const read = new HttpAgentSource(api.url).getRuntimeConfig('a1');
    await expect(read).rejects.toThrow(AgentApiUnavailableError);
    await expect(new HttpAgentSource(api.url).getRuntimeConfig('a1')).rejects.toThrow(/set CODCALL_API_KEY on the gateway/);
  });

  it('passes on why a stored agent is no longer valid', async () => {
    const api = await start({
      status: 400,
      body: { message: 'agent a1 is stored but no longer valid', errors: [{ path: 'agent_config.agent_welcome_message', message: 'agent_welcome_message must be shorter than or equal to 1000 characters' }] },
    });
    await expect(new HttpAgentSource(api.url).getRuntimeConfig('a1')).rejects.toThrow(
      new AgentNotFoundError('a1', 'agent a1 is stored but no longer valid: agent_config.agent_welcome_message: agent_welcome_message must be shorter than or equal to 1000 characters'),
    );
  });

  it('refuses, at call time, a model URL the rule forbids even if agent-api served it', async () => {
    const api = await start({ status: 200, body: runtime('http://169.254.169.254/v1') });
    await expect(new HttpAgentSource(api.url).getRuntimeConfig('a1')).rejects.toThrow(/agent a1 cannot be used: its llm_config.base_url must not point at a cloud metadata service/);
    const plain = await start({ status: 200, body: runtime('http://llm.internal.example/v1') });
    await expect(new HttpAgentSource(plain.url).getRuntimeConfig('a1')).rejects.toThrow(/must use https/);
    await expect(new HttpAgentSource(plain.url, { providerUrls: { allowInsecure: true } }).getRuntimeConfig('a1')).resolves.toMatchObject({ agentName: 'cod' });
  });
});
