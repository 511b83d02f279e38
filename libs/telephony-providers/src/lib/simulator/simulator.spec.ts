import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { silentLogger } from '@codcall/logging';
import { pcm16ToMulaw, SpeechSideChannel, type SimulatedUtterance } from '@codcall/media';
import { verifyTwilioSignature } from '../twilio/signature';
import { buildTwimlStream } from '../twilio/twiml';
import { CalleeBookError, loadCalleeBook, parseCalleeBook, type CalleeProfile } from './callee-book';
import { parseStreamTwiml } from './callee-wire';
import { SimulatorCarrier } from './simulator-carrier';

const SECRET = 'simulator-test-secret';
const tone = (ms: number) => pcm16ToMulaw(Int16Array.from({ length: ms * 8 }, (_, i) => Math.round(5000 * Math.sin(i / 2))));

/** A stand-in gateway: records signed webhooks, serves TwiML, accepts the media stream. */
async function fakeGateway() {
  const webhooks: { path: string; params: Record<string, string>; signed: boolean }[] = [];
  const messages: Record<string, unknown>[] = [];
  let socket: WebSocket | undefined;
  let base = '';
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      const signed = verifyTwilioSignature(SECRET, { method: 'POST', url: `${base}${req.url}`, headers: req.headers, params });
      webhooks.push({ path: req.url ?? '', params, signed });
      if (req.url === '/answer') {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(buildTwimlStream({ streamUrl: `${base.replace('http', 'ws')}/media`, parameters: { call_id: 'c1', token: 'tok' } }).body);
      } else res.writeHead(204).end();
    });
  });
  const wss = new WebSocketServer({ server, path: '/media' });
  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    base,
    webhooks,
    messages,
    send: (message: unknown) => socket?.send(JSON.stringify(message)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function simulator(callee: CalleeProfile, heard: SimulatedUtterance[]) {
  const sideChannel = new SpeechSideChannel();
  const carrier = new SimulatorCarrier({ speak: async () => tone(200), sideChannel, webhookSecret: SECRET, logger: silentLogger(), timing: { ringMs: 20, thinkMs: 10, agentTurnGapMs: 100 } });
  carrier.setCallee('c1', callee);
  sideChannel.subscribe('c1', (u) => heard.push(u));
  return carrier;
}

const until = async (check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('SimulatorCarrier', () => {
  let gateway: Awaited<ReturnType<typeof fakeGateway>>;
  beforeEach(async () => (gateway = await fakeGateway()));
  afterEach(() => gateway.close());

  const request = () => ({
    callId: 'c1',
    to: '+15551234567',
    answerUrl: `${gateway.base}/answer`,
    statusCallbackUrl: `${gateway.base}/status`,
    ringTimeoutSeconds: 30,
    machineDetection: true,
  });

  it('reports a busy line with signed callbacks and never opens a stream', async () => {
    const carrier = simulator({ answer: 'busy' }, []);
    const { carrierCallId } = await carrier.placeCall(request());
    expect(carrierCallId).toMatch(/^CA[0-9a-f]{32}$/);
    await until(() => gateway.webhooks.some((w) => w.params['CallStatus'] === 'busy'));
    expect(gateway.webhooks.every((w) => w.signed && w.path === '/status')).toBe(true);
    expect(gateway.webhooks.map((w) => w.params['CallStatus'])).toEqual(['initiated', 'ringing', 'busy']);
    expect(gateway.messages).toEqual([]);
  });

  it('answers like Twilio: signed answer fetch, Media Streams start with the Parameters, real-time frames, playback-paced marks, then the callee speaks', async () => {
    const heard: SimulatedUtterance[] = [];
    const carrier = simulator({ answer: 'human', says: ['Yes please.'] }, heard);
    const { carrierCallId } = await carrier.placeCall(request());
    await until(() => gateway.messages.some((m) => m['event'] === 'start'));
    expect(gateway.webhooks.find((w) => w.path === '/answer')?.signed).toBe(true);
    const start = gateway.messages.find((m) => m['event'] === 'start') as { start: { customParameters: Record<string, string>; callSid: string; mediaFormat: unknown } };
    expect(start.start.customParameters).toEqual({ call_id: 'c1', token: 'tok' });
    expect(start.start.callSid).toBe(carrierCallId);
    expect(start.start.mediaFormat).toEqual({ encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 });

    // The agent says 300 ms of audio, then a mark: it comes back only once that audio has played.
    const sentAt = Date.now();
    gateway.send({ event: 'media', streamSid: 'MZ', media: { payload: tone(300).toString('base64') } });
    gateway.send({ event: 'mark', streamSid: 'MZ', mark: { name: 'greeting' } });
    await until(() => gateway.messages.some((m) => m['event'] === 'mark'));
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(250);

    await until(() => heard.length === 1);
    expect(heard[0]).toEqual({ callId: 'c1', text: 'Yes please.', frames: 10 });
    const media = gateway.messages.filter((m) => m['event'] === 'media') as { media: { chunk: string; timestamp: string; track: string } }[];
    expect(media.length).toBeGreaterThanOrEqual(10);
    expect(media[0].media).toMatchObject({ track: 'inbound', chunk: '1', timestamp: '20' });

    await carrier.hangup(carrierCallId);
    await until(() => gateway.webhooks.some((w) => w.params['CallStatus'] === 'completed'));
    expect(gateway.messages.at(-1)?.['event']).toBe('stop');
    expect(carrier.activeCalls).toBe(0);
  });

  it('answers outstanding marks at once on clear', async () => {
    const carrier = simulator({ answer: 'human', says: [] }, []);
    const { carrierCallId } = await carrier.placeCall(request());
    await until(() => gateway.messages.some((m) => m['event'] === 'start'));
    gateway.send({ event: 'media', streamSid: 'MZ', media: { payload: tone(3000).toString('base64') } });
    gateway.send({ event: 'mark', streamSid: 'MZ', mark: { name: 'long' } });
    await new Promise((resolve) => setTimeout(resolve, 60));
    const clearedAt = Date.now();
    gateway.send({ event: 'clear', streamSid: 'MZ' });
    await until(() => gateway.messages.some((m) => m['event'] === 'mark'));
    expect(Date.now() - clearedAt).toBeLessThan(1000);
    await carrier.hangup(carrierCallId);
  });

  it('reports the end of a machine\'s greeting when asked to wait for it (DetectMessageEnd)', async () => {
    const carrier = simulator({ answer: 'voicemail' }, []);
    const { carrierCallId } = await carrier.placeCall({ ...request(), machineDetectionMode: 'message_end' });
    await until(() => gateway.webhooks.some((w) => w.params['AnsweredBy'] === 'machine_end_beep'));
    expect(gateway.webhooks.some((w) => w.params['AnsweredBy'] === 'machine_start')).toBe(false);
    await carrier.hangup(carrierCallId);
  });

  it('reports an answering machine through asynchronous AMD', async () => {
    const carrier = simulator({ answer: 'voicemail' }, []);
    const { carrierCallId } = await carrier.placeCall(request());
    await until(() => gateway.webhooks.some((w) => w.params['AnsweredBy'] === 'machine_start'));
    await carrier.hangup(carrierCallId);
  });
});

describe('callee books', () => {
  it('accepts the documented shape and explains what is wrong', () => {
    expect(parseCalleeBook({ '+15551234567': { answer: 'human', says: ['Yes.'] }, '+15550000002': { answer: 'busy' } }, 'c.json')).toEqual({
      '+15551234567': { answer: 'human', says: ['Yes.'] },
      '+15550000002': { answer: 'busy' },
    });
    expect(() => parseCalleeBook({ '5551234567': { answer: 'human' } }, 'c.json')).toThrow('c.json: "5551234567" is not an E.164 number');
    expect(() => parseCalleeBook({ '+15551234567': { answer: 'maybe' } }, 'c.json')).toThrow(/\+15551234567: answer must be one of human, voicemail, no_answer, busy, failed/);
    expect(() => parseCalleeBook({ '+15551234567': { answer: 'human', says: [''] } }, 'c.json')).toThrow(/says must be an array of non-empty strings/);
    expect(() => parseCalleeBook({ '+15551234567': { answer: 'human', mood: 'grumpy' } }, 'c.json')).toThrow(/unknown field "mood"/);
  });

  it('loads a file and names it in errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callees-'));
    writeFileSync(join(dir, 'ok.json'), '{"+15551234567": {"answer": "no_answer"}}');
    writeFileSync(join(dir, 'bad.json'), '{nope');
    expect(await loadCalleeBook(join(dir, 'ok.json'))).toEqual({ '+15551234567': { answer: 'no_answer' } });
    await expect(loadCalleeBook(join(dir, 'bad.json'))).rejects.toThrow(CalleeBookError);
    await expect(loadCalleeBook(join(dir, 'missing.json'))).rejects.toThrow(/ENOENT/);
  });

  it('reads the stream URL and parameters back out of TwiML', () => {
    const twiml = buildTwimlStream({ streamUrl: 'wss://h/m', parameters: { a: '1&2' } }).body;
    expect(parseStreamTwiml(twiml)).toEqual({ url: 'wss://h/m', parameters: { a: '1&2' } });
    expect(parseStreamTwiml('<Response><Say>hi</Say></Response>')).toBeNull();
  });
});
