import { MAX_ADDRESS_UPDATE_CHARS, type CallListRow, type Outcome } from '@codcall/call-list';
import { CampaignStore } from '@codcall/campaign-store';
import { silentLogger, type Logger } from '@codcall/logging';
import { asError, AttemptRunner, sameOutcomeFor, type AttemptResult } from './attempt-runner';
import { CallPacer, DEFAULT_CALLS_PER_SECOND } from './call-pacer';
import { assertRowsFit, reviewCallList } from './call-list-review';
import { CampaignStoppedError, type CampaignEvent, type CampaignSummary } from './campaign-events';
import { outsideWindowReason, planCampaign, type OutsideWindowRow, type PlannedRow, type SettledRow } from './campaign-plan';
import { isAlwaysOpen, type CallingWindow } from './calling-window';
import { systemClock, type Clock } from './clock';
import { CampaignOptionsError } from './errors';
import type { CallOutcome, CarrierName, GatewayClient, GatewayLimits, PlaceCallRequest, ScheduledDial } from './gateway-client';
import { RecipientZoneLookup } from './recipient-zone-lookup';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
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
/** A queued dial not made in its window is not placed again sooner than this. */
const MISSED_WINDOW_PAUSE_MS = 60_000;

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
  /** The CSV column whose IANA zone overrides the number's area code or country (default `timezone`). */
  timezoneColumn?: string;
  /** The zone for numbers whose country cannot be told (default: this machine's). */
  fallbackZone?: string;
  /** Looks up the rows' zones (North-American area codes, countries); one lookup may serve many campaigns. Default: one per run. */
  zoneLookup?: RecipientZoneLookup;
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
  /**
   * With a gateway that takes dials ahead of time (GatewayClient.scheduling), asked when the run
   * stops: true leaves the rows' queued dials for the gateways to make at their time (a shutdown:
   * the next run follows them); by default (a pause, a cancel, an error) they are withdrawn.
   */
  keepScheduledCalls?: () => boolean;
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
 * spacing, and a gateway at capacity is waited for. A row whose window never opens in its zones
 * (or whose zone cannot be known) is recorded outside_window, and the others go on. A run after
 * a crash asks the gateway about calls that were in flight instead of dialling them again.
 * It settles only once every call it started has ended and been recorded (or the drain timeout
 * gave up on them, after which nothing more is written): the caller may close the store then.
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

class CampaignRun {
  private readonly concurrency: number;
  private readonly pollSeconds: number;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly store: CampaignStore;
  private readonly pacer: CallPacer;
  private readonly queue: RowQueue;
  private readonly attempts: AttemptRunner;
  private readonly startedAt: number;
  private readonly byStatus: Record<string, number> = {};
  private readonly numbersInFlight = new Set<string>();
  private readonly calls = new Set<Promise<void>>();
  private retries = 0;
  private callbacks = 0;
  /** Rows whose CSV says callback_requested from this run and that have not finished since. */
  private readonly awaitingCallback = new Set<string>();
  private duplicateRows = 0;
  private fatal: Error | undefined;
  /** Set when the run gives up on calls in flight: whatever they bring back is left to the next run. */
  private abandoned = false;
  private wake = new AbortController();
  /** Aborted when the campaign stops (an error or the caller's signal): ends capacity waits. */
  private readonly halt = new AbortController();
  private lastWaitingNote = '';
  /** Rows waiting in the queue whose next dial was added ahead of time, with its key. */
  private readonly scheduledKeys = new Map<PlannedRow, string>();
  /** Dials being added ahead of time, one batch after another. */
  private scheduling: Promise<void> = Promise.resolve();
  private withdrawal?: Promise<void>;
  /** Numbers more than one row calls: only this run dials them, since it never calls one number twice at once. */
  private sharedNumbers: ReadonlySet<string> = new Set();

  constructor(private readonly options: CampaignOptions & { store: CampaignStore }) {
    this.concurrency = checkRange('concurrency', options.concurrency ?? DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY);
    this.pollSeconds = checkRange('pollSeconds', options.pollSeconds ?? DEFAULT_POLL_SECONDS, 1, 60);
    this.logger = (options.logger ?? silentLogger()).child({ component: 'campaign' });
    this.clock = options.clock ?? systemClock;
    this.store = options.store;
    this.pacer = new CallPacer(options.callsPerSecond ?? DEFAULT_CALLS_PER_SECOND);
    this.queue = new RowQueue(options.callingWindow, { noteLater: options.gateway.scheduling !== undefined });
    this.attempts = new AttemptRunner({
      gateway: options.gateway,
      store: this.store,
      carrier: options.carrier,
      policy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
      pollSeconds: this.pollSeconds,
      costPerMinute: options.costPerMinute,
      clock: this.clock,
      logger: this.logger,
      requestFor: (row, to, key) => this.requestFor(row, to, key),
      windowEndFor: (entry) => this.queue.dialTimeFor(entry, this.clock.now())?.notAfter,
      emit: (event) => this.emit(event),
      stopping: () => this.stopping,
      halt: this.halt.signal,
      abandoned: () => this.abandoned,
      capacityFreed: () => this.wakeUp(),
    });
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
      this.withdrawScheduledCalls();
      this.wakeUp();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const window = this.options.callingWindow;
      const zoneLookup = this.options.zoneLookup ?? new RecipientZoneLookup();
      const zones = window && !isAlwaysOpen(window) // a window open all day every day needs no zones
        ? await zoneLookup.zonesFor(rows, { timezoneColumn: this.options.timezoneColumn ?? 'timezone', fallbackZone: this.options.fallbackZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone })
        : new Map();
      const stored = this.store.rows();
      // Decided without a write; everything after this line applies it.
      const plan = planCampaign({
        rows,
        duplicateGroups: review.duplicates,
        stored,
        openAttempts: this.store.openAttempts(),
        isDoNotCall: (e164) => this.store.isDoNotCall(e164),
        policy: this.options.retryPolicy ?? DEFAULT_RETRY_POLICY,
        now: this.clock.now(),
        idempotentDials: this.options.idempotentDials === true,
        callingWindow: window,
        zones,
      });
      try {
        for (const interrupted of plan.interrupted) {
          this.store.finishAttempt(interrupted.attemptId, { outcome: interrupted.outcome, at: this.clock.now(), row: interrupted.after, sameOutcomeFor: sameOutcomeFor(interrupted.duplicates) });
          this.logger.warn({ row: interrupted.row.line, attempt: interrupted.attemptNo }, 'an attempt was interrupted while dialling; counted as failed');
        }
        this.sharedNumbers = numbersOnSeveralRows([...plan.resume, ...plan.ready, ...plan.later]);
        this.queue.pushReady(plan.ready);
        for (const entry of plan.later) this.queue.pushLater(entry, entry.row.status === 'callback_requested' ? 'callback' : 'retry');
        this.scheduleNewlyLater();
        this.withdrawSettledRetries(plan.settled, stored);
        const invalid = plan.settled.filter((settled) => !settled.row.phone.ok && !settled.fromStore).length;
        const outsideWindow = plan.outsideWindow.reduce((sum, { duplicates }) => sum + 1 + duplicates.length, 0);
        this.emit({ type: 'campaign-started', total, pending: rows.length, skippedFinal, skippedUnknownStatus, skippedUnknownLanguage, invalidNumbers: invalid, resumed: plan.resume.length, outsideWindow });
        this.logger.info({ total, pending: rows.length, invalid, outsideWindow, resume: plan.resume.length, concurrency: this.concurrency }, 'campaign started');
        await this.settleWithoutCalls(plan.settled);
        await this.recordOutsideWindow(plan.outsideWindow);
        for (const entry of plan.resume) this.startCall(entry);
        await this.dialLoop();
      } catch (error) {
        // A store write or a bug: no new calls, and the calls in flight still end and are recorded.
        this.stop(asError(error), this.calls.size);
      } finally {
        // Whatever happened, the store and the CSV outlive every call that started.
        await this.drain();
        await this.scheduling;
        await this.withdrawal;
      }
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
      dialled: this.attempts.dialled,
      skippedFinal,
      skippedUnknownStatus,
      skippedUnknownLanguage,
      skippedOverLimits,
      duplicateRows: this.duplicateRows,
      invalidNumbers: this.byStatus['invalid_number'] ?? 0,
      outsideWindow: this.byStatus['outside_window'] ?? 0,
      byStatus: { ...this.byStatus },
      retriesScheduled: this.retries,
      callbacksScheduled: this.callbacks,
      capacityRefusals: this.attempts.capacityRefusals,
      waiting,
      nextDueAt: this.queue.nextLater()?.entry.dueAt,
      resumed: this.attempts.resumed,
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
    await this.recordWithoutCalls(settled);
  }

  /** Rows this run's window cannot reach: the CSV says so (and why), the store is left as it was. */
  private async recordOutsideWindow(rows: OutsideWindowRow[]): Promise<void> {
    if (this.stopping || !rows.length) return;
    for (const { row, reason } of rows) this.logger.warn({ row: row.line, reason }, 'outside the calling window: not dialled');
    await this.recordWithoutCalls(rows.map(({ row, duplicates, reason }) => ({ row, duplicates, outcome: { status: 'outside_window', reason } })));
  }

  private async recordWithoutCalls(groups: readonly { row: CallListRow; duplicates: CallListRow[]; outcome: CallOutcome }[]): Promise<void> {
    // Recorded together, so the repository can share one journal fsync between them.
    const targets = groups.flatMap(({ row, duplicates, outcome }) => [row, ...duplicates].map((each) => ({ row: each, outcome, sameCallAs: each === row ? undefined : row })));
    const results = await Promise.allSettled(targets.map(({ row, outcome }) => this.options.repository.record(row.key, toRecordedOutcome(outcome))));
    results.forEach((result, i) => {
      const { row, outcome, sameCallAs } = targets[i];
      if (result.status === 'rejected') return this.recordingFailed(row, asError(result.reason), undefined, this.calls.size);
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
      const capacityAt = this.attempts.capacityAllowsAt(now);
      if (capacityAt > now) {
        // The gateway is full: its refused dials go first, new ones would only be refused too.
        await this.sleepUntil(capacityAt);
        continue;
      }
      const startAt = this.pacer.nextStartAt(now);
      if (startAt > now && this.queue.hasReadyRow(this.numbersInFlight)) {
        await this.sleepUntil(startAt);
        continue;
      }
      const entry = this.queue.takeNext(now, this.numbersInFlight);
      this.scheduleNewlyLater(); // rows whose window opens later
      if (entry) {
        this.pacer.take(now);
        this.startCall(entry);
      }
      const outside = this.queue.takeOutsideWindow();
      if (outside.length) await this.recordOutsideWindow(outside.map((late) => ({ ...late, reason: outsideWindowReason(this.options.callingWindow!, late) })));
      if (entry || outside.length) continue;
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

  // ---- one call: the attempt runner says what happened, the campaign decides what follows ----

  private startCall(entry: PlannedRow): void {
    this.numbersInFlight.add(entry.e164);
    this.scheduledKeys.delete(entry); // followed from here on, by the key it was queued with
    const call = this.attempts
      .run(entry)
      .then((result) => this.afterAttempt(entry, result))
      .catch((error: unknown) => {
        // afterAttempt does not throw; were it to, the campaign stops rather than guess.
        if (!this.abandoned) this.stop(asError(error), this.calls.size - 1);
      })
      .finally(() => {
        this.calls.delete(call);
        this.numbersInFlight.delete(entry.e164);
        this.wakeUp();
      });
    this.calls.add(call);
  }

  private async afterAttempt(entry: PlannedRow, result: AttemptResult): Promise<void> {
    if (this.abandoned) return; // the caller may have closed the CSV: the next run records it
    switch (result.type) {
      case 'abandoned':
      case 'not-dialled':
        return;
      case 'missed-window': {
        // Its window's next opening, and not within a minute: a gateway whose clock runs ahead of ours would refuse it again at once.
        const from = this.clock.now() + MISSED_WINDOW_PAUSE_MS;
        entry.resume = undefined;
        entry.dueAt = this.queue.dialTimeFor(entry, from)?.at ?? from;
        this.queue.pushLater(entry, 'calling window');
        this.scheduleNewlyLater();
        return;
      }
      case 'campaign-error':
        // The one place an attempt stops the campaign: what failed this row would fail every row.
        this.emit({ type: 'row-error', row: entry.row, error: result.error, callId: result.callId });
        return this.stop(result.error, this.calls.size - 1);
      case 'ended':
        return this.recordOutcome(entry, result);
    }
  }

  private async recordOutcome(entry: PlannedRow, { outcome, view, attemptNo, after }: Extract<AttemptResult, { type: 'ended' }>): Promise<void> {
    const { row, duplicates } = entry;
    const callId = view.callId || undefined;
    const where = { row: row.line, callId };
    const group = [row, ...duplicates];
    try {
      if (after.state === 'waiting') {
        const callback = outcome.status === 'callback_requested';
        if (callback) {
          // Unlike a retry, a callback is written at once: its time is a promise to the callee,
          // the operator sees it, and a run with another store still calls at that time.
          await Promise.all(group.map((each) => this.options.repository.record(each.key, toRecordedOutcome(outcome))));
          for (const each of group) this.awaitingCallback.add(each.key);
          this.callbacks++;
        } else this.retries++;
        entry.attempts = attemptNo;
        entry.dueAt = after.nextDueAt;
        entry.resume = undefined;
        this.queue.pushLater(entry, callback ? 'callback' : 'retry');
        this.scheduleNewlyLater();
        this.logger.info({ ...where, status: outcome.status, attempt: attemptNo, nextDueAt: new Date(after.nextDueAt).toISOString() }, 'retry scheduled');
        this.emit({ type: 'retry-scheduled', row, outcome, attempt: attemptNo, nextDueAt: after.nextDueAt });
        return;
      }
      // Together, so both rows' journal entries share one fsync.
      await Promise.all(group.map((each) => this.options.repository.record(each.key, toRecordedOutcome(outcome))));
    } catch (error) {
      this.logger.error({ ...where, err: error, status: outcome.status }, 'could not record the outcome');
      return this.recordingFailed(row, asError(error), view.callId, this.calls.size - 1);
    }
    if (this.logger.isLevelEnabled('info')) this.logger.info({ ...where, status: outcome.status, reason: outcome.reason, attempts: attemptNo, duplicates: duplicates.length }, 'outcome recorded');
    const durationSeconds = view.durationSeconds;
    this.rowFinished({ row, outcome, callId, attempts: attemptNo, durationSeconds });
    for (const duplicate of duplicates) this.rowFinished({ row: duplicate, outcome, callId, attempts: attemptNo, sameCallAs: row, durationSeconds });
  }

  /** The CSV refused an outcome: every later one would be refused too. */
  private recordingFailed(row: CallListRow, error: Error, callId: string | undefined, othersInFlight: number): void {
    this.emit({ type: 'row-error', row, error, callId });
    this.stop(error, othersInFlight);
  }

  private rowFinished(event: Omit<Extract<CampaignEvent, { type: 'row-finished' }>, 'type'>): void {
    this.byStatus[event.outcome.status] = (this.byStatus[event.outcome.status] ?? 0) + 1;
    this.awaitingCallback.delete(event.row.key);
    if (event.sameCallAs) this.duplicateRows++;
    this.emit({ type: 'row-finished', ...event });
  }

  /** No new calls: the calls in flight still end and are recorded, and the run then throws CampaignStoppedError. */
  private stop(error: Error, othersInFlight: number): void {
    if (this.fatal) return;
    this.fatal = error;
    const inFlight = Math.max(othersInFlight, 0);
    this.logger.warn({ err: error, inFlight }, 'stopping: no new calls; waiting for calls in flight');
    this.emit({ type: 'stopping', reason: 'error', inFlight, error });
    this.halt.abort();
    this.withdrawScheduledCalls();
    this.wakeUp();
  }

  // ---- dials added ahead of time (distributed mode): gateways make them even while this run is down ----

  private get keepsScheduledCalls(): boolean {
    return this.options.keepScheduledCalls?.() === true;
  }

  /**
   * Adds the next dial of each row just given a later time to the gateways' queue, at its time
   * (its window's next opening if that is later) and not after its window closes, with the key
   * that attempt will use: derived from the row and the attempt number, both already in the store.
   */
  private scheduleNewlyLater(): void {
    const scheduling = this.options.gateway.scheduling;
    const entries = this.queue.takeNewlyLater();
    if (!scheduling || !entries.length) return;
    if (this.stopping && !this.keepsScheduledCalls) return; // a stopped run's queued dials are withdrawn, not added
    const dials: ScheduledDial[] = [];
    for (const entry of entries) {
      // Queued dials of two rows to one number could fall due together; this run dials them one after the other.
      if (this.sharedNumbers.has(entry.e164)) continue;
      const when = this.queue.dialTimeFor(entry);
      if (!when) continue; // never opens: recorded outside its window when it is due
      const key = entry.resume?.ref ?? scheduling.attemptKey(entry.row.key, entry.attempts + 1);
      this.scheduledKeys.set(entry, key);
      dials.push({ request: this.requestFor(entry.row, entry.e164, key), dueAt: when.at, notAfter: when.notAfter });
    }
    if (!dials.length) return;
    this.scheduling = this.scheduling.then(() =>
      scheduling.scheduleCalls(dials).catch((error: unknown) => {
        // Not lost: the run still dials each row itself when it is due, with the same key.
        this.logger.warn({ err: asError(error), rows: dials.length }, 'could not queue dials ahead of time; they are placed when due');
      }),
    );
  }

  /** The run stops (pause, cancel, an error): the dials it queued ahead of time are taken back, unless it keeps them for the next run. */
  private withdrawScheduledCalls(): void {
    const scheduling = this.options.gateway.scheduling;
    if (!scheduling || this.withdrawal || this.keepsScheduledCalls) return;
    const keys = [...this.scheduledKeys.values()];
    this.scheduledKeys.clear();
    if (!keys.length) return;
    this.withdrawal = this.scheduling
      .then(() => scheduling.withdrawCalls(keys))
      .then((withdrawn) => this.logger.info({ withdrawn, queued: keys.length }, 'dials queued ahead of time taken back'))
      .catch((error: unknown) => this.logger.error({ err: asError(error), queued: keys.length }, 'could not take back the dials queued ahead of time'));
  }

  /** Rows an earlier run left waiting for a retry that this run settles (the policy changed, do-not-call): their queued dial is taken back. */
  private withdrawSettledRetries(settled: readonly SettledRow[], stored: ReturnType<CampaignStore['rows']>): void {
    const scheduling = this.options.gateway.scheduling;
    if (!scheduling) return;
    const keys = settled.flatMap(({ row, fromStore }) => {
      const previous = stored.get(row.key);
      return !fromStore && previous?.state === 'waiting' ? [scheduling.attemptKey(row.key, previous.attempts + 1)] : [];
    });
    if (!keys.length) return;
    this.scheduling = this.scheduling.then(() =>
      scheduling.withdrawCalls(keys).then(
        () => undefined,
        (error: unknown) => this.logger.warn({ err: asError(error), rows: keys.length }, 'could not take back the queued dials of rows settled without a call'),
      ),
    );
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

function numbersOnSeveralRows(entries: readonly PlannedRow[]): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const { e164 } of entries) (seen.has(e164) ? shared : seen).add(e164);
  return shared;
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
