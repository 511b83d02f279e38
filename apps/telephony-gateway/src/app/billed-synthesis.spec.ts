import { SynthesisUsage } from '@codcall/call-orchestration';
import { PreparedSpeech, type SynthesisRequest, type Synthesizer } from '@codcall/conversation-engine';
import { BilledSpeech, CountedSynthesizer } from './billed-synthesis';

/** A vendor that answers each request with one chunk, once the test lets it; it can be told to fail. */
class VendorVoice implements Synthesizer {
  readonly name = 'vendor';
  requests: string[] = [];
  private pending: (() => void)[] = [];
  failNext = false;
  async *synthesize(request: SynthesisRequest): AsyncIterable<Buffer> {
    this.requests.push(request.text);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('vendor down');
    }
    await new Promise<void>((resolve) => this.pending.push(resolve));
    yield Buffer.from(request.text);
  }
  finishAll(): void {
    this.pending.splice(0).forEach((resolve) => resolve());
  }
}

const hello = { text: 'Hello Priya.', language: 'en' };
const play = async (speech: Synthesizer, request: Omit<SynthesisRequest, 'signal'>) => {
  const chunks: Buffer[] = [];
  for await (const chunk of speech.synthesize({ ...request, signal: new AbortController().signal })) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
};

function sharedCache(limits = {}) {
  const vendor = new VendorVoice();
  const cache = new PreparedSpeech(new CountedSynthesizer(vendor), limits);
  const callOf = () => {
    const usage = new SynthesisUsage();
    return { usage, speech: new BilledSpeech(cache, usage) };
  };
  return { vendor, callOf };
}

describe("a call's TTS bill through the shared greeting cache", () => {
  it('counts a greeting once, for the call whose preparation synthesised it; the next call with the same text replays it for nothing', async () => {
    const { vendor, callOf } = sharedCache();
    const first = callOf();
    const second = callOf();
    first.speech.prepare(hello);
    second.speech.prepare(hello);
    vendor.finishAll();
    expect(await play(first.speech, hello)).toBe('Hello Priya.');
    expect(await play(second.speech, hello)).toBe('Hello Priya.');
    expect(vendor.requests).toEqual(['Hello Priya.']);
    expect([first.usage.characters, second.usage.characters]).toEqual([hello.text.length, 0]);
    // Each call's view of the cache says what it holds, as the cache itself does.
    expect([second.speech.isPrepared(hello), second.speech.isPrepared({ text: 'Goodbye.', language: 'en' })]).toEqual([true, false]);
  });

  it('counts what a call speaks that nobody prepared, and a greeting still queued when its call needed it, for that call', async () => {
    const { vendor, callOf } = sharedCache({ maxConcurrent: 1 });
    const busy = callOf();
    const answered = callOf();
    busy.speech.prepare({ text: 'Hello Ravi.', language: 'en' }); // takes the only synthesis slot
    answered.speech.prepare(hello); // queued behind it
    const greeting = play(answered.speech, hello); // the stream opened first: synthesised at once, not from the queue
    const reply = play(answered.speech, { text: 'Thank you!', language: 'en' });
    vendor.finishAll();
    await new Promise((resolve) => setImmediate(resolve));
    vendor.finishAll();
    expect([await greeting, await reply]).toEqual(['Hello Priya.', 'Thank you!']);
    expect(busy.usage.characters).toBe('Hello Ravi.'.length);
    expect(answered.usage.characters).toBe(hello.text.length + 'Thank you!'.length);
  });

  it('counts a failed preparation and the synthesis that replaces it: both reached the vendor', async () => {
    const { vendor, callOf } = sharedCache();
    const call = callOf();
    vendor.failNext = true;
    call.speech.prepare(hello);
    await new Promise((resolve) => setImmediate(resolve));
    const greeting = play(call.speech, hello);
    await new Promise((resolve) => setImmediate(resolve));
    vendor.finishAll();
    expect(await greeting).toBe('Hello Priya.');
    expect(vendor.requests).toEqual(['Hello Priya.', 'Hello Priya.']);
    expect(call.usage.characters).toBe(2 * hello.text.length);
  });
});
