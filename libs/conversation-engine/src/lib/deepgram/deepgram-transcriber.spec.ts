import { FRAME_BYTES } from '@codcall/media';
import { embeddedSpeech, FakeDeepgramServer, type FakeDeepgramOptions } from '@codcall/test-support';
import type { TranscriberStream, TranscriptEvent } from '../providers';
import { DeepgramTranscriber, deepgramConfigFromEnv, TranscriptionError, type DeepgramTranscriberOptions } from './deepgram-transcriber';

const API_KEY = 'dg_test_0123456789abcdef0123456789abcdef';
const BYTES_PER_MS = 8;

jest.setTimeout(20_000);

describe('DeepgramTranscriber, through the official SDK against a local Deepgram', () => {
  let server: FakeDeepgramServer | undefined;
  let stream: TranscriberStream | undefined;

  afterEach(async () => {
    await stream?.close();
    stream = undefined;
    await server?.close();
    server = undefined;
  });

  async function startDeepgram(options: Partial<FakeDeepgramOptions> = {}): Promise<FakeDeepgramServer> {
    server = await new FakeDeepgramServer({ apiKey: API_KEY, ...options }).start();
    return server;
  }

  function transcriberFor(fake: FakeDeepgramServer, options: Partial<DeepgramTranscriberOptions> = {}): DeepgramTranscriber {
    return new DeepgramTranscriber({ apiKey: API_KEY, baseUrl: fake.url, ...options });
  }

  async function openCall(transcriber: DeepgramTranscriber, language = 'en-IN'): Promise<TranscriberStream> {
    stream = await transcriber.open({ callId: 'call-1', language, endpointingMs: 300 });
    return stream;
  }

  /** Everything the stream says until it ends; rejects with the iterator's error. */
  async function collect(transcripts: TranscriberStream): Promise<TranscriptEvent[]> {
    const events: TranscriptEvent[] = [];
    for await (const event of transcripts) events.push(event);
    return events;
  }

  /** Sends `audio` as 20 ms frames, pausing `pauseMs` after every frame (0: as fast as possible). */
  async function speak(transcripts: TranscriberStream, audio: Buffer, pauseMs = 0): Promise<void> {
    for (let offset = 0; offset < audio.length; offset += FRAME_BYTES) {
      transcripts.sendAudio(audio.subarray(offset, offset + FRAME_BYTES));
      if (pauseMs > 0) await delay(pauseMs);
    }
  }

  it('asks Deepgram for exactly what a phone call needs, with the key in its header', async () => {
    const fake = await startDeepgram();
    const transcriber = transcriberFor(fake);
    expect(transcriber.name).toBe('deepgram:nova-3');

    await openCall(transcriber, 'en-IN');

    expect(fake.connections).toHaveLength(1);
    expect(fake.connections[0].authorization).toBe(`Token ${API_KEY}`);
    expect(fake.connections[0].query).toEqual({
      model: 'nova-3',
      language: 'en-IN',
      encoding: 'mulaw',
      sample_rate: '8000',
      channels: '1',
      interim_results: 'true',
      endpointing: '300',
      utterance_end_ms: '1000',
      vad_events: 'true',
      smart_format: 'true',
      punctuate: 'true',
    });
  });

  it('asks for the call\'s own model and language: a Hindi call nova-3 in hi, with no hints', async () => {
    const fake = await startDeepgram();
    stream = await transcriberFor(fake).open({ callId: 'call-hi', language: 'hi', model: 'nova-3', languageHints: ['hi', 'en'], endpointingMs: 400 });

    expect(fake.connections[0].query).toMatchObject({ model: 'nova-3', language: 'hi', endpointing: '400' });
    // Hints bias Deepgram's multilingual model only; a monolingual socket gets none.
    expect(fake.connections[0].queryValues).not.toHaveProperty('language_hint');
  });

  it('asks for a Hinglish call in multilingual mode, hi and en hinted as repeated language_hint parameters', async () => {
    const fake = await startDeepgram();
    stream = await transcriberFor(fake).open({ callId: 'call-hinglish', language: 'multi', model: 'nova-3', languageHints: ['hi', ' en ', '', 'hi'], endpointingMs: 300 });

    expect(fake.connections[0].query).toMatchObject({ model: 'nova-3', language: 'multi' });
    expect(fake.connections[0].queryValues['language_hint']).toEqual(['hi', 'en']);
    expect(fake.rejections).toEqual([]);
  });

  it("falls back to the agent's hints when the session names none, and they survive a reconnection", async () => {
    const fake = await startDeepgram({ dropAfterAudioMs: 200 });
    const transcripts = await transcriberFor(fake, { languageHints: ['ar', 'en'], reconnectDelayMs: 10 }).open({ callId: 'call-ar', language: 'multi', endpointingMs: 300 });
    stream = transcripts;

    await speak(transcripts, callerAudio(400, 5));
    await waitFor(() => fake.connections.length === 2, 'the second socket');

    for (const connection of fake.connections) expect(connection.queryValues['language_hint']).toEqual(['ar', 'en']);
  });

  it("sends the caller's mu-law to Deepgram byte for byte, and close() flushes the words still pending", async () => {
    const fake = await startDeepgram({ script: [{ afterAudioMs: 500, send: { interim: 'Hello, who is' } }] });
    const transcripts = await openCall(transcriberFor(fake));
    const heard = collect(transcripts);
    const caller = callerAudio(800, 1);

    await speak(transcripts, caller);
    await waitFor(() => fake.connections[0].audioBytes === caller.length, 'all the audio at Deepgram');
    await transcripts.close();

    expect(fake.audioOf(0).equals(caller)).toBe(true);
    // Deepgram finishes what it heard after CloseStream: the pending words come back as a final.
    expect(await heard).toEqual([
      { type: 'interim', text: 'Hello, who is' },
      { type: 'final', text: 'Hello, who is', endOfTurn: false, speechEndedAtAudioMs: 800 },
    ]);
    expect(fake.connections[0].controlMessages.map((message) => message.type)).toEqual(['CloseStream']);
    await waitFor(() => fake.connections[0].closed !== undefined, 'the fake to see the socket close');
    expect(fake.connections[0].closed).toMatchObject({ code: 1000, by: 'server' });
  });

  it('turns what Deepgram hears into the turn loop’s events, in order, skipping empty hypotheses', async () => {
    const fake = await startDeepgram({
      script: [
        { afterAudioMs: 100, send: 'speech_started' },
        { afterAudioMs: 200, send: { interim: '' } },
        { afterAudioMs: 400, send: { interim: 'Yes' } },
        { afterAudioMs: 700, send: { final: 'Yes,' } },
        { afterAudioMs: 1000, send: { interim: 'tomorrow is' } },
        { afterAudioMs: 1300, send: { final: 'tomorrow is fine.', speechFinal: true } },
        { afterAudioMs: 2300, send: 'utterance_end' },
      ],
    });
    const transcripts = await openCall(transcriberFor(fake));
    const heard = collect(transcripts);

    await speak(transcripts, callerAudio(2500, 2));
    await waitFor(() => fake.connections[0].sent.some((message) => message['type'] === 'UtteranceEnd'), 'the UtteranceEnd');
    await transcripts.close();

    expect(await heard).toEqual([
      { type: 'speech_started' },
      { type: 'interim', text: 'Yes' },
      // The last word's end from Deepgram's word timings, in ms of the caller's audio.
      { type: 'final', text: 'Yes,', endOfTurn: false, speechEndedAtAudioMs: 700 },
      { type: 'interim', text: 'tomorrow is' },
      { type: 'final', text: 'tomorrow is fine.', endOfTurn: true, speechEndedAtAudioMs: 1300 },
      { type: 'utterance_end' },
    ]);
  });

  it('hears words spoken into the audio: speech start, growing interims, a final after the endpointing silence, then UtteranceEnd', async () => {
    const fake = await startDeepgram({ recognise: { interimEveryMs: 400 } });
    const transcripts = await openCall(transcriberFor(fake, { utteranceEndMs: 1000 }));
    const heard = collect(transcripts);

    const said = 'Can you deliver it on Friday instead?';
    await speak(transcripts, Buffer.concat([silence(200), embeddedSpeech(said), silence(1200)]));
    await waitFor(() => fake.connections[0].sent.some((message) => message['type'] === 'UtteranceEnd'), 'the UtteranceEnd');
    await transcripts.close();

    const events = await heard;
    const interims = events.filter((event) => event.type === 'interim').map((event) => (event.type === 'interim' ? event.text : ''));
    expect(events[0]).toEqual({ type: 'speech_started' });
    expect(interims.length).toBeGreaterThanOrEqual(3);
    for (const [i, text] of interims.entries()) {
      expect(said.startsWith(text)).toBe(true);
      if (i > 0) expect(text.length).toBeGreaterThanOrEqual(interims[i - 1].length);
    }
    expect(events.slice(-2)).toEqual([{ type: 'final', text: said, endOfTurn: true, speechEndedAtAudioMs: expect.any(Number) }, { type: 'utterance_end' }]);
    // The words end where the embedded speech ends: 200 ms of silence, then the speech.
    const last = events.at(-2);
    expect(last?.type === 'final' ? last.speechEndedAtAudioMs : undefined).toBeCloseTo(200 + embeddedSpeech(said).length / 8, -1);
    // The final came once 300 ms (the call's endpointing) of silence had followed the words.
    const final = fake.connections[0].sent.find((message) => message['is_final'] === true) as { start: number; duration: number };
    expect(final.start + final.duration).toBeCloseTo(0.2 + embeddedSpeech(said).length / 8000, 2);
  });

  it('keeps the socket alive with KeepAlive while the caller is on hold, and not while audio flows', async () => {
    const fake = await startDeepgram({ idleTimeoutMs: 1000 });
    const transcripts = await openCall(transcriberFor(fake, { keepAliveMs: 300 }));

    // 600 ms of audio at the carrier's pace: no KeepAlive needed.
    await speak(transcripts, callerAudio(600, 3), 20);
    expect(fake.connections[0].controlMessages).toEqual([]);

    // Then nothing for longer than Deepgram's idle timeout.
    await delay(1800);
    const keepAlives = fake.connections[0].controlMessages.filter((message) => message.type === 'KeepAlive');
    expect(keepAlives.length).toBeGreaterThanOrEqual(3);
    expect(fake.connections[0].closed).toBeUndefined();
    expect(fake.connections).toHaveLength(1);
  });

  it("reconnects within a second when the socket drops mid-sentence, and replays the audio Deepgram had not finalised", async () => {
    const fake = await startDeepgram({
      dropAfterAudioMs: 1000,
      script: (connection) =>
        connection === 0
          ? [
              { afterAudioMs: 100, send: 'speech_started' },
              { afterAudioMs: 400, send: { final: 'Yes,' } },
              { afterAudioMs: 800, send: { interim: 'Yes, tomorrow' } },
              { afterAudioMs: 1400, send: { final: 'never sent: the socket drops at 1000 ms' } },
            ]
          : // The second socket's clock starts at the replayed audio: the caller's 400 ms mark.
            [
              { afterAudioMs: 300, send: { interim: 'tomorrow after' } },
              { afterAudioMs: 900, send: { final: 'tomorrow after five.', speechFinal: true } },
              { afterAudioMs: 1500, send: 'utterance_end' },
            ],
    });
    const transcripts = await openCall(transcriberFor(fake));
    const heard = collect(transcripts);
    const caller = callerAudio(2500, 4);

    // 20 ms of audio every 5 ms: the caller goes on talking while the socket is down.
    await speak(transcripts, caller, 5);
    await waitFor(() => fake.connections[1]?.sent.some((message) => message['type'] === 'UtteranceEnd'), 'the second socket’s UtteranceEnd');
    await transcripts.close();

    expect(fake.connections).toHaveLength(2);
    const [dropped, resumed] = fake.connections;
    expect(dropped.dropped).toBe(true);
    expect(resumed.openedAt - dropped.closed!.at).toBeLessThan(1000);
    // Everything after the last final ("Yes,", at 400 ms) is heard again: nothing lost, nothing twice.
    expect(fake.audioOf(1).equals(caller.subarray(400 * BYTES_PER_MS))).toBe(true);
    expect(fake.totalAudioBytes).toBeGreaterThanOrEqual(caller.length);
    expect(await heard).toEqual([
      { type: 'speech_started' },
      { type: 'final', text: 'Yes,', endOfTurn: false, speechEndedAtAudioMs: 400 },
      { type: 'interim', text: 'Yes, tomorrow' },
      { type: 'interim', text: 'tomorrow after' },
      // 900 ms into the second socket's audio, which began at the caller's 400 ms.
      { type: 'final', text: 'tomorrow after five.', endOfTurn: true, speechEndedAtAudioMs: 1300 },
      { type: 'utterance_end' },
    ]);
  });

  it('refuses to start with a wrong key, saying so without repeating the key', async () => {
    const fake = await startDeepgram();
    const wrongKey = 'dg_wrong_fedcba9876543210fedcba9876543210';
    const transcriber = transcriberFor(fake, { apiKey: wrongKey });

    const failure = await transcriber.open({ callId: 'call-1', language: 'en' }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(TranscriptionError);
    const error = failure as TranscriptionError;
    expect(error.message).toMatch(/HTTP 401/);
    expect(error.message).toMatch(/DEEPGRAM_API_KEY/);
    expect(error.message).not.toContain(wrongKey);
    expect(error.status).toBe(401);
    // A wrong key is not retried.
    expect(fake.rejections).toHaveLength(1);
    expect(fake.connections).toHaveLength(0);
  });

  it('gives up starting after a few quick attempts when nothing answers at the address', async () => {
    const gone = await new FakeDeepgramServer({ apiKey: API_KEY }).start();
    const address = gone.url;
    await gone.close();
    const transcriber = new DeepgramTranscriber({ apiKey: API_KEY, baseUrl: address, reconnectDelayMs: 50, maxReconnectAttempts: 2 });

    const started = Date.now();
    const failure = await transcriber.open({ callId: 'call-1', language: 'en' }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(TranscriptionError);
    expect((failure as Error).message).toMatch(/could not start: Deepgram could not be reached at ws:\/\/127\.0\.0\.1:\d+.*gave up after 3 attempts/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('ends the transcript with an error once Deepgram stays unreachable after a drop', async () => {
    const fake = await startDeepgram({ script: [{ afterAudioMs: 100, send: 'speech_started' }] });
    const transcripts = await openCall(transcriberFor(fake, { reconnectDelayMs: 100, maxReconnectAttempts: 3 }));
    const events: TranscriptEvent[] = [];
    const outcome = (async () => {
      for await (const event of transcripts) events.push(event);
    })().then(
      () => 'ended without an error',
      (error: unknown) => error,
    );
    fake.rejectNextConnections = 100;
    fake.dropAfterAudioMs = 200;

    const speaking = speak(transcripts, callerAudio(1500, 5), 5);
    const failure = await outcome;
    await speaking;

    expect(failure).toBeInstanceOf(TranscriptionError);
    expect((failure as Error).message).toMatch(/could not be restored.*HTTP 503.*gave up after 3 attempts/);
    expect(events).toEqual([{ type: 'speech_started' }]);
    expect(fake.rejections).toHaveLength(3);
    // The session may still hand over audio or close: both are harmless now.
    transcripts.sendAudio(callerAudio(20, 6));
    await expect(transcripts.close()).resolves.toBeUndefined();
  });
});

describe('deepgramConfigFromEnv', () => {
  const agentTranscriber = { provider: 'deepgram', model: 'nova-3', language: 'en', endpointingMs: 300 };

  it('is null without DEEPGRAM_API_KEY, or for an agent that names another provider', () => {
    expect(deepgramConfigFromEnv({}, agentTranscriber)).toBeNull();
    expect(deepgramConfigFromEnv({ DEEPGRAM_API_KEY: ' ' }, agentTranscriber)).toBeNull();
    expect(deepgramConfigFromEnv({ DEEPGRAM_API_KEY: API_KEY }, { ...agentTranscriber, provider: 'offline' })).toBeNull();
  });

  it("keeps the localised agent's language hints for the call's socket", () => {
    expect(deepgramConfigFromEnv({ DEEPGRAM_API_KEY: API_KEY }, { ...agentTranscriber, language: 'multi', languageHints: ['hi', 'en'] })).toEqual({
      apiKey: API_KEY,
      model: 'nova-3',
      languageHints: ['hi', 'en'],
    });
  });

  it("takes the agent's model and an optional base URL without the /v1/listen path", () => {
    expect(deepgramConfigFromEnv({ DEEPGRAM_API_KEY: API_KEY }, { ...agentTranscriber, model: 'nova-2-phonecall' })).toEqual({
      apiKey: API_KEY,
      model: 'nova-2-phonecall',
    });
    expect(deepgramConfigFromEnv({ DEEPGRAM_API_KEY: API_KEY, DEEPGRAM_BASE_URL: 'ws://127.0.0.1:4010/' }, agentTranscriber)).toMatchObject({
      baseUrl: 'ws://127.0.0.1:4010',
    });
    expect(() => deepgramConfigFromEnv({ DEEPGRAM_API_KEY: API_KEY, DEEPGRAM_BASE_URL: 'api.deepgram.com' }, agentTranscriber)).toThrow(/DEEPGRAM_BASE_URL/);
    expect(() => deepgramConfigFromEnv({ DEEPGRAM_API_KEY: API_KEY, DEEPGRAM_BASE_URL: 'wss://api.deepgram.com/v1/listen' }, agentTranscriber)).toThrow(
      /must not include \/v1\/listen/,
    );
  });

  it('accepts an http:// base: the socket goes to ws://.../v1/listen', async () => {
    const fake = await new FakeDeepgramServer({ apiKey: API_KEY }).start();
    try {
      const config = deepgramConfigFromEnv({ DEEPGRAM_API_KEY: API_KEY, DEEPGRAM_BASE_URL: fake.url.replace(/^ws:/, 'http:') }, agentTranscriber);
      const transcripts = await new DeepgramTranscriber(config!).open({ callId: 'call-2', language: 'en' });
      await transcripts.close();
      expect(fake.connections).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });
});

/** Deterministic speech-like mu-law (never the silence byte), `ms` long. */
function callerAudio(ms: number, seed: number): Buffer {
  const audio = Buffer.alloc(ms * BYTES_PER_MS);
  let state = seed * 2654435761;
  for (let i = 0; i < audio.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    audio[i] = (state >>> 16) % 0xfe;
  }
  return audio;
}

function silence(ms: number): Buffer {
  return Buffer.alloc(ms * BYTES_PER_MS, 0xff);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean | undefined, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}
