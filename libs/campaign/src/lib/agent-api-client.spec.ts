import { FakeAgentApi, unusedUrl } from '@codcall/test-support';
import { AgentApiClient } from './agent-api-client';
import { AgentNotFoundError, ApiKeyRefusedError, ServiceUnreachableError } from './errors';

describe('AgentApiClient.assertAgentExists', () => {
  let agentApi: FakeAgentApi;
  beforeAll(async () => {
    agentApi = await new FakeAgentApi(['11111111-1111-4111-8111-111111111111']).start();
  });
  afterAll(() => agentApi.stop());

  it('resolves for an agent that exists', async () => {
    await expect(new AgentApiClient(agentApi.url).assertAgentExists('11111111-1111-4111-8111-111111111111')).resolves.toBeUndefined();
  });

  it('says which agent was not found, and where', async () => {
    const error = await new AgentApiClient(agentApi.url).assertAgentExists('nope/../x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentNotFoundError);
    expect((error as Error).message).toBe(`agent nope/../x not found at ${agentApi.url}`);
    expect(agentApi.requested).toContain('nope/../x');
  });

  it('names agent-api and its URL when it is down', async () => {
    const url = await unusedUrl();
    const error = await new AgentApiClient(url).assertAgentExists('a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnreachableError);
    expect((error as Error).message).toBe(`agent-api is unreachable at ${url} (connection refused)`);
  });

  it('sends its API key, and says what to set when agent-api refuses it', async () => {
    const guarded = await new FakeAgentApi(['a-1'], {}, { apiKey: 'agent-api-key-0123' }).start();
    try {
      await expect(new AgentApiClient(guarded.url, { apiKey: 'agent-api-key-0123' }).assertAgentExists('a-1')).resolves.toBeUndefined();
      const error = await new AgentApiClient(guarded.url, { apiKey: 'wrong-key-0123456' }).assertAgentExists('a-1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiKeyRefusedError);
      expect((error as Error).message).toBe(`agent-api at ${guarded.url} refused the API key: set CODCALL_API_KEY to one of agent-api's CODCALL_API_KEYS`);
    } finally {
      await guarded.stop();
    }
  });
});
