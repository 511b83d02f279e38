import type { Redis } from 'ioredis';
import { isCallPhase, type CallStore, type StoredCall } from '@codcall/call-orchestration';
import { callKey, callStateKey, closeRedis, dialKey, gatewayCallsKey, openRedis, RECORD_TTL_SECONDS, type DialRecord } from '@codcall/call-queue';
import { silentLogger, type Logger } from '@codcall/logging';
import { campaignCallView } from '../queue/call-view';

/** The local store the mirror wraps: the gateway's SQLite store (or any CallStore that can be closed). */
export type LocalCallStore = CallStore & { close(): void };

export interface RedisMirrorOptions {
  redisUrl: string;
  /** This gateway process's id in Redis (GATEWAY_ID, with `.w<n>` in a worker of a multi-process gateway). */
  gatewayId: string;
  logger?: Logger;
  /** Calls whose latest state may wait for Redis at once; beyond it the oldest is dropped from the mirror (default 10,000). */
  maxPending?: number;
  /** How long start-up waits for Redis to list this gateway's calls (default 10 s). */
  recoveryWaitMs?: number;
  /** How long a POST /call waits for Redis to claim its Idempotency-Key (default 5 s). */
  claimWaitMs?: number;
}

export class IdempotencyKeyDialledElsewhereError extends Error {
  constructor(
    readonly key: string,
    readonly gatewayId: string,
    readonly callId?: string,
  ) {
    super(`Idempotency-Key ${key} was already dialled by gateway ${gatewayId}${callId ? ` as call ${callId}` : ''}: ask that gateway about it; it is not dialled again here`);
  }
}

export class DialClaimUnavailableError extends Error {
  constructor(
    readonly key: string,
    readonly waitedMs: number,
  ) {
    super(`Redis did not answer within ${waitedMs} ms, so Idempotency-Key ${key} cannot be checked against the other gateways: send the dial again later`);
  }
}

/**
 * One call's mirror write, atomic in Redis: its state, its place in the gateway's set of unsettled
 * calls, and, when this gateway holds the key's dial record, the call's id and (once settled) its
 * outcome, so a job or a gateway waiting on this dial learns how it ended even if the job that
 * dialled it was lost with its process (a restart settles it as "gateway restarted").
 * KEYS: state, unsettled set, dial record, call view. ARGV: state JSON, call id, settled (1/0),
 * gateway id, TTL seconds, keyed (1/0), final view JSON or ''.
 */
const MIRROR_CALL_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[5])
if ARGV[3] == '1' then redis.call('SREM', KEYS[2], ARGV[2]) else redis.call('SADD', KEYS[2], ARGV[2]) end
redis.call('EXPIRE', KEYS[2], ARGV[5])
if ARGV[6] == '1' and redis.call('HGET', KEYS[3], 'gateway') == ARGV[4] then
  redis.call('HSETNX', KEYS[3], 'callId', ARGV[2])
  if ARGV[7] ~= '' and redis.call('HSETNX', KEYS[3], 'outcome', ARGV[7]) == 1 then
    redis.call('SET', KEYS[4], ARGV[7], 'EX', ARGV[5])
  end
end
return 1`;

/** Lets go of a POST /call's claim (no queue run named, no call id yet) that dialled nothing. KEYS: dial record. ARGV: gateway id. */
const RELEASE_CLAIM_SCRIPT = `
if redis.call('HGET', KEYS[1], 'gateway') == ARGV[1] and redis.call('HEXISTS', KEYS[1], 'instance') == 0 and redis.call('HEXISTS', KEYS[1], 'callId') == 0 then
  return redis.call('DEL', KEYS[1])
end
return 0`;

type MirrorCommand = (state: string, unsettled: string, dial: string, view: string, ...args: string[]) => Promise<unknown>;
type WithMirrorCommand<T> = T & { mirrorCall: MirrorCommand };

interface PendingWrite {
  callId: string;
  args: [string, string, string, string, ...string[]];
}

const DEFAULT_MAX_PENDING = 10_000;
const RETRY_DELAY_MS = 1_000;
/** How long close() gives the last writes to reach Redis. */
const CLOSE_FLUSH_MS = 3_000;

/**
 * The gateway's call store in distributed mode (REDIS_URL): the local store (SQLite) stays the
 * synchronous write-ahead, and every save is mirrored to Redis behind it, in write order, without
 * the call waiting on Redis: the whole call under `codcall:call-state:<id>`, and the calls still
 * unsettled in `codcall:gateway:<id>:calls`. A gateway whose disk is gone (a replaced container)
 * takes its unsettled calls back from Redis at start-up and settles them as any restart does, and
 * an Idempotency-Key is claimed in Redis before a POST /call dials it, so a key re-sent to another
 * gateway is not dialled twice. While Redis is away the calls go on; the latest state of each call
 * waits (at most `maxPending` calls, the oldest dropped with a warning beyond that) and is written
 * once Redis is back.
 */
export class RedisMirroredCallStore implements CallStore {
  private readonly redis: WithMirrorCommand<Redis>;
  private readonly logger: Logger;
  private readonly maxPending: number;
  /** Latest write per call, oldest first: a call saved again while waiting keeps only its newest state. */
  private readonly pending = new Map<string, PendingWrite>();
  private flushing?: Promise<void>;
  private dropped = 0;
  private closed = false;

  private constructor(
    private readonly local: LocalCallStore,
    private readonly options: RedisMirrorOptions,
  ) {
    this.logger = (options.logger ?? silentLogger()).child({ gateway: options.gatewayId, part: 'call store mirror' });
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    const redis = openRedis(options.redisUrl, this.logger);
    redis.defineCommand('mirrorCall', { numberOfKeys: 4, lua: MIRROR_CALL_SCRIPT });
    this.redis = redis as WithMirrorCommand<Redis>;
  }

  /**
   * Wraps `local` and brings back from Redis the unsettled calls of this gateway id that `local`
   * does not have, so its `unsettled()` is the union of both (the orchestrator settles them next).
   * Redis silent for `recoveryWaitMs`: the gateway starts on its local store alone, with a warning.
   */
  static async open(local: LocalCallStore, options: RedisMirrorOptions): Promise<RedisMirroredCallStore> {
    const store = new RedisMirroredCallStore(local, options);
    await store.recover(options.recoveryWaitMs ?? 10_000);
    return store;
  }

  save(call: StoredCall): void {
    this.local.save(call);
    if (this.closed) return;
    this.enqueue(call);
  }

  load(callId: string): StoredCall | undefined {
    return this.local.load(callId);
  }

  findByIdempotencyKey(key: string): StoredCall | undefined {
    return this.local.findByIdempotencyKey(key);
  }

  unsettled(): StoredCall[] {
    return this.local.unsettled();
  }

  /** Writes waiting for Redis now (calls, each at its latest state). */
  get pendingWrites(): number {
    return this.pending.size;
  }

  /**
   * Dials with an Idempotency-Key claimed in Redis for this gateway first (the queue's worker
   * claims its jobs' keys itself). A key this gateway's store knows needs no claim; a key another
   * gateway claimed is refused (IdempotencyKeyDialledElsewhereError); a key this gateway claimed
   * before, for a call its disk lost, brings that call back from Redis so the dial finds it. A dial
   * refused before any call was made (at capacity, an unknown agent) lets go of the claim, so the
   * same key may be sent to another gateway.
   */
  async dialWithClaimedKey<T>(key: string, dial: () => Promise<T>): Promise<T> {
    if (this.local.findByIdempotencyKey(key)) return dial();
    const waitMs = this.options.claimWaitMs ?? 5_000;
    const me = this.options.gatewayId;
    const record = dialKey(key);
    const claim = this.redis.multi().hsetnx(record, 'gateway', me).hsetnx(record, 'at', new Date().toISOString()).expire(record, RECORD_TTL_SECONDS).hgetall(record).exec();
    const replies = await withinMs(claim, waitMs);
    if (replies === undefined) throw new DialClaimUnavailableError(key, waitMs);
    const earlier = (replies?.[3]?.[1] ?? {}) as DialRecord;
    if (earlier.gateway !== me) throw new IdempotencyKeyDialledElsewhereError(key, earlier.gateway ?? 'unknown', earlier.callId);
    await this.recoverDial(earlier);
    try {
      return await dial();
    } catch (error) {
      // No call holds the key, so no carrier was asked (the store has a call before its carrier does).
      if (!this.local.findByIdempotencyKey(key)) await this.redis.eval(RELEASE_CLAIM_SCRIPT, 1, record, me).catch(() => undefined);
      throw error;
    }
  }

  /** Brings back the call a dial record of this gateway names, when the local store lost it (a job come back to a gateway with a fresh disk). */
  async recoverDial(record: DialRecord): Promise<void> {
    if (!record.callId || this.local.load(record.callId)) return;
    const state = await this.redis.get(callStateKey(record.callId));
    const call = state ? this.parse(record.callId, state) : undefined;
    if (!call) return;
    this.local.save(call);
    this.logger.warn({ callId: call.callId, phase: call.phase }, 'a call this gateway dialled, missing from its disk, taken back from Redis');
  }

  /** Resolves once every write made so far reached Redis (or was dropped). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Gives the last writes a moment to reach Redis, then closes Redis and the local store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const flushed = await withinMs(this.flush().then(() => true), CLOSE_FLUSH_MS);
    if (!flushed && this.pending.size) this.logger.warn({ calls: this.pending.size }, 'Redis did not take the last call states before shutdown: the local store has them');
    await closeRedis(this.redis);
    this.local.close();
  }

  private enqueue(call: StoredCall): void {
    const settled = call.phase === 'settled';
    const finalView = settled && call.view.state === 'completed' && call.view.outcome ? JSON.stringify(campaignCallView(call.view)) : '';
    const args: PendingWrite['args'] = [
      callStateKey(call.callId),
      gatewayCallsKey(this.options.gatewayId),
      // A call without a key touches no dial record (the script only reads it when keyed is 1).
      dialKey(call.idempotencyKey ?? ''),
      callKey(call.callId),
      JSON.stringify(call),
      call.callId,
      settled ? '1' : '0',
      this.options.gatewayId,
      String(RECORD_TTL_SECONDS),
      call.idempotencyKey ? '1' : '0',
      finalView,
    ];
    // Deleted first, so a call saved again moves to the back: the one dropped is the one longest unwritten.
    this.pending.delete(call.callId);
    this.pending.set(call.callId, { callId: call.callId, args });
    if (this.pending.size > this.maxPending) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
      if (this.dropped++ % 1000 === 0) {
        this.logger.warn({ dropped: this.dropped, maxPending: this.maxPending }, 'Redis is behind: the oldest waiting call states were dropped from the mirror (the local store has them)');
      }
    }
    this.flushing ??= this.pump().finally(() => (this.flushing = undefined));
  }

  /** Sends what waits, one pipeline at a time; a write Redis refused goes again unless its call was saved since. */
  private async pump(): Promise<void> {
    while (this.pending.size) {
      const batch = [...this.pending.values()];
      this.pending.clear();
      const pipeline = this.redis.pipeline() as unknown as WithMirrorCommand<ReturnType<Redis['pipeline']>>;
      for (const write of batch) void pipeline.mirrorCall(...write.args);
      const replies = await pipeline.exec().catch((error: Error) => batch.map(() => [error, null] as [Error, null]));
      const failed = batch.filter((_, i) => replies?.[i]?.[0]);
      if (!failed.length) continue;
      this.logger.warn({ calls: failed.length, err: { message: (replies?.find((reply) => reply[0])?.[0] as Error).message } }, 'Redis refused call states: trying again');
      for (const write of failed) if (!this.pending.has(write.callId)) this.pending.set(write.callId, write);
      if (this.closed) return;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
  }

  private async recover(waitMs: number): Promise<void> {
    const listing = this.listUnsettledInRedis();
    const listed = await withinMs(listing, waitMs);
    if (listed === undefined) {
      listing.catch(() => undefined);
      this.logger.warn({ waitedMs: waitMs }, 'Redis did not list this gateway\'s calls in time: starting on the local store alone; calls only Redis knows of are settled at the next start');
      return;
    }
    let adopted = 0;
    for (const call of listed) {
      const here = this.local.load(call.callId);
      if (!here) {
        this.local.save(call);
        adopted++;
      } else if (here.phase === 'settled') {
        // Settled here, but the mirror missed it: Redis catches up.
        this.enqueue(here);
      }
    }
    if (adopted) this.logger.warn({ calls: adopted }, 'unsettled calls of this gateway missing from its disk, taken back from Redis');
  }

  private async listUnsettledInRedis(): Promise<StoredCall[]> {
    const ids = await this.redis.smembers(gatewayCallsKey(this.options.gatewayId));
    if (!ids.length) return [];
    const states = await this.redis.mget(ids.map(callStateKey));
    const calls: StoredCall[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const call = states[i] ? this.parse(id, states[i]!) : undefined;
      if (call && call.phase !== 'settled') calls.push(call);
      else gone.push(id);
    });
    if (gone.length) await this.redis.srem(gatewayCallsKey(this.options.gatewayId), ...gone);
    return calls;
  }

  /** A mirrored state, checked as the local store checks its rows: a call it cannot read is left out, with a warning. */
  private parse(callId: string, json: string): StoredCall | undefined {
    try {
      const call = JSON.parse(json) as StoredCall;
      if (call.callId === callId && isCallPhase(call.phase) && typeof call.createdAt === 'string' && call.view) return call;
    } catch {
      /* reported below */
    }
    this.logger.warn({ callId }, 'a call state in Redis that this gateway cannot read: left out');
    return undefined;
  }
}

/** The promise's value, or undefined once `ms` passed first. */
async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
