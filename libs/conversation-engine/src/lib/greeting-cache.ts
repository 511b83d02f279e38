import type { SynthesisRequest, Synthesizer } from './providers';

interface Entry {
  key: string;
  request: Omit<SynthesisRequest, 'signal'>;
  chunks: Buffer[];
  bytes: number;
  started: boolean;
  done: boolean;
  failed: boolean;
  /** Out of the cache (evicted or failed): its bytes no longer count, readers still finish it. */
  dropped: boolean;
  /** Wakes readers waiting for more chunks. */
  waiters: (() => void)[];
}

export interface GreetingCacheLimits {
  /** Phrases kept (default 500). */
  maxEntries?: number;
  /** Audio kept, all phrases together (default 32 MiB, about an hour of mu-law). */
  maxBytes?: number;
  /** Syntheses running at once for preparation (default 4). */
  maxConcurrent?: number;
  /** Preparations waiting for a free synthesis (default 64); beyond it a greeting is synthesised on answer. */
  maxQueued?: number;
}

/**
 * Wraps a synthesiser so a phrase can be synthesised ahead of time: the gateway prepares each
 * call's greeting while the phone rings, and the callee hears it the moment the stream starts.
 * A reader of a phrase still being prepared gets its chunks as they arrive. Bounded on every side
 * so a flood of dials cannot turn into a flood of syntheses: a few run at once, a bounded queue
 * waits, anything beyond is simply not prepared; the cache keeps a bounded count and bytes of
 * phrases (oldest leave first); a failed preparation is forgotten and synthesised again on use.
 */
export class PreparedSpeech implements Synthesizer {
  readonly name: string;
  private readonly entries = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  private readonly limits: Required<GreetingCacheLimits>;
  private running = 0;
  private totalBytes = 0;

  constructor(
    private readonly inner: Synthesizer,
    limits: number | GreetingCacheLimits = {},
  ) {
    this.name = inner.name;
    const given = typeof limits === 'number' ? { maxEntries: limits } : limits;
    this.limits = { maxEntries: 500, maxBytes: 32 * 1024 * 1024, maxConcurrent: 4, maxQueued: 64, ...given };
  }

  /** Phrases being prepared now and waiting to be, and the audio held: for tests and benchmarks. */
  get usage(): { running: number; queued: number; entries: number; bytes: number } {
    return { running: this.running, queued: this.queue.length, entries: this.entries.size, bytes: this.totalBytes };
  }

  /** Starts synthesising `request.text` now (or once a synthesis is free); `synthesize` with the same request replays it. */
  prepare(request: Omit<SynthesisRequest, 'signal'>): void {
    const key = keyOf(request);
    if (this.entries.has(key)) return;
    const busy = this.running >= this.limits.maxConcurrent;
    if (busy && this.queue.length >= this.limits.maxQueued) return;
    const entry: Entry = { key, request, chunks: [], bytes: 0, started: false, done: false, failed: false, dropped: false, waiters: [] };
    this.entries.set(key, entry);
    while (this.entries.size > this.limits.maxEntries) this.drop(this.entries.values().next().value as Entry);
    if (busy) this.queue.push(entry);
    else this.start(entry);
  }

  /** The phrase is being synthesised or has been (not merely queued): `synthesize` replays it. */
  isPrepared(request: Omit<SynthesisRequest, 'signal'>): boolean {
    const entry = this.entries.get(keyOf(request));
    return entry !== undefined && entry.started && !entry.failed;
  }

  async *synthesize(request: SynthesisRequest): AsyncIterable<Buffer> {
    const entry = this.entries.get(keyOf(request));
    if (!entry || !entry.started) {
      // Still queued: the callee is waiting now, so this one does not wait for the pool.
      if (entry) this.drop(entry);
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

  private start(entry: Entry): void {
    entry.started = true;
    this.running++;
    const wake = () => entry.waiters.splice(0).forEach((resolve) => resolve());
    void (async () => {
      try {
        for await (const chunk of this.inner.synthesize({ ...entry.request, signal: new AbortController().signal })) {
          entry.chunks.push(chunk);
          entry.bytes += chunk.length;
          if (!entry.dropped) this.account(entry, chunk.length);
          wake();
        }
      } catch {
        entry.failed = true;
        this.drop(entry);
      }
      entry.done = true;
      wake();
      this.running--;
      const next = this.queue.shift();
      if (next) this.start(next);
    })();
  }

  /** Counts a chunk's bytes, and lets the oldest phrases go while the cache holds too much. */
  private account(entry: Entry, bytes: number): void {
    this.totalBytes += bytes;
    for (const oldest of this.entries.values()) {
      if (this.totalBytes <= this.limits.maxBytes) break;
      this.drop(oldest);
    }
    if (this.totalBytes > this.limits.maxBytes && !entry.dropped) this.drop(entry);
  }

  private drop(entry: Entry): void {
    if (entry.dropped) return;
    entry.dropped = true;
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    this.totalBytes -= entry.bytes;
    const queued = this.queue.indexOf(entry);
    if (queued >= 0) this.queue.splice(queued, 1);
  }
}

/** The same words in another voice, model or language are another phrase: a Hindi row never hears an English greeting's audio. */
function keyOf(request: Omit<SynthesisRequest, 'signal'>): string {
  return JSON.stringify([request.voice ?? '', request.model ?? '', request.language, request.languageCode ?? '', request.text]);
}
