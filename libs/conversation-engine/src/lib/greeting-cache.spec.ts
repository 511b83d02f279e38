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
