import { randomUUID } from 'node:crypto';
import type { CallListRow, Outcome } from '@codcall/call-list';
import { CampaignStore, type Attempt, type CallRecordEntry } from '@codcall/campaign-store';
import { maskPhone, silentLogger, type Logger } from '@codcall/logging';
import { CallPacer, DEFAULT_CALLS_PER_SECOND } from './call-pacer';
import { recipientZones, windowState, type CallingWindow } from './calling-window';
import { systemClock, type Clock } from './clock';
import { CampaignOptionsError, GatewayRequestError, ServiceUnreachableError } from './errors';
import type { CallOutcome, CallView, CarrierName, GatewayClient } from './gateway-client';
import { DEFAULT_RETRY_POLICY, rowAfterAttempt, type RetryPolicy } from './retry-policy';
import type { SimulatedCallees } from './simulated-callees';

/** The part of CallListRepository a campaign uses; the real repository satisfies it as is. */
export interface CampaignCallList {
  rows(): readonly CallListRow[];
  /** Rows whose status is not final, in file order, bad numbers included. */
  pendingRows(): CallListRow[];
  /** Durable when resolved. */
  record(key: string, outcome: Outcome): Promise<void>;
  flush(): Promise<void>;
}

export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 100;
export const DEFAULT_DRAIN_TIMEOUT_MS = 120_000;
const DEFAULT_POLL_SECONDS = 25;
/** Longest single sleep while rows wait: the loop looks again at least this often. */
const MAX_SLEEP_MS = 60_000;

export interface CampaignOptions {
  repository: CampaignCallList;
  gateway: GatewayClient;
  agentId: string;
  carrier: CarrierName;
  /**
   * The campaign's memory: attempts (written before each dial), the rows' schedule, call records
   * and the do-not-call list. Default: an in-memory store, which forgets everything at exit.
   */
  store?: CampaignStore;
  /** Scripted callees for the carrier simulator, keyed by E.164 number. */
  simulation?: SimulatedCallees;
  /** Calls in flight at most (1..100, default 4). */
  concurrency?: number;
  /** Calls started per second across the campaign (default 1; Infinity for no limit). */
  callsPerSecond?: number;
  /** Which outcomes are retried, how often and how far apart (default: no_answer, busy, failed; 3 attempts; 30 min, doubling). */
  retryPolicy?: RetryPolicy;
  /** Local hours and days to call in; undefined calls at any time. */
  callingWindow?: CallingWindow;
  /** The CSV column whose IANA zone overrides the number's country (default `timezone`). */
  timezoneColumn?: string;
  /** The zone for numbers whose country cannot be told (default: this machine's). */
  fallbackZone?: string;
  /**
   * The gateway honours Idempotency-Key on POST /call (its /health says so): a dial left in doubt
   * by a crash is re-sent with the same key, which returns the call if it was placed. Without it,
   * such a dial counts as a failed attempt and the retry policy decides.
   */
  idempotentDials?: boolean;
  /** Resolve as soon as every row left waits (for its window or its retry) instead of waiting. */
  exitWhenWaiting?: boolean;
  /** After an abort, how long calls in flight are waited for; they are resumed by the next run. */
  drainTimeoutMs?: number;
  /** Cost estimate per minute of call, stored with each call record. */
  costPerMinute?: number;
  /** Aborting stops dialling new rows; calls in flight are still waited for (up to drainTimeoutMs) and recorded. */
  signal?: AbortSignal;
  onEvent?: (event: CampaignEvent) => void;
  /** Long-poll length for GET /call/:id (1..60 s, default 25). */
  pollSeconds?: number;
  clock?: Clock;
  logger?: Logger;
}

export type WaitReason = 'calling window' | 'retry';

export type CampaignEvent =
  | { type: 'campaign-started'; total: number; pending: number; skippedFinal: number; invalidNumbers: number; resumed: number }
  | { type: 'row-started'; row: CallListRow; attempt: number }
  | { type: 'call-placed'; row: CallListRow; callId: string }
  /** A call that was in flight when an earlier run stopped is being asked after, not dialled again. */
  | { type: 'call-resumed'; row: CallListRow; callId: string }
  /** An outcome was recorded for the row in the CSV (invalid numbers and do-not-call included, never dialled). */
  | { type: 'row-finished'; row: CallListRow; outcome: CallOutcome; callId?: string; attempts: number }
  /** The attempt ended with a retried status; the row is called again at `nextDueAt`. */
  | { type: 'retry-scheduled'; row: CallListRow; outcome: CallOutcome; attempt: number; nextDueAt: number }
  /** Something went wrong for the row; `recordedAs` says whether the attempt was marked failed. */
  | { type: 'row-error'; row: CallListRow; error: Error; callId?: string; recordedAs?: 'failed' }
  /** Nothing can be dialled now: `rows` wait, the first until `nextDueAt`. */
  | { type: 'waiting'; rows: number; nextDueAt: number; reason: WaitReason }
  /** No new rows will be dialled; `inFlight` calls are still being waited for. */
  | { type: 'stopping'; reason: 'interrupted' | 'error'; inFlight: number; error?: Error };

export interface CampaignSummary {
  /** Rows in the file. */
  total: number;
  /** Rows that were not final when the campaign started. */
  pending: number;
  /** Calls the gateway accepted in this run. */
  dialled: number;
  skippedFinal: number;
  invalidNumbers: number;
  /** Outcomes recorded in the CSV by this run, per status. */
  byStatus: Record<string, number>;
  /** Retries scheduled by this run. */
  retriesScheduled: number;
  /** Rows still waiting for their calling window or a retry when the run ended. */
  waiting: number;
  /** When the first waiting row is due (epoch ms). */
  nextDueAt?: number;
  /** Calls from an earlier run that were asked after instead of dialled again. */
  resumed: number;
  /** Calls still in flight when the drain timeout ran out; the next run asks the gateway about them. */
  abandonedInFlight: number;
  /** Pending rows this run left without a final outcome (waiting, stopped, interrupted, lost). */
  notRecorded: number;
  interrupted: boolean;
  /** Stopped because every row left was waiting and exitWhenWaiting was set. */
  exitedWhileWaiting: boolean;
  durationMs: number;
}

/** The campaign stopped early because of `cause`; calls in flight were waited for and their outcomes recorded. */
export class CampaignStoppedError extends Error {
  override readonly name = 'CampaignStoppedError';

  constructor(
    override readonly cause: Error,
    readonly summary: CampaignSummary,
  ) {
    super(`campaign stopped: ${cause.message}`, { cause });
  }
}

/**
 * Dials every pending row of the call list through the gateway and records each final outcome.
 * Each attempt is written to the store before the gateway is asked to dial. Rows are called in
 * their local calling window, at most `callsPerSecond` starts and `concurrency` calls at a time,
 * never two at once to one number; retried statuses wait their spacing. A run after a crash
 * asks the gateway about calls that were in flight instead of dialling them again.
 */
export async function runCampaign(options: CampaignOptions): Promise<CampaignSummary> {
  const ownStore = !options.store;
  const store = options.store ?? CampaignStore.open(':memory:', { key: 'in-memory', csvPath: '' });
  try {
    return await new CampaignRun({ ...options, store }).run();
  } finally {
    if (ownStore) store.close();
  }
}

/** POST /call answers that would be the same for every row: stop rather than fail each row. */
const CAMPAIGN_WIDE_STATUSES = new Set([401, 403, 404, 502, 503]);

/** A row the campaign still has to call (or to finish asking about). */
interface Entry {
  row: CallListRow;
  e164: string;
  zones: readonly string[];
  /** Attempts started before this one. */
  attempts: number;
  dueAt: number;
  /** An attempt an earlier run left open: a call it placed and never saw end, or (callId unknown) a dial in doubt to re-send with its key. */
  resume?: { attemptId: number; attemptNo: number; ref: string; callId?: string };
}

class CampaignRun {
  private readonly concurrency: number;
  private readonly pollSeconds: number;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly store: CampaignStore;
  private readonly policy: RetryPolicy;
  private readonly pacer: CallPacer;
  private readonly startedAt: number;
  private readonly byStatus: Record<string, number> = {};
  /** Due rows in order; `cursor` is the next one not yet taken. */
  private ready: Entry[] = [];
  private cursor = 0;
  /** Rows passed over because their number was on a call at the time; taken first once it is free. */
  private readonly blocked: Entry[] = [];
  /** Rows waiting for a time (retry spacing or the calling window), earliest first. */
  private readonly later = new MinHeap<Entry>((a, b) => a.dueAt - b.dueAt);
  private readonly laterReason = new Map<Entry, WaitReason>();
  private readonly numbersInFlight = new Set<string>();
  private readonly calls = new Set<Promise<void>>();
  private readonly windowCache = new Map<string, { from: number; until: number; open: boolean }>();
  private dialled = 0;
  private retries = 0;
  private resumed = 0;
  private fatal: Error | undefined;
  /** Set when the run gives up on calls in flight: whatever they bring back is left to the next run. */
  private abandoned = false;
  private wake = new AbortController();
  private lastWaitingNote = '';

  constructor(private readonly options: CampaignOptions & { store: CampaignStore }) {
    this.concurrency = checkRange('concurrency', options.concurrency ?? DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY);
    this.pollSeconds = checkRange('pollSeconds', options.pollSeconds ?? DEFAULT_POLL_SECONDS, 1, 60);
    this.logger = (options.logger ?? silentLogger()).child({ component: 'campaign' });
    this.clock = options.clock ?? systemClock;
    this.store = options.store;
    this.policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.pacer = new CallPacer(options.callsPerSecond ?? DEFAULT_CALLS_PER_SECOND);
    this.startedAt = this.clock.now();
  }

  async run(): Promise<CampaignSummary> {
    const { repository, signal } = this.options;
    const total = repository.rows().length;
    const pending = repository.pendingRows();
    const onAbort = () => {
      this.logger.warn({ inFlight: this.calls.size }, 'interrupted: no new calls; waiting for calls in flight');
      this.emit({ type: 'stopping', reason: 'interrupted', inFlight: this.calls.size });
      this.wakeUp();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let invalid = 0;
    try {
      const plan = this.plan(pending);
      invalid = plan.invalid.length;
      this.emit({ type: 'campaign-started', total, pending: pending.length, skippedFinal: total - pending.length, invalidNumbers: invalid, resumed: plan.resume.length });
      this.logger.info({ total, pending: pending.length, invalid, resume: plan.resume.length, concurrency: this.concurrency }, 'campaign started');
      await this.settleWithoutCalls(plan.settled);
      for (const entry of plan.resume) this.startCall(entry);
      await this.dialLoop();
      await this.drain();
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    try {
      await repository.flush();
    } catch (error) {
      this.fatal ??= asError(error);
    }

    const recorded = Object.values(this.byStatus).reduce((sum, count) => sum + count, 0);
    const waiting = this.later.size + this.ready.length - this.cursor + this.blocked.length;
    const summary: CampaignSummary = {
      total,
      pending: pending.length,
      dialled: this.dialled,
      skippedFinal: total - pending.length,
      invalidNumbers: this.byStatus['invalid_number'] ?? 0,
      byStatus: { ...this.byStatus },
      retriesScheduled: this.retries,
      waiting,
      nextDueAt: this.later.peek()?.dueAt,
      resumed: this.resumed,
      abandonedInFlight: this.abandoned ? this.calls.size : 0,
      notRecorded: pending.length - recorded,
      interrupted: signal?.aborted ?? false,
      exitedWhileWaiting: this.options.exitWhenWaiting === true && !this.stopping && waiting > 0,
      durationMs: this.clock.now() - this.startedAt,
    };
    this.logger.info({ ...summary }, 'campaign ended');
    if (this.fatal) throw new CampaignStoppedError(this.fatal, summary);
    return summary;
  }

  private get stopping(): boolean {
    return this.fatal !== undefined || this.options.signal?.aborted === true;
  }

  // ---- planning: what the CSV and the store say is left to do ----

  private plan(pending: CallListRow[]) {
    const stored = this.store.rows();
    const open = new Map<string, Attempt>(this.store.openAttempts().map((attempt) => [attempt.rowKey, attempt]));
    const now = this.clock.now();
    const invalid: CallListRow[] = [];
    const settled: { row: CallListRow; outcome: CallOutcome; e164?: string; fromStore: boolean }[] = [];
    const resume: Entry[] = [];
    const redial: Entry[] = [];
    const entries: Entry[] = [];
    const column = this.options.timezoneColumn ?? 'timezone';
    const fallbackZone = this.options.fallbackZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    const zoneCache = new Map<string, readonly string[]>();

    for (const row of pending) {
      const previous = stored.get(row.key);
      if (previous?.state === 'done' && previous.finalOutcome) {
        // Done in the store but not yet in the CSV: a crash came between the two writes.
        settled.push({ row, outcome: previous.finalOutcome as CallOutcome, fromStore: true });
        continue;
      }
      if (!row.phone.ok) {
        invalid.push(row);
        settled.push({ row, outcome: { status: 'invalid_number', reason: row.phone.reason }, fromStore: false });
        continue;
      }
      const e164 = row.phone.e164;
      const openAttempt = open.get(row.key);
      const last = previous?.lastOutcome;
      if (!openAttempt && previous?.state === 'waiting' && last && (previous.attempts >= this.policy.maxAttempts || !this.policy.statuses.has(last.status))) {
        // Waiting for a retry the policy of this run no longer makes: its last outcome is final.
        settled.push({ row, outcome: last as CallOutcome, e164, fromStore: false });
        continue;
      }
      if (!openAttempt && this.store.isDoNotCall(e164)) {
        settled.push({ row, outcome: { status: 'do_not_call', reason: 'on the do-not-call list' }, e164, fromStore: false });
        continue;
      }
      const cell = row.values[column];
      const zoneKey = `${cell ?? ''}|${e164.slice(0, 6)}`;
      let zones = cell?.trim() ? undefined : zoneCache.get(zoneKey);
      if (!zones) {
        try {
          zones = this.options.callingWindow ? recipientZones(e164, cell, fallbackZone).zones : [];
        } catch (error) {
          throw new CampaignOptionsError(`line ${row.line}: ${(error as Error).message}`);
        }
        if (!cell?.trim()) zoneCache.set(zoneKey, zones);
      }
      const entry: Entry = { row, e164, zones, attempts: previous?.attempts ?? 0, dueAt: previous?.nextDueAt ?? now };
      if (openAttempt?.state === 'placed' && openAttempt.callId) {
        entry.resume = { attemptId: openAttempt.id, attemptNo: openAttempt.attemptNo, ref: openAttempt.ref, callId: openAttempt.callId };
        entry.attempts = openAttempt.attemptNo - 1;
        resume.push(entry);
        continue;
      }
      if (openAttempt && this.options.idempotentDials) {
        // Re-sent first, with the same key: the gateway answers with the call if the first one arrived.
        entry.resume = { attemptId: openAttempt.id, attemptNo: openAttempt.attemptNo, ref: openAttempt.ref };
        entry.attempts = openAttempt.attemptNo - 1;
        redial.push(entry);
        continue;
      }
      if (openAttempt) {
        // Written before a dial whose answer never came back: the gateway may or may not have
        // placed the call, and without a call id it cannot be asked. Counted as a failed attempt,
        // so the retry policy (and its spacing) decides, never an immediate second dial.
        const outcome: CallOutcome = { status: 'failed', reason: 'the run stopped while dialling; the gateway may have placed this call' };
        const after = rowAfterAttempt(this.policy, outcome.status, openAttempt.attemptNo, now);
        this.store.finishAttempt(openAttempt.id, { outcome, at: now, row: after });
        this.logger.warn({ row: row.line, attempt: openAttempt.attemptNo }, 'an attempt was interrupted while dialling; counted as failed');
        entry.attempts = openAttempt.attemptNo;
        if (after.state === 'done') {
          settled.push({ row, outcome, e164, fromStore: true });
          continue;
        }
        entry.dueAt = after.nextDueAt;
      }
      entries.push(entry);
    }
    this.ready.push(...redial);
    for (const entry of entries) {
      if (entry.dueAt <= now) this.ready.push(entry);
      else this.pushLater(entry, 'retry');
    }
    return { invalid, settled, resume };
  }

  /** Invalid numbers, do-not-call rows, and outcomes the store has but the CSV lacks. */
  private async settleWithoutCalls(rows: { row: CallListRow; outcome: CallOutcome; e164?: string; fromStore: boolean }[]): Promise<void> {
    if (this.stopping) return;
    const now = this.clock.now();
    for (const { row, outcome, e164, fromStore } of rows) {
      if (!fromStore) {
        this.store.finishRowWithoutCall({ rowKey: row.key, orderId: row.values['order_id'] ?? '', phone: e164 ?? row.values['recipient_phone_number'] ?? '', outcome, at: now });
      }
    }
    // Recorded together, so the repository can share one journal fsync between them.
    const results = await Promise.allSettled(rows.map(({ row, outcome }) => this.options.repository.record(row.key, toRecordedOutcome(outcome))));
    results.forEach((result, i) => {
      const { row, outcome } = rows[i];
      if (result.status === 'rejected') {
        const error = asError(result.reason);
        this.emit({ type: 'row-error', row, error });
        return this.stop(error);
      }
      this.count(outcome.status);
      this.emit({ type: 'row-finished', row, outcome, attempts: 0 });
    });
  }

  // ---- the loop: dial what is due, within the limits, until nothing is left ----

  private async dialLoop(): Promise<void> {
    while (!this.stopping) {
      const now = this.clock.now();
      this.promoteDue(now);
      if (this.calls.size >= this.concurrency) {
        await this.sleepUntil(Infinity);
        continue;
      }
      const startAt = this.pacer.nextStartAt(now);
      if (startAt > now && this.hasReadyRow()) {
        await this.sleepUntil(startAt);
        continue;
      }
      const entry = this.takeNext(now);
      if (entry) {
        this.pacer.take(now);
        this.startCall(entry);
        continue;
      }
      const next = this.later.peek();
      if (this.calls.size === 0 && this.blocked.length === 0 && !next) return;
      if (next && this.calls.size === 0 && this.blocked.length === 0) {
        this.noteWaiting(next);
        if (this.options.exitWhenWaiting) return;
      }
      await this.sleepUntil(next ? next.dueAt : Infinity);
    }
  }

  private hasReadyRow(): boolean {
    return this.cursor < this.ready.length || this.blocked.some((entry) => !this.numbersInFlight.has(entry.e164));
  }

  private promoteDue(now: number): void {
    while (this.later.size && this.later.peek()!.dueAt <= now) {
      const entry = this.later.pop()!;
      this.laterReason.delete(entry);
      this.ready.push(entry);
    }
    // Keep the array from growing without end in a long campaign.
    if (this.cursor > 4096 && this.cursor * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.cursor);
      this.cursor = 0;
    }
  }

  /** The next due row whose number is free and whose window is open; closed-window rows move to `later`. */
  private takeNext(now: number): Entry | undefined {
    const usable = (entry: Entry): boolean => {
      const opensAt = this.opensAt(entry, now);
      if (opensAt <= now) return true;
      entry.dueAt = opensAt;
      this.pushLater(entry, 'calling window');
      return false;
    };
    for (let i = 0; i < this.blocked.length; i++) {
      const entry = this.blocked[i];
      if (this.numbersInFlight.has(entry.e164)) continue;
      this.blocked.splice(i--, 1);
      if (usable(entry)) return entry;
    }
    while (this.cursor < this.ready.length) {
      const entry = this.ready[this.cursor++];
      if (this.numbersInFlight.has(entry.e164)) {
        this.blocked.push(entry);
        continue;
      }
      if (usable(entry)) return entry;
    }
    return undefined;
  }

  /** When the row's calling window is next open (now if it is). Cached per set of zones while the answer holds. */
  private opensAt(entry: Entry, now: number): number {
    const window = this.options.callingWindow;
    if (!window || entry.zones.length === 0) return now;
    const key = entry.zones.join(' ');
    const cached = this.windowCache.get(key);
    if (cached && now >= cached.from && now < cached.until) return cached.open ? now : cached.until;
    const state = windowState(window, entry.zones, now);
    this.windowCache.set(key, state.open ? { from: now, until: state.until, open: true } : { from: now, until: state.opensAt, open: false });
    return state.open ? now : state.opensAt;
  }

  private pushLater(entry: Entry, reason: WaitReason): void {
    this.laterReason.set(entry, reason);
    this.later.push(entry);
  }

  private noteWaiting(next: Entry): void {
    const reason = this.laterReason.get(next) ?? 'retry';
    const note = `${this.later.size}|${next.dueAt}|${reason}`;
    if (note === this.lastWaitingNote) return;
    this.lastWaitingNote = note;
    this.logger.info({ rows: this.later.size, nextDueAt: new Date(next.dueAt).toISOString(), reason }, 'rows are waiting');
    this.emit({ type: 'waiting', rows: this.later.size, nextDueAt: next.dueAt, reason });
  }

  /** Sleeps until `at`, a call ends, or the campaign is stopped, whichever comes first. */
  private async sleepUntil(at: number): Promise<void> {
    if (this.stopping) return;
    const ms = Math.min(Math.max(0, at - this.clock.now()), MAX_SLEEP_MS);
    await this.clock.sleep(ms, this.wake.signal);
    if (this.wake.signal.aborted) this.wake = new AbortController();
  }

  private wakeUp(): void {
    this.wake.abort();
  }

  private async drain(): Promise<void> {
    if (this.calls.size === 0) return;
    if (!this.options.signal?.aborted) {
      while (this.calls.size) await Promise.allSettled([...this.calls]);
      return;
    }
    const timeout = new AbortController();
    const timedOut = this.clock.sleep(this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS, timeout.signal).then(() => 'timeout' as const);
    const ended = (async () => {
      while (this.calls.size) await Promise.allSettled([...this.calls]);
      return 'ended' as const;
    })();
    const result = await Promise.race([ended, timedOut]);
    timeout.abort();
    if (result === 'timeout' && this.calls.size) {
      this.abandoned = true;
      this.logger.warn({ inFlight: this.calls.size }, 'drain timeout: calls still in flight are left for the next run to ask the gateway about');
    }
  }

  // ---- one call ----

  private startCall(entry: Entry): void {
    this.numbersInFlight.add(entry.e164);
    const call = this.call(entry)
      .catch((error: unknown) => {
        if (!this.abandoned) this.stop(asError(error)); // a store or bug error: stop rather than guess
      })
      .finally(() => {
      this.calls.delete(call);
      this.numbersInFlight.delete(entry.e164);
      this.wakeUp();
    });
    this.calls.add(call);
  }

  private async call(entry: Entry): Promise<void> {
    const { gateway, agentId, carrier, simulation } = this.options;
    const { row, e164: to } = entry;
    // Plain fields rather than a child logger per call: a pino child costs more than the call's own bookkeeping.
    const where: { row: number; callId?: string } = { row: row.line };
    const info = this.logger.isLevelEnabled('info');
    let callId = entry.resume?.callId;
    const attemptNo = entry.resume?.attemptNo ?? entry.attempts + 1;
    let attemptId = entry.resume?.attemptId;
    let view: CallView;
    try {
      if (entry.resume?.callId && callId) {
        this.resumed++;
        where.callId = callId;
        this.logger.info({ ...where, attempt: attemptNo }, 'asking the gateway about a call placed before the last run stopped');
        this.emit({ type: 'call-resumed', row, callId });
      } else {
        const ref = entry.resume?.ref ?? randomUUID();
        const id = entry.resume?.attemptId ?? this.store.beginAttempt({ rowKey: row.key, orderId: row.values['order_id'] ?? '', phone: to, attemptNo, carrier, at: this.clock.now(), ref });
        attemptId = id;
        this.emit({ type: 'row-started', row, attempt: attemptNo });
        const placed = await this.placeCall(entry, id, () =>
          gateway.placeCall({ agentId, to, context: { ...row.values }, carrier, simulation: simulation?.[to], idempotencyKey: ref }),
        );
        if (!placed) return;
        callId = placed.callId;
        if (this.abandoned) return;
        this.store.attemptPlaced(id, callId, this.clock.now());
        this.dialled++;
        where.callId = callId;
        if (info) this.logger.info({ ...where, to: maskPhone(to), carrier, attempt: attemptNo }, 'call placed');
        this.emit({ type: 'call-placed', row, callId });
      }
      view = await gateway.waitForCall(callId, this.pollSeconds);
      while (view.state !== 'completed' || !view.outcome) {
        if (this.abandoned) return;
        view = await gateway.waitForCall(callId, this.pollSeconds);
      }
    } catch (caught) {
      if (this.abandoned) return;
      const error = asError(caught);
      if (!isAboutThisRow(error, callId)) {
        this.logger.warn({ ...where, err: error }, 'campaign-wide failure; row left as it was');
        this.emit({ type: 'row-error', row, error, callId });
        return this.stop(error);
      }
      this.logger.warn({ ...where, err: error }, 'gateway error for this row; the attempt failed');
      this.emit({ type: 'row-error', row, error, callId, recordedAs: 'failed' });
      view = { callId: callId ?? '', state: 'completed', outcome: { status: 'failed', reason: error instanceof GatewayRequestError ? error.reason : error.message } };
    }
    if (this.abandoned || attemptId === undefined || !view.outcome) return;
    await this.settle(entry, attemptId, attemptNo, view, where);
  }

  /** POST /call; a request that surely never reached the gateway takes its attempt back. */
  private async placeCall<T>(entry: Entry, attemptId: number, place: () => Promise<T>): Promise<T | undefined> {
    try {
      return await place();
    } catch (error) {
      if (error instanceof ServiceUnreachableError && !error.requestMayHaveArrived) {
        this.store.cancelAttempt(attemptId);
        this.emit({ type: 'row-error', row: entry.row, error });
        this.stop(error);
        return undefined;
      }
      throw error;
    }
  }

  private async settle(entry: Entry, attemptId: number, attemptNo: number, view: CallView, where: { row: number; callId?: string }): Promise<void> {
    const { row } = entry;
    const outcome = view.outcome!;
    const at = this.clock.now();
    const after = rowAfterAttempt(this.policy, outcome.status, attemptNo, at);
    try {
      this.store.finishAttempt(attemptId, { outcome, carrierStatus: view.carrierStatus, at, row: after, record: view.callId ? this.callRecord(view) : undefined });
      if (after.state === 'waiting') {
        this.retries++;
        entry.attempts = attemptNo;
        entry.dueAt = after.nextDueAt;
        entry.resume = undefined;
        this.pushLater(entry, 'retry');
        this.logger.info({ ...where, status: outcome.status, attempt: attemptNo, nextDueAt: new Date(after.nextDueAt).toISOString() }, 'retry scheduled');
        this.emit({ type: 'retry-scheduled', row, outcome, attempt: attemptNo, nextDueAt: after.nextDueAt });
        return;
      }
      await this.options.repository.record(row.key, toRecordedOutcome(outcome));
    } catch (error) {
      this.logger.error({ ...where, err: error, status: outcome.status }, 'could not record the outcome');
      this.emit({ type: 'row-error', row, error: asError(error), callId: view.callId });
      return this.stop(asError(error));
    }
    if (this.logger.isLevelEnabled('info')) this.logger.info({ ...where, status: outcome.status, reason: outcome.reason, attempts: attemptNo }, 'outcome recorded');
    this.count(outcome.status);
    this.emit({ type: 'row-finished', row, outcome, callId: view.callId || undefined, attempts: attemptNo });
  }

  private callRecord(view: CallView): CallRecordEntry {
    const rate = this.options.costPerMinute;
    return {
      callId: view.callId,
      durationSeconds: view.durationSeconds,
      costEstimate: rate !== undefined && view.durationSeconds !== undefined ? Math.round((view.durationSeconds / 60) * rate * 10_000) / 10_000 : undefined,
      transcript: view.transcript,
      toolCalls: view.toolCalls,
      turnLatenciesMs: view.turnLatenciesMs,
      timeline: view.timeline,
      recording: view.recording,
    };
  }

  private stop(error: Error): void {
    if (this.fatal) return;
    this.fatal = error;
    // Called from inside a call (or before any), so the others are what is still in flight.
    const inFlight = Math.max(this.calls.size - 1, 0);
    this.logger.warn({ err: error, inFlight }, 'stopping: no new calls; waiting for calls in flight');
    this.emit({ type: 'stopping', reason: 'error', inFlight, error });
    this.wakeUp();
  }

  private count(status: string): void {
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
  }

  private emit(event: CampaignEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch (error) {
      // A broken progress display must not abandon calls in flight.
      this.logger.error({ err: error, event: event.type }, 'campaign event listener failed');
    }
  }
}

/**
 * A gateway answer about this row (bad input, a 500 for this call, a lost call) fails the attempt;
 * anything else (unreachable, unknown agent, carrier not configured, a bug) is campaign-wide.
 */
function isAboutThisRow(error: Error, callId: string | undefined): boolean {
  if (!(error instanceof GatewayRequestError)) return false;
  return callId !== undefined || !CAMPAIGN_WIDE_STATUSES.has(error.status);
}

function toRecordedOutcome(outcome: CallOutcome): Outcome {
  return {
    status: outcome.status,
    ...(outcome.reschedule_date ? { reschedule_date: outcome.reschedule_date } : {}),
    ...(outcome.reschedule_time ? { reschedule_time: outcome.reschedule_time } : {}),
  };
}

function checkRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CampaignOptionsError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** A binary heap: the rows waiting for a time, earliest first, in O(log n) per row. */
class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i], items[parent]) >= 0) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length && last !== undefined) {
      items[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && this.compare(items[left], items[smallest]) < 0) smallest = left;
        if (right < items.length && this.compare(items[right], items[smallest]) < 0) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest], items[i]];
        i = smallest;
      }
    }
    return top;
  }
}
