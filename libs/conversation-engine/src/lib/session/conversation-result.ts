import type { TurnTiming } from './turn-timing';

export type ConversationOutcome =
  | 'confirmed'
  | 'cancelled'
  | 'rescheduled'
  | 'wrong_person'
  | 'do_not_call'
  | 'no_response'
  | 'callee_hung_up'
  | 'ended_without_outcome'
  | 'max_duration'
  | 'failed';

export interface TranscriptEntry {
  speaker: 'agent' | 'callee';
  text: string;
  atMs: number;
  interrupted?: boolean;
}

export interface ConversationResult {
  outcome: ConversationOutcome;
  rescheduleDate?: string;
  rescheduleTime?: string;
  cancelReason?: string;
  reason?: string;
  transcript: TranscriptEntry[];
  toolCalls: { name: string; arguments: Record<string, unknown>; atMs: number; result: string }[];
  /** Every turn the callee lived through, the outcome turn and barge-ins included. */
  turns: TurnTiming[];
}

/** How the call ends, settled once. */
export type Decision = Pick<ConversationResult, 'outcome' | 'rescheduleDate' | 'rescheduleTime' | 'cancelReason' | 'reason'>;
