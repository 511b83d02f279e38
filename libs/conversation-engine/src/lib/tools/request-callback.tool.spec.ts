import { runTool } from './index';
import { requestCallback } from './request-callback.tool';

// 14:30 in Kolkata on Tuesday 1 December 2026.
const call = { now: new Date('2026-12-01T09:00:00Z'), timezone: 'Asia/Kolkata', offered: [requestCallback], orderAnswered: false };

describe('request_callback', () => {
  it('given "after 6" said in Kolkata in the afternoon, the call ends callback_requested at 18:00 there, with its offset', () => {
    const effect = runTool('request_callback', { time: 'after 6' }, call);
    expect(effect).toEqual({ kind: 'outcome', message: 'Callback booked for 2026-12-01T18:00+05:30.', decision: { outcome: 'callback_requested', callbackAt: '2026-12-01T18:00+05:30' } });
    expect(requestCallback.goodbye).toBe('callback_requested');
  });

  it('given a time already past, nothing is booked and the model reads why, to ask again', () => {
    const effect = runTool('request_callback', { time: 'this morning at 9' }, call);
    expect(effect.kind).toBe('refused');
    expect(effect.message).toMatch(/^Not booked: /);
  });

  it('given no time at all, the model is told to ask when', () => {
    expect(runTool('request_callback', {}, call)).toEqual({ kind: 'refused', message: 'Not booked: no time was given; ask when to call back.' });
  });

  it('is offered from the first answer on: a callee who is driving has not answered about the order', () => {
    expect(requestCallback.needsOrderAnswer).toBe(false);
  });
});
