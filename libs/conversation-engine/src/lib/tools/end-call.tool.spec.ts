import { endCall } from './end-call.tool';
import { runTool } from './index';

describe('end_call', () => {
  it('given a callee who is busy and names no time, the call ends without an outcome, with the reason the model gave', () => {
    const effect = runTool('end_call', { reason: 'busy, no time given' }, { now: new Date(), timezone: 'UTC', offered: [endCall], orderAnswered: false });
    expect(effect).toEqual({ kind: 'outcome', message: 'Ending the call.', decision: { outcome: 'ended_without_outcome', reason: 'busy, no time given' } });
    expect(endCall.goodbye).toBe('ended_without_outcome');
  });
});
