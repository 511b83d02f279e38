import { randomUUID } from 'node:crypto';
import { MAX_ADDRESS_UPDATE_CHARS, type CallListRow, type Outcome } from '@codcall/call-list';
import { CampaignStore, type CallRecordEntry } from '@codcall/campaign-store';
import { maskPhone, silentLogger, type Logger } from '@codcall/logging';
import { CallPacer, DEFAULT_CALLS_PER_SECOND } from './call-pacer';
import { assertRowsFit, reviewCallList } from './call-list-review';
import { CampaignStoppedError, type CampaignEvent, type CampaignSummary } from './campaign-events';
import { planCampaign, type PlannedRow, type SettledRow } from './campaign-plan';
import type { CallingWindow } from './calling-window';
import { systemClock, type Clock } from './clock';
import { ApiKeyRefusedError, CampaignOptionsError, GatewayCapacityError, GatewayRequestError, ServiceUnreachableError } from './errors';
import type { CallOutcome, CallView, CarrierName, GatewayClient, GatewayLimits, PlaceCallRequest, PlacedCall } from './gateway-client';
import { DEFAULT_RETRY_POLICY, rowAfterAttempt, type RetryPolicy } from './retry-policy';
import { RowQueue } from './row-queue';
import type { SimulatedCallees } from './simulated-callees';

export { CampaignStoppedError, type CampaignEvent, type CampaignSummary, type WaitReason } from './campaign-events';

/** The part of CallListRepository a campaign uses; the real repository satisfies it as is. */
export interface CampaignCallList {
  rows(): readonly CallListRow[];
  /** Rows to call (statusKind pending), in file order, bad numbers included. */
  pendingRows(): CallListRow[];
  /** Rows whose status codcall does not know (statusKind unknown), in file order. */
  unknownStatusRows(): CallListRow[];
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
/** A gateway's Retry-After is honoured within these bounds, plus up to this share more so refused dials do not all come back at once. */
const CAPACITY_WAIT_MIN_MS = 1_000;
const CAPACITY_WAIT_MAX_MS = 60_000;
const CAPACITY_WAIT_JITTER = 0.2;

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
  /** Dial rows whose status codcall does not know too (default: list them and leave them as they are). */
  dialUnknownStatuses?: boolean;
  /** What POST /call accepts (the gateway's /health `limits`): rows that do not fit are found before any dial. */
  gatewayLimits?: GatewayLimits;
  /** Skip (and list) rows over the gateway's limits; by default the run is refused before dialling (RowsOverGatewayLimitsError). */
  skipRowsOverLimits?: boolean;
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

/**
 * Dials every pending row of the call list through the gateway and records each final outcome.
 * Before any dial it reviews the list (unknown statuses left alone, duplicates called once, rows
 * the gateway would refuse). Each attempt is written to the store before the gateway is asked
 * to dial. Rows are called in their local calling window, at most `callsPerSecond` starts and
 * `concurrency` calls at a time, never two at once to one number; retried statuses wait their
 * spacing, and a gateway at capacity is waited for. A run after a crash asks the gateway about
 * calls that were in flight instead of dialling them again.
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

class CampaignRun {
  private readonly concurrency: number;
  private readonly pollSeconds: number;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly store: CampaignStore;
  private readonly policy: RetryPolicy;
  private readonly pacer: CallPacer;
  private readonly queue: RowQueue;
  private readonly startedAt: number;
  private readonly byStatus: Record<string, number> = {};
  private readonly numbersInFlight = new Set<string>();
  private readonly calls = new Set<Promise<void>>();
  private dialled = 0;
  private retries = 0;
  private callbacks = 0;
  /** Rows whose CSV says callback_requested from this run and that have not finished since. */
  private readonly awaitingCallback = new Set<string>();
  private resumed = 0;
  private duplicateRows = 0;
  private capacityRefusals = 0;
  /** Until then the gateway said it is at capacity: no new call starts. */
  private capacityUntil = 0;
  /** Dials waiting to be re-sent after a capacity refusal: no new call starts while there are any. */
  private capacityWaiters = 0;
  private fatal: Error | undefined;
  /** Set when the run gives up on calls in flight: whatever they bring back is left to the next run. */
  private abandoned = false;
  private wake = new AbortController();
  /** Aborted when the campaign stops (an error or the caller's signal): ends capacity waits. */
  private readonly halt = new AbortController();
  private lastWaitingNote = '';

  constructor(private readonly options: CampaignOptions & { store: CampaignStore }) {
    this.concurrency = checkRange('concurrency', options.concurrency ?? DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY);
    this.pollSeconds = checkRange('pollSeconds', options.pollSeconds ?? DEFAULT_POLL_SECONDS, 1, 60);
    this.logger = (options.logger ?? silentLogger()).child({ component: 'campaign' });
    this.clock = options.clock ?? systemClock;
    this.store = options.store;
    this.policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.pacer = new CallPacer(options.callsPerSecond ?? DEFAULT_CALLS_PER_SECOND);
    this.queue = new RowQueue(options.callingWindow);
    this.startedAt = this.clock.now();
  }

  async run(): Promise<CampaignSummary> {
    const { repository, signal } = this.options;
    const total = repository.rows().length;
    const pendingRows = repository.pendingRows();
    const unknownRows = repository.unknownStatusRows();
    const dialUnknown = this.options.dialUnknownStatuses === true;
    const review = reviewCallList({
      pending: pendingRows,
      unknown: unknownRows,
      dialUnknownStatuses: dialUnknown,
      skipRowsOverLimits: this.options.skipRowsOverLimits === true,
      limits: this.options.gatewayLimits,
      requestFor: (row, e164) => this.requestFor(row, e164, ''), // the key is a header: not in the body measured
    });
    this.emit({ type: 'call-list-reviewed', review });
    assertRowsFit(review, 'the call list'); // before anything is written or dialled
    const rows = review.toProcess;
    const skippedFinal = total - pendingRows.length - unknownRows.length;
    const skippedUnknownStatus = dialUnknown ? 0 : unknownRows.length;
    const skippedUnknownLanguage = review.unknownLanguages.length;
    const skippedOverLimits = pendingRows.length + (dialUnknown ? unknownRows.length : 0) - skippedUnknownLanguage - rows.length;

    const onAbort = () => {
      this.logger.warn({ inFlight: this.calls.size }, 'interrupted: no new calls; waiting for calls in flight');
      this.emit({ type: 'stopping', reason: 'interrupted', inFlight: this.calls.size });
      this.halt.abort();
      this.wakeUp();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const plan = planCampaign({
        rows,
        duplicateGroups: review.duplicates,
        stored: this.store.rows(),
        openAttempts: this.store.openAttempts(),
        isDoNotCall: (e164) => this.store.isDoNotCall(e164),
        policy: this.policy,
        now: this.clock.now(),
        idempotentDials: this.options.idempotentDials === true,
        callingWindow: this.options.callingWindow,
        timezoneColumn: this.options.timezoneColumn ?? 'timezone',
        fallbackZone: this.options.fallbackZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      });
      for (const interrupted of plan.interrupted) {
        this.store.finishAttempt(interrupted.attemptId, { outcome: interrupted.outcome, at: this.clock.now(), row: interrupted.after, sameOutcomeFor: sameOutcomeFor(interrupted.duplicates) });
        this.logger.warn({ row: interrupted.row.line, attempt: interrupted.attemptNo }, 'an attempt was interrupted while dialling; counted as failed');
      }
      this.queue.pushReady(plan.ready);
      for (const entry of plan.later) this.queue.pushLater(entry, entry.row.status === 'callback_requested' ? 'callback' : 'retry');
      const invalid = plan.settled.filter((settled) => !settled.row.phone.ok && !settled.fromStore).length;
      this.emit({ type: 'campaign-started', total, pending: rows.length, skippedFinal, skippedUnknownStatus, skippedUnknownLanguage, invalidNumbers: invalid, resumed: plan.resume.length });
      this.logger.info({ total, pending: rows.length, invalid, resume: plan.resume.length, concurrency: this.concurrency }, 'campaign started');
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
    const waiting = this.queue.size;
    const summary: CampaignSummary = {
      total,
      pending: rows.length,
      dialled: this.dialled,
      skippedFinal,
      skippedUnknownStatus,
      skippedUnknownLanguage,
      skippedOverLimits,
      duplicateRows: this.duplicateRows,
      invalidNumbers: this.byStatus['invalid_number'] ?? 0,
      byStatus: { ...this.byStatus },
      retriesScheduled: this.retries,
      callbacksScheduled: this.callbacks,
      capacityRefusals: this.capacityRefusals,
      waiting,
      nextDueAt: this.queue.nextLater()?.entry.dueAt,
      resumed: this.resumed,
      abandonedInFlight: this.abandoned ? this.calls.size : 0,
      notRecorded: rows.length - recorded - this.awaitingCallback.size,
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

  private requestFor(row: CallListRow, to: string, idempotencyKey: string): PlaceCallRequest {
    const { agentId, carrier, simulation } = this.options;
    return { agentId, to, context: { ...row.values }, carrier, simulation: simulation?.[to], idempotencyKey };
  }

  /** Invalid numbers, do-not-call rows, and outcomes the store has but the CSV lacks; duplicates get the same. */
  private async settleWithoutCalls(settled: SettledRow[]): Promise<void> {
    if (this.stopping) return;
    const now = this.clock.now();
    for (const { row, duplicates, outcome, e164, fromStore } of settled) {
      if (fromStore) continue;
      for (const each of [row, ...duplicates]) {
        this.store.finishRowWithoutCall({ rowKey: each.key, orderId: each.values['order_id'] ?? '', phone: e164 ?? each.values['recipient_phone_number'] ?? '', outcome, at: now });
      }
    }
    // Recorded together, so the repository can share one journal fsync between them.
    const targets = settled.flatMap(({ row, duplicates, outcome }) => [row, ...duplicates].map((each) => ({ row: each, outcome, sameCallAs: each === row ? undefined : row })));
    const results = await Promise.allSettled(targets.map(({ row, outcome }) => this.options.repository.record(row.key, toRecordedOutcome(outcome))));
    results.forEach((result, i) => {
      const { row, outcome, sameCallAs } = targets[i];
      if (result.status === 'rejected') {
        const error = asError(result.reason);
        this.emit({ type: 'row-error', row, error });
        return this.stop(error);
      }
      this.rowFinished({ row, outcome, attempts: 0, sameCallAs });
    });
  }

  // ---- the loop: dial what is due, within the limits, until nothing is left ----

  private async dialLoop(): Promise<void> {
    while (!this.stopping) {
      const now = this.clock.now();
      this.queue.promoteDue(now);
      if (this.calls.size >= this.concurrency) {
        await this.sleepUntil(Infinity);
        continue;
      }
      if (this.capacityWaiters > 0 || now < this.capacityUntil) {
        // The gateway is full: its refused dials go first, new ones would only be refused too.
        await this.sleepUntil(this.capacityWaiters > 0 ? Infinity : this.capacityUntil);
        continue;
      }
      const startAt = this.pacer.nextStartAt(now);
      if (startAt > now && this.queue.hasReadyRow(this.numbersInFlight)) {
        await this.sleepUntil(startAt);
        continue;
      }
      const entry = this.queue.takeNext(now, this.numbersInFlight);
      if (entry) {
        this.pacer.take(now);
        this.startCall(entry);
        continue;
      }
      const next = this.queue.nextLater();
      const idle = this.calls.size === 0 && this.queue.blockedCount === 0;
      if (idle && !next) return;
      if (idle && next) {
        this.noteWaiting(next);
        if (this.options.exitWhenWaiting) return;
      }
      await this.sleepUntil(next ? next.entry.dueAt : Infinity);
    }
  }

  private noteWaiting({ entry, reason, waiting }: NonNullable<ReturnType<RowQueue['nextLater']>>): void {
    const note = `${waiting}|${entry.dueAt}|${reason}`;
    if (note === this.lastWaitingNote) return;
    this.lastWaitingNote = note;
    this.logger.info({ rows: waiting, nextDueAt: new Date(entry.dueAt).toISOString(), reason }, 'rows are waiting');
    this.emit({ type: 'waiting', rows: waiting, nextDueAt: entry.dueAt, reason });
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

  private startCall(entry: PlannedRow): void {
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

  private async call(entry: PlannedRow): Promise<void> {
    const { gateway, carrier } = this.options;
    const { row, e164: to } = entry;
    // Plain fields rather than a child logger per call: a pino child costs more than the call's own bookkeeping.
    const where: { row: number; callId?: string } = { row: row.line };
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
        const placed = await this.placeCall(entry, id, this.requestFor(row, to, ref));
        if (!placed) return;
        callId = placed.callId;
        if (this.abandoned) return;
        this.store.attemptPlaced(id, callId, this.clock.now());
        this.dialled++;
        where.callId = callId;
        if (this.logger.isLevelEnabled('info')) this.logger.info({ ...where, to: maskPhone(to), carrier, attempt: attemptNo }, 'call placed');
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
      // Includes a 404 for a call this campaign placed (a gateway that lost it): a failed attempt
      // like any other, so the retry policy, not the 404, decides whether the row is dialled again.
      this.logger.warn({ ...where, err: error }, 'gateway error for this row; the attempt failed');
      this.emit({ type: 'row-error', row, error, callId, recordedAs: 'failed' });
      view = { callId: callId ?? '', state: 'completed', outcome: { status: 'failed', reason: error instanceof GatewayRequestError ? error.reason : error.message } };
    }
    if (this.abandoned || attemptId === undefined || !view.outcome) return;
    await this.settle(entry, attemptId, attemptNo, view, where);
  }

  /**
   * POST /call. A dial that surely never reached the gateway (connection refused, API key refused)
   * takes its attempt back and stops the campaign. A gateway at capacity is waited for and the
   * same dial, with the same key, is sent again: the attempt is not spent.
   */
  private async placeCall(entry: PlannedRow, attemptId: number, request: PlaceCallRequest): Promise<PlacedCall | undefined> {
    let holding = false;
    try {
      for (;;) {
        try {
          return await this.options.gateway.placeCall(request);
        } catch (error) {
          if (error instanceof GatewayCapacityError) {
            if (!holding) this.capacityWaiters++;
            holding = true;
            this.capacityRefusals++;
            if (await this.waitForCapacity(error)) continue;
            this.store.cancelAttempt(attemptId);
            this.emit({ type: 'row-error', row: entry.row, error: new Error('not dialled: the campaign stopped while the gateway was at capacity') });
            return undefined;
          }
          if ((error instanceof ServiceUnreachableError && !error.requestMayHaveArrived) || error instanceof ApiKeyRefusedError) {
            this.store.cancelAttempt(attemptId);
            this.emit({ type: 'row-error', row: entry.row, error });
            this.stop(error);
            return undefined;
          }
          throw error;
        }
      }
    } finally {
      if (holding) {
        this.capacityWaiters--;
        this.wakeUp();
      }
    }
  }

  /** Waits out the gateway's Retry-After (within bounds, plus jitter); false when the campaign stopped meanwhile. */
  private async waitForCapacity(error: GatewayCapacityError): Promise<boolean> {
    const now = this.clock.now();
    const waitMs = Math.min(Math.max(error.retryAfterSeconds * 1000, CAPACITY_WAIT_MIN_MS), CAPACITY_WAIT_MAX_MS);
    if (now >= this.capacityUntil) {
      this.logger.warn({ waitMs, inFlight: this.calls.size, reason: error.reason }, 'gateway at capacity: waiting before dialling again');
      this.emit({ type: 'gateway-at-capacity', waitMs, message: error.reason });
    }
    this.capacityUntil = Math.max(this.capacityUntil, now + waitMs);
    const resendAt = this.capacityUntil + Math.random() * waitMs * CAPACITY_WAIT_JITTER;
    while (!this.stopping && this.clock.now() < resendAt) await this.clock.sleep(resendAt - this.clock.now(), this.halt.signal);
    return !this.stopping;
  }

  private async settle(entry: PlannedRow, attemptId: number, attemptNo: number, view: CallView, where: { row: number; callId?: string }): Promise<void> {
    const { row, duplicates } = entry;
    const outcome = view.outcome!;
    const at = this.clock.now();
    const after = rowAfterAttempt(this.policy, outcome.status, attemptNo, at, outcome.callback_at);
    try {
      this.store.finishAttempt(attemptId, {
        outcome, carrierStatus: view.carrierStatus, at, row: after, record: view.callId ? this.callRecord(view) : undefined, sameOutcomeFor: sameOutcomeFor(duplicates),
      });
      if (after.state === 'waiting') {
        const callback = outcome.status === 'callback_requested';
        if (callback) {
          // Unlike a retry, a callback is written at once: its time is a promise to the callee,
          // the operator sees it, and a run with another store still calls at that time.
          await Promise.all([row, ...duplicates].map((each) => this.options.repository.record(each.key, toRecordedOutcome(outcome))));
          for (const each of [row, ...duplicates]) this.awaitingCallback.add(each.key);
          this.callbacks++;
        } else this.retries++;
        entry.attempts = attemptNo;
        entry.dueAt = after.nextDueAt;
        entry.resume = undefined;
        this.queue.pushLater(entry, callback ? 'callback' : 'retry');
        this.logger.info({ ...where, status: outcome.status, attempt: attemptNo, nextDueAt: new Date(after.nextDueAt).toISOString() }, 'retry scheduled');
        this.emit({ type: 'retry-scheduled', row, outcome, attempt: attemptNo, nextDueAt: after.nextDueAt });
        return;
      }
      // Together, so both rows' journal entries share one fsync.
      await Promise.all([row, ...duplicates].map((each) => this.options.repository.record(each.key, toRecordedOutcome(outcome))));
    } catch (error) {
      this.logger.error({ ...where, err: error, status: outcome.status }, 'could not record the outcome');
      this.emit({ type: 'row-error', row, error: asError(error), callId: view.callId });
      return this.stop(asError(error));
    }
    if (this.logger.isLevelEnabled('info')) this.logger.info({ ...where, status: outcome.status, reason: outcome.reason, attempts: attemptNo, duplicates: duplicates.length }, 'outcome recorded');
    const callId = view.callId || undefined;
    const durationSeconds = view.durationSeconds;
    this.rowFinished({ row, outcome, callId, attempts: attemptNo, durationSeconds });
    for (const duplicate of duplicates) this.rowFinished({ row: duplicate, outcome, callId, attempts: attemptNo, sameCallAs: row, durationSeconds });
  }

  private rowFinished(event: Omit<Extract<CampaignEvent, { type: 'row-finished' }>, 'type'>): void {
    this.byStatus[event.outcome.status] = (this.byStatus[event.outcome.status] ?? 0) + 1;
    this.awaitingCallback.delete(event.row.key);
    if (event.sameCallAs) this.duplicateRows++;
    this.emit({ type: 'row-finished', ...event });
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
      turns: view.turns,
      ttsCharacters: view.ttsCharacters,
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
    this.halt.abort();
    this.wakeUp();
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
 * anything else (unreachable, a refused API key, unknown agent, carrier not configured, a bug) is campaign-wide.
 */
function isAboutThisRow(error: Error, callId: string | undefined): boolean {
  if (!(error instanceof GatewayRequestError)) return false;
  return callId !== undefined || !CAMPAIGN_WIDE_STATUSES.has(error.status);
}

function sameOutcomeFor(duplicates: readonly CallListRow[]): { rowKey: string; orderId: string }[] | undefined {
  return duplicates.length ? duplicates.map((row) => ({ rowKey: row.key, orderId: row.values['order_id'] ?? '' })) : undefined;
}

function toRecordedOutcome(outcome: CallOutcome): Outcome {
  return {
    status: outcome.status,
    ...(outcome.reschedule_date ? { reschedule_date: outcome.reschedule_date } : {}),
    ...(outcome.reschedule_time ? { reschedule_time: outcome.reschedule_time } : {}),
    ...(outcome.callback_at ? { callback_at: outcome.callback_at } : {}),
    // Clipped rather than refused: a model that rambled must not stop the campaign or lose the outcome.
    ...(outcome.address_update ? { address_update: outcome.address_update.slice(0, MAX_ADDRESS_UPDATE_CHARS) } : {}),
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
