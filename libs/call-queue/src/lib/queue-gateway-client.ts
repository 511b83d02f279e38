import { randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { GatewayRequestError, ServiceUnreachableError, type CallScheduling, type CallView, type GatewayClient, type GatewayHealth, type GatewayLimits, type PlaceCallRequest, type PlacedCall } from '@codcall/campaign';
import { silentLogger, type Logger } from '@codcall/logging';
import {
  ACTIVE_CAMPAIGNS_KEY,
  assertCampaignId,
  campaignKey,
  dialKey,
  failedView,
  GATEWAYS_KEY,
  gatewayKey,
  JOB_NAME,
  jobIdFor,
  KEY_PREFIX,
  queueNameFor,
  rateLimitFor,
  type CallJobData,
  type GatewayRegistration,
} from './queue-layout';
import { closeRedis, openRedis, withoutPassword } from './redis-connection';
import { KEPT_JOBS, QueuedCallScheduling } from './scheduled-calls';

export interface QueueGatewayClientOptions {
  redisUrl: string;
  campaignId: string;
  /** The campaign's CPS: the queue's rate limit, which every gateway's worker obeys together. */
  callsPerSecond: number;
  /** The campaign's calls at once across every gateway: the queue's global concurrency, which holds dials queued ahead of time that fall due together too. */
  concurrency?: number;
  logger?: Logger;
}

const MAX_WAIT_SECONDS = 60;
/**
 * The job's completed or failed event wakes its waiter; a missed one (Redis restarted between the
 * event and our read) is caught by looking anyway this often. At 1 s, the looks were 95% of the
 * distributed mode's Redis commands: 8 a second for every call queued or live (bench:scale:campaigns).
 */
const STATE_POLL_MS = 10_000;

/**
 * The campaign's side of the distributed mode: a GatewayClient whose dials are BullMQ jobs on the
 * campaign's own queue (job id = the attempt's idempotency key), taken by whichever gateway has
 * room, at most the campaign's calls per second across all of them.
 */
export class QueueGatewayClient implements GatewayClient {
  readonly baseUrl: string;
  /** Retries, callbacks and windows that open later are delayed jobs, added as soon as their time is decided. */
  readonly scheduling: CallScheduling;
  private readonly redis: Redis;
  private readonly queue: Queue<CallJobData, CallView>;
  private readonly events: QueueEvents;
  private readonly eventsRedis: Redis;
  private readonly logger: Logger;
  private readonly ready: Promise<void>;
  /** Callers of waitForCall, woken by the job's finished event. */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly options: QueueGatewayClientOptions) {
    assertCampaignId(options.campaignId);
    const limit = rateLimitFor(options.callsPerSecond);
    this.logger = options.logger ?? silentLogger();
    const queueName = queueNameFor(options.campaignId);
    this.baseUrl = `${withoutPassword(options.redisUrl)} (queue ${queueName})`;
    this.redis = openRedis(options.redisUrl, this.logger);
    this.queue = new Queue<CallJobData, CallView>(queueName, { connection: this.redis, prefix: KEY_PREFIX });
    // QueueEvents blocks on its connection (XREAD), so it gets one of its own.
    this.eventsRedis = openRedis(options.redisUrl, this.logger);
    this.events = new QueueEvents(queueName, { connection: this.eventsRedis, prefix: KEY_PREFIX });
    // BullMQ prints an 'error' nobody listens to; the connection already says when Redis is away.
    this.queue.on('error', () => undefined);
    this.events.on('error', () => undefined);
    this.events.on('completed', ({ jobId }: { jobId: string }) => this.wake(jobId));
    this.events.on('failed', ({ jobId }: { jobId: string }) => this.wake(jobId));
    this.ready = this.announce(limit);
    // Awaited by every call; this only keeps an early failure from being unhandled meanwhile.
    this.ready.catch(() => undefined);
    this.scheduling = new QueuedCallScheduling(this.queue, options.campaignId, this.ready);
  }

  /** Sets the queue's rate limit and lists the campaign where gateways look for queues to serve. */
  private async announce(limit: { max: number; duration: number } | undefined): Promise<void> {
    if (limit) await this.queue.setGlobalRateLimit(limit.max, limit.duration);
    else await this.queue.removeGlobalRateLimit();
    const { concurrency } = this.options;
    if (concurrency !== undefined) {
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
      await this.queue.setGlobalConcurrency(concurrency);
    }
    await this.redis.hset(campaignKey(this.options.campaignId), { callsPerSecond: String(this.options.callsPerSecond) });
    await this.redis.sadd(ACTIVE_CAMPAIGNS_KEY, this.options.campaignId);
  }

  /** What the live gateways (their heartbeats in Redis) offer together; none live is unreachable. */
  async health(): Promise<GatewayHealth> {
    await this.ready;
    const gateways = await liveGateways(this.redis);
    if (!gateways.length) {
      throw new ServiceUnreachableError('telephony gateway', this.baseUrl, 'no gateway is registered in Redis: start one with the same REDIS_URL', false);
    }
    const carriers = [...new Set(gateways.flatMap((gateway) => gateway.carriers))];
    const health: GatewayHealth = { status: 'ok', carriers, idempotencyKeys: true };
    const limits = tightestLimits(gateways.map((gateway) => gateway.limits));
    if (limits) health.limits = limits;
    return health;
  }

  /** Enqueues the dial; the same idempotency key again is the same job (BullMQ keeps the first). */
  async placeCall(request: PlaceCallRequest, dial: { notAfter?: number } = {}): Promise<PlacedCall> {
    await this.ready;
    const jobId = jobIdFor(request.idempotencyKey ?? randomUUID());
    const request_ = { ...request, idempotencyKey: request.idempotencyKey ?? jobId };
    // A job queued ahead of time under this key (its time has come) is that job: BullMQ keeps the first.
    const data: CallJobData = { request: request_, ...(dial.notAfter !== undefined ? { notAfter: dial.notAfter } : {}) };
    await this.queue.add(JOB_NAME, data, { jobId, ...KEPT_JOBS });
    return { callId: jobId, state: 'queued' };
  }

  /**
   * The job's CallView once a gateway finished it (its callId the gateway's own), else after
   * `waitSeconds` 'queued' (waiting, delayed) or 'in_progress' (a gateway holds it). A job that
   * failed (a gateway's error, stalled too often) is a failed outcome with BullMQ's reason.
   */
  async waitForCall(callId: string, waitSeconds: number): Promise<CallView> {
    await this.ready;
    const deadline = Date.now() + Math.min(Math.max(waitSeconds, 0), MAX_WAIT_SECONDS) * 1000;
    for (;;) {
      const view = await this.currentView(callId);
      const left = deadline - Date.now();
      if (view.state === 'completed' || left <= 0) return view;
      await this.finishedOrAfter(callId, Math.min(left, STATE_POLL_MS));
    }
  }

  private async currentView(jobId: string): Promise<CallView> {
    // Sent together, the state first on the one connection: a job read before it completed would have no return value yet.
    const [state, found] = await Promise.all([this.queue.getJobState(jobId), Job.fromId<CallJobData, CallView>(this.queue, jobId)]);
    const job = state === 'unknown' ? undefined : found;
    if (job && state === 'completed' && job.returnvalue) return job.returnvalue;
    if (job && state === 'failed') return failedView(jobId, job.failedReason || 'the call job failed');
    if (job && state === 'active') return { callId: jobId, state: 'in_progress' };
    if (job && state !== 'unknown') return { callId: jobId, state: 'queued' };
    // Gone from the queue (removed after RECORD_TTL_SECONDS, or never added): the dial record may still know.
    const outcome = await this.redis.hget(dialKey(jobId), 'outcome');
    if (outcome) return JSON.parse(outcome) as CallView;
    throw new GatewayRequestError(404, `no call job ${jobId} in the campaign's queue`, this.baseUrl);
  }

  private finishedOrAfter(jobId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.waiters.get(jobId) ?? new Set();
      this.waiters.set(jobId, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (!waiters.size) this.waiters.delete(jobId);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });
  }

  private wake(jobId: string): void {
    for (const wake of [...(this.waiters.get(jobId) ?? [])]) wake();
  }

  /**
   * Lets go of Redis. A campaign whose queue is empty leaves the list gateways serve; one with
   * calls still queued stays, so they are still dialled and recorded when it runs again.
   */
  async close(): Promise<void> {
    for (const jobId of [...this.waiters.keys()]) this.wake(jobId);
    try {
      await this.ready;
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((count) => count === 0)) await this.redis.srem(ACTIVE_CAMPAIGNS_KEY, this.options.campaignId);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not tell whether the campaign queue is empty; left it listed');
    }
    await this.events.close();
    await this.queue.close();
    await Promise.all([closeRedis(this.redis), closeRedis(this.eventsRedis)]);
  }
}

/** Gateways whose heartbeat key is alive; the ones whose key expired are dropped from the set. */
export async function liveGateways(redis: Redis): Promise<GatewayRegistration[]> {
  const ids = await redis.smembers(GATEWAYS_KEY);
  if (!ids.length) return [];
  const values = await redis.mget(ids.map(gatewayKey));
  const dead = ids.filter((_, i) => values[i] === null);
  if (dead.length) await redis.srem(GATEWAYS_KEY, ...dead);
  return values.filter((value): value is string => value !== null).map((value) => JSON.parse(value) as GatewayRegistration);
}

/** The smallest of each limit any gateway states: a row must fit every gateway that may take it. */
function tightestLimits(all: (GatewayLimits | undefined)[]): GatewayLimits | undefined {
  const limits: GatewayLimits = {};
  for (const field of ['maxBodyBytes', 'maxContextValueChars', 'maxContextColumns'] as const) {
    const values = all.map((one) => one?.[field]).filter((n): n is number => typeof n === 'number');
    if (values.length) limits[field] = Math.min(...values);
  }
  return Object.keys(limits).length ? limits : undefined;
}
