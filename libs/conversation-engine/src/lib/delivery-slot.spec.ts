import { resolveDeliverySlot } from './delivery-slot';

// Tuesday 24 November 2026, 23:30 UTC: already Wednesday 05:00 in Kolkata.
const now = new Date('2026-11-24T23:30:00Z');

describe('resolveDeliverySlot', () => {
  it.each([
    ['tomorrow', '3 pm', 'Asia/Kolkata', '2026-11-26', '15:00'],
    ['tomorrow', '3', 'Asia/Kolkata', '2026-11-26', '15:00'],
    ['tomorrow', 'morning', 'Asia/Kolkata', '2026-11-26', '10:00'],
    ['December 3rd', '2:30 pm', 'Asia/Dubai', '2026-12-03', '14:30'],
    ['in two days', 'at noon', 'America/Mexico_City', '2026-11-26', '12:00'],
    ['2026-12-01', '15:00', 'UTC', '2026-12-01', '15:00'],
    ['today', 'evening', 'Asia/Kolkata', '2026-11-25', '18:00'],
    ['tomorrow', '9 am', 'America/Los_Angeles', '2026-11-25', '09:00'],
  ])('"%s" at "%s" in %s is %s %s', (date, time, timezone, day, clock) => {
    expect(resolveDeliverySlot(date, time, { now, timezone })).toEqual({ ok: true, date: day, time: clock });
  });

  it('refuses a time that has passed and says what today is', () => {
    const slot = resolveDeliverySlot('yesterday', '5 pm', { now, timezone: 'Asia/Kolkata' });
    expect(slot).toMatchObject({ ok: false, problem: 'past' });
    if (!slot.ok) expect(slot.message).toContain('2026-11-25');
  });

  it('asks for a time when only a day was given, and for a day when nothing was', () => {
    expect(resolveDeliverySlot('next Friday', undefined, { now, timezone: 'UTC' })).toMatchObject({ ok: false, problem: 'missing_time' });
    expect(resolveDeliverySlot('', '', { now, timezone: 'UTC' })).toMatchObject({ ok: false, problem: 'missing_date' });
    expect(resolveDeliverySlot('whenever', 'you like', { now, timezone: 'UTC' })).toMatchObject({ ok: false, problem: 'unparseable' });
  });
});
