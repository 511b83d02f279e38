import { PreparedSpeech } from './greeting-cache';
import type { SynthesisRequest, Synthesizer } from './providers';

class CountingSynthesizer implements Synthesizer {
  readonly name = 'test:counting';
  calls: string[] = [];
  constructor(private readonly delayMs = 0, private readonly fail = false) {}
  async *synthesize(request: SynthesisRequest): AsyncIterable<Buffer> {
    this.calls.push(request.text);
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (this.fail) throw new Error('tts down');
      yield Buffer.from(`${request.text}:${i}`);
    }
  }
}

const collect = async (speech: Synthesizer, text: string) => {
  const out: string[] = [];
  for await (const chunk of speech.synthesize({ text, language: 'en', voice: 'v', signal: new AbortController().signal })) out.push(chunk.toString());
  return out;
};

describe('PreparedSpeech (the greeting cache)', () => {
  it('replays a prepared greeting without synthesising it again', async () => {
    const inner = new CountingSynthesizer();
    const speech = new PreparedSpeech(inner);
    speech.prepare({ text: 'Hello Priya', language: 'en', voice: 'v' });
    expect(await collect(speech, 'Hello Priya')).toEqual(['Hello Priya:0', 'Hello Priya:1', 'Hello Priya:2']);
    expect(await collect(speech, 'Hello Priya')).toEqual(['Hello Priya:0', 'Hello Priya:1', 'Hello Priya:2']);
    expect(inner.calls).toEqual(['Hello Priya']);
  });

  it("never replays a greeting prepared in another voice, model or language: the same words for a Hindi row are the Hindi voice's", async () => {
    const inner = new CountingSynthesizer();
    const speech = new PreparedSpeech(inner);
    const hindi = { text: 'Anita Sharma', language: 'hi', languageCode: 'hi', voice: 'hindi-voice', model: 'eleven_flash_v2_5' };
    speech.prepare(hindi);

    for (const other of [
      { ...hindi, voice: 'english-voice' },
      { ...hindi, model: 'eleven_multilingual_v2' },
      { ...hindi, language: 'hi-Latn' },
      { ...hindi, languageCode: 'en' },
    ]) {
      expect(speech.isPrepared(other)).toBe(false);
    }
    expect(speech.isPrepared(hindi)).toBe(true);
    for await (const chunk of speech.synthesize({ ...hindi, languageCode: 'en', signal: new AbortController().signal })) expect(chunk).toBeDefined();
    expect(inner.calls).toEqual(['Anita Sharma', 'Anita Sharma']);
  });

  it('streams a greeting still being prepared as its chunks arrive', async () => {
    const inner = new CountingSynthesizer(20);
    const speech = new PreparedSpeech(inner);
    speech.prepare({ text: 'Hi', language: 'en', voice: 'v' });
    expect(await collect(speech, 'Hi')).toEqual(['Hi:0', 'Hi:1', 'Hi:2']);
    expect(inner.calls).toHaveLength(1);
  });

  it('synthesises anything else, and a failed preparation, on demand', async () => {
    const failing = new CountingSynthesizer(0, true);
    const speech = new PreparedSpeech(failing);
    speech.prepare({ text: 'Hi', language: 'en', voice: 'v' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(collect(speech, 'Hi')).rejects.toThrow('tts down');
    expect(failing.calls).toEqual(['Hi', 'Hi']);
  });

  it('keeps at most its capacity of phrases', async () => {
    const inner = new CountingSynthesizer();
    const speech = new PreparedSpeech(inner, 2);
    for (const text of ['a', 'b', 'c']) speech.prepare({ text, language: 'en', voice: 'v' });
    await collect(speech, 'a');
    expect(inner.calls).toEqual(['a', 'b', 'c', 'a']);
  });
});

/** A synthesiser whose every phrase waits until the test lets it finish. */
class GatedSynthesizer implements Synthesizer {
  readonly name = 'test:gated';
  running = 0;
  mostAtOnce = 0;
  calls: string[] = [];
  private gates: (() => void)[] = [];
  constructor(private readonly bytesPerPhrase = 100) {}
  async *synthesize(request: SynthesisRequest): AsyncIterable<Buffer> {
    this.calls.push(request.text);
    this.running++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    try {
      await new Promise<void>((resolve) => this.gates.push(resolve));
      yield Buffer.alloc(this.bytesPerPhrase);
    } finally {
      this.running--;
    }
  }
  release(): void {
    this.gates.splice(0).forEach((open) => open());
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('PreparedSpeech under a flood of dials', () => {
  it('prepares a few greetings at once, queues a bounded number, and leaves the rest to be synthesised on answer', async () => {
    const inner = new GatedSynthesizer();
    const speech = new PreparedSpeech(inner, { maxConcurrent: 2, maxQueued: 3 });
    for (let i = 0; i < 10; i++) speech.prepare({ text: `Hello ${i}`, language: 'en', voice: 'v' });
    expect(speech.usage).toMatchObject({ running: 2, queued: 3, entries: 5 });
    expect(inner.calls).toEqual(['Hello 0', 'Hello 1']);

    // The pool drains in order and never runs more than its size.
    for (let round = 0; round < 3; round++) {
      inner.release();
      await settle();
    }
    expect(inner.mostAtOnce).toBe(2);
    expect(inner.calls).toEqual(['Hello 0', 'Hello 1', 'Hello 2', 'Hello 3', 'Hello 4']);
    // A greeting that was never prepared is synthesised when the callee answers.
    const answering = collect(speech, 'Hello 9');
    inner.release();
    await settle();
    inner.release();
    expect(await answering).toHaveLength(1);
    expect(inner.calls.at(-1)).toBe('Hello 9');
  });

  it('says which phrases are prepared: one running counts, one still queued or never taken does not', async () => {
    const inner = new GatedSynthesizer();
    const speech = new PreparedSpeech(inner, { maxConcurrent: 1, maxQueued: 1 });
    const phrase = (text: string) => ({ text, language: 'en', voice: 'v' });
    for (const text of ['running', 'queued', 'refused']) speech.prepare(phrase(text));
    expect(['running', 'queued', 'refused', 'never asked'].map((text) => speech.isPrepared(phrase(text)))).toEqual([true, false, false, false]);
    inner.release();
    await settle();
    expect(speech.isPrepared(phrase('queued'))).toBe(true);
  });

  it('synthesises a still-queued greeting at once when its callee answers, without waiting for the pool', async () => {
    const inner = new GatedSynthesizer();
    const speech = new PreparedSpeech(inner, { maxConcurrent: 1, maxQueued: 5 });
    speech.prepare({ text: 'first', language: 'en', voice: 'v' });
    speech.prepare({ text: 'second', language: 'en', voice: 'v' });
    const answering = collect(speech, 'second');
    await settle();
    expect(inner.calls).toEqual(['first', 'second']);
    expect(speech.usage.queued).toBe(0);
    inner.release();
    expect(await answering).toHaveLength(1);
  });

  it('holds no more audio than its byte budget: the oldest greetings leave first', async () => {
    const inner = new GatedSynthesizer(400);
    const speech = new PreparedSpeech(inner, { maxBytes: 1000, maxConcurrent: 10 });
    for (const text of ['a', 'b', 'c', 'd']) speech.prepare({ text, language: 'en', voice: 'v' });
    inner.release();
    await settle();
    expect(speech.usage.bytes).toBeLessThanOrEqual(1000);
    expect(speech.usage.entries).toBe(2);
    // The two newest are replayed; an evicted one is synthesised again.
    await collect(speech, 'd');
    expect(inner.calls).toEqual(['a', 'b', 'c', 'd']);
    const again = collect(speech, 'a');
    await settle();
    inner.release();
    await again;
    expect(inner.calls).toEqual(['a', 'b', 'c', 'd', 'a']);
  });
});
