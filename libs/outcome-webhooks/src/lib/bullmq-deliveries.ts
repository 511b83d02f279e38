import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from '@codcall/logging';
import { redactUrl } from './outcome-webhook-settings';
import { deliverOutcome, type DeliveryBackoff } from './webhook-delivery';

import { OUTCOME_WEBHOOK_QUEUE, OUTCOME_WEBHOOK_QUEUE_PREFIX } from './outcome-webhook-queue';

export interface OutcomeDeliveryJob {
  eventId: string;
  campaignId: string;
  url: string;
  /** The JSON body exactly as sent; the secret never goes to Redis, each worker signs with its own. */
  body: string;
}

/**
 * Tries so that the doubling pauses (1 s, 2 s, 4 s ...) add up to about the give-up time: with
 * 1 s and 24 h, 17 tries, the last pause about 9 h. BullMQ's exponential backoff has no cap, so
 * the pauses are not held at the embedded outbox's 10 minutes.
 */
export function bullmqAttempts(backoff: DeliveryBackoff): number {
  let attempts = 1;
  let total = 0;
  while (total + backoff.firstDelayMs * 2 ** (attempts - 1) <= backoff.giveUpAfterMs) total += backoff.firstDelayMs * 2 ** (attempts++ - 1);
  return attempts;
}

/**
 * Distributed mode: each delivery is a BullMQ job (job id = event id, so a second hand-over of the
 * same outcome is a no-op), retried with exponential backoff from Redis by whichever process runs
 * a worker; a 410 fails it for good.
 */
export class BullmqDeliveries {
  private readonly queue: Queue<OutcomeDeliveryJob>;
  private readonly worker: Worker<OutcomeDeliveryJob>;
  private readonly attempts: number;

  constructor(
    redisUrl: string,
    private readonly secret: string,
    private readonly options: { backoff: DeliveryBackoff; concurrency: number; requestTimeoutMs: number; logger: Logger },
  ) {
    const connection = { url: redisUrl, maxRetriesPerRequest: null };
    this.attempts = bullmqAttempts(options.backoff);
    this.queue = new Queue<OutcomeDeliveryJob>(OUTCOME_WEBHOOK_QUEUE, { connection, prefix: OUTCOME_WEBHOOK_QUEUE_PREFIX });
    this.queue.on('error', (error) => options.logger.warn({ err: error }, 'outcome webhook queue: Redis error'));
    this.worker = new Worker<OutcomeDeliveryJob>(OUTCOME_WEBHOOK_QUEUE, (job) => this.process(job), {
      connection,
      prefix: OUTCOME_WEBHOOK_QUEUE_PREFIX,
      concurrency: options.concurrency,
    });
    this.worker.on('error', (error) => options.logger.warn({ err: error }, 'outcome webhook worker: Redis error'));
    this.worker.on('failed', (job, error) => {
      if (!job) return;
      const where = { eventId: job.data.eventId, campaignId: job.data.campaignId, url: redactUrl(job.data.url), attempts: job.attemptsMade };
      if (error instanceof UnrecoverableError || job.attemptsMade >= this.attempts) options.logger.error({ ...where, reason: error.message }, 'outcome webhook given up');
      else options.logger.warn({ ...where, reason: error.message }, 'outcome webhook failed; retrying');
    });
  }

  /** Hands the delivery to Redis; resolves once Redis has it. */
  async enqueue(job: OutcomeDeliveryJob): Promise<void> {
    await this.queue.add('outcome', job, {
      jobId: job.eventId,
      attempts: this.attempts,
      backoff: { type: 'exponential', delay: this.options.backoff.firstDelayMs, jitter: 0.5 },
      // A second hand-over of the same event id comes within minutes (a lease run out), so an hour
      // recognises it; bounded by count too, so 100,000 outcomes a day do not fill Redis.
      removeOnComplete: { age: 3600, count: 10_000 },
      // Given up: kept a week for inspection.
      removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
    });
  }

  /** Jobs not yet delivered (waiting, delayed for a retry, or being sent). */
  async pending(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
  }

  private async process(job: Job<OutcomeDeliveryJob>): Promise<void> {
    const { eventId, url, body } = job.data;
    const result = await deliverOutcome(url, body, eventId, this.secret, this.options.requestTimeoutMs);
    if (result.kind === 'gone') throw new UnrecoverableError('the receiver answered 410 Gone');
    if (result.kind === 'retry') throw new Error(result.why);
    this.options.logger.info({ eventId, campaignId: job.data.campaignId, status: result.status, attempts: job.attemptsMade + 1 }, 'outcome webhook delivered');
  }
}
