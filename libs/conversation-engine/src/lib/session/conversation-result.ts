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
  | 'failed'
  /** The callee named a time to be called again (callbackAt). */
  | 'callback_requested'
  /** The callee asked for a person; the carrier moved the call to the gateway's transfer number. */
  | 'transferred';

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
  /** With callback_requested: when to call, ISO 8601 with the callee's offset, to the minute ('2026-12-01T18:00+05:30'). */
  callbackAt?: string;
  /** The callee's corrected delivery address, whatever the outcome (update_address). */
  addressUpdate?: string;
  /** With transferred: why the callee wanted a person, when the model said. */
  transferReason?: string;
  transcript: TranscriptEntry[];
  toolCalls: { name: string; arguments: Record<string, unknown>; atMs: number; result: string }[];
  /** Every turn the callee lived through, the outcome turn and barge-ins included. */
  turns: TurnTiming[];
}

/** How the call ends, settled once. */
export type Decision = Pick<ConversationResult, 'outcome' | 'rescheduleDate' | 'rescheduleTime' | 'cancelReason' | 'reason' | 'callbackAt' | 'addressUpdate' | 'transferReason'>;
