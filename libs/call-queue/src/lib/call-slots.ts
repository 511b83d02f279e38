/** A counting semaphore: at most `size` calls at once, waiters served in arrival order. */
export class CallSlots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  get taken(): number {
    return this.used;
  }

  /** Resolves with the slot's release once one is free. */
  async take(): Promise<() => void> {
    if (this.used >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `used` stays counted.
      if (next) next();
      else this.used--;
    };
  }
}
