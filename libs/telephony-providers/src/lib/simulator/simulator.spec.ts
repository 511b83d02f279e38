import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { silentLogger } from '@codcall/logging';
import { pcm16ToMulaw, SpeechSideChannel, type SimulatedUtterance } from '@codcall/media';
import { verifyTwilioSignature } from '../twilio/signature';
import { buildTwimlStream } from '../twilio/twiml';
import { CallTransferError } from '../twilio/twilio-carrier';
import { CalleeBookError, loadCalleeBook, parseCalleeBook, parseCalleeProfile, type CalleeProfile } from './callee-book';
import { parseStreamTwiml } from './callee-wire';
import { SimulatorCarrier, type AgentTurnFinished, type CalleeImproviser, type ImprovisedTurn } from './simulator-carrier';

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

function simulator(callee: CalleeProfile, heard: SimulatedUtterance[], extra: { voices?: (string | undefined)[]; improvise?: CalleeImproviser; agentTurnFinished?: AgentTurnFinished } = {}) {
  const sideChannel = new SpeechSideChannel();
  const speak = async (_text: string, language?: string) => {
    extra.voices?.push(language);
    return tone(200);
  };
  const carrier = new SimulatorCarrier({ speak, improvise: extra.improvise, agentTurnFinished: extra.agentTurnFinished, sideChannel, webhookSecret: SECRET, logger: silentLogger(), timing: { ringMs: 20, thinkMs: 10, agentTurnGapMs: 100 } });
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

describe('SimulatorCarrier: the hard callees', () => {
  let gateway: Awaited<ReturnType<typeof fakeGateway>>;
  beforeEach(async () => (gateway = await fakeGateway()));
  afterEach(() => gateway.close());

  const request = () => ({ callId: 'c1', to: '+15551234567', answerUrl: `${gateway.base}/answer`, statusCallbackUrl: `${gateway.base}/status`, ringTimeoutSeconds: 30, machineDetection: false });
  const started = () => until(() => gateway.messages.some((m) => m['event'] === 'start'));
  /** The agent speaks `ms` of audio then a mark, as the gateway does for one turn. */
  const agentSays = (ms: number, mark = `m${Date.now()}`) => {
    gateway.send({ event: 'media', streamSid: 'MZ', media: { payload: tone(ms).toString('base64') } });
    gateway.send({ event: 'mark', streamSid: 'MZ', mark: { name: mark } });
  };

  it('given a callee who talks over the agent 300 ms into its turn, their words arrive while the agent is still speaking', async () => {
    const heard: { text: string; at: number }[] = [];
    const carrier = simulator({ answer: 'human', says: [{ say: 'Wait, who is this?', bargeInAfterMs: 300 }] }, []);
    const { carrierCallId } = await carrier.placeCall(request());
    await started();
    const subscribeAt = Date.now();
    // The side channel is keyed by our call id; a second subscriber sees the same words.
    const sideChannel = (carrier as unknown as { options: { sideChannel: SpeechSideChannel } }).options.sideChannel;
    sideChannel.subscribe('c1', (u) => heard.push({ text: u.text, at: Date.now() - subscribeAt }));
    agentSays(3000);
    await until(() => heard.length === 1);
    expect(heard[0].text).toBe('Wait, who is this?');
    expect(heard[0].at).toBeGreaterThanOrEqual(250);
    expect(heard[0].at).toBeLessThan(1500); // the agent's 3 s of audio is far from played out
    await carrier.hangup(carrierCallId);
  });

  it('given a "hmm" over an agent that talks on through it, the next line answers that turn once it has played out; over one that stops, it waits for the reply', async () => {
    const heard: { text: string; at: number }[] = [];
    const carrier = simulator({ answer: 'human', says: [{ say: 'Hmm.', bargeInAfterMs: 200 }, 'Tomorrow, please.', { say: 'Wait.', bargeInAfterMs: 200 }, 'Cancel it.'] }, []);
    const { carrierCallId } = await carrier.placeCall(request());
    await started();
    const sideChannel = (carrier as unknown as { options: { sideChannel: SpeechSideChannel } }).options.sideChannel;
    const sentAt = Date.now();
    sideChannel.subscribe('c1', (u) => heard.push({ text: u.text, at: Date.now() - sentAt }));
    agentSays(1500, 'question');
    await until(() => heard.length === 2, 5000);
    expect(heard.map((h) => h.text)).toEqual(['Hmm.', 'Tomorrow, please.']);
    // No second agent turn was needed: the answer followed the question's 1.5 s of audio.
    expect(heard[1].at).toBeGreaterThanOrEqual(1500);
    agentSays(1500, 'next-question');
    await until(() => heard.length === 3, 5000);
    gateway.send({ event: 'clear', streamSid: 'MZ' });
    await new Promise((resolve) => setTimeout(resolve, 2000)); // the agent stopped: nothing left to answer
    expect(heard.map((h) => h.text)).toEqual(['Hmm.', 'Tomorrow, please.', 'Wait.']);
    agentSays(200, 'reply');
    await until(() => heard.length === 4, 5000);
    expect(heard[3].text).toBe('Cancel it.');
    await carrier.hangup(carrierCallId);
  });

  it('given a callee who stays silent one turn, the agent hears nothing until its next turn, then the next line', async () => {
    const heard: SimulatedUtterance[] = [];
    const carrier = simulator({ answer: 'human', says: [{ silent: true }, 'Sorry, yes, I am here.'] }, heard);
    const { carrierCallId } = await carrier.placeCall(request());
    await started();
    agentSays(100, 'welcome');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(heard).toEqual([]);
    agentSays(100, 'are-you-there');
    await until(() => heard.length === 1);
    expect(heard[0].text).toBe('Sorry, yes, I am here.');
    await carrier.hangup(carrierCallId);
  });

  it('given a callee who thinks for 700 ms, they speak no sooner than that after the agent has played out', async () => {
    const heard: { at: number }[] = [];
    const carrier = simulator({ answer: 'human', says: [{ say: 'Hmm, let me see.', pauseMs: 700 }] }, []);
    const { carrierCallId } = await carrier.placeCall(request());
    await started();
    const sideChannel = (carrier as unknown as { options: { sideChannel: SpeechSideChannel } }).options.sideChannel;
    const sentAt = Date.now();
    sideChannel.subscribe('c1', () => heard.push({ at: Date.now() - sentAt }));
    agentSays(200);
    await until(() => heard.length === 1);
    // 200 ms played out, then the 700 ms pause (a line without one comes some 300 ms after the audio).
    expect(heard[0].at).toBeGreaterThanOrEqual(850);
    await carrier.hangup(carrierCallId);
  });

  it('given an agent whose second sentence comes a moment after the first played out, the callee waits for the quiet after it', async () => {
    const heard: string[] = [];
    const carrier = simulator({ answer: 'human', says: ['Yes.'] }, []);
    const { carrierCallId } = await carrier.placeCall(request());
    await started();
    const sideChannel = (carrier as unknown as { options: { sideChannel: SpeechSideChannel } }).options.sideChannel;
    sideChannel.subscribe('c1', () => heard.push('callee spoke'));
    const played = (name: string) => gateway.messages.some((m) => m['event'] === 'mark' && (m['mark'] as { name: string }).name === name);
    agentSays(200, 'first');
    // The next sentence is still synthesising when the first has played out (a busy gateway).
    await until(() => played('first'));
    agentSays(200, 'second');
    await until(() => played('second'));
    heard.push('agent finished');
    await until(() => heard.length === 2);
    expect(heard).toEqual(['agent finished', 'callee spoke']);
    await carrier.hangup(carrierCallId);
  });

  it('given a patient callee, a pause longer than the simulator gap but shorter than theirs is not the end of the turn', async () => {
    const heard: { at: number }[] = [];
    const carrier = simulator({ answer: 'human', turnGapMs: 600, says: ['Yes.'] }, []);
    const { carrierCallId } = await carrier.placeCall(request());
    await started();
    const sideChannel = (carrier as unknown as { options: { sideChannel: SpeechSideChannel } }).options.sideChannel;
    const sentAt = Date.now();
    sideChannel.subscribe('c1', () => heard.push({ at: Date.now() - sentAt }));
    agentSays(200, 'first');
    await new Promise((resolve) => setTimeout(resolve, 500)); // 300 ms of quiet: past the simulator's 100 ms gap
    expect(heard).toEqual([]);
    agentSays(200, 'second');
    await until(() => heard.length === 1);
    expect(heard[0].at).toBeGreaterThanOrEqual(1250); // 500 + 200 played + the callee's 600 ms
    await carrier.hangup(carrierCallId);
  });

  it('given an agent paused inside a sentence (the rest still synthesising), the callee waits until the gateway says the sentence is finished', async () => {
    const heard: string[] = [];
    let sentenceFinished = false;
    const carrier = simulator({ answer: 'human', says: ['Yes, deliver it.'] }, [], { agentTurnFinished: (callId) => callId === 'c1' && sentenceFinished });
    const { carrierCallId } = await carrier.placeCall(request());
    await started();
    const sideChannel = (carrier as unknown as { options: { sideChannel: SpeechSideChannel } }).options.sideChannel;
    sideChannel.subscribe('c1', () => heard.push('callee spoke'));
    agentSays(200, 'first-clause');
    // 1.2 s of quiet, far past the 100 ms gap: still mid-sentence, so the callee does not answer.
    await new Promise((resolve) => setTimeout(resolve, 1400));
    expect(heard).toEqual([]);
    agentSays(200, 'last-clause');
    sentenceFinished = true;
    heard.push('agent finished');
    await until(() => heard.length === 2);
    expect(heard).toEqual(['agent finished', 'callee spoke']);
    await carrier.hangup(carrierCallId);
  });

  it('given a gateway that says the sentence is finished just before its last clause arrives, the callee hears that clause out before answering', async () => {
    const heard: string[] = [];
    let sentenceFinished = false;
    const carrier = simulator({ answer: 'human', says: ['Yes, deliver it.'] }, [], { agentTurnFinished: () => sentenceFinished });
    const { carrierCallId } = await carrier.placeCall(request());
    await started();
    const sideChannel = (carrier as unknown as { options: { sideChannel: SpeechSideChannel } }).options.sideChannel;
    sideChannel.subscribe('c1', () => heard.push('callee spoke'));
    agentSays(200, 'first-clause');
    await new Promise((resolve) => setTimeout(resolve, 800)); // a pause inside the sentence
    // The gateway writes the sentence into its transcript as it sends the last clause; the audio comes a moment later.
    sentenceFinished = true;
    await new Promise((resolve) => setTimeout(resolve, 60));
    agentSays(200, 'last-clause');
    heard.push('last clause sent');
    await until(() => heard.length === 2);
    expect(heard).toEqual(['last clause sent', 'callee spoke']);
    await carrier.hangup(carrierCallId);
  });

  it('given an agent that never says its sentence is finished, the callee still answers after 4 s of quiet', async () => {
    const heard: { at: number }[] = [];
    const carrier = simulator({ answer: 'human', says: ['Hello?'] }, [], { agentTurnFinished: () => false });
    const { carrierCallId } = await carrier.placeCall(request());
    await started();
    const sideChannel = (carrier as unknown as { options: { sideChannel: SpeechSideChannel } }).options.sideChannel;
    const sentAt = Date.now();
    sideChannel.subscribe('c1', () => heard.push({ at: Date.now() - sentAt }));
    agentSays(200);
    await until(() => heard.length === 1, 8000);
    expect(heard[0].at).toBeGreaterThanOrEqual(4000); // 200 ms played, then the 4 s of patience
    await carrier.hangup(carrierCallId);
  }, 15_000);

  it('given a callee who presses 2 after speaking, the gateway receives a Twilio dtmf event per key', async () => {
    const heard: SimulatedUtterance[] = [];
    const carrier = simulator({ answer: 'human', says: [{ say: 'OK.', dtmf: '2#' }] }, heard);
    const { carrierCallId } = await carrier.placeCall(request());
    await started();
    agentSays(100);
    await until(() => gateway.messages.filter((m) => m['event'] === 'dtmf').length === 2);
    const presses = gateway.messages.filter((m) => m['event'] === 'dtmf') as { dtmf: { digit: string; track: string } }[];
    expect(presses.map((p) => p.dtmf)).toEqual([
      { track: 'inbound_track', digit: '2' },
      { track: 'inbound_track', digit: '#' },
    ]);
    expect(heard.map((u) => u.text)).toEqual(['OK.']);
    await carrier.hangup(carrierCallId);
  });

  it("speaks each line in the profile's language", async () => {
    const voices: (string | undefined)[] = [];
    const carrier = simulator({ answer: 'human', language: 'hi', says: ['हाँ जी', { say: 'कल भेज दीजिए' }, { dtmf: '1' }] }, [], { voices });
    const { carrierCallId } = await carrier.placeCall(request());
    await started();
    expect(voices).toEqual(['hi', 'hi']); // the keys-only line needs no voice
    await carrier.hangup(carrierCallId);
  });

  it('transfers like Twilio on <Dial>: the stream stops and closes, no hangup webhook follows, the lookup says transferred', async () => {
    const carrier = simulator({ answer: 'human', says: ['I want to talk to a person.'] }, []);
    const { carrierCallId } = await carrier.placeCall(request());
    await started();
    await carrier.transfer(carrierCallId, '+15550001111');
    await until(() => gateway.messages.at(-1)?.['event'] === 'stop');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(gateway.webhooks.map((w) => w.params['CallStatus'])).not.toContain('completed');
    expect(carrier.activeCalls).toBe(0);
    expect(carrier.transferredTo(carrierCallId)).toBe('+15550001111');
    expect(await carrier.fetchCallState(carrierCallId)).toEqual({ up: false, status: 'transferred' });
    await expect(carrier.transfer(carrierCallId, '+15550001111')).rejects.toThrow(CallTransferError);
    await expect(carrier.transfer('CAunknown', '+15550001111')).rejects.toMatchObject({ reason: 'not_live' });
  });

  it('plays a persona through the improviser once the script runs out, turn by turn', async () => {
    const heard: SimulatedUtterance[] = [];
    const asked: ImprovisedTurn[] = [];
    const improvise: CalleeImproviser = async (turn) => {
      asked.push(turn);
      return turn.turn === 1 ? { say: 'Friday would suit me better.' } : null;
    };
    const carrier = simulator({ answer: 'human', language: 'en', persona: 'A busy nurse who wants Friday.', says: ['Yes, speaking.'] }, heard, { improvise });
    const { carrierCallId } = await carrier.placeCall(request());
    await started();
    agentSays(100, 'one');
    await until(() => heard.length === 1);
    agentSays(100, 'two');
    await until(() => heard.length === 2);
    expect(heard.map((u) => u.text)).toEqual(['Yes, speaking.', 'Friday would suit me better.']);
    expect(asked).toEqual([{ callId: 'c1', persona: 'A busy nurse who wants Friday.', language: 'en', turn: 1 }]);
    await carrier.hangup(carrierCallId);
  });

  it('refuses a persona when no language model plays callees', () => {
    const carrier = simulator({ answer: 'human' }, []);
    expect(() => carrier.setCallee('c2', { answer: 'human', persona: 'An angry customer.' })).toThrow(/persona needs a language model .*OPENAI_API_KEY/);
  });
});

describe('callee books', () => {
  it('accepts timed lines beside plain ones, and names the line and field at fault', () => {
    expect(parseCalleeProfile({ answer: 'human', language: 'pt-BR', says: ['Sim.', { say: 'Amanhã às 15h.', pauseMs: 500 }, { silent: true }, { dtmf: '1' }, { say: 'Espera!', bargeInAfterMs: 800 }] }, 'x')).toEqual({
      answer: 'human',
      language: 'pt-BR',
      says: ['Sim.', { say: 'Amanhã às 15h.', pauseMs: 500 }, { silent: true }, { dtmf: '1' }, { say: 'Espera!', bargeInAfterMs: 800 }],
    });
    const bad = (line: unknown) => () => parseCalleeProfile({ answer: 'human', says: ['Yes.', line] }, 'sim');
    expect(bad({ say: 'Hi', mood: 'grumpy' })).toThrow('sim: says[1]: unknown field "mood" (allowed: say, dtmf, pauseMs, bargeInAfterMs, silent)');
    expect(bad({ silent: true, say: 'Hi' })).toThrow('sim: says[1]: a silent line cannot also say, press or barge in');
    expect(bad({ silent: false })).toThrow('sim: says[1]: silent must be true when given');
    expect(bad({ dtmf: '12a' })).toThrow('sim: says[1]: dtmf must be 1 to 20 keypad digits');
    expect(bad({ say: 'Hi', pauseMs: -1 })).toThrow('sim: says[1]: pauseMs must be a number of milliseconds between 0 and 30000');
    expect(bad({ say: 'Hi', pauseMs: 10, bargeInAfterMs: 10 })).toThrow('give one');
    expect(bad({ pauseMs: 10 })).toThrow('sim: says[1]: a line needs say, dtmf or silent: true');
    expect(bad({ say: '  ' })).toThrow('sim: says[1]: say must be a non-empty string');
    expect(bad(7)).toThrow('sim: says[1]: a line is a string or an object');
    expect(() => parseCalleeProfile({ answer: 'human', language: 'hindi please' }, 'sim')).toThrow('sim: language must be a language code or name');
    expect(() => parseCalleeProfile({ answer: 'busy', persona: 'Grumpy.' }, 'sim')).toThrow('sim: persona is only for a callee who answers');
    expect(() => parseCalleeProfile({ answer: 'human', turnGapMs: -5 }, 'sim')).toThrow('sim: turnGapMs must be a number of milliseconds between 0 and 10000');
    expect(() => parseCalleeProfile({ answer: 'human', persona: '' }, 'sim')).toThrow('sim: persona must be a non-empty description');
  });


  it('accepts the documented shape and explains what is wrong', () => {
    expect(parseCalleeBook({ '+15551234567': { answer: 'human', says: ['Yes.'] }, '+15550000002': { answer: 'busy' } }, 'c.json')).toEqual({
      '+15551234567': { answer: 'human', says: ['Yes.'] },
      '+15550000002': { answer: 'busy' },
    });
    expect(() => parseCalleeBook({ '5551234567': { answer: 'human' } }, 'c.json')).toThrow('c.json: "5551234567" is not an E.164 number');
    expect(() => parseCalleeBook({ '+15551234567': { answer: 'maybe' } }, 'c.json')).toThrow(/\+15551234567: answer must be one of human, voicemail, no_answer, busy, failed/);
    expect(() => parseCalleeBook({ '+15551234567': { answer: 'human', says: [''] } }, 'c.json')).toThrow(/says\[0\]: a line must not be empty/);
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
