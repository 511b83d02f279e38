import type { SynthesisRequest, Synthesizer } from './providers';

interface Entry {
  chunks: Buffer[];
  done: boolean;
  failed: boolean;
  /** Wakes readers waiting for more chunks. */
  waiters: (() => void)[];
}

/**
 * Wraps a synthesiser so a phrase can be synthesised ahead of time: the gateway prepares each
 * call's greeting while the phone rings, and the callee hears it the moment the stream starts.
 * A reader of a phrase still being prepared gets its chunks as they arrive. Bounded (oldest
 * phrases leave first); a failed preparation is forgotten and synthesised again on use.
 */
export class PreparedSpeech implements Synthesizer {
  readonly name: string;
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly inner: Synthesizer,
    private readonly capacity = 500,
  ) {
    this.name = inner.name;
  }

  /** Starts synthesising `request.text` now; `synthesize` with the same request replays it. */
  prepare(request: Omit<SynthesisRequest, 'signal'>): void {
    const key = keyOf(request);
    if (this.entries.has(key)) return;
    const entry: Entry = { chunks: [], done: false, failed: false, waiters: [] };
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    const wake = () => entry.waiters.splice(0).forEach((resolve) => resolve());
    void (async () => {
      try {
        for await (const chunk of this.inner.synthesize({ ...request, signal: new AbortController().signal })) {
          entry.chunks.push(chunk);
          wake();
        }
      } catch {
        entry.failed = true;
        this.entries.delete(key);
      }
      entry.done = true;
      wake();
    })();
  }

  async *synthesize(request: SynthesisRequest): AsyncIterable<Buffer> {
    const entry = this.entries.get(keyOf(request));
    if (!entry) {
      yield* this.inner.synthesize(request);
      return;
    }
    let index = 0;
    for (;;) {
      if (request.signal.aborted) return;
      if (index < entry.chunks.length) {
        yield entry.chunks[index++];
        continue;
      }
      if (entry.done) break;
      await new Promise<void>((resolve) => entry.waiters.push(resolve));
    }
    if (entry.failed && index === 0) yield* this.inner.synthesize(request);
  }
}

function keyOf(request: Omit<SynthesisRequest, 'signal'>): string {
  return JSON.stringify([request.voice ?? '', request.model ?? '', request.language, request.text]);
}
