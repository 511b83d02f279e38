import { runTool } from './index';
import { rescheduleDelivery } from './reschedule-delivery.tool';

// 14:30 in Kolkata on Tuesday 1 December 2026.
const call = { now: new Date('2026-12-01T09:00:00Z'), timezone: 'Asia/Kolkata', offered: [rescheduleDelivery], orderAnswered: true };

describe('reschedule_delivery', () => {
  it('given "tomorrow" at "3 pm" said in Kolkata, the delivery moves to the next day there at 15:00', () => {
    expect(runTool('reschedule_delivery', { date: 'tomorrow', time: '3 pm' }, call)).toEqual({
      kind: 'outcome',
      message: 'Delivery rescheduled to 2026-12-02 at 15:00.',
      decision: { outcome: 'rescheduled', rescheduleDate: '2026-12-02', rescheduleTime: '15:00' },
    });
  });

  it('given a day in the past, nothing is recorded and the model reads why, to ask again', () => {
    const effect = runTool('reschedule_delivery', { date: 'yesterday', time: '5 pm' }, call);
    expect(effect).toEqual({ kind: 'refused', message: expect.stringMatching(/^Not rescheduled: .*in the past/) });
  });

  it('given a callee who only said who they are, the delivery is not moved', () => {
    expect(runTool('reschedule_delivery', { date: 'tomorrow', time: '3 pm' }, { ...call, orderAnswered: false }).kind).toBe('refused');
    expect(rescheduleDelivery.goodbye).toBe('rescheduled');
  });
});
