import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the fake HTTP vendors (OpenAI, ElevenLabs) share: a loopback server on a free port, a
 * promise per request for how its response ended, and waits that `close()` cuts short so no
 * handler is left hanging on a timer.
 */
/** How much sooner than due the timer of a wait fires; the rest is spun. */
const EARLY_WAKE_MS = 2;

export abstract class FakeHttpVendor<Outcome> {
  protected closing = false;
  private readonly endings: { promise: Promise<Outcome>; resolve: (outcome: Outcome) => void }[] = [];
  private readonly waits = new Map<NodeJS.Timeout, () => void>();
  private server?: Server;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Resolves when the `index`th request's response has ended (it may not have arrived yet). */
  whenEnded(index: number): Promise<Outcome> {
    return this.ending(index).promise;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const [timer, wake] of this.waits) {
      clearTimeout(timer);
      wake();
    }
    this.waits.clear();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  /** `http://127.0.0.1:<port>`. */
  protected get origin(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  /**
   * Ends a streamed response that was written out: completed, or (`drop`) broken off after one
   * more pause by destroying the socket, as a vendor whose connection dies mid-answer.
   */
  protected async endStream(res: ServerResponse, drop: boolean, pauseMs: number, end: (outcome: 'completed' | 'dropped') => void): Promise<void> {
    if (this.closing || res.destroyed) return;
    if (drop) {
      await this.wait(pauseMs);
      if (this.closing || res.destroyed) return;
      end('dropped');
      res.socket?.destroy();
      return;
    }
    end('completed');
    res.end();
  }

  protected ending(index: number): { promise: Promise<Outcome>; resolve: (outcome: Outcome) => void } {
    while (this.endings.length <= index) {
      let resolve!: (outcome: Outcome) => void;
      const promise = new Promise<Outcome>((r) => (resolve = r));
      this.endings.push({ promise, resolve });
    }
    return this.endings[index];
  }

  /**
   * Waits `ms`, to within a fraction of a millisecond: a fake's delay stands for the vendor's own
   * time, and a benchmark subtracts it, so the timer's usual lateness (about 1 ms) must not be
   * counted as ours. The timer wakes a little early and the last stretch is spun on setImmediate.
   */
  protected wait(ms: number): Promise<void> {
    if (ms <= 0 || this.closing) return Promise.resolve();
    const due = performance.now() + ms;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        const spin = () => (this.closing || performance.now() >= due ? resolve() : setImmediate(spin));
        spin();
      }, Math.max(0, ms - EARLY_WAKE_MS));
      this.waits.set(timer, resolve);
    });
  }
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

export function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
