import { cancelOrder } from './cancel-order.tool';
import { runTool } from './index';

const call = { now: new Date('2026-12-01T09:00:00Z'), timezone: 'Asia/Kolkata', offered: [cancelOrder] };

describe('cancel_order', () => {
  it("given a callee who cancels because they ordered twice, the outcome keeps their reason", () => {
    expect(runTool('cancel_order', { reason: '  ordered twice ' }, { ...call, orderAnswered: true })).toEqual({
      kind: 'outcome',
      message: 'Order cancelled.',
      decision: { outcome: 'cancelled', cancelReason: 'ordered twice' },
    });
  });

  it('given no reason (or an empty one), the outcome has none', () => {
    expect(runTool('cancel_order', { reason: ' ' }, { ...call, orderAnswered: true })).toMatchObject({ decision: { outcome: 'cancelled' } });
    expect(runTool('cancel_order', {}, { ...call, orderAnswered: true })).not.toHaveProperty('decision.cancelReason');
  });

  it('given a callee who has not answered about the order, nothing is cancelled', () => {
    expect(runTool('cancel_order', {}, { ...call, orderAnswered: false }).kind).toBe('refused');
    expect(cancelOrder.goodbye).toBe('cancelled');
  });
});
