/**
 * Time as the session sees it: `now()` in ms and one-shot timers. Injected so tests move time by
 * hand (test-support's FakeClock has this shape) instead of sleeping.
 */
export interface SessionClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: SessionClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Named one-shot timers on a clock: setting a name again replaces its timer. */
export class SessionTimers {
  private readonly handles = new Map<string, unknown>();

  constructor(private readonly clock: SessionClock) {}

  set(name: string, ms: number, fn: () => void): void {
    this.clear(name);
    this.handles.set(
      name,
      this.clock.setTimeout(() => {
        this.handles.delete(name);
        fn();
      }, Math.max(0, ms)),
    );
  }

  clear(name: string): void {
    const handle = this.handles.get(name);
    if (handle !== undefined) this.clock.clearTimeout(handle);
    this.handles.delete(name);
  }

  clearAll(): void {
    for (const handle of this.handles.values()) this.clock.clearTimeout(handle);
    this.handles.clear();
  }
}
