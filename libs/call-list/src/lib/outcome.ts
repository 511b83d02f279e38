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
  | 'do_not_call';

export const OUTCOME_STATUSES: readonly OutcomeStatus[] = [
  'confirmed', 'cancelled', 'rescheduled', 'wrong_person', 'no_answer', 'busy', 'failed', 'voicemail', 'no_response', 'invalid_number', 'do_not_call',
];

/** After these a row is never dialled again; the others may be retried by a later run. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['confirmed', 'cancelled', 'rescheduled', 'wrong_person', 'invalid_number', 'do_not_call']);

export interface Outcome {
  status: OutcomeStatus;
  reschedule_date?: string;
  reschedule_time?: string;
}
