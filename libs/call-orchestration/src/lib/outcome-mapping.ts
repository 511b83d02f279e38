import type { CarrierStatusUpdate } from '@codcall/telephony-providers';
import type { ConversationResult } from '@codcall/conversation-engine';
import type { CallOutcome } from './call-record';

/** A conversation's end, in the CSV's vocabulary; an address the callee corrected goes with any status. */
export function outcomeFromConversation(result: ConversationResult): CallOutcome {
  const outcome = statusFromConversation(result);
  return result.addressUpdate ? { ...outcome, address_update: result.addressUpdate } : outcome;
}

function statusFromConversation(result: ConversationResult): CallOutcome {
  switch (result.outcome) {
    case 'confirmed':
    case 'cancelled':
    case 'wrong_person':
      return { status: result.outcome, reason: result.cancelReason ?? result.reason };
    case 'rescheduled':
      return {
        status: 'rescheduled',
        reschedule_date: result.rescheduleDate,
        reschedule_time: result.rescheduleTime,
      };
    case 'callback_requested':
      return { status: 'callback_requested', callback_at: result.callbackAt, reason: result.reason ?? 'the callee asked to be called back' };
    case 'transferred':
      return { status: 'transferred', reason: result.transferReason ?? 'the callee asked for a person' };
    case 'do_not_call':
      return { status: 'do_not_call', reason: result.reason ?? 'the callee asked not to be called again' };
    case 'failed':
      return { status: 'failed', reason: result.reason ?? 'the conversation failed' };
    case 'no_response':
      return { status: 'no_response', reason: result.reason ?? 'the callee did not answer the agent' };
    case 'callee_hung_up':
      return { status: 'no_response', reason: 'the callee hung up before deciding' };
    case 'max_duration':
      return { status: 'no_response', reason: 'the call reached its maximum length without a decision' };
    case 'ended_without_outcome':
      return { status: 'no_response', reason: result.reason ?? 'the agent ended the call without a decision' };
  }
}

/** A carrier status that ends a call before any conversation, or null if the call goes on. */
export function outcomeFromCarrier(update: CarrierStatusUpdate): CallOutcome | null {
  if (update.answeredBy === 'machine') return { status: 'voicemail', reason: 'answering machine detected' };
  switch (update.state) {
    case 'busy':
      return { status: 'busy' };
    case 'no_answer':
      return { status: 'no_answer' };
    case 'failed':
      return { status: 'failed', reason: update.detail ?? 'the carrier could not connect the call' };
    case 'canceled':
      return { status: 'failed', reason: 'the call was canceled before it was answered' };
    default:
      return null;
  }
}
