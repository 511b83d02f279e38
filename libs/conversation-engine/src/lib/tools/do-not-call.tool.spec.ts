import { doNotCall } from './do-not-call.tool';
import { runTool } from './index';

describe('do_not_call', () => {
  it('given "stop calling me" as the first answer, the number is never dialled again, with the callee\'s reason', () => {
    const effect = runTool('do_not_call', { reason: 'too many calls' }, { now: new Date(), timezone: 'UTC', offered: [doNotCall], orderAnswered: false });
    expect(effect).toEqual({ kind: 'outcome', message: 'Noted: this number will not be called again.', decision: { outcome: 'do_not_call', reason: 'too many calls' } });
    expect(doNotCall.goodbye).toBe('do_not_call');
  });
});
