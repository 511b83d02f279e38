import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createAgentApiApp } from './bootstrap';
import { loadAgentApiConfig } from './config';

/** Test responses are whatever JSON the API sent; the assertions check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response | Promise<Response>): Promise<any> => (await response).json();

const seedText = readFileSync(join(__dirname, '../../../../agent_data/cod_confirmation_agent.json'), 'utf8');
const API_KEY = 'agent-api-spec-key-0123456789';

async function start(dataDir: string, env: NodeJS.ProcessEnv = { CODCALL_API_KEYS: API_KEY }): Promise<{ app: INestApplication; url: string }> {
  const app = await createAgentApiApp(loadAgentApiConfig({ AGENT_API_HOST: '127.0.0.1', DATA_DIR: dataDir, ...env }));
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

describe('agent API', () => {
  let dataDir: string;
  let app: INestApplication;
  let url: string;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'agent-api-'));
    ({ app, url } = await start(dataDir));
  });
  afterEach(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const send = (method: string, path: string, body?: string, headers: Record<string, string> = { authorization: `Bearer ${API_KEY}` }) =>
    fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body });

  it('creates the shipped COD agent and answers exactly as Bolna does', async () => {
    const response = await send('POST', '/agent', seedText);
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(Object.keys(body).sort()).toEqual(['agent_id', 'state']);
    expect(body.state).toBe('created');
    expect(body.agent_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await json(send('GET', `/agent/${body.agent_id}`))).toEqual(JSON.parse(seedText));
  });

  it('lists, replaces, serves the runtime config, and deletes', async () => {
    const { agent_id } = await json(send('POST', '/agent', seedText));
    const changed = JSON.parse(seedText);
    changed.agent_config.agent_name = 'cod_v2';
    expect(await json(send('PUT', `/agent/${agent_id}`, JSON.stringify(changed)))).toEqual({ agent_id, state: 'updated' });
    expect((await json(send('GET', '/agents'))).agents).toEqual([expect.objectContaining({ agent_id, agent_name: 'cod_v2' })]);
    expect((await json(send('GET', '/all'))).agents[0].data.agent_config.agent_name).toBe('cod_v2');
    expect((await json(send('GET', `/agent/${agent_id}/runtime`))).agentName).toBe('cod_v2');
    expect(await json(send('DELETE', `/agent/${agent_id}`))).toEqual({ agent_id, state: 'deleted' });
    expect((await send('GET', `/agent/${agent_id}`)).status).toBe(404);
    expect((await send('DELETE', `/agent/${agent_id}`)).status).toBe(404);
  });

  it('answers 400 with every failing field, and for a body that is not JSON', async () => {
    const bad = JSON.parse(seedText);
    bad.agent_config.tasks[0].tools_config.llm_agent.llm_config.max_tokens = -1;
    delete bad.agent_config.agent_welcome_message;
    const response = await send('POST', '/agent', JSON.stringify(bad));
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.message).toBe('agent JSON is invalid');
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['agent_config.agent_welcome_message', 'agent_config.tasks.0.tools_config.llm_agent.llm_config.max_tokens']),
    );
    expect((await send('POST', '/agent', '{not json')).status).toBe(400);
    expect((await send('GET', '/agent/not-a-uuid')).status).toBe(400);
  });

  it('takes per-language texts and serves them in the runtime config; a language it does not know is a 400 naming the field', async () => {
    const hindi = JSON.parse(seedText);
    hindi.agent_config.languages = { Hindi: { agent_welcome_message: 'नमस्ते, क्या मेरी बात {name} जी से हो रही है?' } };
    hindi.agent_config.tasks[0].task_config.confirm_address = true;
    const created = await json(send('POST', '/agent', JSON.stringify(hindi)));
    expect(created.state).toBe('created');
    const runtime = await json(send('GET', `/agent/${created.agent_id}/runtime`));
    expect(runtime).toMatchObject({ language: 'en', confirmAddress: true, localisation: { overrides: { hi: { welcomeMessage: 'नमस्ते, क्या मेरी बात {name} जी से हो रही है?' } } } });

    hindi.agent_config.languages = { xx: { agent_welcome_message: 'Hi' } };
    const refused = await send('POST', '/agent', JSON.stringify(hindi));
    expect(refused.status).toBe(400);
    expect((await json(refused)).errors).toEqual([{ path: 'agent_config.languages.xx', message: expect.stringMatching(/^unknown language "xx" \(known: en, hi, hi-Latn, ar, es, pt-BR, id/) }]);
  });

  it('keeps unknown fields as sent and reports them', async () => {
    const agent = JSON.parse(seedText);
    agent.agent_config.webhook_url = 'https://example.com/hook';
    const body = await json(send('POST', '/agent', JSON.stringify(agent)));
    expect(body.unknown_fields).toEqual(['agent_config.webhook_url']);
    expect((await json(send('GET', `/agent/${body.agent_id}`))).agent_config.webhook_url).toBe('https://example.com/hook');
  });

  it('keeps agents across a restart', async () => {
    const { agent_id } = await json(send('POST', '/agent', seedText));
    await app.close();
    ({ app, url } = await start(dataDir));
    expect((await send('GET', `/agent/${agent_id}`)).status).toBe(200);
  });
});

describe('agent API edges', () => {
  let dataDir: string;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'agent-api-edge-'));
    ({ app, url } = await start(dataDir));
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const withKey = { authorization: `Bearer ${API_KEY}` };
  const call = (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json', ...init.headers }, body: init.body });

  it('refuses every agent route without the key or with a wrong one, and says what to send', async () => {
    const { agent_id } = await json(call('POST', '/agent', { body: seedText, headers: withKey }));
    const routes: [string, string][] = [
      ['POST', '/agent'], ['GET', `/agent/${agent_id}`], ['GET', `/agent/${agent_id}/runtime`], ['PUT', `/agent/${agent_id}`],
      ['DELETE', `/agent/${agent_id}`], ['GET', '/agents'], ['GET', '/all'],
    ];
    for (const [method, path] of routes) {
      const body = method === 'POST' || method === 'PUT' ? seedText : undefined;
      const without = await call(method, path, { body });
      expect({ route: `${method} ${path}`, status: without.status }).toEqual({ route: `${method} ${path}`, status: 401 });
      expect((await json(without)).message).toMatch(/send the header "Authorization: Bearer <key>"/);
      expect((await call(method, path, { body, headers: { authorization: 'Bearer not-the-right-key-at-all' } })).status).toBe(401);
    }
    expect((await call('GET', `/agent/${agent_id}`, { headers: withKey })).status).toBe(200);
    expect(await json(call('GET', '/health'))).toEqual({ status: 'ok' });
  });

  it('takes JSON only', async () => {
    const form = await call('POST', '/agent', { body: 'agent_config=x', headers: { ...withKey, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect((await json(form)).message).toBe('unsupported content type "application/x-www-form-urlencoded": send the body as application/json');
  });

  it('answers 400, never 500, for a body without agent_config and for deeply nested JSON', async () => {
    const empty = await call('POST', '/agent', { body: '{"agent_prompts": {}}', headers: withKey });
    expect(empty.status).toBe(400);
    expect((await json(empty)).errors).toEqual([{ path: 'agent_config', message: 'agent_config is required' }]);
    const deep = await call('POST', '/agent', { body: `{"agent_config":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`, headers: withKey });
    expect(deep.status).toBe(400);
    expect((await json(deep)).message).toBe('request body nests objects and arrays deeper than the limit of 32 levels');
  });

  it('refuses an agent whose model URL points at the metadata service, or whose welcome is 900 KB, naming the field', async () => {
    const metadata = JSON.parse(seedText);
    metadata.agent_config.tasks[0].tools_config.llm_agent.llm_config.base_url = 'http://169.254.169.254/';
    const refused = await call('POST', '/agent', { body: JSON.stringify(metadata), headers: withKey });
    expect(refused.status).toBe(400);
    expect((await json(refused)).errors).toEqual([
      { path: 'agent_config.tasks.0.tools_config.llm_agent.llm_config.base_url', message: 'base_url must not point at a cloud metadata service' },
    ]);
    const long = JSON.parse(seedText);
    long.agent_config.agent_welcome_message = 'x'.repeat(900_000);
    const tooLong = await call('POST', '/agent', { body: JSON.stringify(long), headers: withKey });
    expect(tooLong.status).toBe(400);
    expect((await json(tooLong)).errors.map((e: { path: string }) => e.path)).toEqual(['agent_config.agent_welcome_message']);
  });

  it('refuses a body over 1 MiB with 400 naming the limit', async () => {
    const response = await call('POST', '/agent', { body: JSON.stringify({ padding: 'x'.repeat(1_100_000) }), headers: withKey });
    expect(response.status).toBe(400);
    expect((await json(response)).message).toBe('request body is larger than the limit of 1048576 bytes (1024 KiB)');
  });

  it('sends no CORS headers when no origin is configured', async () => {
    const response = await fetch(`${url}/agents`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });
});

describe('agent API configuration', () => {
  it('refuses to listen beyond this machine without a key, and says how to set one', () => {
    expect(() => loadAgentApiConfig({ AGENT_API_HOST: '0.0.0.0' })).toThrow(/agent-api will not listen on 0\.0\.0\.0 without an API key: set CODCALL_API_KEYS/);
    expect(() => loadAgentApiConfig({ CODCALL_API_KEYS: 'short' })).toThrow(/CODCALL_API_KEYS: key 1 of 1 is 5 characters long/);
    expect(loadAgentApiConfig({})).toMatchObject({ host: '127.0.0.1', apiKeys: [], corsOrigins: [], allowInsecureProviderUrls: false });
    expect(loadAgentApiConfig({ CODCALL_API_KEYS: API_KEY }).host).toBe('0.0.0.0');
  });

  it('re-validates a stored agent when the gateway asks for it: plain http elsewhere only when the deployment allows it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'agent-api-insecure-'));
    const agent = JSON.parse(seedText);
    agent.agent_config.tasks[0].tools_config.llm_agent.llm_config.base_url = 'http://llm.internal.example/v1';
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };
    let { app, url } = await start(dataDir, { CODCALL_API_KEYS: API_KEY, ALLOW_INSECURE_PROVIDER_URLS: 'true' });
    try {
      const created = await json(fetch(`${url}/agent`, { method: 'POST', headers, body: JSON.stringify(agent) }));
      expect(created.state).toBe('created');
      await app.close();
      ({ app, url } = await start(dataDir));
      const runtime = await fetch(`${url}/agent/${created.agent_id}/runtime`, { headers });
      expect(runtime.status).toBe(400);
      expect(JSON.stringify(await json(runtime))).toContain('base_url must use https');
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
