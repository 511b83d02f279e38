import countriesAndTimezones from 'countries-and-timezones';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { DateTime, IANAZone } from 'luxon';
import { CampaignOptionsError } from './errors';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Local hours and days when a recipient may be called: [start, end) minutes after local midnight. */
export interface CallingWindow {
  startMinute: number;
  endMinute: number;
  /** ISO weekdays, 1 = Monday .. 7 = Sunday. */
  days: ReadonlySet<number>;
}

export const DEFAULT_WINDOW_TEXT = '09:00-20:00';
export const DEFAULT_DAYS_TEXT = 'mon-sun';

/** Parses `--window 09:00-20:00` and `--days mon-sat` (ranges and lists: `mon-fri,sun`). */
export function parseCallingWindow(window: string = DEFAULT_WINDOW_TEXT, days: string = DEFAULT_DAYS_TEXT): CallingWindow {
  const match = /^\s*([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-4]):([0-5]\d)\s*$/.exec(window);
  if (!match) throw new CampaignOptionsError(`--window must be HH:MM-HH:MM in the recipient's local time (e.g. ${DEFAULT_WINDOW_TEXT}), got "${window}"`);
  const startMinute = Number(match[1]) * 60 + Number(match[2]);
  const endMinute = Number(match[3]) * 60 + Number(match[4]);
  if (endMinute > 24 * 60) throw new CampaignOptionsError(`--window ends after 24:00: "${window}"`);
  if (endMinute <= startMinute) {
    throw new CampaignOptionsError(`--window must end after it starts on the same day (windows across midnight are not supported), got "${window}"`);
  }
  return { startMinute, endMinute, days: parseDays(days) };
}

function parseDays(text: string): Set<number> {
  const days = new Set<number>();
  const dayNumber = (name: string) => {
    const index = WEEKDAYS.indexOf(name.trim().toLowerCase().slice(0, 3) as Weekday);
    if (index < 0 || name.trim().length < 3) {
      throw new CampaignOptionsError(`--days must list weekdays (${WEEKDAYS.join(', ')}) or ranges like mon-sat, got "${text}"`);
    }
    return index + 1;
  };
  for (const part of text.split(',')) {
    const [from, to] = part.split('-');
    if (to === undefined) {
      days.add(dayNumber(from));
      continue;
    }
    // A range may wrap the week end: sat-mon is sat, sun, mon.
    for (let day = dayNumber(from), end = dayNumber(to), n = 0; n < 7; day = (day % 7) + 1, n++) {
      days.add(day);
      if (day === end) break;
    }
  }
  return days;
}

export function describeWindow(window: CallingWindow): string {
  const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  const days = [...window.days].sort().map((day) => WEEKDAYS[day - 1]);
  return `${hhmm(window.startMinute)}-${hhmm(window.endMinute)} local time, ${days.length === 7 ? 'every day' : days.join(' ')}`;
}

/** The zones whose local time governs when a number may be called, and where they came from. */
export interface RecipientZones {
  zones: string[];
  source: 'timezone column' | 'area code' | 'country' | 'calling code' | 'fallback';
  country?: string;
}

/**
 * The recipient's timezone(s): the row's `timezone` cell when given (an IANA name; a wrong one is
 * an error), else every zone of the number's country (libphonenumber-js, then
 * countries-and-timezones). A country with several zones (US, Mexico, Indonesia...) is called only
 * when the window is open in all of them, so nobody is called too early or too late; a
 * `timezone` column narrows that. A number whose country cannot be told (e.g. +1 555 test ranges)
 * takes the main country of its calling code; failing that, `fallbackZone`.
 */
export function recipientZones(e164: string, timezoneCell: string | undefined, fallbackZone: string): RecipientZones {
  const cell = timezoneCell?.trim();
  if (cell) {
    if (!IANAZone.isValidZone(cell)) throw new CampaignOptionsError(`unknown timezone "${cell}" (use an IANA name such as Asia/Kolkata)`);
    return { zones: [cell], source: 'timezone column' };
  }
  const parsed = parsePhoneNumberFromString(e164);
  const country = parsed?.country;
  const zonesOf = (code: string) => (countriesAndTimezones.getCountry(code)?.timezones ?? []).filter((zone) => IANAZone.isValidZone(zone));
  if (country && zonesOf(country).length) return { zones: zonesOf(country), source: 'country', country };
  const main = parsed?.getPossibleCountries()[0];
  if (main && zonesOf(main).length) return { zones: zonesOf(main), source: 'calling code', country: main };
  return { zones: [fallbackZone], source: 'fallback' };
}

export type WindowState = { open: true; until: number } | { open: false; opensAt: number };

const MINUTE = 60_000;

/**
 * Whether the window is open at `at` (epoch ms) in every one of `zones`, until when, or when it
 * next opens in all of them. Throws CampaignOptionsError if it never does within two weeks.
 */
export function windowState(window: CallingWindow, zones: readonly string[], at: number): WindowState {
  const state = windowOpening(window, zones, at);
  if (!state) throw new CampaignOptionsError(`${neverOpenReason(window, zones)}; give these rows a timezone column`);
  return state;
}

/** As windowState, but undefined when the window is never open in all of `zones` at once within two weeks of `at`. */
export function windowOpening(window: CallingWindow, zones: readonly string[], at: number): WindowState | undefined {
  let t = at;
  for (let round = 0; round < 64; round++) {
    const opening = Math.max(...zones.map((zone) => nextOpening(window, zone, t)));
    if (opening === t) {
      const until = Math.min(...zones.map((zone) => closingAfter(window, zone, t)));
      return t === at ? { open: true, until } : { open: false, opensAt: t };
    }
    t = opening;
    if (t - at > 14 * 24 * 60 * MINUTE) break;
  }
  return undefined;
}

/** Why a row with these zones is never called in this window: the window and every zone, named. */
export function neverOpenReason(window: CallingWindow, zones: readonly string[]): string {
  return `the calling window (${describeWindow(window)}) is never open in all of ${zones.join(', ')} at once`;
}

/** A window open all day every day needs no zones: any row may be called at any time. */
export function isAlwaysOpen(window: CallingWindow): boolean {
  return window.startMinute === 0 && window.endMinute === 24 * 60 && window.days.size === 7;
}

/** The first instant ≥ at when the window is open in `zone`. */
function nextOpening(window: CallingWindow, zone: string, at: number): number {
  const local = DateTime.fromMillis(at, { zone });
  for (let offset = 0; offset <= 7; offset++) {
    const day = local.plus({ days: offset }).startOf('day');
    if (!window.days.has(day.weekday)) continue;
    const start = atMinute(day, window.startMinute);
    const end = atMinute(day, window.endMinute);
    if (at < end) return Math.max(start, at);
  }
  throw new CampaignOptionsError(`the calling window (${describeWindow(window)}) has no day to call on`);
}

/** When the window that is open at `at` in `zone` closes. */
function closingAfter(window: CallingWindow, zone: string, at: number): number {
  return atMinute(DateTime.fromMillis(at, { zone }).startOf('day'), window.endMinute);
}

function atMinute(day: DateTime, minute: number): number {
  if (minute >= 24 * 60) return day.plus({ days: 1 }).startOf('day').toMillis();
  return day.set({ hour: Math.floor(minute / 60), minute: minute % 60 }).toMillis();
}
