import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Logger } from '@codcall/logging';
import { isWorkerReport, type MediaSocketHandOff, type PublicPortOpen } from './worker-messages';

/** One worker as the primary sees it. */
export interface WorkerSlot {
  readonly index: number;
  /** Its share of GATEWAY_MAX_CALLS. */
  readonly maxCalls: number;
  /** Its loopback port while it is up and listening; undefined while it starts or restarts. */
  port?: number;
  callsLive: number;
  pid?: number;
}

export interface WorkerPoolOptions {
  count: number;
  maxCallsOf: (index: number) => number;
  /** Starts worker `index` as a child process with an IPC channel. */
  fork: (index: number) => ChildProcess;
  logger: Logger;
  /** First wait before restarting a worker that died; doubled while it keeps dying young. */
  restartDelayMs?: number;
  /** How long a worker may take to shut down before it is killed. */
  stopTimeoutMs?: number;
}

/** A worker that dies sooner than this after starting is crash-looping: wait longer each time. */
const HEALTHY_AFTER_MS = 10_000;
const MAX_RESTART_DELAY_MS = 10_000;

export class WorkerStartError extends Error {
  constructor(
    readonly index: number,
    readonly exitCode: number | null,
  ) {
    super(`gateway worker ${index} exited with ${exitCode} before it was ready`);
  }
}

/**
 * The gateway's workers: started together, each restarted when it dies (its calls then end as
 * "gateway restarted" from its own store, as a single gateway's do), all stopped together.
 */
export class WorkerPool {
  readonly slots: WorkerSlot[];
  private readonly children = new Map<number, ChildProcess>();
  private readonly restartDelays = new Map<number, number>();
  private stopping = false;
  private publicPortOpen = false;

  constructor(private readonly options: WorkerPoolOptions) {
    this.slots = Array.from({ length: options.count }, (_, i) => ({ index: i + 1, maxCalls: options.maxCallsOf(i + 1), callsLive: 0 }));
  }

  /** Starts every worker; resolves once all listen, rejects if one dies first (a set-up error: exit code 2). */
  start(): Promise<void> {
    return Promise.all(this.slots.map((slot) => this.spawn(slot))).then(() => undefined);
  }

  /** The worker, if it is up now. */
  ready(index: number): WorkerSlot | undefined {
    const slot = this.slots[index - 1];
    return slot?.port === undefined ? undefined : slot;
  }

  get readySlots(): WorkerSlot[] {
    return this.slots.filter((slot) => slot.port !== undefined);
  }

  /** Passes a connection to a worker; the primary keeps no copy of it. */
  handOff(slot: WorkerSlot, message: MediaSocketHandOff, socket: Socket): boolean {
    const child = this.children.get(slot.index);
    if (!child?.connected) return false;
    child.send(message, socket, (error) => {
      if (error) socket.destroy();
    });
    return true;
  }

  /** The primary listens on the public port: every worker is told now, and each one that (re)starts later once it is ready. */
  announcePublicPort(): void {
    this.publicPortOpen = true;
    for (const slot of this.readySlots) this.tellPublicPortOpen(slot.index);
  }

  private tellPublicPortOpen(index: number): void {
    const child = this.children.get(index);
    const message: PublicPortOpen = { type: 'gateway:public-port-open' };
    if (child?.connected) child.send(message, (error) => error && this.options.logger.warn({ worker: index, err: error.message }, 'could not tell a worker the public port is open'));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const killer = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs ?? 20_000);
            child.once('exit', () => {
              clearTimeout(killer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  private spawn(slot: WorkerSlot): Promise<void> {
    const child = this.options.fork(slot.index);
    const startedAt = Date.now();
    this.children.set(slot.index, child);
    slot.pid = child.pid;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      child.on('message', (message) => {
        if (!isWorkerReport(message)) return;
        if (message.type === 'gateway:load') slot.callsLive = message.callsLive;
        if (message.type === 'gateway:ready' && !ready) {
          ready = true;
          slot.port = message.port;
          slot.callsLive = 0;
          this.options.logger.info({ worker: slot.index, workerPid: child.pid, port: message.port }, 'gateway worker ready');
          if (this.publicPortOpen) this.tellPublicPortOpen(slot.index);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        slot.port = undefined;
        slot.callsLive = 0;
        if (this.stopping) return resolve();
        if (!ready) return reject(new WorkerStartError(slot.index, code));
        this.options.logger.error({ worker: slot.index, workerPid: child.pid, code, signal }, 'gateway worker died: restarting it; its calls resume from its store');
        this.restartLater(slot, Date.now() - startedAt);
      });
    });
  }

  private restartLater(slot: WorkerSlot, livedMs: number): void {
    const first = this.options.restartDelayMs ?? 200;
    const previous = this.restartDelays.get(slot.index);
    const delay = livedMs < HEALTHY_AFTER_MS && previous !== undefined ? Math.min(previous * 2, MAX_RESTART_DELAY_MS) : first;
    this.restartDelays.set(slot.index, delay);
    setTimeout(() => {
      if (this.stopping) return;
      this.spawn(slot).catch((error: unknown) => {
        // A worker that cannot start again (its store locked, say) is tried again later; the others go on.
        this.options.logger.error({ err: error, worker: slot.index }, 'gateway worker did not come back');
        if (!this.stopping) this.restartLater(slot, 0);
      });
    }, delay).unref();
  }
}
