import { confirmOrder } from './confirm-order.tool';
import { runTool } from './index';

const call = { now: new Date('2026-12-01T09:00:00Z'), timezone: 'Asia/Kolkata' };

describe('confirm_order', () => {
  it('given a callee who answered the order question with yes, the call ends confirmed with the confirmed goodbye', () => {
    const effect = runTool('confirm_order', {}, { ...call, offered: [confirmOrder], orderAnswered: true });
    expect(effect).toEqual({ kind: 'outcome', message: 'Order confirmed.', decision: { outcome: 'confirmed' } });
    expect(confirmOrder.goodbye).toBe('confirmed');
  });

  it('given a callee who has only said who they are, nothing is recorded and the model is told to ask about the order by its number', () => {
    const effect = runTool('confirm_order', {}, { ...call, offered: [confirmOrder], orderAnswered: false, orderId: 'ORD-1042' });
    expect(effect.kind).toBe('refused');
    expect(effect.message).toMatch(/^Not recorded: .*Ask them now about order ORD-1042, saying its number/);
  });

  it('is offered on every call, but records an answer about the order, so only after the callee gave one', () => {
    expect(confirmOrder.offered({ transferAvailable: false, confirmAddress: false, variables: {} })).toBe(true);
    expect(confirmOrder.needsOrderAnswer).toBe(true);
  });
});
