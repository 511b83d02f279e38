/**
 * A clock tests move by hand: `sleep` resolves when `advance` passes its time (or its signal
 * aborts), so a day of calling windows and retry spacing runs in milliseconds. Same shape as
 * @codcall/campaign's Clock.
 */
export class FakeClock {
  private current: number;
  private sleepers: { at: number; resolve: () => void }[] = [];

  constructor(start: number | string | Date) {
    this.current = typeof start === 'number' ? start : new Date(start).getTime();
  }

  now(): number {
    return this.current;
  }

  /** Sleepers waiting right now, and the earliest time one of them wakes. */
  get waiting(): { count: number; nextWake?: number } {
    const next = Math.min(...this.sleepers.map((s) => s.at));
    return { count: this.sleepers.length, nextWake: Number.isFinite(next) ? next : undefined };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper = { at: this.current + Math.max(0, ms), resolve: () => done() };
      const done = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** A one-shot timer that fires when `advance` passes its time (the shape of @codcall/conversation-engine's SessionClock). */
  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { at: this.current + Math.max(0, ms), resolve: () => {
      this.sleepers = this.sleepers.filter((s) => s !== timer);
      fn();
    } };
    this.sleepers.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.sleepers = this.sleepers.filter((s) => s !== handle);
  }

  /** Moves time forward by `ms`, waking sleepers in time order, letting each one's continuation run. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      const due = this.sleepers.filter((s) => s.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.current = Math.max(this.current, due.at);
      due.resolve();
    }
    this.current = target;
    await settle();
  }

  /** Jumps to the next sleeper's wake time (and wakes it); false when nobody sleeps. */
  async advanceToNextWake(): Promise<boolean> {
    await settle();
    const next = this.waiting.nextWake;
    if (next === undefined) return false;
    await this.advance(Math.max(0, next - this.current));
    return true;
  }
}

/** Lets pending promise continuations and I/O callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
