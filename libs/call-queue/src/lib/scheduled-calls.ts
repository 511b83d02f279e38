import { createHash } from 'node:crypto';
import { Job, type Queue } from 'bullmq';
import { wasNotDialled, type CallScheduling, type CallView, type ScheduledDial } from '@codcall/campaign';
import { JOB_NAME, jobIdFor, RECORD_TTL_SECONDS, type CallJobData } from './queue-layout';

/** Finished jobs are kept so a re-sent key finds its job; after that the dial record (dialKey) still answers for it. */
export const KEPT_JOBS = { removeOnComplete: { age: RECORD_TTL_SECONDS }, removeOnFail: { age: RECORD_TTL_SECONDS } } as const;

/** Jobs added in one round trip at most, so a campaign of 100,000 waiting rows is not one huge command. */
const ADD_BATCH = 500;
/** Withdrawals in flight at once (each a state read and a remove). */
const WITHDRAW_CONCURRENCY = 50;
/** States of a job no gateway holds yet: it can be taken back. */
const NOT_TAKEN = new Set(['delayed', 'waiting', 'prioritized', 'paused', 'wait']);

/**
 * A row's nth attempt's idempotency key in a campaign's queue: derived, so the key is known before
 * the job is added and is the same in every run (the row and its attempt count are in the store);
 * the campaign's id keeps it apart from every other campaign's (dial records are global).
 */
export function attemptKeyFor(campaignId: string, rowKey: string, attemptNo: number): string {
  if (!Number.isSafeInteger(attemptNo) || attemptNo < 1) throw new Error(`attemptNo must be a positive integer, got ${attemptNo}`);
  const row = createHash('sha256').update(`${campaignId}\u0000${rowKey}`).digest('hex').slice(0, 32);
  return `a${attemptNo}-${row}`;
}

/** How a gateway finishes a queued dial it took after its calling window closed: not dialled, for the campaign to plan again. */
export function notDialledView(callId: string, notAfter: number): CallView {
  return { callId, state: 'completed', outcome: { status: 'outside_window', reason: `not dialled: its calling window closed at ${new Date(notAfter).toISOString()} before a gateway took it` } };
}

/**
 * The campaign's dials added ahead of their time: BullMQ delayed jobs on its queue (job id = the
 * attempt's key), which gateways take at their time whether the campaign-api is up or not.
 */
export class QueuedCallScheduling implements CallScheduling {
  constructor(
    private readonly queue: Queue<CallJobData, CallView>,
    private readonly campaignId: string,
    private readonly ready: Promise<void>,
  ) {}

  attemptKey(rowKey: string, attemptNo: number): string {
    return attemptKeyFor(this.campaignId, rowKey, attemptNo);
  }

  /** A delay of due − now each; BullMQ keeps the first job of an id, so a key queued (or dialled) before stays as it was. */
  async scheduleCalls(dials: readonly ScheduledDial[]): Promise<void> {
    await this.ready;
    for (let i = 0; i < dials.length; i += ADD_BATCH) {
      const now = Date.now();
      await this.queue.addBulk(
        dials.slice(i, i + ADD_BATCH).map(({ request, dueAt, notAfter }) => {
          const key = request.idempotencyKey;
          if (!key) throw new Error('a dial queued ahead of time needs its idempotency key');
          const data: CallJobData = { request, dueAt, ...(notAfter !== undefined ? { notAfter } : {}) };
          return { name: JOB_NAME, data, opts: { jobId: jobIdFor(key), delay: Math.max(0, dueAt - now), ...KEPT_JOBS } };
        }),
      );
    }
  }

  /**
   * Removes each key's job while no gateway holds it (delayed or waiting), or when it ended not
   * dialled; a job that is active or ended with a call stays, and so does its outcome.
   */
  async withdrawCalls(idempotencyKeys: readonly string[]): Promise<number> {
    await this.ready;
    let withdrawn = 0;
    for (let i = 0; i < idempotencyKeys.length; i += WITHDRAW_CONCURRENCY) {
      const removed = await Promise.all(idempotencyKeys.slice(i, i + WITHDRAW_CONCURRENCY).map((key) => this.withdraw(jobIdFor(key))));
      withdrawn += removed.filter(Boolean).length;
    }
    return withdrawn;
  }

  private async withdraw(jobId: string): Promise<boolean> {
    const state = await this.queue.getJobState(jobId);
    if (state === 'completed') {
      const job = await Job.fromId<CallJobData, CallView>(this.queue, jobId);
      if (!job?.returnvalue || !wasNotDialled(job.returnvalue)) return false;
    } else if (!NOT_TAKEN.has(state)) return false;
    // 0 when a gateway took it meanwhile (BullMQ refuses to remove a locked job): it is dialled and followed as any other.
    return (await this.queue.remove(jobId)) === 1;
  }
}
