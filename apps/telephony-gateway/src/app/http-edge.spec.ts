import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { toRuntimeConfig, validateAgentJson } from '@codcall/agent-config';
import { silentLogger } from '@codcall/logging';
import { createGatewayApp } from './bootstrap';
import { loadGatewayConfig } from './config';
import { AgentNotFoundError } from './http-agent-source';

/** Test responses are whatever JSON the API sent; the assertions check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = { status: number; headers: Headers; body: any };

const API_KEY = 'edge-spec-key-0123456789abcdef';
const CALL_ID = '5b0c6d7e-8f90-4a1b-9c2d-3e4f5a6b7c8d';
const DIAL = { agent_id: 'missing-agent', recipient_phone_number: '+15551234567', carrier: 'sim' };

const seed = validateAgentJson(JSON.parse(readFileSync(join(__dirname, '../../../../agent_data/cod_confirmation_agent.json'), 'utf8')));
const shippedAgent = seed.ok ? toRuntimeConfig(seed.agent) : undefined;

/** A gateway on a free loopback port; its only agent is the shipped one, as "cod", when `withAgent`. */
async function startGateway(env: NodeJS.ProcessEnv, withAgent = false): Promise<{ app: INestApplication; base: string; recordsDir: string }> {
  const recordsDir = mkdtempSync(join(tmpdir(), 'gateway-edge-'));
  const config = loadGatewayConfig({ RECORDS_DIR: recordsDir, GATEWAY_DATA_DIR: join(recordsDir, 'gateway'), SIMULATOR_ENABLED: 'true', ...env });
  const getRuntimeConfig = async (id: string) => (withAgent && id === 'cod' && shippedAgent ? shippedAgent : Promise.reject(new AgentNotFoundError(id)));
  const app = await createGatewayApp(config, { logger: silentLogger(), agents: { getRuntimeConfig } });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, base: `http://127.0.0.1:${port}`, recordsDir };
}

async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the assertion shows the text
  }
  return { status: response.status, headers: response.headers, body };
}

describe('the gateway with API keys', () => {
  let app: INestApplication;
  let base: string;
  let recordsDir: string;

  beforeAll(async () => {
    ({ app, base, recordsDir } = await startGateway({ CODCALL_API_KEYS: `old-key-being-rotated-out,${API_KEY}` }));
  });
  afterAll(async () => {
    await app.close();
    rmSync(recordsDir, { recursive: true, force: true });
  }, 20_000);

  const json = (body: unknown, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const withKey = { authorization: `Bearer ${API_KEY}` };

  it('refuses to dial or show a call without the key, and says what to send', async () => {
    const dial = await send(`${base}/call`, json(DIAL));
    expect(dial.status).toBe(401);
    expect(dial.headers.get('www-authenticate')).toBe('Bearer');
    expect(dial.body.message).toBe('missing API key: send the header "Authorization: Bearer <key>" with one of the keys in CODCALL_API_KEYS');
    expect((await send(`${base}/call/${CALL_ID}`)).status).toBe(401);
  });

  it('refuses a wrong key without repeating it', async () => {
    const wrong = await send(`${base}/call`, json(DIAL, { authorization: 'Bearer guessed-key-guessed-key' }));
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toMatch(/^invalid API key/);
    expect(JSON.stringify(wrong.body)).not.toContain('guessed-key');
    expect((await send(`${base}/call/${CALL_ID}`, { headers: { authorization: `Basic ${API_KEY}` } })).status).toBe(401);
  });

  it('lets the key through, and every key of a rotation', async () => {
    expect((await send(`${base}/call`, json(DIAL, withKey))).status).toBe(404);
    expect((await send(`${base}/call`, json(DIAL, { authorization: 'Bearer old-key-being-rotated-out' }))).status).toBe(404);
    expect((await send(`${base}/call/${CALL_ID}`, { headers: withKey })).status).toBe(404);
  });

  it('leaves /health and the carrier webhooks open: the webhooks answer for their signature instead', async () => {
    expect((await send(`${base}/health`)).status).toBe(200);
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'CallSid=CA1&CallStatus=completed' };
    // No call by that id: the webhook got past the key check and the form parser to the controller.
    expect((await send(`${base}/call/${CALL_ID}/status`, form)).status).toBe(404);
    expect((await send(`${base}/call/${CALL_ID}/answer`, form)).status).toBe(404);
  });

  it('says nothing secret on /health', async () => {
    const health = await send(`${base}/health`);
    expect(JSON.stringify(health.body)).not.toContain(API_KEY);
    expect(JSON.stringify(health.body)).not.toContain('old-key');
    expect(Object.keys(health.body).sort()).toEqual(['carriers', 'idempotency_keys', 'limits', 'status']);
  });

  it('accepts JSON only on its API: a form or text dial is 415, so no web page can place a call', async () => {
    const form = await send(`${base}/call`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...withKey }, body: new URLSearchParams(DIAL).toString() });
    expect(form.status).toBe(415);
    expect(form.body.message).toBe('unsupported content type "application/x-www-form-urlencoded": send the body as application/json');
    const text = await send(`${base}/call`, { method: 'POST', headers: { 'content-type': 'text/plain', ...withKey }, body: JSON.stringify(DIAL) });
    expect(text.status).toBe(415);
    // Without a key too: the type is refused before anything reads the body.
    expect((await send(`${base}/call`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(415);
  });

  it('refuses a body over 64 KiB with 400 naming the limit', async () => {
    const big = await send(`${base}/call`, json({ ...DIAL, context: { notes: 'x'.repeat(70_000) } }, withKey));
    expect(big.status).toBe(400);
    expect(big.body.message).toBe('request body is larger than the limit of 65536 bytes (64 KiB)');
  });

  it('refuses deeply nested JSON with 400 naming the limit, never 500', async () => {
    const deep = await send(`${base}/call`, json(`{"simulation":${'['.repeat(5000)}${']'.repeat(5000)}}`, withKey));
    expect(deep.status).toBe(400);
    expect(deep.body.message).toBe('request body nests objects and arrays deeper than the limit of 32 levels');
    expect((await send(`${base}/call`, json('{"agent_id": ', withKey))).body.message).toMatch(/^request body is not valid JSON/);
  });

  it('bounds the CSV row a call carries, naming the column', async () => {
    const dial = (context: Record<string, unknown>) => send(`${base}/call`, json({ ...DIAL, context }, withKey));
    const long = await dial({ address: 'x'.repeat(2001) });
    expect(long.status).toBe(400);
    expect(long.body.message).toEqual(['context.address is 2001 characters long; at most 2000 are allowed']);
    const wide = await dial(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`c${i}`, 'v'])));
    expect(wide.body.message).toEqual(['context has 101 columns; at most 100 are allowed']);
    expect((await dial({ ['k'.repeat(101)]: 'v' })).body.message).toEqual(['context has a column name of 101 characters; at most 100 are allowed']);
    expect((await dial({ amount: 12 })).body.message).toEqual(['context.amount must be a string (the CSV row)']);
    // At the limits the request passes validation (and meets the missing agent).
    expect((await dial({ address: 'x'.repeat(2000), ['k'.repeat(100)]: 'v' })).status).toBe(404);
  });

  it('bounds a scripted callee', async () => {
    const many = await send(`${base}/call`, json({ ...DIAL, simulation: { answer: 'human', says: Array.from({ length: 51 }, () => 'Yes.') } }, withKey));
    expect(many.status).toBe(400);
    expect(many.body.message).toEqual(['simulation.says has 51 lines; at most 50 are allowed']);
  });

  it('sends no CORS headers when no origin is configured', async () => {
    const preflight = await send(`${base}/call`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect([...preflight.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    const health = await send(`${base}/health`, { headers: { origin: 'https://evil.example' } });
    expect(health.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the gateway with CORS_ORIGINS', () => {
  it('answers the configured origin only', async () => {
    const { app, base, recordsDir } = await startGateway({ CODCALL_API_KEYS: API_KEY, CORS_ORIGINS: 'https://ops.example.com' });
    try {
      const allowed = await send(`${base}/health`, { headers: { origin: 'https://ops.example.com' } });
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
      const other = await send(`${base}/health`, { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await app.close();
      rmSync(recordsDir, { recursive: true, force: true });
    }
  }, 20_000);
});

describe('the gateway without a key (a developer machine)', () => {
  let app: INestApplication;
  let base: string;
  let recordsDir: string;

  beforeAll(async () => {
    ({ app, base, recordsDir } = await startGateway({}));
  });
  afterAll(async () => {
    await app.close();
    rmSync(recordsDir, { recursive: true, force: true });
  }, 20_000);

  /** fetch() will not send a Host header of our choosing; a page under DNS rebinding makes the browser do exactly that. */
  function withHost(path: string, host: string): Promise<number> {
    const url = new URL(path, base);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject).end();
    });
  }

  it('accepts requests addressed to a loopback name without a key', async () => {
    expect((await send(`${base}/call/${CALL_ID}`)).status).toBe(404);
    expect(await withHost(`/call/${CALL_ID}`, 'localhost:5002')).toBe(404);
  });

  it('refuses a request whose Host is another name: a rebinding page cannot reach the API', async () => {
    expect(await withHost(`/call/${CALL_ID}`, 'attacker.example:5002')).toBe(403);
    expect(await withHost('/health', 'attacker.example:5002')).toBe(200);
  });

  it('refuses to start on every interface, saying how to set a key', () => {
    expect(() => loadGatewayConfig({ GATEWAY_HOST: '0.0.0.0' })).toThrow(/set CODCALL_API_KEYS/);
  });
});

describe('the gateway at its call limit', () => {
  it('answers one dial too many with 503 and Retry-After, so a campaign sends it again later', async () => {
    const { app, base, recordsDir } = await startGateway({ CODCALL_API_KEYS: API_KEY, GATEWAY_MAX_CALLS: '1' }, true);
    const dial = () =>
      send(`${base}/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
        body: JSON.stringify({ agent_id: 'cod', recipient_phone_number: '+15551234567', carrier: 'sim', simulation: { answer: 'busy', ringSeconds: 30 } }),
      });
    try {
      expect((await dial()).status).toBe(201);
      const refused = await dial();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(refused.body).toEqual({ statusCode: 503, message: 'gateway at capacity: 1 calls in progress', retry_after_seconds: Number(refused.headers.get('retry-after')) });
    } finally {
      await app.close();
      rmSync(recordsDir, { recursive: true, force: true });
    }
  }, 20_000);
});
