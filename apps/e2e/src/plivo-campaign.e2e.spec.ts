import type { INestApplication } from '@nestjs/common';
import WebSocket from 'ws';
import { pcm16ToMulaw, SpeechSideChannel } from '@codcall/media';
import { parsePlivoStreamXml, signPlivoRequest } from '@codcall/telephony-providers';
import { FakePlivoServer } from '@codcall/test-support';
import type { CallViewBody, PlacedCallBody } from '@codcall/gateway-api';
import { runScriptedCampaign, scriptedCallees } from './support/carrier-campaign';
import { shippedAgent, startGateway } from './support/gateway';

const AUTH_ID = 'MAODU3ZTHKNDE5YJMXNT';
const AUTH_TOKEN = 'plivo-auth-token-for-tests';
const tone = (ms: number) => pcm16ToMulaw(Int16Array.from({ length: ms * 8 }, (_, i) => Math.round(5000 * Math.sin(i / 2))));

const agent = shippedAgent;

/**
 * `--provider plivo`, end to end: the gateway places every call through Plivo's REST API against
 * a fake Plivo that behaves like the real one on the wire (JSON Call API with a request id per
 * dial, V3-signed webhooks, the answer XML, a bidirectional audio stream with scripted callees,
 * hangup callbacks and machine detection).
 */
describe('a COD campaign through Plivo', () => {
  let plivo: FakePlivoServer;
  let gateway: INestApplication;
  let gatewayUrl: string;

  beforeAll(async () => {
    const sideChannel = new SpeechSideChannel();
    plivo = await new FakePlivoServer({
      authId: AUTH_ID,
      authToken: AUTH_TOKEN,
      speak: async () => tone(600),
      sideChannel,
      timing: { ringMs: 100, thinkMs: 50, agentTurnGapMs: 300 },
      callees: {
        ...scriptedCallees(),
        // Rings for as long as a negative test needs.
        '+15550000001': { answer: 'no_answer', ringSeconds: 20 },
      },
    }).start();
    const leavesMessages = { ...agent, voicemail: { action: 'leave_message' as const, message: 'Hello {name}, please call us back about order {order_id}.' } };
    ({ app: gateway, url: gatewayUrl } = await startGateway(
      { PLIVO_AUTH_ID: AUTH_ID, PLIVO_AUTH_TOKEN: AUTH_TOKEN, PLIVO_PHONE_NUMBER: '+15005550006', PLIVO_API_BASE_URL: plivo.baseUrl },
      { sideChannel, agents: { getRuntimeConfig: async (id) => (id === 'cod-voicemail' ? leavesMessages : agent) } },
    ));
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await plivo?.close();
  }, 30_000);

  const placeCall = (to: string, agentId = 'cod') =>
    fetch(`${gatewayUrl}/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agent_id: agentId, recipient_phone_number: to, carrier: 'plivo', context: { name: 'Test', order_id: 'N1' } }),
    }).then((r) => r.json() as Promise<PlacedCallBody>);
  const view = (callId: string, wait = 0) => fetch(`${gatewayUrl}/call/${callId}?wait=${wait}`).then((r) => r.json() as Promise<CallViewBody>);
  /** A webhook signed as Plivo signs it, with `token`. */
  const webhook = (path: string, params: Record<string, string>, token = AUTH_TOKEN) => {
    const url = `${gatewayUrl}${path}`;
    const nonce = '31415926535';
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-plivo-signature-v3': signPlivoRequest(token, 'POST', url, nonce, params),
        'x-plivo-signature-v3-nonce': nonce,
      },
      body: new URLSearchParams(params),
    });
  };
  /** Opens the gateway's Plivo stream socket as Plivo would, and says how the gateway closed it. */
  const streamClosedWith = async (extraHeaders: string) => {
    const socket = new WebSocket(`${gatewayUrl.replace('http', 'ws')}/media-stream/plivo`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(
      JSON.stringify({
        event: 'start',
        sequenceNumber: 1,
        start: { callId: 'f00dfeed-0000-4000-8000-000000000000', streamId: 'st-x', accountId: AUTH_ID, tracks: ['inbound'], mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000 } },
        extra_headers: extraHeaders,
      }),
    );
    return closed;
  };

  it('confirms, cancels, reschedules, spots the wrong person, and maps no-answer, busy and machines', async () => {
    const { summary, written, expected } = await runScriptedCampaign({ gatewayUrl, carrier: 'plivo', prefix: 'P' });
    expect(summary.byStatus).toMatchObject({ confirmed: 1, cancelled: 1, rescheduled: 1, wrong_person: 1, no_answer: 1, busy: 1, voicemail: 1 });
    expect(written).toBe(expected);

    // What Plivo was asked: our public URLs for answer, hangup and machine detection, our caller id.
    const creates = plivo.requests.filter((r) => r.method === 'POST' && r.path === `/v1/Account/${AUTH_ID}/Call/`);
    expect(creates).toHaveLength(7);
    expect(creates.every((r) => r.status === 201 && r.contentType === 'application/json')).toBe(true);
    expect(creates[0].body).toMatchObject({
      from: '15005550006',
      answer_url: expect.stringMatching(new RegExp(`^${gatewayUrl}/call/[0-9a-f-]{36}/answer$`)),
      answer_method: 'POST',
      hangup_url: expect.stringMatching(/\/status$/),
      machine_detection: 'true',
      machine_detection_url: expect.stringMatching(/\/status$/),
      ring_timeout: 30,
    });
    // The five answered calls were hung up through the API by their live CallUUID (a request id would be 404).
    const hangups = plivo.requests.filter((r) => r.method === 'DELETE');
    expect(hangups).toHaveLength(5);
    expect(hangups.every((r) => /\/Call\/[0-9a-f-]{36}\/$/.test(r.path) && r.status === 204)).toBe(true);
  }, 120_000);

  it('hangs up on a machine even when the agent would leave a message: Plivo cannot tell when the greeting ends', async () => {
    const placed = await placeCall('+66812345678', 'cod-voicemail');
    const done = await view(placed.call_id, 45);
    expect(done.outcome).toEqual({ status: 'voicemail', reason: 'answering machine detected' });
  }, 60_000);

  it('answers 403 to a forged, unsigned or wrongly keyed webhook, and nothing changes', async () => {
    expect(await fetch(`${gatewayUrl}/health`).then((r) => r.json())).toMatchObject({ status: 'ok', carriers: ['plivo'], idempotency_keys: true });
    const placed = await placeCall('+15550000001');
    const params = { CallUUID: 'f00dfeed-0000-4000-8000-000000000001', CallStatus: 'busy', Event: 'Hangup' };
    const path = `/call/${placed.call_id}/status`;
    const forged = await fetch(`${gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-plivo-signature-v3': 'bm9wZQ==', 'x-plivo-signature-v3-nonce': '1' },
      body: new URLSearchParams(params),
    });
    expect(forged.status).toBe(403);
    const unsigned = await fetch(`${gatewayUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
    expect(unsigned.status).toBe(403);
    expect((await webhook(path, params, 'not-the-auth-token')).status).toBe(403);
    expect((await webhook(`/call/${placed.call_id}/answer`, {}, 'not-the-auth-token')).status).toBe(403);
    expect((await view(placed.call_id)).state).not.toBe('completed');

    // Signed with the account's token, the same callback is taken.
    expect((await webhook(path, params)).status).toBe(204);
    expect((await view(placed.call_id, 5)).outcome).toEqual({ status: 'busy' });
  }, 30_000);

  it('closes a stream without a valid token with 1008, and refuses a replay after the call ended', async () => {
    const placed = await placeCall('+15550000001');
    const hex = (text: string) => Buffer.from(text).toString('hex');
    expect(await streamClosedWith(`callId=${hex(placed.call_id)},token=${hex('9999999999.forged')}`)).toBe(1008);
    expect(await streamClosedWith(`callId=${hex(placed.call_id)}`)).toBe(1008);
    expect(await streamClosedWith('')).toBe(1008);

    // A call that talked and ended: a replay of its answer webhook (signed, so it passes the check) gets 409 and no token.
    const talked = await placeCall('+15551234567');
    expect((await view(talked.call_id, 45)).outcome?.status).toBe('confirmed');
    const answer = await webhook(`/call/${talked.call_id}/answer`, { CallUUID: 'f00dfeed-0000-4000-8000-000000000002', CallStatus: 'in-progress' });
    expect(answer.status).toBe(409);
    expect(parsePlivoStreamXml(await answer.text())).toBeNull();
  }, 60_000);

  it("records failed, with Plivo's reason, when Plivo refuses the credentials", async () => {
    const strict = await new FakePlivoServer({ authId: AUTH_ID, authToken: 'a-different-token', speak: async () => tone(100), sideChannel: new SpeechSideChannel() }).start();
    const { app, url } = await startGateway({
      PLIVO_AUTH_ID: AUTH_ID,
      PLIVO_AUTH_TOKEN: AUTH_TOKEN,
      PLIVO_PHONE_NUMBER: '+15005550006',
      PLIVO_API_BASE_URL: strict.baseUrl,
    });
    try {
      const placed = await fetch(`${url}/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent_id: 'cod', recipient_phone_number: '+15551234567', carrier: 'plivo', context: { name: 'A', order_id: 'B1' } }),
      }).then((r) => r.json() as Promise<{ call_id: string }>);
      const done = await fetch(`${url}/call/${placed.call_id}?wait=5`).then((r) => r.json() as Promise<{ outcome: { status: string; reason: string } }>);
      expect(done.outcome.status).toBe('failed');
      expect(done.outcome.reason).toMatch(/Plivo refused the call: 401 Authentication credentials invalid/);
      expect(JSON.stringify(done)).not.toContain(AUTH_TOKEN);
    } finally {
      await app.close();
      await strict.close();
    }
  }, 30_000);
});
