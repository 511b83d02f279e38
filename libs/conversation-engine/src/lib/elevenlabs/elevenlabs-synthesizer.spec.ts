import { FakeElevenLabsServer, type FakeElevenLabsOptions } from '@codcall/test-support';
import type { SynthesisRequest } from '../providers';
import {
  DEFAULT_ELEVENLABS_VOICE_ID,
  ElevenLabsSynthesizer,
  elevenLabsConfigFromEnv,
  SynthesisError,
  type ElevenLabsSynthesizerOptions,
} from './elevenlabs-synthesizer';

const API_KEY = 'sk_test_0123456789abcdef0123456789abcdef';
const VOICE = '21m00Tcm4TlvDq8ikWAM';
const LINE = 'Hello Priya, this is Meera calling about your cash on delivery order.';

describe('ElevenLabsSynthesizer, through the official SDK against a local ElevenLabs', () => {
  let server: FakeElevenLabsServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function startElevenLabs(options: Partial<FakeElevenLabsOptions> = {}): Promise<FakeElevenLabsServer> {
    server = await new FakeElevenLabsServer({ apiKey: API_KEY, ...options }).start();
    return server;
  }

  function synthesizerFor(fake: FakeElevenLabsServer, options: Partial<ElevenLabsSynthesizerOptions> = {}): ElevenLabsSynthesizer {
    return new ElevenLabsSynthesizer({ apiKey: API_KEY, baseUrl: fake.baseUrl, voiceId: VOICE, ...options });
  }

  function speak(synthesizer: ElevenLabsSynthesizer, request: Partial<SynthesisRequest> = {}): AsyncIterable<Buffer> {
    return synthesizer.synthesize({ text: LINE, language: 'en', signal: new AbortController().signal, ...request });
  }

  async function collect(audio: AsyncIterable<Buffer>): Promise<Buffer[]> {
    const chunks: Buffer[] = [];
    for await (const chunk of audio) chunks.push(chunk);
    return chunks;
  }

  async function failureOf(audio: AsyncIterable<Buffer>): Promise<SynthesisError> {
    try {
      await collect(audio);
    } catch (error) {
      expect(error).toBeInstanceOf(SynthesisError);
      return error as SynthesisError;
    }
    throw new Error('expected the synthesis to fail');
  }

  it("asks for the agent's voice and model in the carriers' mu-law, with the key in its header", async () => {
    const fake = await startElevenLabs();
    const synthesizer = synthesizerFor(fake);
    expect(synthesizer.name).toBe('elevenlabs:eleven_flash_v2_5');

    const audio = Buffer.concat(await collect(speak(synthesizer, { language: 'en-IN' })));

    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      voiceId: VOICE,
      apiKey: API_KEY,
      query: { output_format: 'ulaw_8000', optimize_streaming_latency: '3' },
      body: { text: LINE, model_id: 'eleven_flash_v2_5', language_code: 'en' },
      outcome: 'completed',
    });
    // ulaw_8000 goes to the caller untouched: every byte ElevenLabs sent, no silence padding.
    expect(audio.length).toBe(fake.audioBytesFor(LINE));
    expect(audio.includes(0xff)).toBe(false);
  });

  it('uses the voice and model a request names, and sends no language to a model that would refuse it', async () => {
    const fake = await startElevenLabs();
    const synthesizer = synthesizerFor(fake);

    await collect(speak(synthesizer, { voice: 'pNInz6obpgDQGcFmaJgB', model: 'eleven_multilingual_v2', language: 'hi' }));

    expect(fake.requests[0].voiceId).toBe('pNInz6obpgDQGcFmaJgB');
    expect(fake.requests[0].body['model_id']).toBe('eleven_multilingual_v2');
    expect(fake.requests[0].body).not.toHaveProperty('language_code');
  });

  it("speaks each call's language in its own voice: an Arabic line and a Hinglish line, one after the other on the same synthesiser", async () => {
    const fake = await startElevenLabs();
    const synthesizer = synthesizerFor(fake);

    await collect(speak(synthesizer, { text: 'مرحبا أنيتا', language: 'ar', languageCode: 'ar', voice: 'EXAVITQu4vr4xnSDxMaL', model: 'eleven_flash_v2_5' }));
    // Hinglish: the language tag is 'hi-Latn'; the pack says ElevenLabs should enforce 'hi'.
    await collect(speak(synthesizer, { text: 'Namaste Anita ji', language: 'hi-Latn', languageCode: 'hi', voice: 'Bella', model: 'eleven_turbo_v2_5' }));

    expect(fake.requests.map((request) => ({ voiceId: request.voiceId, model: request.body['model_id'], language: request.body['language_code'], text: request.body['text'] }))).toEqual([
      { voiceId: 'EXAVITQu4vr4xnSDxMaL', model: 'eleven_flash_v2_5', language: 'ar', text: 'مرحبا أنيتا' },
      // A premade voice named by its name goes out as its id.
      { voiceId: 'EXAVITQu4vr4xnSDxMaL', model: 'eleven_turbo_v2_5', language: 'hi', text: 'Namaste Anita ji' },
    ]);
  });

  it('reads the language code off the language tag when the request has none: pt-BR is pt', async () => {
    const fake = await startElevenLabs();

    await collect(speak(synthesizerFor(fake), { language: 'pt-BR' }));

    expect(fake.requests[0].body['language_code']).toBe('pt');
  });

  it('hands over the first audio while the rest of the sentence is still on its way', async () => {
    const fake = await startElevenLabs({ chunkBytes: 4_000, chunkDelayMs: 30 });
    const synthesizer = synthesizerFor(fake);

    const chunks: Buffer[] = [];
    let stillStreamingAtFirstChunk: boolean | undefined;
    for await (const chunk of speak(synthesizer)) {
      if (chunks.length === 0) stillStreamingAtFirstChunk = fake.requests[0].outcome === undefined;
      chunks.push(chunk);
    }

    expect(stillStreamingAtFirstChunk).toBe(true);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).length).toBe(fake.audioBytesFor(LINE));
    expect(fake.requests[0].outcome).toBe('completed');
  });

  it('goes quiet when the callee barges in, and hangs up on ElevenLabs', async () => {
    const fake = await startElevenLabs({ chunkBytes: 400, chunkDelayMs: 50 });
    const synthesizer = synthesizerFor(fake);
    const bargeIn = new AbortController();

    const heard: Buffer[] = [];
    for await (const chunk of speak(synthesizer, { signal: bargeIn.signal })) {
      heard.push(chunk);
      if (heard.length === 2) bargeIn.abort();
    }

    // The loop ended without an error, and ElevenLabs saw the connection close before the end.
    expect(await fake.whenEnded(0)).toBe('client_closed');
    expect(Buffer.concat(heard).length).toBeLessThan(fake.audioBytesFor(LINE));
    expect(fake.requests[0].bytesSent).toBeLessThan(fake.audioBytesFor(LINE));
  });

  it('goes quiet when the callee barges in before the first audio arrives', async () => {
    const fake = await startElevenLabs({ firstByteDelayMs: 2_000 });
    const synthesizer = synthesizerFor(fake);
    const bargeIn = new AbortController();
    setTimeout(() => bargeIn.abort(), 50);

    expect(await collect(speak(synthesizer, { signal: bargeIn.signal }))).toEqual([]);
    expect(await fake.whenEnded(0)).toBe('client_closed');
  });

  it('closes the connection when the listener stops reading before the end', async () => {
    const fake = await startElevenLabs({ chunkBytes: 400, chunkDelayMs: 50 });
    const synthesizer = synthesizerFor(fake);

    for await (const chunk of speak(synthesizer)) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }

    expect(await fake.whenEnded(0)).toBe('client_closed');
  });

  it('says nothing and calls no one for an already cancelled turn or an empty line', async () => {
    const fake = await startElevenLabs();
    const synthesizer = synthesizerFor(fake);
    const cancelled = new AbortController();
    cancelled.abort();

    expect(await collect(speak(synthesizer, { signal: cancelled.signal }))).toEqual([]);
    expect(await collect(speak(synthesizer, { text: '   ' }))).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it('reports a server error as a SynthesisError naming the status, voice and model, without retrying', async () => {
    const fake = await startElevenLabs();
    fake.failNext('http500');

    const error = await failureOf(speak(synthesizerFor(fake)));

    expect(error.status).toBe(500);
    expect(error.message).toContain('HTTP 500');
    expect(error.message).toContain(VOICE);
    expect(error.message).toContain('eleven_flash_v2_5');
    expect(fake.requests).toHaveLength(1);
  });

  it('reports a wrong key as a SynthesisError that never shows the key', async () => {
    const fake = await startElevenLabs();
    const wrongKey = 'sk_wrong_fedcba9876543210fedcba9876543210';

    const error = await failureOf(speak(synthesizerFor(fake, { apiKey: wrongKey })));

    expect(error.status).toBe(401);
    expect(error.message).toContain('invalid_api_key');
    expect(error.message).not.toContain(wrongKey);
    expect(error.message).not.toContain(API_KEY);
    expect(fake.requests[0].apiKey).toBe(wrongKey);
  });

  it('reports a connection dropped mid-sentence as a SynthesisError, after the audio that did arrive', async () => {
    const fake = await startElevenLabs({ chunkBytes: 2_000, chunkDelayMs: 10 });
    fake.failNext('drop');

    const heard: Buffer[] = [];
    let failure: unknown;
    try {
      for await (const chunk of speak(synthesizerFor(fake))) heard.push(chunk);
    } catch (error) {
      failure = error;
    }

    expect(failure).toBeInstanceOf(SynthesisError);
    expect((failure as SynthesisError).message).toMatch(/broke off after \d+ bytes/);
    expect(heard.length).toBeGreaterThan(0);
    expect(fake.requests[0].outcome).toBe('dropped');
  });

  it('gives up on a stream that stalls, with a SynthesisError, and closes the connection', async () => {
    const fake = await startElevenLabs();
    fake.failNext('stall');

    const error = await failureOf(speak(synthesizerFor(fake, { stallTimeoutMs: 300 })));

    expect(error.message).toContain('no audio for 300 ms');
    expect(await fake.whenEnded(0)).toBe('client_closed');
  });

  it('gives up on an ElevenLabs that never starts answering', async () => {
    const fake = await startElevenLabs({ firstByteDelayMs: 3_000 });

    const error = await failureOf(speak(synthesizerFor(fake, { stallTimeoutMs: 300 })));

    expect(error.message).toContain('no audio for 300 ms');
    expect(await fake.whenEnded(0)).toBe('client_closed');
  });

  it('reports an unreachable ElevenLabs as a SynthesisError', async () => {
    const fake = await startElevenLabs();
    const baseUrl = fake.baseUrl;
    await fake.close();

    const error = await failureOf(speak(new ElevenLabsSynthesizer({ apiKey: API_KEY, baseUrl, voiceId: VOICE })));

    expect(error.message).toContain('could not be reached');
    expect(error.status).toBeUndefined();
  });

  it('keeps speaking after a failed line: the next request succeeds', async () => {
    const fake = await startElevenLabs();
    fake.failNext('http500');
    const synthesizer = synthesizerFor(fake);

    await failureOf(speak(synthesizer));
    const audio = Buffer.concat(await collect(speak(synthesizer, { text: 'Thank you.' })));

    expect(audio.length).toBe(fake.audioBytesFor('Thank you.'));
  });
});

describe('elevenLabsConfigFromEnv', () => {
  const agentSynth = { provider: 'elevenlabs', voiceId: 'EXAVITQu4vr4xnSDxMaL', model: 'eleven_turbo_v2_5' };

  it('is null without ELEVENLABS_API_KEY, or when the agent asks for another voice provider', () => {
    expect(elevenLabsConfigFromEnv({}, agentSynth)).toBeNull();
    expect(elevenLabsConfigFromEnv({ ELEVENLABS_API_KEY: '' }, agentSynth)).toBeNull();
    expect(elevenLabsConfigFromEnv({ ELEVENLABS_API_KEY: API_KEY }, { ...agentSynth, provider: 'offline' })).toBeNull();
  });

  it("takes the agent's voice and model, and ELEVENLABS_BASE_URL as the host", () => {
    expect(elevenLabsConfigFromEnv({ ELEVENLABS_API_KEY: API_KEY, ELEVENLABS_BASE_URL: 'http://127.0.0.1:9/' }, agentSynth)).toEqual({
      apiKey: API_KEY,
      baseUrl: 'http://127.0.0.1:9',
      voiceId: 'EXAVITQu4vr4xnSDxMaL',
      model: 'eleven_turbo_v2_5',
    });
    expect(elevenLabsConfigFromEnv({ ELEVENLABS_API_KEY: API_KEY }, agentSynth)).not.toHaveProperty('baseUrl');
  });

  it('finds a premade voice by name, and falls back to Rachel', () => {
    const env = { ELEVENLABS_API_KEY: API_KEY };
    expect(elevenLabsConfigFromEnv(env, { provider: 'elevenlabs', voice: 'Adam', model: 'eleven_flash_v2_5' })?.voiceId).toBe('pNInz6obpgDQGcFmaJgB');
    expect(elevenLabsConfigFromEnv(env, { provider: 'elevenlabs', voice: 'Someone Custom', model: 'eleven_flash_v2_5' })?.voiceId).toBe(DEFAULT_ELEVENLABS_VOICE_ID);
  });

  it('fails fast on a malformed ELEVENLABS_BASE_URL, naming the variable', () => {
    expect(() => elevenLabsConfigFromEnv({ ELEVENLABS_API_KEY: API_KEY, ELEVENLABS_BASE_URL: 'api.elevenlabs.io' }, agentSynth)).toThrow(/ELEVENLABS_BASE_URL/);
  });
});
