import { toEnglishDateWords, type LanguageCode } from '@codcall/languages';
import { DateTime } from 'luxon';
import { readMoment } from './delivery-slot-calendar';

export type DeliverySlot = { ok: true; date: string; time: string } | { ok: false; problem: 'unparseable' | 'missing_date' | 'missing_time' | 'past'; message: string };

export interface CalleeCalendar {
  now: Date;
  /** The callee's IANA zone: "tomorrow" is their tomorrow. */
  timezone: string;
  /** The language the callee said it in (default English): "kal shaam 5 baje", "besok jam 3 sore". */
  language?: LanguageCode;
}

/**
 * Turns what a caller (or a language model quoting them) said into a delivery date and time on
 * the callee's own calendar: "tomorrow at 3" at 05:00 in Kolkata is the next day there, whatever
 * UTC says. The words may be in any pack's language; they are read as English date words
 * (toEnglishDateWords) first. An hour said with a part of the day is read in it ("shaam 5 baje"
 * 17:00, "jam 3 sore" 15:00); a part of the day alone pins its hour ("shaam" 18:00); bare hours
 * 1-7 mean the afternoon: nobody books a 3 a.m. delivery.
 */
export function resolveDeliverySlot(dateText: string, timeText: string | undefined, options: CalleeCalendar): DeliverySlot {
  const now = calleeNow(options);
  const time = timeText?.trim();
  // "at" keeps a bare hour ("tomorrow", "3") from reading as a day of the month.
  const timePhrase = time ? (/^\d/.test(time) ? `at ${time}` : time) : '';
  const said = [dateText.trim(), timePhrase].filter(Boolean).join(' ');
  if (!said) return { ok: false, problem: 'missing_date', message: `no date was given; today is ${describeToday(now)}` };

  const english = toEnglishDateWords(said, options.language ?? 'en');
  const moment = readMoment(english, now, 'today');
  if (!moment.ok) {
    const quoted = quote(said, english);
    if (moment.problem === 'missing_date') return { ok: false, problem: 'missing_date', message: `${quoted} names no day; ask which day` };
    if (moment.problem === 'missing_time') return { ok: false, problem: 'missing_time', message: `${quoted} has no time of day; ask what time suits the callee` };
    return { ok: false, problem: 'unparseable', message: `could not understand ${quoted} as a date and time; today is ${describeToday(now)}` };
  }
  if (moment.at <= now) {
    return { ok: false, problem: 'past', message: `${moment.at.toFormat('yyyy-MM-dd HH:mm')} is in the past; today is ${describeToday(now)}; ask for a future day and time` };
  }
  return { ok: true, date: moment.at.toISODate() ?? '', time: moment.at.toFormat('HH:mm') };
}

/** The callee's wall clock; an unknown zone is a configuration error, not something to guess. */
export function calleeNow(options: { now: Date; timezone: string }): DateTime {
  const now = DateTime.fromJSDate(options.now).setZone(options.timezone);
  if (!now.isValid) throw new UnknownTimezoneError(options.timezone);
  return now;
}

export class UnknownTimezoneError extends Error {
  constructor(readonly timezone: string) {
    super(`unknown timezone ${timezone}`);
    this.name = 'UnknownTimezoneError';
  }
}

/** The callee's words, and what they were read as when that differs, for the model's next try. */
function quote(said: string, english: string): string {
  return said === english ? `"${said}"` : `"${said}" (read as "${english}")`;
}

export function describeToday(now: DateTime): string {
  return `${now.setLocale('en').toFormat('cccc yyyy-MM-dd HH:mm')} in ${now.zoneName}`;
}

/** Phrases that take chrono-node's English parsers and the daypart and past-date branches through their first use. */
const WARM_UP_PHRASES: [string, string | undefined][] = [
  ['tomorrow', '3 pm'],
  ['next Monday', 'morning'],
  ['the 14th of March', '10:30'],
  ['yesterday', 'noon'],
  ['in two days', undefined],
];
/** One phrase per language, so each language's date-word patterns are compiled before the first call too. */
const WARM_UP_WORDS: [string, LanguageCode][] = [
  ['kal shaam 5 baje', 'hi-Latn'],
  ['कल शाम ५ बजे', 'hi'],
  ['بكرة بعد الظهر الساعة ثلاثة', 'ar'],
  ['mañana a las tres de la tarde', 'es'],
  ['amanhã às 15h', 'pt-BR'],
  ['besok jam 3 sore', 'id'],
];
let parsingWarm = false;

/**
 * Resolves a few phrases once, so the first `reschedule_delivery` of a process does not stall
 * every call in flight while V8 compiles chrono-node's patterns (about 60 and 200 ms, measured, for
 * the first two). Returns the slots it resolved; run it at start-up, before taking calls.
 */
export function warmUpDeliverySlotParsing(now: Date = new Date()): DeliverySlot[] {
  for (const [words, language] of WARM_UP_WORDS) toEnglishDateWords(words, language);
  const slots = WARM_UP_PHRASES.flatMap(([date, time]) =>
    ['Asia/Kolkata', 'America/New_York'].map((timezone) => resolveDeliverySlot(date, time, { now, timezone })),
  );
  parsingWarm = true;
  return slots;
}

/** Whether this process has run the warm-up (start-up checks and tests). */
export function isDeliverySlotParsingWarm(): boolean {
  return parsingWarm;
}
