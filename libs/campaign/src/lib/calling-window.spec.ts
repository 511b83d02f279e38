import { parseCallingWindow, recipientZones, windowState } from './calling-window';
import { CampaignOptionsError } from './errors';

const at = (iso: string) => new Date(iso).getTime();
const iso = (ms: number) => new Date(ms).toISOString();
const NINE_TO_EIGHT = parseCallingWindow('09:00-20:00', 'mon-sat');

/** When a number may be called, seen from `now` (UTC): open until, or opens at. */
function state(phone: string, now: string, timezone?: string) {
  const { zones } = recipientZones(phone, timezone, 'UTC');
  const s = windowState(NINE_TO_EIGHT, zones, at(now));
  return s.open ? { open: true, until: iso(s.until) } : { open: false, opensAt: iso(s.opensAt) };
}

describe('calling windows in the recipient\'s local time', () => {
  it('India (+91, UTC+5:30): closed at 08:59 IST, open from 09:00 to 20:00 IST', () => {
    expect(state('+919876543210', '2026-11-25T03:29:00Z')).toEqual({ open: false, opensAt: '2026-11-25T03:30:00.000Z' });
    expect(state('+919876543210', '2026-11-25T03:30:00Z')).toEqual({ open: true, until: '2026-11-25T14:30:00.000Z' });
    expect(state('+919876543210', '2026-11-25T14:29:59Z').open).toBe(true);
  });

  it('UAE (+971, UTC+4): 20:00 is already closed; the next call is due at 09:00 the next day', () => {
    expect(state('+971501234567', '2026-11-25T16:00:00Z')).toEqual({ open: false, opensAt: '2026-11-26T05:00:00.000Z' });
    expect(state('+971501234567', '2026-11-25T15:59:00Z')).toEqual({ open: true, until: '2026-11-25T16:00:00.000Z' });
  });

  it('Indonesia (+62, four zones): only while it is 09:00-20:00 from Jakarta to Jayapura, unless a timezone column says where', () => {
    expect(recipientZones('+6281234567890', undefined, 'UTC')).toMatchObject({ source: 'country', country: 'ID' });
    // 09:00 in Jakarta (UTC+7) is 02:00Z; 20:00 in Jayapura (UTC+9) is 11:00Z.
    expect(state('+6281234567890', '2026-11-25T01:00:00Z')).toEqual({ open: false, opensAt: '2026-11-25T02:00:00.000Z' });
    expect(state('+6281234567890', '2026-11-25T02:00:00Z')).toEqual({ open: true, until: '2026-11-25T11:00:00.000Z' });
    expect(state('+6281234567890', '2026-11-25T12:00:00Z')).toEqual({ open: false, opensAt: '2026-11-26T02:00:00.000Z' });
    expect(state('+6281234567890', '2026-11-25T12:00:00Z', 'Asia/Jakarta')).toEqual({ open: true, until: '2026-11-25T13:00:00.000Z' });
  });

  it('Mexico (+52, Cancún UTC-5 to Tijuana UTC-8 in November): 09:00 in Tijuana to 20:00 in Cancún', () => {
    expect(state('+525512345678', '2026-11-25T16:59:00Z')).toEqual({ open: false, opensAt: '2026-11-25T17:00:00.000Z' });
    expect(state('+525512345678', '2026-11-25T17:00:00Z')).toEqual({ open: true, until: '2026-11-26T01:00:00.000Z' });
    expect(state('+525512345678', '2026-11-25T16:59:00Z', 'America/Mexico_City')).toEqual({ open: true, until: '2026-11-26T02:00:00.000Z' });
  });

  it('skips the days that are not listed: Saturday evening in India waits for Monday 09:00', () => {
    // 2026-11-28 is a Saturday; --days mon-sat leaves Sunday out.
    expect(state('+919876543210', '2026-11-28T15:00:00Z')).toEqual({ open: false, opensAt: '2026-11-30T03:30:00.000Z' });
    const everyDay = parseCallingWindow('09:00-20:00', 'mon-sun');
    expect(windowState(everyDay, ['Asia/Kolkata'], at('2026-11-28T15:00:00Z'))).toEqual({ open: false, opensAt: at('2026-11-29T03:30:00Z') });
  });

  it('takes the main country of the calling code when the number\'s own country is unknown (+1 555 test numbers)', () => {
    const zones = recipientZones('+15551234567', undefined, 'UTC');
    expect(zones).toMatchObject({ source: 'calling code', country: 'US' });
    expect(zones.zones).toEqual(expect.arrayContaining(['America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu']));
  });

  it.each([
    ['9-20', 'mon-sun', /--window must be HH:MM-HH:MM/],
    ['20:00-09:00', 'mon-sun', /windows across midnight are not supported/],
    ['09:00-20:00', 'weekdays', /--days must list weekdays/],
    ['09:00-20:00', 'mon-xyz', /--days must list weekdays/],
  ])('refuses --window %s --days %s with a clear message', (window, days, message) => {
    expect(() => parseCallingWindow(window, days)).toThrow(message);
  });

  it('parses day lists and ranges that wrap the weekend', () => {
    expect([...parseCallingWindow('09:00-20:00', 'sat-mon').days].sort()).toEqual([1, 6, 7]);
    expect([...parseCallingWindow('08:30-24:00', 'mon-wed,fri').days].sort()).toEqual([1, 2, 3, 5]);
  });

  it('refuses a timezone cell that is not an IANA zone', () => {
    expect(() => recipientZones('+919876543210', 'India Standard', 'UTC')).toThrow(new CampaignOptionsError('unknown timezone "India Standard" (use an IANA name such as Asia/Kolkata)'));
  });
});
