import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import WebSocket from 'ws';
import { toRuntimeConfig, validateAgentJson } from '@codcall/agent-config';
import { silentLogger } from '@codcall/logging';
import { signTwilioRequest } from '@codcall/telephony-providers';
import { readFileSync } from 'node:fs';
import { freePort } from '@codcall/test-support';
import { createGatewayApp } from './bootstrap';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { AgentNotFoundError } from './http-agent-source';

/** Test responses are whatever JSON the API sent; the assertions check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response | Promise<Response>): Promise<any> => (await response).json();

const API_KEY = 'gateway-spec-api-key-0123456789';
const withKey = { authorization: `Bearer ${API_KEY}` };

const seed = validateAgentJson(JSON.parse(readFileSync(join(__dirname, '../../../../agent_data/cod_confirmation_agent.json'), 'utf8')));
const agent = seed.ok ? toRuntimeConfig(seed.agent) : undefined;

describe('telephony gateway edges', () => {
  let app: INestApplication;
  let base: string;
  let config: GatewayConfig;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Every URL handed to a carrier is built from PUBLIC_BASE_URL.
    config = loadGatewayConfig({
      GATEWAY_PORT: String(port),
      PUBLIC_BASE_URL: base,
      RECORDS_DIR: mkdtempSync(join(tmpdir(), 'gateway-')),
      GATEWAY_DATA_DIR: mkdtempSync(join(tmpdir(), 'gateway-data-')),
      CODCALL_API_KEYS: API_KEY,
      SIMULATOR_ENABLED: 'true',
      SIMULATOR_WEBHOOK_SECRET: 'sim-secret-for-the-tests',
      RING_TIMEOUT_SECONDS: '5',
    });
    app = await createGatewayApp(config, {
      logger: silentLogger(),
      agents: { getRuntimeConfig: async (id) => (id === 'cod' && agent ? agent : Promise.reject(new AgentNotFoundError(id))) },
    });
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
  }, 20_000);

  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...withKey }, body: JSON.stringify(body) });

  it('lists the carriers it can dial through and what a call request may carry, without a key', async () => {
    const health = await json(fetch(`${base}/health`));
    expect(health).toEqual({
      status: 'ok',
      carriers: ['sim'],
      idempotency_keys: true,
      limits: { max_body_bytes: 65536, max_context_value_chars: 2000, max_context_columns: 100 },
    });
  });

  it('refuses a malformed call request, naming the field', async () => {
    const response = await post('/call', { agent_id: 'cod', recipient_phone_number: '98765', carrier: 'sim' });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await json(response))).toContain('recipient_phone_number must be an E.164 number');
  });

  it("answers 400 naming the value for a row whose language cell names no language, and dials nothing", async () => {
    const response = await post('/call', { agent_id: 'cod', recipient_phone_number: '+15551234567', carrier: 'sim', context: { name: 'Sam', order_id: 'ORD1', language: 'Klingon' } });
    expect(response.status).toBe(400);
    expect((await json(response)).message).toMatch(/unknown language "Klingon"/);
  });

  it('answers 404 for an unknown agent and 503 for a carrier without credentials', async () => {
    expect((await post('/call', { agent_id: 'nope', recipient_phone_number: '+15551234567', carrier: 'sim' })).status).toBe(404);
    const twilio = await post('/call', { agent_id: 'cod', recipient_phone_number: '+15551234567', carrier: 'twilio' });
    expect(twilio.status).toBe(503);
    expect((await json(twilio)).message).toMatch(/carrier twilio is not configured/);
  });

  it('rejects a simulated callee that makes no sense', async () => {
    const response = await post('/call', { agent_id: 'cod', recipient_phone_number: '+15551234567', carrier: 'sim', simulation: { answer: 'maybe' } });
    expect(response.status).toBe(400);
    expect((await json(response)).message).toMatch(/answer must be one of/);
  });

  it('ignores webhooks without a valid signature and accepts signed ones', async () => {
    const { call_id } = await json(post('/call', { agent_id: 'cod', recipient_phone_number: '+15551234567', carrier: 'sim', simulation: { answer: 'busy', ringSeconds: 30 } }));
    const url = `${base}/call/${call_id}/status`;
    const params = { CallSid: 'CAforged', CallStatus: 'completed' };
    const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm9wZQ==' }, body: new URLSearchParams(params) });
    expect(forged.status).toBe(403);
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
    expect(unsigned.status).toBe(403);
    expect((await json(fetch(`${base}/call/${call_id}`, { headers: withKey }))).state).not.toBe('completed');

    // Signed, and for the call the dial returned: the answer document is served (once).
    const { carrier_call_id: CallSid } = await json(fetch(`${base}/call/${call_id}`, { headers: withKey }));
    const answer = await fetch(`${base}/call/${call_id}/answer`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest('sim-secret-for-the-tests', `${base}/call/${call_id}/answer`, { CallSid }) }, body: new URLSearchParams({ CallSid }) });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('xml');
    const twiml = await answer.text();
    expect(twiml).toContain('<Connect><Stream url="ws://127.0.0.1');
    expect(twiml).toContain(`<Parameter name="call_id" value="${call_id}"/>`);
    expect(twiml).not.toMatch(/Stream url="[^"]*\?/);
  });

  it('closes a media stream that carries no valid token with a policy-violation code', async () => {
    const { call_id } = await json(post('/call', { agent_id: 'cod', recipient_phone_number: '+15551234567', carrier: 'sim', simulation: { answer: 'busy', ringSeconds: 30 } }));
    const socket = new WebSocket(`${base.replace('http', 'ws')}/media-stream/sim`);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    socket.send(JSON.stringify({ event: 'start', streamSid: 'MZ1', start: { streamSid: 'MZ1', callSid: 'CA1', customParameters: { call_id, token: '9999999999.forged' } } }));
    expect(await closed).toBe(1008);
  });

  it('answers a dial sent again with the same Idempotency-Key with the same call, never a second dial', async () => {
    const dial = (key: string, to = '+15551234567') =>
      fetch(`${base}/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key, ...withKey },
        body: JSON.stringify({ agent_id: 'cod', recipient_phone_number: to, carrier: 'sim', simulation: { answer: 'busy', ringSeconds: 30 } }),
      });
    // Two at once, as a client that timed out and retried at once would send them.
    const [first, second] = await Promise.all([json(dial('attempt-7f3a')), json(dial('attempt-7f3a'))]);
    expect(second.call_id).toBe(first.call_id);
    expect((await json(dial('attempt-7f3a'))).call_id).toBe(first.call_id);
    expect((await json(dial('attempt-8b21'))).call_id).not.toBe(first.call_id);

    const conflict = await dial('attempt-7f3a', '+15559876543');
    expect(conflict.status).toBe(409);
    expect((await json(conflict)).message).toMatch(/already used for a call to another number/);
    expect((await dial('has spaces')).status).toBe(400);
  });

  it('long-polls a call until it ends with the carrier’s outcome', async () => {
    const { call_id } = await json(post('/call', { agent_id: 'cod', recipient_phone_number: '+15551234567', carrier: 'sim', simulation: { answer: 'busy', ringSeconds: 0.2 } }));
    const view = await json(fetch(`${base}/call/${call_id}?wait=10`, { headers: withKey }));
    expect(view).toMatchObject({ call_id, state: 'completed', outcome: { status: 'busy' } });
  });
});
