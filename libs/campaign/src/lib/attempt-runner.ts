import { randomUUID } from 'node:crypto';
import type { CallListRow } from '@codcall/call-list';
import type { CallRecordEntry, CampaignStore, RowAfterAttempt } from '@codcall/campaign-store';
import { maskPhone, type Logger } from '@codcall/logging';
import type { CampaignEvent } from './campaign-events';
import type { PlannedRow } from './campaign-plan';
import type { Clock } from './clock';
import { ApiKeyRefusedError, GatewayCapacityError, GatewayRequestError, ServiceUnreachableError } from './errors';
import { wasNotDialled, type CallOutcome, type CallView, type CarrierName, type GatewayClient, type PlaceCallRequest, type PlacedCall } from './gateway-client';
import { rowAfterAttempt, type RetryPolicy } from './retry-policy';

/** What one attempt came to; the campaign loop decides what follows (the CSV, a retry, stopping). */
export type AttemptResult =
  /** The call ended: the attempt, its call record and the row's next state are in the store. */
  | { type: 'ended'; outcome: CallOutcome; view: CallView; attemptNo: number; after: RowAfterAttempt }
  /** Never dialled after all (the campaign stopped while the gateway was at capacity): the attempt was taken back. */
  | { type: 'not-dialled' }
  /** A queued dial no gateway made before the row's calling window closed: the attempt was taken back, and the row waits for its next window. */
  | { type: 'missed-window'; reason: string }
  /** Something that would fail every row (gateway unreachable, key refused, unknown agent, a store error, a bug): the row is left as it was. */
  | { type: 'campaign-error'; error: Error; callId?: string }
  /** The run stopped waiting for this call (drain timeout): nothing more was written; the next run asks the gateway. */
  | { type: 'abandoned' };

export interface AttemptRunnerSettings {
  gateway: GatewayClient;
  store: CampaignStore;
  carrier: CarrierName;
  policy: RetryPolicy;
  pollSeconds: number;
  costPerMinute?: number;
  clock: Clock;
  logger: Logger;
  requestFor(row: CallListRow, to: string, idempotencyKey: string): PlaceCallRequest;
  /** The end of the row's calling window open now, if it has one: a queued dial is not made after it. */
  windowEndFor(entry: PlannedRow): number | undefined;
  emit(event: CampaignEvent): void;
  /** True once the campaign stops dialling (an error or the caller's signal). */
  stopping(): boolean;
  /** Aborted when the campaign stops: ends capacity waits. */
  halt: AbortSignal;
  /** True once the run gave up on calls in flight: from then on nothing is written, since the store may be closed. */
  abandoned(): boolean;
  /** A dial waiting for capacity was sent or given up: the loop may start calls again. */
  capacityFreed(): void;
}

/** POST /call answers that would be the same for every row: stop rather than fail each row. */
const CAMPAIGN_WIDE_STATUSES = new Set([401, 403, 404, 502, 503]);
/** A gateway's Retry-After is honoured within these bounds, plus up to this share more so refused dials do not all come back at once. */
const CAPACITY_WAIT_MIN_MS = 1_000;
const CAPACITY_WAIT_MAX_MS = 60_000;
const CAPACITY_WAIT_JITTER = 0.2;

/**
 * Runs one attempt of one row: writes it to the store before the dial, places the call (waiting
 * out a gateway at capacity with the same key), follows it to its outcome and finishes the
 * attempt in the store. It never stops the campaign itself: it says what happened.
 */
export class AttemptRunner {
  dialled = 0;
  resumed = 0;
  capacityRefusals = 0;
  /** Until then the gateway said it is at capacity: no new call starts. */
  private capacityUntil = 0;
  /** Dials waiting to be re-sent after a capacity refusal: no new call starts while there are any. */
  private capacityWaiters = 0;

  constructor(private readonly settings: AttemptRunnerSettings) {}

  /** When a new call may start as far as the gateway's capacity goes: now, a time, or Infinity while refused dials wait. */
  capacityAllowsAt(now: number): number {
    if (this.capacityWaiters > 0) return Infinity;
    return Math.max(now, this.capacityUntil);
  }

  async run(entry: PlannedRow): Promise<AttemptResult> {
    try {
      return await this.attempt(entry);
    } catch (caught) {
      // A store write or a bug: the same for every row, so the loop stops rather than guess.
      return this.settings.abandoned() ? { type: 'abandoned' } : { type: 'campaign-error', error: asError(caught) };
    }
  }

  private async attempt(entry: PlannedRow): Promise<AttemptResult> {
    const { gateway, store, carrier, clock, logger, emit } = this.settings;
    const { row, e164: to } = entry;
    // Plain fields rather than a child logger per call: a pino child costs more than the call's own bookkeeping.
    const where: { row: number; callId?: string } = { row: row.line };
    let callId = entry.resume?.callId;
    const attemptNo = entry.resume?.attemptNo ?? entry.attempts + 1;
    let attemptId = entry.resume?.attemptId;
    // With dials added ahead of time, the key is the one this attempt's queued dial was given.
    const ref = entry.resume?.ref ?? gateway.scheduling?.attemptKey(row.key, attemptNo) ?? randomUUID();
    let view: CallView;
    try {
      if (entry.resume?.callId && callId) {
        this.resumed++;
        where.callId = callId;
        logger.info({ ...where, attempt: attemptNo }, 'asking the gateway about a call placed before the last run stopped');
        emit({ type: 'call-resumed', row, callId });
      } else {
        const id = entry.resume?.attemptId ?? store.beginAttempt({ rowKey: row.key, orderId: row.values['order_id'] ?? '', phone: to, attemptNo, carrier, at: clock.now(), ref });
        attemptId = id;
        emit({ type: 'row-started', row, attempt: attemptNo });
        const placed = await this.placeCall(entry, id, this.settings.requestFor(row, to, ref));
        if ('type' in placed) return placed;
        callId = placed.callId;
        if (this.settings.abandoned()) return { type: 'abandoned' };
        store.attemptPlaced(id, callId, clock.now());
        this.dialled++;
        where.callId = callId;
        if (logger.isLevelEnabled('info')) logger.info({ ...where, to: maskPhone(to), carrier, attempt: attemptNo }, 'call placed');
        emit({ type: 'call-placed', row, callId });
      }
      view = await gateway.waitForCall(callId, this.settings.pollSeconds);
      while (view.state !== 'completed' || !view.outcome) {
        if (this.settings.abandoned()) return { type: 'abandoned' };
        view = await gateway.waitForCall(callId, this.settings.pollSeconds);
      }
    } catch (caught) {
      if (this.settings.abandoned()) return { type: 'abandoned' };
      const error = asError(caught);
      if (!isAboutThisRow(error, callId)) {
        logger.warn({ ...where, err: error }, 'campaign-wide failure; row left as it was');
        return { type: 'campaign-error', error, callId };
      }
      // Includes a 404 for a call this campaign placed (a gateway that lost it): a failed attempt
      // like any other, so the retry policy, not the 404, decides whether the row is dialled again.
      logger.warn({ ...where, err: error }, 'gateway error for this row; the attempt failed');
      emit({ type: 'row-error', row, error, callId, recordedAs: 'failed' });
      view = { callId: callId ?? '', state: 'completed', outcome: { status: 'failed', reason: error instanceof GatewayRequestError ? error.reason : error.message } };
    }
    if (this.settings.abandoned() || attemptId === undefined || !view.outcome) return { type: 'abandoned' };
    // Only a queue leaves a dial undone; from a gateway over HTTP outside_window is an outcome like any other.
    if (gateway.scheduling && wasNotDialled(view)) return this.takeBackUndialled(entry, attemptId, ref, view);
    const outcome = view.outcome;
    const at = clock.now();
    const after = rowAfterAttempt(this.settings.policy, outcome.status, attemptNo, at, outcome.callback_at);
    store.finishAttempt(attemptId, {
      outcome, carrierStatus: view.carrierStatus, at, row: after, record: view.callId ? this.callRecord(view) : undefined, sameOutcomeFor: sameOutcomeFor(entry.duplicates),
    });
    return { type: 'ended', outcome, view, attemptNo, after };
  }

  /**
   * The queued dial was never made (its window closed before a gateway took it): the attempt is
   * taken back, so the row's next dial has the same number and key, and the undialled job is
   * withdrawn, so that key queues a new dial rather than finding this one again. In that order: a
   * run stopped between the two finds the undialled job under the same key and does this again.
   */
  private async takeBackUndialled(entry: PlannedRow, attemptId: number, ref: string, view: CallView): Promise<AttemptResult> {
    const { gateway, store, logger, emit } = this.settings;
    const reason = view.outcome?.reason ?? 'not dialled: its calling window closed before a gateway took it';
    store.takeBackUndialledAttempt(attemptId);
    if (!entry.resume?.callId) this.dialled--; // counted when this run placed it
    await gateway.scheduling?.withdrawCalls([ref]);
    if (this.settings.abandoned()) return { type: 'abandoned' };
    logger.warn({ row: entry.row.line, reason }, 'a queued dial was not made in its calling window; the row waits for its next window');
    emit({ type: 'row-error', row: entry.row, error: new Error(reason), callId: view.callId || undefined });
    return { type: 'missed-window', reason };
  }

  /**
   * POST /call. A dial that surely never reached the gateway (connection refused, API key refused)
   * takes its attempt back and is a campaign-wide error. A gateway at capacity is waited for and
   * the same dial, with the same key, is sent again: the attempt is not spent.
   */
  private async placeCall(entry: PlannedRow, attemptId: number, request: PlaceCallRequest): Promise<PlacedCall | AttemptResult> {
    const { gateway, store, emit } = this.settings;
    const notAfter = gateway.scheduling ? this.settings.windowEndFor(entry) : undefined;
    let holding = false;
    try {
      for (;;) {
        try {
          return await gateway.placeCall(request, notAfter === undefined ? undefined : { notAfter });
        } catch (error) {
          if (this.settings.abandoned()) return { type: 'abandoned' };
          if (error instanceof GatewayCapacityError) {
            if (!holding) this.capacityWaiters++;
            holding = true;
            this.capacityRefusals++;
            if (await this.waitForCapacity(error)) continue;
            if (this.settings.abandoned()) return { type: 'abandoned' };
            store.cancelAttempt(attemptId);
            emit({ type: 'row-error', row: entry.row, error: new Error('not dialled: the campaign stopped while the gateway was at capacity') });
            return { type: 'not-dialled' };
          }
          if ((error instanceof ServiceUnreachableError && !error.requestMayHaveArrived) || error instanceof ApiKeyRefusedError) {
            store.cancelAttempt(attemptId);
            return { type: 'campaign-error', error };
          }
          throw error;
        }
      }
    } finally {
      if (holding) {
        this.capacityWaiters--;
        this.settings.capacityFreed();
      }
    }
  }

  /** Waits out the gateway's Retry-After (within bounds, plus jitter); false when the campaign stopped meanwhile. */
  private async waitForCapacity(error: GatewayCapacityError): Promise<boolean> {
    const { clock, logger, emit, halt } = this.settings;
    const now = clock.now();
    const waitMs = Math.min(Math.max(error.retryAfterSeconds * 1000, CAPACITY_WAIT_MIN_MS), CAPACITY_WAIT_MAX_MS);
    if (now >= this.capacityUntil) {
      logger.warn({ waitMs, reason: error.reason }, 'gateway at capacity: waiting before dialling again');
      emit({ type: 'gateway-at-capacity', waitMs, message: error.reason });
    }
    this.capacityUntil = Math.max(this.capacityUntil, now + waitMs);
    const resendAt = this.capacityUntil + Math.random() * waitMs * CAPACITY_WAIT_JITTER;
    while (!this.settings.stopping() && clock.now() < resendAt) await clock.sleep(resendAt - clock.now(), halt);
    return !this.settings.stopping();
  }

  private callRecord(view: CallView): CallRecordEntry {
    const rate = this.settings.costPerMinute;
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
}

/**
 * A gateway answer about this row (bad input, a 500 for this call, a lost call) fails the attempt;
 * anything else (unreachable, a refused API key, unknown agent, carrier not configured, a bug) is campaign-wide.
 */
function isAboutThisRow(error: Error, callId: string | undefined): boolean {
  if (!(error instanceof GatewayRequestError)) return false;
  return callId !== undefined || !CAMPAIGN_WIDE_STATUSES.has(error.status);
}

export function sameOutcomeFor(duplicates: readonly CallListRow[]): { rowKey: string; orderId: string }[] | undefined {
  return duplicates.length ? duplicates.map((row) => ({ rowKey: row.key, orderId: row.values['order_id'] ?? '' })) : undefined;
}

export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
