import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import * as plivo from 'plivo';
import { WebSocketServer, type WebSocket } from 'ws';
import { silentLogger } from '@codcall/logging';
import { SpeechSideChannel, type CallMediaEvent, type SimulatedUtterance } from '@codcall/media';
import { FakePlivoServer } from '@codcall/test-support';
import type { PlaceCallRequest } from '../carrier';
import { MediaStreamProtocolError } from '../twilio/media-stream-codec';
import { buildPlivoStreamXml, decodeExtraHeaders, encodeExtraHeaders, parsePlivoStreamXml } from './answer-xml';
import { PlivoMediaStreamCodec } from './media-stream-codec';
import { PlivoCarrier } from './plivo-carrier';
import { signPlivoRequest, verifyPlivoSignature } from './signature';
import { mapPlivoStatus } from './status';

const AUTH_ID = 'MAZDQ1ZTEYMGFKNZBJMM';
const AUTH_TOKEN = 'plivo-auth-token-for-unit-tests';
const CALL_ID = '0b5c1a9e-4d7f-4c2e-9a51-3f6d2b8e7c10';
const TOKEN = '1764070000.Zm9vYmFyLWJhel9xdXV4LXNpZ25hdHVyZS0xMjM0NTY3ODkw';

describe('Plivo answer XML', () => {
  it('opens a bidirectional mu-law stream with the per-call values in alphanumeric extraHeaders', () => {
    const { contentType, body } = buildPlivoStreamXml({ streamUrl: 'wss://gw.example.com/media-stream/plivo', parameters: { call_id: CALL_ID, token: TOKEN } });
    expect(contentType).toBe('application/xml');
    const headers = `callId=${Buffer.from(CALL_ID).toString('hex')},token=${Buffer.from(TOKEN).toString('hex')}`;
    expect(body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Stream bidirectional="true" keepCallAlive="true" contentType="audio/x-mulaw;rate=8000" ' +
        `extraHeaders="${headers}">wss://gw.example.com/media-stream/plivo</Stream></Response>`,
    );
    // Plivo allows only [A-Za-z0-9] in keys and values, and 512 bytes.
    for (const pair of headers.split(',')) expect(pair).toMatch(/^[A-Za-z0-9]+=[A-Za-z0-9]+$/);
    expect(headers.length).toBeLessThanOrEqual(512);
    expect(decodeExtraHeaders(parsePlivoStreamXml(body)?.extraHeaders)).toEqual({ call_id: CALL_ID, token: TOKEN });
  });

  it('escapes the stream URL, and refuses a query string, a non-socket URL or parameters Plivo cannot carry', () => {
    const { body } = buildPlivoStreamXml({ streamUrl: 'wss://gw.example.com/a&b/plivo', parameters: {} });
    expect(body).toContain('>wss://gw.example.com/a&amp;b/plivo</Stream>');
    expect(parsePlivoStreamXml(body)?.url).toBe('wss://gw.example.com/a&b/plivo');
    expect(() => buildPlivoStreamXml({ streamUrl: 'wss://gw/media?call=1', parameters: {} })).toThrow(/query string/);
    expect(() => buildPlivoStreamXml({ streamUrl: 'https://gw/media', parameters: {} })).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => encodeExtraHeaders({ 'call-id': 'x' })).toThrow(/cannot travel in Plivo's extraHeaders/);
    expect(() => encodeExtraHeaders({ note: 'x'.repeat(300) })).toThrow(/Plivo allows 512/);
  });

  it('reads extraHeaders back in every form the start event might carry them', () => {
    const hex = (text: string) => Buffer.from(text).toString('hex');
    const expected = { call_id: CALL_ID, token: TOKEN };
    expect(decodeExtraHeaders(`callId=${hex(CALL_ID)},token=${hex(TOKEN)}`)).toEqual(expected);
    expect(decodeExtraHeaders({ callId: hex(CALL_ID), token: hex(TOKEN) })).toEqual(expected);
    expect(decodeExtraHeaders(JSON.stringify({ callId: hex(CALL_ID), token: hex(TOKEN) }))).toEqual(expected);
    expect(decodeExtraHeaders(`{'X-PH-callId': '${hex(CALL_ID)}', 'X-PH-token': '${hex(TOKEN)}'}`)).toEqual(expected);
    expect(decodeExtraHeaders(undefined)).toEqual({});
  });
});

describe('Plivo audio stream codec', () => {
  const start = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      event: 'start',
      sequenceNumber: 1,
      start: { callId: 'c4a1-uuid', streamId: 'st-1', accountId: AUTH_ID, tracks: ['inbound'], mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000 } },
      extra_headers: encodeExtraHeaders({ call_id: CALL_ID, token: TOKEN }),
      ...extra,
    });

  it('reads start, media, dtmf and stop into call media events', () => {
    const codec = new PlivoMediaStreamCodec();
    expect(codec.parse(start())).toEqual([{ type: 'start', streamId: 'st-1', carrierCallId: 'c4a1-uuid', parameters: { call_id: CALL_ID, token: TOKEN } }]);
    const payload = Buffer.alloc(160, 0x7f);
    const media = (timestamp: string, track = 'inbound') => JSON.stringify({ event: 'media', sequenceNumber: 2, streamId: 'st-1', media: { track, timestamp, chunk: 1, payload: payload.toString('base64') } });
    expect(codec.parse(media('1764070000000'))).toEqual([{ type: 'audio', payload, timestampMs: 0 }]);
    expect(codec.parse(media('1764070000020'))).toEqual([{ type: 'audio', payload, timestampMs: 20 }]);
    expect(codec.parse(media('1764070000040', 'outbound'))).toEqual([]);
    expect(codec.parse(JSON.stringify({ event: 'dtmf', sequenceNumber: 3, streamId: 'st-1', dtmf: { track: 'inbound', digit: '2' } }))).toEqual([{ type: 'dtmf', digit: '2' }]);
    expect(codec.parse(JSON.stringify({ event: 'stop', sequenceNumber: 4, streamId: 'st-1' }))).toEqual([{ type: 'stop' }]);
  });

  it('takes extraHeaders as an object too', () => {
    const codec = new PlivoMediaStreamCodec();
    const [event] = codec.parse(start({ extra_headers: { callId: Buffer.from(CALL_ID).toString('hex'), token: Buffer.from(TOKEN).toString('hex') } }));
    expect(event).toMatchObject({ type: 'start', parameters: { call_id: CALL_ID, token: TOKEN } });
  });

  it('writes playAudio, checkpoint and clearAudio for the stream it learnt from start', () => {
    const codec = new PlivoMediaStreamCodec();
    expect(() => codec.formatMark('m0')).toThrow(MediaStreamProtocolError);
    codec.parse(start());
    expect(JSON.parse(codec.formatAudio(Buffer.from([1, 2, 3])))).toEqual({ event: 'playAudio', media: { contentType: 'audio/x-mulaw', sampleRate: 8000, payload: 'AQID' } });
    expect(JSON.parse(codec.formatMark('m1'))).toEqual({ event: 'checkpoint', streamId: 'st-1', name: 'm1' });
    expect(JSON.parse(codec.formatClear())).toEqual({ event: 'clearAudio', streamId: 'st-1' });
  });

  it('reports a played checkpoint as a mark, and the checkpoints a clear dropped once Plivo confirms it', () => {
    const codec = new PlivoMediaStreamCodec();
    codec.parse(start());
    codec.formatMark('m1');
    codec.formatMark('m2');
    codec.formatMark('m3');
    expect(codec.parse(JSON.stringify({ event: 'playedStream', sequenceNumber: 5, streamId: 'st-1', name: 'm1' }))).toEqual([{ type: 'mark', name: 'm1' }]);
    codec.formatClear();
    codec.formatMark('m4'); // sent after the clear: played normally later
    expect(codec.parse(JSON.stringify({ event: 'clearedAudio', sequenceNumber: 6, streamId: 'st-1' }))).toEqual([
      { type: 'mark', name: 'm2' },
      { type: 'mark', name: 'm3' },
    ]);
    expect(codec.parse(JSON.stringify({ event: 'playedStream', streamId: 'st-1', name: 'm4' }))).toEqual([{ type: 'mark', name: 'm4' }]);
  });

  it('rejects what is not JSON or a start without ids, and ignores events it does not know', () => {
    const codec = new PlivoMediaStreamCodec();
    expect(() => codec.parse('not json')).toThrow(MediaStreamProtocolError);
    expect(() => codec.parse(JSON.stringify({ event: 'start', start: { streamId: 's' } }))).toThrow(/without streamId or callId/);
    expect(codec.parse(JSON.stringify({ event: 'somethingNew' }))).toEqual([]);
  });
});

describe('Plivo hangup and machine-detection callbacks', () => {
  it.each([
    ['ringing', 'ringing'],
    ['in-progress', 'answered'],
    ['completed', 'completed'],
    ['busy', 'busy'],
    ['no-answer', 'no_answer'],
    ['timeout', 'no_answer'],
    ['cancel', 'canceled'],
    ['failed', 'failed'],
  ])('%s -> %s', (plivoStatus, ours) => {
    expect(mapPlivoStatus({ CallUUID: 'u1', CallStatus: plivoStatus })?.state).toBe(ours);
  });

  it('reads machine detection, the duration and the hangup cause', () => {
    expect(mapPlivoStatus({ CallUUID: 'u1', Event: 'MachineDetection', Machine: 'true', CallStatus: 'in-progress' })).toEqual({ carrierCallId: 'u1', state: 'answered', answeredBy: 'machine' });
    expect(mapPlivoStatus({ CallUUID: 'u1', Machine: 'false' })).toEqual({ carrierCallId: 'u1', answeredBy: 'human' });
    expect(mapPlivoStatus({ CallUUID: 'u1', CallStatus: 'completed', Duration: '42', HangupCause: 'NORMAL_CLEARING' })).toMatchObject({ durationSeconds: 42, detail: 'NORMAL_CLEARING' });
    expect(mapPlivoStatus({ CallUUID: 'u1', CallStatus: 'failed', HangupCause: 'CALL_REJECTED' })).toMatchObject({ state: 'failed', detail: 'CALL_REJECTED' });
    expect(mapPlivoStatus({ CallStatus: 'completed' })).toBeNull();
    expect(mapPlivoStatus({ CallUUID: 'u1', Event: 'StartApp' })).toBeNull();
  });
});

describe('X-Plivo-Signature-V3', () => {
  const url = 'https://gw.example.com/call/c1/status';
  const params = { CallUUID: 'u1', CallStatus: 'busy', To: '15551234567', From: '15005550006' };
  const nonce = '12345678901234567890';
  const headers = (signature: string, n = nonce) => ({ 'x-plivo-signature-v3': signature, 'x-plivo-signature-v3-nonce': n });

  it('matches the documented algorithm: base64 HMAC-SHA256 over url?sortedParams.nonce', () => {
    const data = `${url}?${Object.keys(params)
      .sort()
      .map((key) => key + params[key as keyof typeof params])
      .join('')}.${nonce}`;
    const expected = createHmac('sha256', AUTH_TOKEN).update(data).digest('base64');
    expect(signPlivoRequest(AUTH_TOKEN, 'POST', url, nonce, params)).toBe(expected);
    expect(verifyPlivoSignature(AUTH_TOKEN, { method: 'POST', url, headers: headers(expected), params })).toBe(true);
  });

  it.each([
    ['POST with parameters', 'POST', url, params],
    ['POST without parameters', 'POST', url, {}],
    ['POST to a URL with a query', 'POST', `${url}?b=2&a=1`, params],
    ['GET with parameters', 'GET', 'http://127.0.0.1:5002/call/c1/answer?z=1', { CallUUID: 'u1' }],
  ])('agrees with the SDK’s validateV3Signature: %s', (_, method, signedUrl, signedParams) => {
    const signature = signPlivoRequest(AUTH_TOKEN, method, signedUrl, nonce, signedParams);
    expect(plivo.validateV3Signature(method, signedUrl, nonce, AUTH_TOKEN, signature, signedParams)).toBe(true);
    expect(plivo.validateV3Signature(method, signedUrl, nonce, 'another-token', signature, signedParams)).toBe(false);
  });

  it('accepts any one of several comma-separated signatures (Plivo rotating tokens)', () => {
    const signature = signPlivoRequest(AUTH_TOKEN, 'POST', url, nonce, params);
    const other = signPlivoRequest('old-token', 'POST', url, nonce, params);
    expect(verifyPlivoSignature(AUTH_TOKEN, { method: 'POST', url, headers: headers(`${other},${signature}`), params })).toBe(true);
    expect(plivo.validateV3Signature('POST', url, nonce, AUTH_TOKEN, `${other},${signature}`, params)).toBe(true);
  });

  it('fails for a wrong token, a changed parameter, another URL or nonce, or missing headers', () => {
    const signature = signPlivoRequest(AUTH_TOKEN, 'POST', url, nonce, params);
    expect(verifyPlivoSignature('other', { method: 'POST', url, headers: headers(signature), params })).toBe(false);
    expect(verifyPlivoSignature(AUTH_TOKEN, { method: 'POST', url, headers: headers(signature), params: { ...params, CallStatus: 'completed' } })).toBe(false);
    expect(verifyPlivoSignature(AUTH_TOKEN, { method: 'POST', url: url.replace('c1', 'c2'), headers: headers(signature), params })).toBe(false);
    expect(verifyPlivoSignature(AUTH_TOKEN, { method: 'POST', url, headers: headers(signature, '999'), params })).toBe(false);
    expect(verifyPlivoSignature(AUTH_TOKEN, { method: 'POST', url, headers: { 'x-plivo-signature-v3': signature }, params })).toBe(false);
    expect(verifyPlivoSignature(AUTH_TOKEN, { method: 'POST', url, headers: {}, params })).toBe(false);
    expect(verifyPlivoSignature(AUTH_TOKEN, { method: 'PUT', url, headers: headers(signature), params })).toBe(false);
  });
});

describe('Plivo REST API', () => {
  // A gateway that refuses connections at once: the fake's callbacks at close fail fast, with no DNS lookup.
  const gatewayUrl = 'http://127.0.0.1:9';
  const request: PlaceCallRequest = {
    callId: CALL_ID,
    to: '+15551234567',
    answerUrl: `${gatewayUrl}/call/${CALL_ID}/answer`,
    statusCallbackUrl: `${gatewayUrl}/call/${CALL_ID}/status`,
    machineDetectionUrl: `${gatewayUrl}/call/${CALL_ID}/status`,
    ringTimeoutSeconds: 30,
    machineDetection: true,
    timeLimitSeconds: 150,
  };
  let fake: FakePlivoServer;

  beforeAll(async () => {
    fake = await new FakePlivoServer({
      authId: AUTH_ID,
      authToken: AUTH_TOKEN,
      speak: async () => Buffer.alloc(1600, 0xff),
      sideChannel: new SpeechSideChannel(),
      // Rings long enough that nothing is sent to the gateway during the test.
      callees: { '+15551234567': { answer: 'no_answer', ringSeconds: 60 } },
    }).start();
  });

  afterAll(() => fake.close());

  const carrier = (authToken = AUTH_TOKEN, apiBaseUrl = fake.baseUrl) => new PlivoCarrier({ authId: AUTH_ID, authToken, from: '+15005550006', apiBaseUrl, logger: silentLogger() });

  it('places a call with the SDK’s exact JSON body, and cancels it as a request while it rings', async () => {
    const placed = await carrier().placeCall(request);
    const create = fake.requests.at(-1);
    expect(create).toMatchObject({ method: 'POST', path: `/v1/Account/${AUTH_ID}/Call/`, contentType: 'application/json' });
    expect(create?.body).toEqual({
      from: '15005550006',
      to: '15551234567',
      answer_url: request.answerUrl,
      answer_method: 'POST',
      hangup_url: request.statusCallbackUrl,
      hangup_method: 'POST',
      ring_timeout: 30,
      time_limit: 150,
      machine_detection: 'true',
      machine_detection_time: 5000,
      machine_detection_url: request.machineDetectionUrl,
      machine_detection_method: 'POST',
    });
    expect(placed.carrierCallId).toMatch(/^[0-9a-f-]{36}$/);

    const plivoCarrier = carrier();
    const ringing = await plivoCarrier.placeCall(request);
    await plivoCarrier.hangup(ringing.carrierCallId);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `/v1/Account/${AUTH_ID}/Request/${ringing.carrierCallId}/` });
    // Gone already: a 404 is not an error.
    await expect(plivoCarrier.hangup(ringing.carrierCallId)).resolves.toBeUndefined();
  });

  it('hangs up by the live call’s id once a signed callback has named it', async () => {
    const plivoCarrier = carrier();
    plivoCarrier.parseStatusCallback({ CallUUID: 'f2d1c7a0-0000-4000-8000-000000000001', RequestUUID: 'req-1', Machine: 'true', CallStatus: 'in-progress' });
    await plivoCarrier.hangup('req-1');
    expect(fake.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `/v1/Account/${AUTH_ID}/Call/f2d1c7a0-0000-4000-8000-000000000001/` });
  });

  it('sends what the plivo SDK itself would send for the same call and hangup', async () => {
    // The SDK hard-codes api.plivo.com; its axios is given an adapter that records instead of sending.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const axios = require(require.resolve('axios', { paths: [dirname(require.resolve('plivo'))] })) as { defaults: { adapter?: unknown } };
    const seen: { url: string; method: string; data: string; headers: Record<string, string> }[] = [];
    const previous = axios.defaults.adapter;
    axios.defaults.adapter = async (config: { url: string; method: string; data: string; headers: Record<string, string> }) => {
      seen.push(config);
      return { data: config.method === 'post' ? { api_id: 'a', message: 'call fired', request_uuid: 'r' } : '', status: config.method === 'post' ? 201 : 204, statusText: '', headers: {}, config, request: {} };
    };
    try {
      const sdk = new plivo.Client(AUTH_ID, AUTH_TOKEN);
      await sdk.calls.create('15005550006', '15551234567', request.answerUrl, {
        answerMethod: 'POST',
        hangupUrl: request.statusCallbackUrl,
        hangupMethod: 'POST',
        ringTimeout: 30,
        timeLimit: 150,
        machineDetection: 'true',
        machineDetectionTime: 5000,
        machineDetectionUrl: request.machineDetectionUrl,
        machineDetectionMethod: 'POST',
      });
      await sdk.calls.hangup('f2d1c7a0-0000-4000-8000-000000000002');
    } finally {
      axios.defaults.adapter = previous;
    }
    const plivoCarrier = carrier();
    await plivoCarrier.placeCall(request);
    const ours = fake.requests.at(-1);
    expect(new URL(seen[0].url).pathname).toBe(ours?.path);
    expect(JSON.parse(seen[0].data)).toEqual(ours?.body);
    expect(seen[0].headers['Authorization']).toBe(`Basic ${Buffer.from(`${AUTH_ID}:${AUTH_TOKEN}`).toString('base64')}`);
    await plivoCarrier.hangup('f2d1c7a0-0000-4000-8000-000000000002');
    expect(seen[1]).toMatchObject({ method: 'delete', data: '{}' });
    expect(new URL(seen[1].url).pathname).toBe(fake.requests.at(-1)?.path);
  });

  it('says Plivo refused the call, with its status and words but never the token, on 401 and 5xx', async () => {
    const refused = carrier('a-wrong-token').placeCall(request);
    await expect(refused).rejects.toThrow(/^Plivo refused the call: 401 Authentication credentials invalid$/);
    await expect(refused).rejects.not.toThrow(/a-wrong-token/);

    const broken = createServer((_, res) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ api_id: 'x', error: 'service unavailable' })));
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      await expect(carrier(AUTH_TOKEN, `http://127.0.0.1:${(broken.address() as AddressInfo).port}`).placeCall(request)).rejects.toThrow('Plivo refused the call: 503 service unavailable');
    } finally {
      broken.close();
    }
  });
});

describe('the fake Plivo, as a gateway sees it', () => {
  /** A stand-in gateway: checks V3 signatures, serves the answer XML, and talks on the stream through our codec. */
  async function gateway() {
    const webhooks: { path: string; params: Record<string, string>; signed: boolean }[] = [];
    const raw: { event?: string; sequenceNumber?: unknown; media?: { payload?: string } }[] = [];
    const events: CallMediaEvent[] = [];
    const codec = new PlivoMediaStreamCodec();
    let socket: WebSocket | undefined;
    let base = '';
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(body));
        webhooks.push({ path: req.url ?? '', params, signed: verifyPlivoSignature(AUTH_TOKEN, { method: 'POST', url: `${base}${req.url}`, headers: req.headers, params }) });
        if (req.url !== '/answer') return void res.writeHead(204).end();
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(buildPlivoStreamXml({ streamUrl: `${base.replace('http', 'ws')}/stream`, parameters: { call_id: CALL_ID, token: TOKEN } }).body);
      });
    });
    const wss = new WebSocketServer({ server, path: '/stream' });
    wss.on('connection', (ws) => {
      socket = ws;
      ws.on('message', (data) => {
        raw.push(JSON.parse(data.toString()));
        events.push(...codec.parse(data.toString()));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      base,
      webhooks,
      raw,
      events,
      send: (text: string) => socket?.send(text),
      codec,
      close: () =>
        new Promise<void>((resolve) => {
          for (const client of wss.clients) client.terminate();
          wss.close();
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  const until = async (check: () => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('answers a gateway that lost track of its calls: a ringing one is queued and cancelled as a request, a live one found by its CallUUID and hung up', async () => {
    const gw = await gateway();
    const fake = await new FakePlivoServer({
      authId: AUTH_ID,
      authToken: AUTH_TOKEN,
      speak: async () => Buffer.alloc(800, 0x7f),
      sideChannel: new SpeechSideChannel(),
      timing: { ringMs: 20, thinkMs: 10, agentTurnGapMs: 100 },
      callees: { '+15551234567': { answer: 'human', says: ['Yes.'] }, '+15550000001': { answer: 'human', ringSeconds: 60 } },
    }).start();
    const restarted = () => new PlivoCarrier({ authId: AUTH_ID, authToken: AUTH_TOKEN, from: '+15005550006', apiBaseUrl: fake.baseUrl, logger: silentLogger() });
    try {
      const dialling = restarted();
      const ringing = await dialling.placeCall({ callId: CALL_ID, to: '+15550000001', answerUrl: `${gw.base}/answer`, statusCallbackUrl: `${gw.base}/status`, ringTimeoutSeconds: 90, machineDetection: false });
      const talking = await dialling.placeCall({ callId: CALL_ID, to: '+15551234567', answerUrl: `${gw.base}/answer`, statusCallbackUrl: `${gw.base}/status`, ringTimeoutSeconds: 30, machineDetection: false });
      await until(() => gw.events.some((event) => event.type === 'start'));
      const start = gw.events.find((event): event is Extract<CallMediaEvent, { type: 'start' }> => event.type === 'start');
      const callUuid = start?.carrierCallId ?? '';
      expect(callUuid).not.toBe(talking.carrierCallId);

      // A new process knows neither call: it asks, and ends each the way Plivo ends it.
      const carrier = restarted();
      expect(await carrier.fetchCallState(ringing.carrierCallId)).toEqual({ up: true, status: 'queued' });
      await carrier.hangup(ringing.carrierCallId);
      expect(await carrier.fetchCallState(callUuid)).toEqual({ up: true, status: 'in-progress' });
      await carrier.hangup(callUuid);
      expect(await restarted().fetchCallState(ringing.carrierCallId)).toEqual({ up: false, status: 'not found' });
      expect(await restarted().fetchCallState(callUuid)).toEqual({ up: false, status: 'not found' });

      const asked = fake.requests.filter((r) => r.method === 'GET').map((r) => r.path);
      expect(asked.every((path) => /^\/v1\/Account\/MA\w+\/Call\/[0-9a-f-]{36}\/$/.test(path))).toBe(true);
      const ended = fake.requests.filter((r) => r.method === 'DELETE').map((r) => `${r.path.split('/')[4]} ${r.status}`);
      expect(ended).toEqual(['Request 204', 'Call 204']);
    } finally {
      await fake.close();
      await gw.close();
    }
  });

  it('fetches the answer signed, streams 20 ms frames, answers checkpoints once played and a clear with clearedAudio', async () => {
    const gw = await gateway();
    const sideChannel = new SpeechSideChannel();
    const heard: SimulatedUtterance[] = [];
    sideChannel.subscribe(CALL_ID, (utterance) => heard.push(utterance));
    const fake = await new FakePlivoServer({
      authId: AUTH_ID,
      authToken: AUTH_TOKEN,
      speak: async () => Buffer.alloc(800, 0x7f),
      sideChannel,
      timing: { ringMs: 20, thinkMs: 10, agentTurnGapMs: 100 },
      callees: { '+15551234567': { answer: 'human', says: ['Yes, deliver it.'] } },
    }).start();
    try {
      const carrier = new PlivoCarrier({ authId: AUTH_ID, authToken: AUTH_TOKEN, from: '+15005550006', apiBaseUrl: fake.baseUrl, logger: silentLogger() });
      await carrier.placeCall({ callId: CALL_ID, to: '+15551234567', answerUrl: `${gw.base}/answer`, statusCallbackUrl: `${gw.base}/status`, ringTimeoutSeconds: 30, machineDetection: true });
      await until(() => gw.events.some((event) => event.type === 'audio'));
      expect(gw.webhooks[0]).toMatchObject({ path: '/answer', signed: true, params: { CallStatus: 'in-progress', To: '15551234567', From: '15005550006' } });
      const start = gw.events.find((event) => event.type === 'start');
      expect(start).toMatchObject({ type: 'start', parameters: { call_id: CALL_ID, token: TOKEN } });
      const media = gw.raw.find((message) => message.event === 'media');
      expect(typeof media?.sequenceNumber).toBe('number');
      expect(Buffer.from(media?.media?.payload ?? '', 'base64')).toHaveLength(160);

      // The agent speaks 100 ms and checks it was heard; the callee answers after it, on the side channel.
      gw.send(gw.codec.formatAudio(Buffer.alloc(800, 0x55)));
      gw.send(gw.codec.formatMark('greeting'));
      await until(() => gw.events.some((event) => event.type === 'mark'));
      await until(() => heard.length === 1);
      expect(heard[0]).toEqual({ callId: CALL_ID, text: 'Yes, deliver it.', frames: 5 });

      // Barge-in: 5 s of audio is cleared at once; Plivo confirms, and the codec reports the dropped checkpoint.
      gw.send(gw.codec.formatAudio(Buffer.alloc(40_000, 0x55)));
      gw.send(gw.codec.formatMark('long'));
      gw.send(gw.codec.formatClear());
      await until(() => gw.raw.some((message) => message.event === 'clearedAudio'));
      expect(gw.events.filter((event) => event.type === 'mark')).toEqual([
        { type: 'mark', name: 'greeting' },
        { type: 'mark', name: 'long' },
      ]);
      expect(gw.raw.filter((message) => message.event === 'playedStream')).toHaveLength(1);
    } finally {
      await fake.close();
      await gw.close();
    }
    // Closed without a stop event (Plivo may not send one); the hangup callback says completed.
    await until(() => gw.webhooks.some((webhook) => webhook.path === '/status'));
    expect(gw.webhooks.find((webhook) => webhook.path === '/status')).toMatchObject({ signed: true, params: { CallStatus: 'completed', Event: 'Hangup' } });
  });
});
