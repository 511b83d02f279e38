import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@codcall/logging';
import { SpeechSideChannel } from '@codcall/media';
import { FakeTwilioServer } from '@codcall/test-support';
import { WebSocketServer } from 'ws';
import { TwilioMediaStreamCodec, MediaStreamProtocolError } from './media-stream-codec';
import { signTwilioRequest, verifyTwilioSignature } from './signature';
import { mapTwilioStatus } from './status';
import { buildTwimlStream } from './twiml';
import { CallTransferError, TwilioCarrier } from './twilio-carrier';

describe('Twilio Media Streams codec', () => {
  it('reads the documented messages into call media events', () => {
    const codec = new TwilioMediaStreamCodec();
    expect(codec.parse(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }))).toEqual([]);
    expect(
      codec.parse(
        JSON.stringify({
          event: 'start',
          sequenceNumber: '1',
          streamSid: 'MZ1',
          start: { streamSid: 'MZ1', accountSid: 'AC1', callSid: 'CA1', tracks: ['inbound'], customParameters: { call_id: 'c1', token: 't' }, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
        }),
      ),
    ).toEqual([{ type: 'start', streamId: 'MZ1', carrierCallId: 'CA1', parameters: { call_id: 'c1', token: 't' } }]);
    const payload = Buffer.alloc(160, 0x7f);
    expect(codec.parse(JSON.stringify({ event: 'media', sequenceNumber: '2', streamSid: 'MZ1', media: { track: 'inbound', chunk: '1', timestamp: '20', payload: payload.toString('base64') } }))).toEqual([
      { type: 'audio', payload, timestampMs: 20 },
    ]);
    expect(codec.parse(JSON.stringify({ event: 'media', streamSid: 'MZ1', media: { track: 'outbound', payload: 'AA==' } }))).toEqual([]);
    expect(codec.parse(JSON.stringify({ event: 'dtmf', streamSid: 'MZ1', dtmf: { track: 'inbound_track', digit: '1' } }))).toEqual([{ type: 'dtmf', digit: '1' }]);
    expect(codec.parse(JSON.stringify({ event: 'mark', streamSid: 'MZ1', mark: { name: 'm1' } }))).toEqual([{ type: 'mark', name: 'm1' }]);
    expect(codec.parse(JSON.stringify({ event: 'stop', streamSid: 'MZ1', stop: { accountSid: 'AC1', callSid: 'CA1' } }))).toEqual([{ type: 'stop' }]);
  });

  it('writes media, mark and clear for the stream it learnt from start', () => {
    const codec = new TwilioMediaStreamCodec();
    expect(() => codec.formatClear()).toThrow(MediaStreamProtocolError);
    codec.parse(JSON.stringify({ event: 'start', start: { streamSid: 'MZ9', callSid: 'CA9' } }));
    expect(JSON.parse(codec.formatAudio(Buffer.from([1, 2, 3])))).toEqual({ event: 'media', streamSid: 'MZ9', media: { payload: 'AQID' } });
    expect(JSON.parse(codec.formatMark('m2'))).toEqual({ event: 'mark', streamSid: 'MZ9', mark: { name: 'm2' } });
    expect(JSON.parse(codec.formatClear())).toEqual({ event: 'clear', streamSid: 'MZ9' });
  });

  it('rejects what is not the protocol', () => {
    const codec = new TwilioMediaStreamCodec();
    expect(() => codec.parse('not json')).toThrow(MediaStreamProtocolError);
    expect(() => codec.parse(JSON.stringify({ event: 'hello' }))).toThrow(/unknown media stream event/);
  });
});

describe('TwiML answer document', () => {
  it('puts per-call data in Parameters, escaped', () => {
    const { contentType, body } = buildTwimlStream({ streamUrl: 'wss://gw.example.com/media-stream/twilio', parameters: { call_id: 'c1', note: 'a&b"' } });
    expect(contentType).toBe('text/xml');
    expect(body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://gw.example.com/media-stream/twilio">' +
        '<Parameter name="call_id" value="c1"/><Parameter name="note" value="a&amp;b&quot;"/></Stream></Connect></Response>',
    );
  });

  it('refuses a stream URL with a query string, which Twilio would drop', () => {
    expect(() => buildTwimlStream({ streamUrl: 'wss://gw/media?call=1', parameters: {} })).toThrow(/query string/);
    expect(() => buildTwimlStream({ streamUrl: 'https://gw/media', parameters: {} })).toThrow(/ws:\/\/ or wss:\/\//);
  });
});

describe('X-Twilio-Signature', () => {
  const url = 'https://gw.example.com/call/c1/status';
  const params = { CallSid: 'CA1', CallStatus: 'busy', To: '+15551234567' };

  it('matches the documented algorithm: base64 HMAC-SHA1 over the URL and the sorted parameters', () => {
    const data = url + Object.keys(params).sort().map((key) => key + params[key as keyof typeof params]).join('');
    const expected = createHmac('sha1', 'token').update(data).digest('base64');
    expect(signTwilioRequest('token', url, params)).toBe(expected);
    expect(verifyTwilioSignature('token', { method: 'POST', url, headers: { 'x-twilio-signature': expected }, params })).toBe(true);
  });

  it('fails for a wrong token, a changed parameter, another URL, or no header', () => {
    const signature = signTwilioRequest('token', url, params);
    expect(verifyTwilioSignature('other', { method: 'POST', url, headers: { 'x-twilio-signature': signature }, params })).toBe(false);
    expect(verifyTwilioSignature('token', { method: 'POST', url, headers: { 'x-twilio-signature': signature }, params: { ...params, CallStatus: 'completed' } })).toBe(false);
    expect(verifyTwilioSignature('token', { method: 'POST', url: url.replace('c1', 'c2'), headers: { 'x-twilio-signature': signature }, params })).toBe(false);
    expect(verifyTwilioSignature('token', { method: 'POST', url, headers: {}, params })).toBe(false);
  });
});

describe('Twilio statuses', () => {
  it.each([
    ['initiated', 'queued'],
    ['ringing', 'ringing'],
    ['in-progress', 'answered'],
    ['completed', 'completed'],
    ['busy', 'busy'],
    ['no-answer', 'no_answer'],
    ['failed', 'failed'],
    ['canceled', 'canceled'],
  ])('%s -> %s', (twilio, ours) => {
    expect(mapTwilioStatus({ CallSid: 'CA1', CallStatus: twilio })?.state).toBe(ours);
  });

  it('reads answering-machine detection and the duration', () => {
    expect(mapTwilioStatus({ CallSid: 'CA1', AnsweredBy: 'machine_end_beep' })).toEqual({ carrierCallId: 'CA1', answeredBy: 'machine', machineGreetingEnded: true });
    expect(mapTwilioStatus({ CallSid: 'CA1', AnsweredBy: 'machine_start' })).toEqual({ carrierCallId: 'CA1', answeredBy: 'machine' });
    expect(mapTwilioStatus({ CallSid: 'CA1', AnsweredBy: 'human', CallStatus: 'in-progress' })?.answeredBy).toBe('human');
    expect(mapTwilioStatus({ CallSid: 'CA1', CallStatus: 'completed', CallDuration: '42' })?.durationSeconds).toBe(42);
    expect(mapTwilioStatus({ CallStatus: 'completed' })).toBeNull();
  });
});

describe('TwilioCarrier, asking about a call after a restart', () => {
  it('fetches the call through the SDK: up while it rings, not after its hangup, and unknown SIDs are not up', async () => {
    const ACCOUNT_SID = 'AC' + 'b2'.repeat(16);
    const AUTH_TOKEN = 'twilio-token-for-unit-tests';
    // Where the fake posts its callbacks: they are not what this test is about.
    const sink = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    const twilio = await new FakeTwilioServer({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      speak: async () => Buffer.alloc(160),
      sideChannel: new SpeechSideChannel(),
      callees: { '+15550000001': { answer: 'human', ringSeconds: 60 } },
    }).start();
    const carrier = () => new TwilioCarrier({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550006', apiBaseUrl: twilio.baseUrl, logger: silentLogger() });
    try {
      const { carrierCallId } = await carrier().placeCall({ callId: 'c1', to: '+15550000001', answerUrl: `${hook}/answer`, statusCallbackUrl: `${hook}/status`, ringTimeoutSeconds: 90, machineDetection: false });
      const restarted = carrier();
      expect(await restarted.fetchCallState(carrierCallId)).toEqual({ up: true, status: expect.stringMatching(/^(queued|ringing)$/) });
      await restarted.hangup(carrierCallId);
      expect(await restarted.fetchCallState(carrierCallId)).toEqual({ up: false, status: 'completed' });
      expect(await restarted.fetchCallState('CA' + '0'.repeat(32))).toEqual({ up: false, status: 'not found' });
      expect(twilio.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual(Array(3).fill(expect.stringMatching(/\/Calls\/CA[0-9a-f]{32}\.json$/)));
    } finally {
      await twilio.close();
      sink.closeAllConnections();
      await new Promise((resolve) => sink.close(resolve));
    }
  });
});

describe('TwilioCarrier, handing a live call to a person', () => {
  const ACCOUNT_SID = 'AC' + 'c3'.repeat(16);
  const AUTH_TOKEN = 'twilio-token-for-transfer-tests';
  let gateway: Server;
  let gatewayUrl: string;
  let streamMessages: { event?: string }[];
  let twilio: FakeTwilioServer;

  beforeEach(async () => {
    streamMessages = [];
    // The gateway's side of a call: an answer document opening a media stream, and a socket that listens.
    gateway = createServer((req, res) => {
      if (req.url === '/answer') {
        const { contentType, body } = buildTwimlStream({ streamUrl: `${gatewayUrl.replace('http', 'ws')}/media`, parameters: { call_id: 'c1' } });
        return void res.writeHead(200, { 'content-type': contentType }).end(body);
      }
      res.writeHead(204).end();
    });
    const sockets = new WebSocketServer({ server: gateway });
    sockets.on('connection', (socket) => socket.on('message', (data) => streamMessages.push(JSON.parse(data.toString()) as { event?: string })));
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    twilio = await new FakeTwilioServer({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      speak: async () => Buffer.alloc(160),
      sideChannel: new SpeechSideChannel(),
      timing: { ringMs: 20 },
    }).start();
  });

  afterEach(async () => {
    await twilio.close();
    gateway.closeAllConnections();
    await new Promise((resolve) => gateway.close(resolve));
  });

  const carrier = () => new TwilioCarrier({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550006', apiBaseUrl: twilio.baseUrl, logger: silentLogger() });
  const place = (twilioCarrier: TwilioCarrier) =>
    twilioCarrier.placeCall({ callId: 'c1', to: '+15550000001', answerUrl: `${gatewayUrl}/answer`, statusCallbackUrl: `${gatewayUrl}/status`, ringTimeoutSeconds: 30, machineDetection: false });

  it('replaces the live call\'s TwiML with a Dial to the number, escaped as XML; the media stream stops and the line stays with the person', async () => {
    const twilioCarrier = carrier();
    const { carrierCallId } = await place(twilioCarrier);
    await waitUntil(() => streamMessages.some((message) => message.event === 'start'));

    await twilioCarrier.transfer(carrierCallId, '+91 98765 43210 & <x>');

    const update = twilio.requests.find((request) => request.method === 'POST' && request.path.endsWith(`/Calls/${carrierCallId}.json`));
    expect(update?.params).toEqual({ Twiml: '<?xml version="1.0" encoding="UTF-8"?><Response><Dial>+91 98765 43210 &amp; &lt;x&gt;</Dial></Response>' });
    expect(twilio.transfers).toEqual([{ sid: carrierCallId, twiml: update?.params['Twiml'], dialled: '+91 98765 43210 & <x>' }]);
    // Twilio leaves <Connect>: the gateway's stream gets its stop, and nothing asked Twilio to hang up.
    await waitUntil(() => streamMessages.some((message) => message.event === 'stop'));
    expect(twilio.requests.some((request) => request.params['Status'] === 'completed')).toBe(false);
  });

  it('throws a CallTransferError saying the call is not live, for a call that has ended and one Twilio never had', async () => {
    const twilioCarrier = carrier();
    const { carrierCallId } = await place(twilioCarrier);
    await waitUntil(() => streamMessages.some((message) => message.event === 'start'));
    await twilioCarrier.hangup(carrierCallId);

    const ended = await twilioCarrier.transfer(carrierCallId, '+919876543210').catch((error: unknown) => error);
    expect(ended).toBeInstanceOf(CallTransferError);
    expect(ended).toMatchObject({ reason: 'not_live', carrierCallId, message: expect.stringContaining('21220') });
    // The number in the message is masked: it may reach a log.
    expect((ended as Error).message).toContain('+91********10');
    expect((ended as Error).message).not.toContain('9876543210');

    const unknown = await twilioCarrier.transfer('CA' + '0'.repeat(32), '+919876543210').catch((error: unknown) => error);
    expect(unknown).toMatchObject({ name: 'CallTransferError', reason: 'not_live', message: expect.stringContaining('404') });
    expect(twilio.transfers).toEqual([]);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
