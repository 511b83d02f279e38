import type { CallListRow } from '@codcall/call-list';
import type { CallListReview } from './call-list-review';
import type { CallOutcome } from './gateway-client';

/** Why a row waits: its calling window is closed, a retry's spacing, or the time the callee asked to be called back at. */
export type WaitReason = 'calling window' | 'retry' | 'callback';

/** What a campaign tells its progress display, in order. */
export type CampaignEvent =
  /** Before anything is done: rows left alone (unknown statuses, rows over the gateway's limits) and duplicate groups. */
  | { type: 'call-list-reviewed'; review: CallListReview }
  /** `outsideWindow`: rows this run's calling window never reaches (or whose zone cannot be known), recorded outside_window without a call. */
  | { type: 'campaign-started'; total: number; pending: number; skippedFinal: number; skippedUnknownStatus: number; skippedUnknownLanguage: number; invalidNumbers: number; resumed: number; outsideWindow?: number }
  | { type: 'row-started'; row: CallListRow; attempt: number }
  | { type: 'call-placed'; row: CallListRow; callId: string }
  /** A call that was in flight when an earlier run stopped is being asked after, not dialled again. */
  | { type: 'call-resumed'; row: CallListRow; callId: string }
  /**
   * An outcome was recorded for the row in the CSV (invalid numbers and do-not-call included, never
   * dialled). `sameCallAs`: a duplicate row, given the outcome of the call made for that row.
   * `durationSeconds`: the call's, as the gateway reported it (for outcome webhooks).
   */
  | { type: 'row-finished'; row: CallListRow; outcome: CallOutcome; callId?: string; attempts: number; sameCallAs?: CallListRow; durationSeconds?: number }
  /**
   * The attempt ended with a retried status, or the callee asked to be called back (outcome
   * callback_requested, already in the CSV with its callback_at); the row is called again at `nextDueAt`.
   */
  | { type: 'retry-scheduled'; row: CallListRow; outcome: CallOutcome; attempt: number; nextDueAt: number }
  /** Something went wrong for the row; `recordedAs` says whether the attempt was marked failed. */
  | { type: 'row-error'; row: CallListRow; error: Error; callId?: string; recordedAs?: 'failed' }
  /** Nothing can be dialled now: `rows` wait, the first until `nextDueAt`. */
  | { type: 'waiting'; rows: number; nextDueAt: number; reason: WaitReason }
  /**
   * The gateway is at its limit of live calls (503 + Retry-After): no new call starts, and the
   * refused dials are re-sent with their keys after `waitMs`, without spending an attempt.
   */
  | { type: 'gateway-at-capacity'; waitMs: number; message: string }
  /** No new rows will be dialled; `inFlight` calls are still being waited for. */
  | { type: 'stopping'; reason: 'interrupted' | 'error'; inFlight: number; error?: Error };

export interface CampaignSummary {
  /** Rows in the file. */
  total: number;
  /** Rows this run set out to process: not final, and not left alone (unknown statuses, rows over the gateway's limits). */
  pending: number;
  /** Calls the gateway accepted in this run. */
  dialled: number;
  skippedFinal: number;
  /** Rows whose status codcall does not know, left as they are (not dialled, not written). */
  skippedUnknownStatus: number;
  /** Rows whose language cell names no language codcall knows, left as they are (not dialled, not written). */
  skippedUnknownLanguage: number;
  /** Rows skipped because the gateway would not accept them (skipRowsOverLimits). */
  skippedOverLimits: number;
  /** Duplicate rows that got the outcome of another row's call instead of a call of their own. */
  duplicateRows: number;
  invalidNumbers: number;
  /** Rows recorded outside_window: this run's calling window never opens in their zones (or their zone cannot be known); a later run calls them. */
  outsideWindow: number;
  /** Outcomes recorded in the CSV by this run, per status. */
  byStatus: Record<string, number>;
  /** Retries scheduled by this run (callbacks apart). */
  retriesScheduled: number;
  /** Callbacks the callees asked for, scheduled at their time (and written to the CSV) by this run. */
  callbacksScheduled: number;
  /** Dials the gateway refused as at capacity, re-sent later without spending an attempt. */
  capacityRefusals: number;
  /** Rows still waiting for their calling window, a retry or a callback time when the run ended. */
  waiting: number;
  /** When the first waiting row is due (epoch ms). */
  nextDueAt?: number;
  /** Calls from an earlier run that were asked after instead of dialled again. */
  resumed: number;
  /** Calls still in flight when the drain timeout ran out; the next run asks the gateway about them. */
  abandonedInFlight: number;
  /** Pending rows this run left as they were in the CSV (waiting for a retry, stopped, interrupted, lost); a row waiting for its callback says callback_requested there. */
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
