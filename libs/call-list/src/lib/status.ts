import { FINAL_STATUSES, OUTCOME_STATUSES, type OutcomeStatus } from './outcome';

/**
 * What a row's status cell means to codcall: `final` (never dialled again), `pending` (to call:
 * empty, a retried outcome such as no_answer or callback_requested, or a "to do" word), or `unknown` (text codcall does
 * not understand: never dialled and never overwritten unless the campaign is told to).
 */
export type StatusKind = 'final' | 'pending' | 'unknown';

export interface RecognisedStatus {
  kind: StatusKind;
  /** The outcome status the cell names; '' for an empty cell or a "to do" word; undefined when unknown. */
  status?: OutcomeStatus | '';
}

/**
 * Words people write in the status column of a row still to call, after normalising (see
 * `normaliseStatusText`). Kept small and obvious on purpose: anything else is listed before
 * dialling rather than guessed at.
 */
export const TO_CALL_WORDS: readonly string[] = ['pending', 'new', 'retry', 'to_call', 'call', 'call_again', 'todo', 'to_do', 'not_called', 'open', 'queued'];

/** Shorthands for an outcome status, after normalising ("Call back", "Callback." are callback_requested). */
const ALIASES: Readonly<Record<string, OutcomeStatus>> = {
  dnc: 'do_not_call',
  donotcall: 'do_not_call',
  dont_call: 'do_not_call',
  noanswer: 'no_answer',
  callback: 'callback_requested',
  call_back: 'callback_requested',
  call_back_requested: 'callback_requested',
  callback_request: 'callback_requested',
  transfered: 'transferred',
  transferred_to_human: 'transferred',
  transferred_to_agent: 'transferred',
};

/**
 * A human-written status as one lower-case word: surrounding spaces and trailing punctuation
 * dropped, dots dropped ("D.N.C." is "dnc"), apostrophes dropped, spaces and hyphens as underscores.
 */
export function normaliseStatusText(cell: string): string {
  return cell
    .trim()
    .toLowerCase()
    .replace(/[.!?,;:]+$/, '')
    .replace(/[.'’]/g, '')
    .replace(/[\s_-]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** "Do Not Call", "DNC", "do-not-call" and "D.N.C." are do_not_call; "Confirmed." is confirmed; "pending" is to call. */
export function recogniseStatus(cell: string): RecognisedStatus {
  const word = normaliseStatusText(cell);
  if (word === '' || TO_CALL_WORDS.includes(word)) return { kind: 'pending', status: '' };
  const status = (OUTCOME_STATUSES as readonly string[]).includes(word) ? (word as OutcomeStatus) : ALIASES[word];
  if (!status) return { kind: 'unknown' };
  return { kind: FINAL_STATUSES.has(status) ? 'final' : 'pending', status };
}

/** True for a final outcome however it is written ("Confirmed.", "DNC"). */
export function isFinalStatus(status: string): boolean {
  return recogniseStatus(status).kind === 'final';
}
