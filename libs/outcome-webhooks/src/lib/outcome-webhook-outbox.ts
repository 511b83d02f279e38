import type { CampaignEvent } from '@codcall/campaign';
import { silentLogger, type Logger } from '@codcall/logging';
import type { BullmqDeliveries } from './bullmq-deliveries';
import { outcomePayload, type OutcomeCampaign, type RowFinishedEvent } from './outcome-payload';
import { checkOutcomeWebhookUrl, redactUrl, type OutcomeWebhookSettings } from './outcome-webhook-settings';
import { OutboxStore, type StoredDelivery } from './outbox-store';
import { DEFAULT_DELIVERY_BACKOFF, DEFAULT_REQUEST_TIMEOUT_MS, deliverOutcome, retryDelayMs, type DeliveryBackoff } from './webhook-delivery';

export interface OutcomeWebhookOutboxOptions {
  logger?: Logger;
  /** Distributed mode: deliveries become BullMQ jobs in this Redis (REDIS_URL). */
  redisUrl?: string;
  /** Deliveries in flight at once (default 4). */
  concurrency?: number;
  /** Time allowed for one POST (default 10 s). */
  requestTimeoutMs?: number;
  /** Retry pauses and the give-up time (default 1 s doubling to 10 min, for 24 h). */
  backoff?: Partial<DeliveryBackoff>;
  /** ALLOW_INSECURE_PROVIDER_URLS, for a campaign's own URL: plain http beyond loopback. */
  allowInsecureUrls?: boolean;
}

const DEFAULT_CONCURRENCY = 4;
/** The longest the sender sleeps between looks at the file (another process may have left deliveries due). */
const MAX_IDLE_MS = 30_000;

/**
 * The durable outbox of outcome webhooks. `listener()` writes each final outcome to SQLite before
 * it returns (so an accepted outcome survives a crash), then a background sender POSTs it, signed,
 * oldest first, a few at a time, retrying with backoff until a 2xx, a 410 or the give-up time.
 * Opened again over the same file, it resumes what was pending. With `redisUrl` the sender hands
 * each delivery to BullMQ instead, which retries it from Redis.
 */
export class OutcomeWebhookOutbox {
  private readonly logger: Logger;
  private readonly backoff: DeliveryBackoff;
  private readonly concurrency: number;
  private readonly requestTimeoutMs: number;
  private readonly bullmq?: BullmqDeliveries;
  private readonly inFlight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private closing = false;

  private constructor(
    private readonly store: OutboxStore,
    private readonly settings: OutcomeWebhookSettings,
    private readonly options: OutcomeWebhookOutboxOptions,
  ) {
    this.logger = options.logger ?? silentLogger();
    this.backoff = { ...DEFAULT_DELIVERY_BACKOFF, ...options.backoff };
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (options.redisUrl) {
      // Loaded only in distributed mode: bullmq takes about half a second to load, which every CLI run would pay.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { BullmqDeliveries: Deliveries } = require('./bullmq-deliveries') as typeof import('./bullmq-deliveries');
      this.bullmq = new Deliveries(options.redisUrl, settings.secret, { backoff: this.backoff, concurrency: this.concurrency, requestTimeoutMs: this.requestTimeoutMs, logger: this.logger });
    }
  }

  /** Opens (creating if need be) the outbox at `file`, e.g. `<campaign store>.webhooks.sqlite`, and resumes its pending deliveries. */
  static open(file: string, settings: OutcomeWebhookSettings, options: OutcomeWebhookOutboxOptions = {}): OutcomeWebhookOutbox {
    const outbox = new OutcomeWebhookOutbox(OutboxStore.open(file), settings, options);
    outbox.pump();
    return outbox;
  }

  /** A campaign event listener to chain into runCampaign's onEvent: each row-finished is one webhook. */
  listener(campaign: OutcomeCampaign): (event: CampaignEvent) => void {
    if (campaign.url) checkOutcomeWebhookUrl(campaign.url, 'outcome_webhook_url', { ALLOW_INSECURE_PROVIDER_URLS: String(this.options.allowInsecureUrls === true) });
    return (event) => {
      if (event.type === 'row-finished') this.accept(campaign, event);
    };
  }

  /**
   * Writes the outcome's delivery (synchronously, durably) and wakes the sender; answers its event
   * id, or undefined when neither the campaign nor the settings name a URL (a service whose
   * campaigns each bring their own).
   */
  accept(campaign: OutcomeCampaign, event: RowFinishedEvent): string | undefined {
    const url = campaign.url || this.settings.url;
    if (!url) return undefined;
    const now = Date.now();
    const payload = outcomePayload(campaign, event, now);
    try {
      const fresh = this.store.accept({ eventId: payload.event_id, campaignId: campaign.campaignId, url, body: JSON.stringify(payload), at: now });
      if (fresh) this.pump();
    } catch (error) {
      this.logger.error({ err: error, eventId: payload.event_id, campaignId: campaign.campaignId }, 'outcome webhook could not be written to the outbox');
      throw error;
    }
    return payload.event_id;
  }

  /** Deliveries not yet delivered, given up or refused: in the file, and in Redis in distributed mode. */
  async pendingCount(): Promise<number> {
    const local = this.store.count('pending');
    return this.bullmq ? local + (await this.bullmq.pending()) : local;
  }

  /** Waits up to `timeoutMs` for every pending delivery to be done with; answers how many are still pending. */
  async settle(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = await this.pendingCount();
      if (left === 0 || Date.now() >= deadline) return left;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, deadline - Date.now())));
    }
  }

  /** Stops the sender, lets requests in flight finish (each within its timeout), and closes the file. Pending deliveries stay for the next open. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
    await this.bullmq?.close();
    this.store.close();
  }

  /** Takes as many due deliveries as there are free slots, then sleeps until the next one is due. */
  private pump(): void {
    if (this.closing) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      const now = Date.now();
      // A claim leases the delivery for one request (plus margin): a sender that dies leaves it due again.
      for (const delivery of this.store.claimDue(now, this.concurrency - this.inFlight.size, this.requestTimeoutMs + 5000)) {
        const sending: Promise<void> = this.send(delivery).finally(() => {
          this.inFlight.delete(sending);
          this.pump();
        });
        this.inFlight.add(sending);
      }
      // Full: the next finished request pumps again.
      if (this.inFlight.size >= this.concurrency) return;
      const next = this.store.nextDueAt();
      const wait = next === undefined ? MAX_IDLE_MS : Math.min(Math.max(next - now, 10), MAX_IDLE_MS);
      this.timer = setTimeout(() => this.pump(), wait);
      // Never what keeps a process alive: the CLI waits for deliveries with settle().
      this.timer.unref();
    } catch (error) {
      this.logger.error({ err: error }, 'outcome webhook outbox: could not read the pending deliveries');
    }
  }

  private async send(delivery: StoredDelivery): Promise<void> {
    const where = { eventId: delivery.eventId, campaignId: delivery.campaignId, url: redactUrl(delivery.url) };
    try {
      if (this.bullmq) return await this.handOver(delivery, where);
      const result = await deliverOutcome(delivery.url, delivery.body, delivery.eventId, this.settings.secret, this.requestTimeoutMs);
      const now = Date.now();
      const tries = delivery.failures + 1;
      if (result.kind === 'delivered') {
        this.store.finish(delivery.seq, 'delivered', now);
        this.logger.info({ ...where, status: result.status, tries }, 'outcome webhook delivered');
      } else if (result.kind === 'gone') {
        this.store.finish(delivery.seq, 'gone', now, 'the receiver answered 410 Gone');
        this.logger.warn({ ...where, tries }, 'outcome webhook refused for good (410 Gone): not sent again');
      } else {
        const delayMs = retryDelayMs(tries, this.backoff);
        if (now + delayMs - delivery.createdAt > this.backoff.giveUpAfterMs) {
          this.store.finish(delivery.seq, 'dead', now, result.why);
          this.logger.error({ ...where, tries, reason: result.why }, 'outcome webhook given up: still failing after the retry period');
        } else {
          this.store.failed(delivery.seq, result.why, now + delayMs);
          this.logger.warn({ ...where, tries, reason: result.why, retryInMs: delayMs }, 'outcome webhook failed; retrying');
        }
      }
    } catch (error) {
      this.logger.error({ ...where, err: error }, 'outcome webhook outbox: could not record a delivery');
    }
  }

  /** Distributed mode: once Redis holds the job (job id = event id), BullMQ owns the retries. */
  private async handOver(delivery: StoredDelivery, where: Record<string, string>): Promise<void> {
    try {
      await this.bullmq!.enqueue({ eventId: delivery.eventId, campaignId: delivery.campaignId, url: delivery.url, body: delivery.body });
      this.store.finish(delivery.seq, 'queued', Date.now());
    } catch (error) {
      // Redis away: kept pending in the file and handed over again later (the job id makes a repeat harmless).
      const delayMs = retryDelayMs(delivery.failures + 1, this.backoff);
      this.store.failed(delivery.seq, (error as Error).message, Date.now() + delayMs);
      this.logger.warn({ ...where, reason: (error as Error).message, retryInMs: delayMs }, 'outcome webhook could not be queued in Redis; retrying');
    }
  }
}
