import type { CallListRow, Outcome } from '@codcall/call-list';
import { silentLogger, type Logger } from '@codcall/logging';
import { CampaignOptionsError, GatewayRequestError } from './errors';
import type { CallOutcome, CarrierName, GatewayClient } from './gateway-client';
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
const DEFAULT_POLL_SECONDS = 25;

export interface CampaignOptions {
  repository: CampaignCallList;
  gateway: GatewayClient;
  agentId: string;
  carrier: CarrierName;
  /** Scripted callees for the carrier simulator, keyed by E.164 number. */
  simulation?: SimulatedCallees;
  /** Calls in flight at most (1..100, default 4). */
  concurrency?: number;
  /** Aborting stops dialling new rows; calls in flight are still waited for and recorded. */
  signal?: AbortSignal;
  onEvent?: (event: CampaignEvent) => void;
  /** Long-poll length for GET /call/:id (1..60 s, default 25). */
  pollSeconds?: number;
  logger?: Logger;
}

export type CampaignEvent =
  | { type: 'campaign-started'; total: number; pending: number; skippedFinal: number; invalidNumbers: number }
  | { type: 'row-started'; row: CallListRow }
  | { type: 'call-placed'; row: CallListRow; callId: string }
  /** An outcome was recorded for the row (invalid numbers included, never dialled). */
  | { type: 'row-finished'; row: CallListRow; outcome: CallOutcome; callId?: string }
  /** Something went wrong for the row; `recordedAs` says whether the row was marked failed (then row-finished follows). */
  | { type: 'row-error'; row: CallListRow; error: Error; callId?: string; recordedAs?: 'failed' }
  /** No new rows will be dialled; `inFlight` calls are still being waited for. */
  | { type: 'stopping'; reason: 'interrupted' | 'error'; inFlight: number; error?: Error };

export interface CampaignSummary {
  /** Rows in the file. */
  total: number;
  /** Rows that were not final when the campaign started. */
  pending: number;
  /** Calls the gateway accepted. */
  dialled: number;
  skippedFinal: number;
  invalidNumbers: number;
  /** Outcomes recorded by this run, per status. */
  byStatus: Record<string, number>;
  /** Pending rows this run left as they were (stopped or interrupted before dialling them, or their call was lost). */
  notRecorded: number;
  interrupted: boolean;
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
 * Dials every pending row of the call list through the gateway, at most `concurrency` at a time
 * and never two at once to the same number, and records each outcome as it arrives.
 * Rows with an unusable number are recorded as invalid_number without dialling.
 *
 * A gateway error about one row marks that row failed and the campaign goes on. An error that
 * would hit every row (gateway unreachable, unknown agent, carrier not configured, CSV not
 * writable) stops dialling, waits for calls in flight, and throws CampaignStoppedError.
 */
export async function runCampaign(options: CampaignOptions): Promise<CampaignSummary> {
  return new CampaignRun(options).run();
}

/** POST /call answers that would be the same for every row: stop rather than fail each row. */
const CAMPAIGN_WIDE_STATUSES = new Set([401, 403, 404, 502, 503]);

class CampaignRun {
  private readonly concurrency: number;
  private readonly pollSeconds: number;
  private readonly logger: Logger;
  private readonly startedAt = Date.now();
  private readonly byStatus: Record<string, number> = {};
  /** Rows to dial in file order; `cursor` is the next one not yet taken. */
  private queue: CallListRow[] = [];
  private cursor = 0;
  /** Rows passed over because their number was on a call at the time; taken first once it is free. */
  private readonly deferred: CallListRow[] = [];
  private readonly numbersInFlight = new Set<string>();
  private inFlight = 0;
  private dialled = 0;
  private fatal: Error | undefined;
  private callEnded: { promise: Promise<void>; resolve: () => void } = deferred();

  constructor(private readonly options: CampaignOptions) {
    this.concurrency = checkRange('concurrency', options.concurrency ?? DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY);
    this.pollSeconds = checkRange('pollSeconds', options.pollSeconds ?? DEFAULT_POLL_SECONDS, 1, 60);
    this.logger = (options.logger ?? silentLogger()).child({ component: 'campaign' });
  }

  async run(): Promise<CampaignSummary> {
    const { repository, signal } = this.options;
    const total = repository.rows().length;
    const pending = repository.pendingRows();
    const invalid = pending.filter((row) => !row.phone.ok);
    this.queue = pending.filter((row) => row.phone.ok);
    this.emit({ type: 'campaign-started', total, pending: pending.length, skippedFinal: total - pending.length, invalidNumbers: invalid.length });
    this.logger.info({ total, pending: pending.length, invalid: invalid.length, concurrency: this.concurrency }, 'campaign started');

    const onAbort = () => {
      this.logger.warn({ inFlight: this.inFlight }, 'interrupted: no new calls; waiting for calls in flight');
      this.emit({ type: 'stopping', reason: 'interrupted', inFlight: this.inFlight });
      this.callEnded.resolve(); // wakes workers waiting for a number to free up, so they can leave
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.recordInvalidNumbers(invalid);
      const workers = Math.min(this.concurrency, this.queue.length);
      await Promise.all(Array.from({ length: workers }, () => this.work()));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    try {
      await repository.flush();
    } catch (error) {
      this.fatal ??= asError(error);
    }

    const recorded = Object.values(this.byStatus).reduce((sum, count) => sum + count, 0);
    const summary: CampaignSummary = {
      total,
      pending: pending.length,
      dialled: this.dialled,
      skippedFinal: total - pending.length,
      invalidNumbers: this.byStatus['invalid_number'] ?? 0,
      byStatus: { ...this.byStatus },
      notRecorded: pending.length - recorded,
      interrupted: signal?.aborted ?? false,
      durationMs: Date.now() - this.startedAt,
    };
    this.logger.info({ ...summary }, 'campaign ended');
    if (this.fatal) throw new CampaignStoppedError(this.fatal, summary);
    return summary;
  }

  private get stopping(): boolean {
    return this.fatal !== undefined || this.options.signal?.aborted === true;
  }

  private async recordInvalidNumbers(rows: CallListRow[]): Promise<void> {
    if (this.stopping) return;
    // Recorded together, so the repository can share one journal fsync between them.
    const results = await Promise.allSettled(rows.map((row) => this.options.repository.record(row.key, { status: 'invalid_number' })));
    results.forEach((result, i) => {
      const row = rows[i];
      if (result.status === 'rejected') {
        const error = asError(result.reason);
        this.emit({ type: 'row-error', row, error });
        return this.stop(error);
      }
      this.count('invalid_number');
      this.emit({ type: 'row-finished', row, outcome: { status: 'invalid_number', reason: row.phone.ok ? undefined : row.phone.reason } });
    });
  }

  /** One dialling slot: takes the next row whose number is not already being called, until none is left. */
  private async work(): Promise<void> {
    while (!this.stopping) {
      const row = this.takeNextRow();
      if (row) {
        await this.callRow(row);
        continue;
      }
      if (this.cursor >= this.queue.length && this.deferred.length === 0) return;
      await this.callEnded.promise; // every row left has its number on a call right now
    }
  }

  private takeNextRow(): CallListRow | undefined {
    const free = (row: CallListRow) => !this.numbersInFlight.has(e164(row));
    const waited = this.deferred.findIndex(free);
    if (waited >= 0) return this.deferred.splice(waited, 1)[0];
    while (this.cursor < this.queue.length) {
      const row = this.queue[this.cursor++];
      if (free(row)) return row;
      this.deferred.push(row);
    }
    return undefined;
  }

  private async callRow(row: CallListRow): Promise<void> {
    const to = e164(row);
    this.numbersInFlight.add(to);
    this.inFlight++;
    try {
      await this.dialAndRecord(row, to);
    } finally {
      this.inFlight--;
      this.numbersInFlight.delete(to);
      const ended = this.callEnded;
      this.callEnded = deferred();
      ended.resolve();
    }
  }

  private async dialAndRecord(row: CallListRow, to: string): Promise<void> {
    const { gateway, agentId, carrier, simulation } = this.options;
    let log = this.logger.child({ row: row.line });
    let callId: string | undefined;
    this.emit({ type: 'row-started', row });
    let outcome: CallOutcome;
    try {
      const placed = await gateway.placeCall({ agentId, to, context: { ...row.values }, carrier, simulation: simulation?.[to] });
      callId = placed.callId;
      this.dialled++;
      log = log.child({ callId });
      log.info({ to, carrier }, 'call placed');
      this.emit({ type: 'call-placed', row, callId });
      let view = await gateway.waitForCall(callId, this.pollSeconds);
      while (view.state !== 'completed' || !view.outcome) view = await gateway.waitForCall(callId, this.pollSeconds);
      outcome = view.outcome;
    } catch (caught) {
      const error = asError(caught);
      if (!isAboutThisRow(error, callId)) {
        log.warn({ err: error }, 'campaign-wide failure; row left as it was');
        this.emit({ type: 'row-error', row, error, callId });
        return this.stop(error);
      }
      log.warn({ err: error }, 'gateway error for this row; recording failed');
      this.emit({ type: 'row-error', row, error, callId, recordedAs: 'failed' });
      outcome = { status: 'failed', reason: error instanceof GatewayRequestError ? error.reason : error.message };
    }

    try {
      await this.options.repository.record(row.key, toRecordedOutcome(outcome));
    } catch (error) {
      log.error({ err: error, status: outcome.status }, 'could not record the outcome');
      this.emit({ type: 'row-error', row, error: asError(error), callId });
      return this.stop(asError(error));
    }
    log.info({ status: outcome.status, reason: outcome.reason }, 'outcome recorded');
    this.count(outcome.status);
    this.emit({ type: 'row-finished', row, outcome, callId });
  }

  private stop(error: Error): void {
    if (this.fatal) return;
    this.fatal = error;
    // Called from inside a call slot (or before any), so the others are what is still in flight.
    const inFlight = Math.max(this.inFlight - 1, 0);
    this.logger.warn({ err: error, inFlight }, 'stopping: no new calls; waiting for calls in flight');
    this.emit({ type: 'stopping', reason: 'error', inFlight, error });
    this.callEnded.resolve();
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
 * A gateway answer about this row (bad input, a 500 for this call, a lost call) fails the row;
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

function e164(row: CallListRow): string {
  if (!row.phone.ok) throw new Error(`row ${row.line} has no usable number`); // filtered out before dialling
  return row.phone.e164;
}

function checkRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CampaignOptionsError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
