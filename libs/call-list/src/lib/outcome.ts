export type OutcomeStatus =
  | 'confirmed'
  | 'cancelled'
  | 'rescheduled'
  | 'wrong_person'
  | 'no_answer'
  | 'busy'
  | 'failed'
  | 'voicemail'
  | 'no_response'
  | 'invalid_number'
  | 'do_not_call'
  | 'callback_requested'
  | 'transferred'
  | 'outside_window';

export const OUTCOME_STATUSES: readonly OutcomeStatus[] = [
  'confirmed', 'cancelled', 'rescheduled', 'wrong_person', 'no_answer', 'busy', 'failed', 'voicemail', 'no_response', 'invalid_number', 'do_not_call',
  'callback_requested', 'transferred', 'outside_window',
];

/**
 * After these a row is never dialled again; the others may be retried by a later run.
 * `callback_requested` is not final: the callee asked to be called at `callback_at`, and is.
 * `transferred` is: a person took the call over, and the order is theirs to settle.
 * `outside_window` is not: the row was never dialled because the run's calling window never
 * opens in its zones (or its zone cannot be known); a run with another window or a timezone cell calls it.
 */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['confirmed', 'cancelled', 'rescheduled', 'wrong_person', 'invalid_number', 'do_not_call', 'transferred']);

/** Columns a call list may have besides the required ones: written when the file has them, never added. */
export const OPTIONAL_OUTCOME_COLUMNS = ['callback_at', 'address_update'] as const;

/** An address correction is a sentence or two; anything longer is not an address. */
export const MAX_ADDRESS_UPDATE_CHARS = 500;

export interface Outcome {
  status: OutcomeStatus;
  reschedule_date?: string;
  reschedule_time?: string;
  /** With callback_requested: when the callee asked to be called, ISO 8601 with its offset ('2026-12-01T18:00+05:30'). */
  callback_at?: string;
  /** The address the callee corrected during the call, with any status. */
  address_update?: string;
}
