import type { ConversationResult } from '@codcall/conversation-engine';
import { outcomeFromCarrier, outcomeFromConversation } from './outcome-mapping';

const ended = (result: Partial<ConversationResult> & Pick<ConversationResult, 'outcome'>): ConversationResult => ({ transcript: [], toolCalls: [], turns: [], ...result });

describe('what a call means for its CSV row', () => {
  it('maps each way a conversation ends to one CSV status, with its reason', () => {
    expect(outcomeFromConversation(ended({ outcome: 'confirmed' }))).toEqual({ status: 'confirmed', reason: undefined });
    expect(outcomeFromConversation(ended({ outcome: 'cancelled', cancelReason: 'found it cheaper' }))).toEqual({ status: 'cancelled', reason: 'found it cheaper' });
    expect(outcomeFromConversation(ended({ outcome: 'rescheduled', rescheduleDate: '2026-12-01', rescheduleTime: '15:00' }))).toEqual({
      status: 'rescheduled',
      reschedule_date: '2026-12-01',
      reschedule_time: '15:00',
    });
    expect(outcomeFromConversation(ended({ outcome: 'do_not_call', reason: 'gets too many calls' }))).toEqual({ status: 'do_not_call', reason: 'gets too many calls' });
    expect(outcomeFromConversation(ended({ outcome: 'do_not_call' }))).toEqual({ status: 'do_not_call', reason: 'the callee asked not to be called again' });
    expect(outcomeFromConversation(ended({ outcome: 'failed', reason: 'OpenAI sent no first token within 2000 ms, twice' }))).toEqual({
      status: 'failed',
      reason: 'OpenAI sent no first token within 2000 ms, twice',
    });
    expect(outcomeFromConversation(ended({ outcome: 'callee_hung_up' })).status).toBe('no_response');
  });

  it('given a callee who asked to be called after 6, the row is to be called at that time', () => {
    expect(outcomeFromConversation(ended({ outcome: 'callback_requested', callbackAt: '2026-12-01T18:00+05:30' }))).toEqual({
      status: 'callback_requested',
      callback_at: '2026-12-01T18:00+05:30',
      reason: 'the callee asked to be called back',
    });
  });

  it('given a callee handed to a person, the call is transferred with why', () => {
    expect(outcomeFromConversation(ended({ outcome: 'transferred', transferReason: 'wants a refund' }))).toEqual({ status: 'transferred', reason: 'wants a refund' });
    expect(outcomeFromConversation(ended({ outcome: 'transferred' }))).toEqual({ status: 'transferred', reason: 'the callee asked for a person' });
  });

  it('given a callee who corrected the address and then confirmed, both reach the row', () => {
    expect(outcomeFromConversation(ended({ outcome: 'confirmed', addressUpdate: 'Flat 4B, Palm Residency, Al Barsha' }))).toEqual({
      status: 'confirmed',
      reason: undefined,
      address_update: 'Flat 4B, Palm Residency, Al Barsha',
    });
    expect(outcomeFromConversation(ended({ outcome: 'callee_hung_up', addressUpdate: 'Al Barsha 2' }))).toMatchObject({ status: 'no_response', address_update: 'Al Barsha 2' });
  });

  it('ends a call before any conversation on busy, no answer, failure and machines', () => {
    expect(outcomeFromCarrier({ carrierCallId: 'CA1', state: 'busy' })).toEqual({ status: 'busy' });
    expect(outcomeFromCarrier({ carrierCallId: 'CA1', state: 'no_answer' })).toEqual({ status: 'no_answer' });
    expect(outcomeFromCarrier({ carrierCallId: 'CA1', answeredBy: 'machine' })).toEqual({ status: 'voicemail', reason: 'answering machine detected' });
    expect(outcomeFromCarrier({ carrierCallId: 'CA1', state: 'ringing' })).toBeNull();
  });
});
