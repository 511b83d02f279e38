import { randomUUID } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CallView, GatewayLimits, PlaceCallRequest } from '@codcall/campaign';
import { silentLogger, type Logger } from '@codcall/logging';
import {
  ACTIVE_CAMPAIGNS_KEY,
  callKey,
  dialKey,
  failedView,
  GATEWAYS_KEY,
  gatewayKey,
  KEY_PREFIX,
  queueNameFor,
  RECORD_TTL_SECONDS,
  type CallJobData,
  type DialRecord,
  type GatewayRegistration,
} from './queue-layout';
import { closeRedis, openRedis } from './redis-connection';
import { CallSlots } from './call-slots';
import { notDialledView } from './scheduled-calls';

const messageOfError = (error: unknown) => (error instanceof Error ? error.message : String(error));

export interface CallQueueWorkerOptions {
  redisUrl: string;
  /** This gateway's name in dial records and its heartbeat (GATEWAY_ID). */
  gatewayId: string;
  publicBaseUrl: string;
  carriers: string[];
  /** Calls this gateway holds at most, across every campaign queue it serves (GATEWAY_MAX_CALLS). */
  maxCalls: number;
  limits?: GatewayLimits;
  /** Asks the carrier to dial (the gateway's CallOrchestrator); the same idempotency key twice is one call. */
  placeCall(request: PlaceCallRequest): Promise<{ callId: string }>;
  /** Resolves with the call's final view (state completed, an outcome). */
  waitForCompletion(callId: string): Promise<CallView>;
  /**
   * A job whose key this gateway claimed before comes back (its lock lapsed, or the gateway
   * restarted): called before placeCall, so the gateway can bring back what Redis knows of the
   * call (a gateway whose disk is gone) and its own key finds it instead of dialling again.
   */
  recoverDial?(key: string, record: DialRecord): Promise<void>;
  logger?: Logger;
  /**
   * How long a job's lock lasts without renewal (default 30 s): a gateway gone this long has its
   * jobs found stalled, and its heartbeat expires, so another gateway settles them.
   */
  lockMs?: number;
  /** How often the list of campaigns to serve is read (default 1 s). */
  discoveryMs?: number;
}

/** How often a job that another live gateway dialled asks whether its outcome is in. */
const FOREIGN_OUTCOME_POLL_MS = 500;

/**
 * The gateway's side of the distributed mode: one BullMQ worker per active campaign queue, all
 * sharing this gateway's GATEWAY_MAX_CALLS. Each job is dialled at most once across every gateway:
 * before asking the carrier, the gateway claims the job's idempotency key in Redis (HSETNX), and a
 * job whose key a gateway that is gone claimed without an outcome ends failed, never dialled again.
 */
export class CallQueueWorker {
  private readonly redis: Redis;
  private readonly workers = new Map<string, Worker<CallJobData, CallView>>();
  /** Each worker's own connection: BullMQ leaves a connection it was given open at close. */
  private readonly connections = new Map<Worker<CallJobData, CallView>, Redis>();
  private readonly slots: CallSlots;
  private readonly logger: Logger;
  private readonly lockMs: number;
  private heartbeat?: NodeJS.Timeout;
  private discovery?: NodeJS.Timeout;
  private discovering?: Promise<void>;
  private stopped = false;
  /** Let go without waiting (stop with force): what its calls do next is no longer recorded by it. */
  private abandoned = false;
  /** This run: a claim that names another run of this gateway id was made by a process that is gone. */
  readonly instance = randomUUID();

  constructor(private readonly options: CallQueueWorkerOptions) {
    if (!Number.isInteger(options.maxCalls) || options.maxCalls < 1) throw new Error(`maxCalls must be a positive integer, got ${options.maxCalls}`);
    this.logger = (options.logger ?? silentLogger()).child({ gateway: options.gatewayId });
    this.lockMs = options.lockMs ?? 30_000;
    this.redis = openRedis(options.redisUrl, this.logger);
    this.slots = new CallSlots(options.maxCalls);
  }

  /** Registers the gateway (heartbeat every third of the lock time) and starts serving every active campaign. */
  async start(): Promise<void> {
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(() => undefined), Math.max(100, Math.floor(this.lockMs / 3)));
    await this.discover();
    this.discovery = setInterval(() => {
      this.discovering ??= this.discover()
        .catch((error) => this.logger.warn({ err: { message: messageOfError(error) } }, 'could not read the campaigns to serve'))
        .finally(() => (this.discovering = undefined));
    }, this.options.discoveryMs ?? 1000);
  }

  /** Calls this gateway holds from the queues now. */
  get callsInProgress(): number {
    return this.slots.taken;
  }

  /**
   * Stops taking jobs. By default waits for the calls in progress to end and records them (SIGTERM);
   * `force` lets go at once, as a crash would: their jobs stall and another gateway settles them.
   */
  async stop(options: { force?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abandoned = options.force === true;
    clearInterval(this.discovery);
    await this.discovering;
    await Promise.all([...this.workers.values()].map((worker) => this.closeWorker(worker, options.force)));
    this.workers.clear();
    clearInterval(this.heartbeat);
    if (!options.force) await this.redis.del(gatewayKey(this.options.gatewayId)).catch(() => undefined);
    await closeRedis(this.redis);
  }

  private async beat(): Promise<void> {
    const { gatewayId, publicBaseUrl, carriers, maxCalls, limits } = this.options;
    const registration: GatewayRegistration = { id: gatewayId, publicBaseUrl, carriers, maxCalls, instance: this.instance, ...(limits ? { limits } : {}) };
    await this.redis.multi().set(gatewayKey(gatewayId), JSON.stringify(registration), 'PX', this.lockMs).sadd(GATEWAYS_KEY, gatewayId).exec();
  }

  /** One worker per listed campaign; each may hold its share of maxCalls, so one campaign cannot take every slot. */
  private async discover(): Promise<void> {
    const campaigns = new Set(await this.redis.smembers(ACTIVE_CAMPAIGNS_KEY));
    if (this.stopped) return;
    for (const [campaignId, worker] of this.workers) {
      if (campaigns.has(campaignId)) continue;
      this.workers.delete(campaignId);
      void this.closeWorker(worker);
    }
    for (const campaignId of campaigns) if (!this.workers.has(campaignId)) this.workers.set(campaignId, this.workerFor(campaignId));
    const share = Math.max(1, Math.floor(this.options.maxCalls / Math.max(1, this.workers.size)));
    for (const worker of this.workers.values()) if (worker.concurrency !== share) worker.concurrency = share;
  }

  private workerFor(campaignId: string): Worker<CallJobData, CallView> {
    const connection = openRedis(this.options.redisUrl, this.logger);
    const worker = new Worker<CallJobData, CallView>(queueNameFor(campaignId), (job) => this.process(job), {
      connection,
      prefix: KEY_PREFIX,
      concurrency: 1,
      lockDuration: this.lockMs,
      // Stalled jobs (a gateway killed) are looked for as often as a lock could expire.
      stalledInterval: this.lockMs,
      // Twice, not once: a Redis restart can cost a live gateway a lock renewal; the dial record keeps it from redialling.
      maxStalledCount: 2,
    });
    worker.on('error', (error) => this.logger.debug({ campaignId, err: { message: messageOfError(error) } }, 'call queue worker error'));
    this.connections.set(worker, connection);
    worker.on('stalled', (jobId) => this.logger.warn({ campaignId, jobId }, 'a call job stalled: its gateway stopped renewing it'));
    return worker;
  }

  private async closeWorker(worker: Worker<CallJobData, CallView>, force?: boolean): Promise<void> {
    try {
      await worker.close(force);
    } finally {
      const connection = this.connections.get(worker);
      this.connections.delete(worker);
      if (connection) await closeRedis(connection);
    }
  }

  private async process(job: Job<CallJobData, CallView>): Promise<CallView> {
    const release = await this.slots.take();
    try {
      return await this.settle(job);
    } finally {
      release();
    }
  }

  private async settle(job: Job<CallJobData, CallView>): Promise<CallView> {
    const key = job.data.request.idempotencyKey ?? (job.id as string);
    const record = dialKey(key);
    const me = this.options.gatewayId;
    // Queued ahead of time and taken after its calling window closed: not dialled (unless an earlier take claimed it), the campaign plans it again.
    const { notAfter } = job.data;
    if (notAfter !== undefined && Date.now() >= notAfter && !(await this.redis.exists(record))) return notDialledView(job.id as string, notAfter);
    // The claim and what was there before it, in one round trip.
    const replies = await this.redis
      .multi()
      .hsetnx(record, 'gateway', me)
      .hsetnx(record, 'instance', this.instance)
      .hsetnx(record, 'at', new Date().toISOString())
      .expire(record, RECORD_TTL_SECONDS)
      .hgetall(record)
      .exec();
    const claimed = replies?.[0]?.[1] === 1;
    if (!claimed) {
      const earlier = (replies?.[4]?.[1] ?? {}) as DialRecord;
      if (earlier.outcome) return JSON.parse(earlier.outcome) as CallView;
      // Claimed by this gateway (a job come back after its lock lapsed): the orchestrator's own key dedupes the dial.
      if (earlier.gateway !== me) return this.outcomeOfForeignDial(job, earlier);
      await this.options.recoverDial?.(key, earlier);
    }
    let view: CallView;
    try {
      const placed = await this.options.placeCall({ ...job.data.request, idempotencyKey: key });
      await this.redis.multi().hset(record, 'callId', placed.callId).set(callKey(placed.callId), JSON.stringify({ callId: placed.callId, state: 'in_progress' }), 'EX', RECORD_TTL_SECONDS).exec();
      view = await this.options.waitForCompletion(placed.callId);
    } catch (error) {
      // Whether the carrier was asked is not known: the key keeps it from being dialled again; the retry policy decides.
      view = failedView(job.id as string, `gateway ${me} could not place the call: ${messageOfError(error)}`);
    }
    return this.record(record, view);
  }

  /** Records the final view under the key and the call id, unless this gateway was let go meanwhile. */
  private async record(record: string, view: CallView): Promise<CallView> {
    if (this.abandoned) return view;
    const json = JSON.stringify(view);
    await this.redis.multi().hset(record, 'outcome', json).set(callKey(view.callId), json, 'EX', RECORD_TTL_SECONDS).exec();
    return view;
  }

  /**
   * Another gateway asked its carrier to dial this key. While the run of it that claimed the key
   * is alive its outcome is awaited; once its heartbeat is gone (or names a later run: the gateway
   * restarted, which ends the calls of the run before) without one, the call ended with it: failed, with the reason.
   */
  private async outcomeOfForeignDial(job: Job<CallJobData, CallView>, claim: DialRecord): Promise<CallView> {
    const record = dialKey(job.data.request.idempotencyKey ?? (job.id as string));
    const gatewayId = claim.gateway ?? 'unknown';
    for (;;) {
      const [outcome, registration] = await this.redis.multi().hget(record, 'outcome').get(gatewayKey(gatewayId)).exec().then((replies) => replies?.map((reply) => reply[1] as string | null) ?? [null, null]);
      if (outcome) return JSON.parse(outcome) as CallView;
      if (!registration || !sameRun(claim, JSON.parse(registration) as GatewayRegistration)) {
        this.logger.warn({ jobId: job.id, dialledBy: gatewayId }, 'a call dialled by a gateway that is gone: ended as failed, not dialled again');
        const callId = (await this.redis.hget(record, 'callId')) ?? (job.id as string);
        return this.record(record, failedView(callId, `the gateway that dialled this call stopped before it ended (gateway ${gatewayId})`));
      }
      await new Promise((resolve) => setTimeout(resolve, FOREIGN_OUTCOME_POLL_MS));
    }
  }
}

/** Whether the live registration is the run that made the claim (a claim or registration from before runs were named counts as the same). */
function sameRun(claim: DialRecord, registration: GatewayRegistration): boolean {
  return !claim.instance || !registration.instance || claim.instance === registration.instance;
}
