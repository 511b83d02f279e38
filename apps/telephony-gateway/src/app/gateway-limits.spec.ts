import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import WebSocket from 'ws';
import type { ConversationFactory } from '@codcall/call-orchestration';
import type { ConversationResult } from '@codcall/conversation-engine';
import { silentLogger } from '@codcall/logging';
import { freePort, sampleRuntimeAgent } from '@codcall/test-support';
import { signTwilioRequest } from '@codcall/telephony-providers';
import { createGatewayApp } from './bootstrap';
import { loadGatewayConfig } from './config';

/** Test responses are whatever JSON the API sent; the assertions check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response | Promise<Response>): Promise<any> => (await response).json();

const API_KEY = 'gateway-limits-spec-key-0123456789';
const SIM_SECRET = 'sim-secret-for-the-limits-spec';
const withKey = { authorization: `Bearer ${API_KEY}` };

/** A conversation that listens and says nothing until its stream ends: these stories are about the edges, not the talk. */
const quietConversations = (heard: Buffer[]): ConversationFactory => ({
  create: () => {
    let end!: (result: ConversationResult) => void;
    return {
      providers: { transcriber: 'none', languageModel: 'none', synthesizer: 'none' },
      conversation: {
        start: async () => undefined,
        handleAudio: (frame) => void heard.push(frame),
        handleMark: () => undefined,
        handleDtmf: () => undefined,
        handleStreamEnd: () => end({ outcome: 'callee_hung_up', transcript: [], toolCalls: [], turns: [] }),
        leaveMessage: () => undefined,
        result: new Promise<ConversationResult>((resolve) => (end = resolve)),
      },
    };
  },
});

/**
 * The gateway under pressure from outside, with the carrier simulator: a dial beyond GATEWAY_MAX_CALLS,
 * sockets that send nothing or too much, and replays of a call's answer webhook and stream token.
 */
describe('the gateway\'s limits', () => {
  let app: INestApplication;
  let base: string;
  let ws: string;
  let dirs: string[];
  const heard: Buffer[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    ws = `${base.replace('http', 'ws')}/media-stream/sim`;
    dirs = [mkdtempSync(join(tmpdir(), 'gateway-records-')), mkdtempSync(join(tmpdir(), 'gateway-data-'))];
    const config = loadGatewayConfig({
      GATEWAY_PORT: String(port),
      PUBLIC_BASE_URL: base,
      RECORDS_DIR: dirs[0],
      GATEWAY_DATA_DIR: dirs[1],
      CODCALL_API_KEYS: API_KEY,
      SIMULATOR_ENABLED: 'true',
      SIMULATOR_WEBHOOK_SECRET: SIM_SECRET,
      GATEWAY_MAX_CALLS: '3',
      RING_TIMEOUT_SECONDS: '60',
    });
    app = await createGatewayApp(config, {
      logger: silentLogger(),
      agents: { getRuntimeConfig: async () => sampleRuntimeAgent() },
      conversations: quietConversations(heard),
      media: { startTimeoutMs: 200, idleTimeoutMs: 60_000 },
    });
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  const dial = (body: Record<string, unknown>, key?: string) =>
    fetch(`${base}/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...withKey, ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify({ agent_id: 'cod', recipient_phone_number: '+15551234567', carrier: 'sim', ...body }),
    });
  const ringsLong = { simulation: { answer: 'human', ringSeconds: 60 } };
  const view = (callId: string, wait = 0) => json(fetch(`${base}/call/${callId}?wait=${wait}`, { headers: withKey }));
  /** The answer webhook the carrier would send for this call: signed, naming the CallSid the dial returned. */
  const answerWebhook = async (callId: string, callSid?: string) => {
    const CallSid = callSid ?? (await view(callId)).carrier_call_id;
    const url = `${base}/call/${callId}/answer`;
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioRequest(SIM_SECRET, url, { CallSid }) },
      body: new URLSearchParams({ CallSid }),
    });
  };
  const open = async () => {
    const socket = new WebSocket(ws);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return { socket, closed };
  };
  const start = (callId: string, token: string, callSid: string) =>
    JSON.stringify({ event: 'start', streamSid: 'MZ1', start: { streamSid: 'MZ1', callSid, customParameters: { call_id: callId, token } } });

  it('closes a media socket that sends nothing with 1008, and one that sends an oversized frame with 1009', async () => {
    const silent = await open();
    expect(await silent.closed).toEqual({ code: 1008, reason: 'no valid start within 200 ms' });

    const flooding = await open();
    flooding.socket.send('x'.repeat(70 * 1024));
    expect((await flooding.closed).code).toBe(1009);

    const binary = await open();
    binary.socket.send(Buffer.alloc(10));
    expect((await binary.closed).code).toBe(1003);
  });

  it('serves the answer document once: a replay gets 409 and no token, and a second start with the spent token is refused while the real stream goes on', async () => {
    const { call_id } = await json(dial(ringsLong));
    const { carrier_call_id: callSid } = await view(call_id);
    expect((await answerWebhook(call_id, 'CA' + 'f'.repeat(32))).status).toBe(409); // another carrier call
    const answered = await answerWebhook(call_id);
    expect(answered.status).toBe(200);
    const token = /name="token" value="([^"]+)"/.exec(await answered.text())?.[1] ?? '';
    const replayed = await answerWebhook(call_id);
    expect(replayed.status).toBe(409);
    expect(await replayed.text()).not.toContain('token');

    const real = await open();
    real.socket.send(start(call_id, token, callSid));
    const replay = await open();
    replay.socket.send(start(call_id, token, callSid));
    expect(await replay.closed).toEqual({ code: 1008, reason: 'stream token already used' });

    // The real stream still carries the callee's audio, and the call still runs.
    const before = heard.length;
    real.socket.send(JSON.stringify({ event: 'media', streamSid: 'MZ1', media: { track: 'inbound', payload: Buffer.alloc(160, 0x7f).toString('base64') } }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(heard.length).toBe(before + 1);
    expect(real.socket.readyState).toBe(WebSocket.OPEN);
    expect((await view(call_id)).state).toBe('in_progress');
    real.socket.close();
    expect((await view(call_id, 10)).outcome).toEqual({ status: 'no_response', reason: 'the callee hung up before deciding' });
  });

  it('writes records whose row has its phone numbers masked', async () => {
    const { call_id } = await json(dial({ simulation: { answer: 'busy', ringSeconds: 0 }, context: { order_id: 'ORD-1', alt_phone: '+919876543210' } }));
    expect((await view(call_id, 10)).outcome).toEqual({ status: 'busy' });
    const record = readFileSync(join(dirs[0], `${call_id}.json`), 'utf8');
    expect(JSON.parse(record).context).toEqual({ order_id: 'ORD-1', alt_phone: '+91********10', recipient_phone_number: '+15*******67' });
    expect(record).not.toContain('9876543210');
    expect(record).not.toContain('5551234567');
  });

  it('answers 503 with Retry-After beyond GATEWAY_MAX_CALLS, and the same key again is still the same call', async () => {
    const placed = [];
    for (let i = 0; i < 3; i++) {
      const response = await dial(ringsLong, `cap-${i}`);
      expect(response.status).toBe(201);
      placed.push(await json(response));
    }
    const refused = await dial(ringsLong, 'cap-extra');
    expect(refused.status).toBe(503);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(await json(refused)).toEqual({ statusCode: 503, message: 'gateway at capacity: 3 calls in progress', retry_after_seconds: retryAfter });
    expect((await json(dial(ringsLong, 'cap-0'))).call_id).toBe(placed[0].call_id);
  });
});
