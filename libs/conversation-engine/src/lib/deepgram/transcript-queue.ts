import type { TranscriptEvent } from '../providers';

/** A single-consumer queue of transcript events that can end normally or with an error. */
export class TranscriptQueue implements AsyncIterable<TranscriptEvent> {
  private readonly items: TranscriptEvent[] = [];
  private waiting?: { resolve: (result: IteratorResult<TranscriptEvent>) => void; reject: (error: Error) => void };
  private ended = false;
  private failure?: Error;

  push(item: TranscriptEvent): void {
    if (this.ended) return;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting.resolve({ value: item, done: false });
    else this.items.push(item);
  }

  end(): void {
    this.settle();
  }

  fail(error: Error): void {
    this.settle(error);
  }

  [Symbol.asyncIterator](): AsyncIterator<TranscriptEvent> {
    return {
      next: () => {
        if (this.items.length) return Promise.resolve({ value: this.items.shift() as TranscriptEvent, done: false });
        if (this.failure) {
          const failure = this.failure;
          this.failure = undefined;
          return Promise.reject(failure);
        }
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
      },
    };
  }

  private settle(failure?: Error): void {
    if (this.ended) return;
    this.ended = true;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (!waiting) {
      this.failure = failure;
      return;
    }
    if (failure) waiting.reject(failure);
    else waiting.resolve({ value: undefined, done: true });
  }
}
