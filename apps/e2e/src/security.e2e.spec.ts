import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E_API_KEY, freePort, MAINS, startService, withApiKey, WORKSPACE, type RunningService } from './support/processes';

/**
 * The two services as an outsider meets them: the real agent-api and telephony-gateway processes,
 * each configured with this run's API key. Every API route turns away a caller without the key
 * or with a wrong one, the API takes JSON only and within its limits, an agent cannot name a
 * metadata address or carry a 900 KB greeting, and a service without a key refuses to listen
 * beyond this machine. Oversized bodies are answered 400 (not 413), naming the limit.
 */
const seedText = readFileSync(join(WORKSPACE, 'agent_data/cod_confirmation_agent.json'), 'utf8');
const UNKNOWN_CALL = '5b0c6d7e-8f90-4a1b-9c2d-3e4f5a6b7c8d';
const WRONG_KEY = 'a-key-nobody-configured-0123';

/** Test responses are whatever JSON the API sent; the assertions check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function send(url: string, init: RequestInit = {}): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

/** Runs a built service that is expected to refuse to start, and returns its exit code and output. */
function startExpectingRefusal(main: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${main} started instead of refusing:\n${output}`));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('the services facing an outsider', () => {
  let work: string;
  let agentApi: RunningService;
  let gateway: RunningService;
  let agentId: string;

  beforeAll(async () => {
    for (const main of [MAINS.agentApi, MAINS.gateway]) {
      if (!existsSync(main)) throw new Error(`${main} is missing: build the apps first (npm test does)`);
    }
    work = mkdtempSync(join(tmpdir(), 'codcall-security-'));
    const [agentPort, gatewayPort] = [await freePort(), await freePort()];
    agentApi = await startService(MAINS.agentApi, { AGENT_API_PORT: String(agentPort), DATA_DIR: join(work, 'data') }, agentPort);
    gateway = await startService(MAINS.gateway, { GATEWAY_PORT: String(gatewayPort), AGENT_API_URL: agentApi.url, RECORDS_DIR: join(work, 'calls') }, gatewayPort);
    const created = await send(`${agentApi.url}/agent`, { method: 'POST', headers: withApiKey({ 'content-type': 'application/json' }), body: seedText });
    expect(created.status).toBe(200);
    agentId = created.body.agent_id;
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await agentApi?.stop();
    rmSync(work, { recursive: true, force: true });
  }, 30_000);

  /** Every API route, with a body where it takes one; `ok` is its status when the key is right. */
  const routes = () => {
    const dial = JSON.stringify({ agent_id: agentId, recipient_phone_number: '+15551234567', carrier: 'sim', simulation: { answer: 'busy', ringSeconds: 0.1 } });
    return [
      { service: agentApi.url, method: 'GET', path: '/agents', ok: 200 },
      { service: agentApi.url, method: 'GET', path: '/all', ok: 200 },
      { service: agentApi.url, method: 'GET', path: `/agent/${agentId}`, ok: 200 },
      { service: agentApi.url, method: 'GET', path: `/agent/${agentId}/runtime`, ok: 200 },
      { service: agentApi.url, method: 'PUT', path: `/agent/${agentId}`, body: seedText, ok: 200 },
      { service: agentApi.url, method: 'POST', path: '/agent', body: seedText, ok: 200 },
      { service: agentApi.url, method: 'DELETE', path: `/agent/${UNKNOWN_CALL}`, ok: 404 },
      { service: gateway.url, method: 'POST', path: '/call', body: dial, ok: 201 },
      { service: gateway.url, method: 'GET', path: `/call/${UNKNOWN_CALL}`, ok: 404 },
    ];
  };
  const call = (route: ReturnType<typeof routes>[number], headers: Record<string, string>) =>
    send(`${route.service}${route.path}`, { method: route.method, headers: { 'content-type': 'application/json', ...headers }, body: route.body });

  it('answers 401 on every API route without a key, saying what to send', async () => {
    for (const route of routes()) {
      const answer = await call(route, {});
      expect({ route: `${route.method} ${route.path}`, status: answer.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 });
      expect(answer.body.message).toBe('missing API key: send the header "Authorization: Bearer <key>" with one of the keys in CODCALL_API_KEYS');
    }
  });

  it('answers 401 on every API route with a wrong key, without repeating it', async () => {
    for (const route of routes()) {
      const answer = await call(route, { authorization: `Bearer ${WRONG_KEY}` });
      expect({ route: `${route.method} ${route.path}`, status: answer.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 });
      expect(answer.text).not.toContain(WRONG_KEY);
    }
  });

  it('serves every API route with the key', async () => {
    for (const route of routes()) {
      const answer = await call(route, withApiKey());
      expect({ route: `${route.method} ${route.path}`, status: answer.status }).toEqual({ route: `${route.method} ${route.path}`, status: route.ok });
    }
  });

  it('answers /health without a key, and says nothing secret there', async () => {
    const agentHealth = await send(`${agentApi.url}/health`);
    expect(agentHealth).toMatchObject({ status: 200, body: { status: 'ok' } });
    const gatewayHealth = await send(`${gateway.url}/health`);
    // Exactly this and nothing more: the carriers it dials through and the limits a campaign checks rows against.
    expect(gatewayHealth.body).toEqual({
      status: 'ok',
      carriers: ['sim'],
      idempotency_keys: true,
      limits: { max_body_bytes: 65536, max_context_value_chars: 2000, max_context_columns: 100 },
    });
    for (const health of [agentHealth, gatewayHealth]) expect(health.text).not.toContain(E2E_API_KEY);
  });

  it('refuses a form-encoded dial with 415: a web page cannot place a call', async () => {
    const form = new URLSearchParams({ agent_id: agentId, recipient_phone_number: '+881234567890', carrier: 'sim' }).toString();
    const answer = await send(`${gateway.url}/call`, { method: 'POST', headers: withApiKey({ 'content-type': 'application/x-www-form-urlencoded' }), body: form });
    expect(answer.status).toBe(415);
    expect(answer.body.message).toBe('unsupported content type "application/x-www-form-urlencoded": send the body as application/json');
    const agentForm = await send(`${agentApi.url}/agent`, { method: 'POST', headers: withApiKey({ 'content-type': 'text/plain' }), body: seedText });
    expect(agentForm.status).toBe(415);
  });

  it('refuses deeply nested JSON with 400 naming the limit, never 500', async () => {
    const deep = `{"agent_config":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    for (const [url, path] of [[agentApi.url, '/agent'], [gateway.url, '/call']]) {
      const answer = await send(`${url}${path}`, { method: 'POST', headers: withApiKey({ 'content-type': 'application/json' }), body: deep });
      expect({ path, status: answer.status, message: answer.body.message }).toEqual({
        path,
        status: 400,
        message: 'request body nests objects and arrays deeper than the limit of 32 levels',
      });
    }
  });

  it('refuses an oversized body with 400 naming the limit', async () => {
    const dial = JSON.stringify({ agent_id: agentId, recipient_phone_number: '+15551234567', context: { notes: 'x'.repeat(70_000) } });
    const big = await send(`${gateway.url}/call`, { method: 'POST', headers: withApiKey({ 'content-type': 'application/json' }), body: dial });
    expect(big.status).toBe(400);
    expect(big.body.message).toBe('request body is larger than the limit of 65536 bytes (64 KiB)');
    const agent = await send(`${agentApi.url}/agent`, { method: 'POST', headers: withApiKey({ 'content-type': 'application/json' }), body: JSON.stringify({ padding: 'x'.repeat(1_100_000) }) });
    expect(agent.status).toBe(400);
    expect(agent.body.message).toBe('request body is larger than the limit of 1048576 bytes (1024 KiB)');
  });

  it('refuses an agent whose model URL is the cloud metadata service, naming the field', async () => {
    const agent = JSON.parse(seedText);
    agent.agent_config.tasks[0].tools_config.llm_agent.llm_config.base_url = 'http://169.254.169.254/';
    const answer = await send(`${agentApi.url}/agent`, { method: 'POST', headers: withApiKey({ 'content-type': 'application/json' }), body: JSON.stringify(agent) });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      { path: 'agent_config.tasks.0.tools_config.llm_agent.llm_config.base_url', message: 'base_url must not point at a cloud metadata service' },
    ]);
    // Nor can an existing agent be replaced with one.
    const replaced = await send(`${agentApi.url}/agent/${agentId}`, { method: 'PUT', headers: withApiKey({ 'content-type': 'application/json' }), body: JSON.stringify(agent) });
    expect(replaced.status).toBe(400);
  });

  it('refuses an agent with a 900 KB welcome message, naming the field', async () => {
    const agent = JSON.parse(seedText);
    agent.agent_config.agent_welcome_message = 'Hello, this is a very long greeting. '.repeat(25_000).slice(0, 900_000);
    const answer = await send(`${agentApi.url}/agent`, { method: 'POST', headers: withApiKey({ 'content-type': 'application/json' }), body: JSON.stringify(agent) });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ path: 'agent_config.agent_welcome_message', message: 'agent_welcome_message must be shorter than or equal to 1000 characters' }]);
  });

  it('lets a forged carrier webhook change nothing', async () => {
    const placed = await send(`${gateway.url}/call`, {
      method: 'POST',
      headers: withApiKey({ 'content-type': 'application/json' }),
      body: JSON.stringify({ agent_id: agentId, recipient_phone_number: '+15551234567', carrier: 'sim', simulation: { answer: 'busy', ringSeconds: 30 } }),
    });
    expect(placed.status).toBe(201);
    const view = () => send(`${gateway.url}/call/${placed.body.call_id}`, { headers: withApiKey() });
    // The forgery is sent while the phone rings: a completed status would end the call now.
    while ((await view()).body.state !== 'ringing') await new Promise((resolve) => setTimeout(resolve, 50));
    const forged = await send(`${gateway.url}/call/${placed.body.call_id}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'Zm9yZ2Vk' },
      body: new URLSearchParams({ CallSid: 'CAforged', CallStatus: 'completed' }).toString(),
    });
    expect(forged.status).toBe(403);
    const after = await view();
    expect(after.body.state).toBe('ringing');
    expect(after.body.outcome).toBeUndefined();
  });
});

describe('a service with no key configured', () => {
  it.each([
    ['telephony-gateway', MAINS.gateway, { GATEWAY_HOST: '0.0.0.0', GATEWAY_PORT: '0' }, 'GATEWAY_HOST'],
    ['agent-api', MAINS.agentApi, { AGENT_API_HOST: '0.0.0.0', AGENT_API_PORT: '0' }, 'AGENT_API_HOST'],
  ])('%s refuses to listen on 0.0.0.0 and says how to set a key', async (service, main, env, hostVariable) => {
    const work = mkdtempSync(join(tmpdir(), 'codcall-nokey-'));
    try {
      const { code, output } = await startExpectingRefusal(main, { ...env, CODCALL_API_KEYS: '', CODCALL_API_KEY: '', DATA_DIR: work, RECORDS_DIR: work, GATEWAY_DATA_DIR: work });
      expect(code).toBe(2);
      expect(output).toContain(`${service} will not listen on 0.0.0.0 without an API key: set CODCALL_API_KEYS`);
      expect(output).not.toMatch(/\n\s+at /); // a message for the operator, not a stack trace
      expect(output).toContain(`or set ${hostVariable}=127.0.0.1`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 40_000); // starting a service takes seconds on a loaded two-core machine
});
