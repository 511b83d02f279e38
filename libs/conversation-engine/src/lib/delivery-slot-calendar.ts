import * as chrono from 'chrono-node';
import type { ParsedComponents } from 'chrono-node';
import { DateTime, Duration } from 'luxon';

/**
 * What the delivery slot and the callback time share: reading a day and an hour, said in the
 * English of toEnglishDateWords, on the callee's own calendar. chrono-node reads the words; luxon
 * does the arithmetic in the callee's zone (chrono's "tomorrow" follows its zone offset, its
 * "the day after tomorrow" and weekdays follow the machine's, so those days are anchored here).
 */
export type Daypart = 'morning' | 'noon' | 'afternoon' | 'evening' | 'night';

/** The hour a part of the day stands for when no hour is said, as delivery windows start. */
export const DAYPART_HOURS: Record<Daypart, number> = { morning: 10, noon: 12, afternoon: 15, evening: 18, night: 20 };

const DAYPARTS: [RegExp, Daypart][] = [
  [/\bmorning\b/i, 'morning'],
  [/\b(noon|midday|lunch ?time)\b/i, 'noon'],
  [/\bafternoon\b/i, 'afternoon'],
  [/\bevening\b/i, 'evening'],
  [/\b(night|tonight)\b/i, 'night'],
];

/** When each part of the day is over, for a callback asked for a part of the day already under way. */
const DAYPART_ENDS: Record<Daypart, number> = { morning: 12, noon: 14, afternoon: 18, evening: 21, night: 23 };

/** A callback "this evening" asked at 18:10 is soon, not tomorrow: half an hour on, while the evening lasts. */
const SOON_IN_DAYPART_MINUTES = 30;

/** The part of the day said first, since the anchored text puts the chosen day's words first. */
export function findDaypart(text: string): Daypart | undefined {
  let first: { index: number; daypart: Daypart } | undefined;
  for (const [pattern, daypart] of DAYPARTS) {
    const index = text.search(pattern);
    if (index >= 0 && (!first || index < first.index)) first = { index, daypart };
  }
  return first?.daypart;
}

/**
 * An hour said without am/pm, read in the part of the day said with it ("evening at 5" is 17,
 * "3 afternoon" 15, "morning at 9" 9). With no part of the day, 1-7 mean the afternoon: nobody
 * books a 3 a.m. delivery.
 */
export function hourInDaypart(hour: number, daypart: Daypart | undefined): number {
  if (hour >= 12 || hour === 0) return hour;
  switch (daypart) {
    case 'morning':
      return hour;
    case 'noon':
      return hour <= 5 ? hour + 12 : hour;
    case 'afternoon':
    case 'evening':
      return hour + 12;
    case 'night':
      return hour >= 5 ? hour + 12 : hour;
    default:
      return hour >= 1 && hour <= 7 ? hour + 12 : hour;
  }
}

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const DAY_WORDS =
  /\b(?:(the\s+)?day\s+after\s+tomorrow|tomorrow|today|tonight|yesterday|this\s+(morning|afternoon|evening)|(?:(?:next|this|coming|on)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b/gi;

/** Words that say when in a day: a clock time, "after 6", am/pm, a part of the day. */
const TIME_WORDS = /\b(?:at|after|from)\s+\d|\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b|\b(?:morning|noon|midday|afternoon|evening|night|lunch ?time)\b/i;

/**
 * Replaces the relative day ("tomorrow", "the day after tomorrow", "friday") by its date on the
 * callee's calendar, with the words that say when in that day, and puts the date first, where
 * chrono reads a date before its time: "at 5 evening tomorrow" -> "December 2 2026 at 5 evening".
 * When several days are said, the one meant is the last that comes with a time ("not today,
 * tomorrow at 5"; "tomorrow at 10 would be better, today I'm out"), else the last ("aaj nahi,
 * kal"); the words around the other days are dropped, so their hours do not leak in. A weekday
 * is its next one, today excluded.
 */
export function anchorDays(text: string, now: DateTime): { text: string; anchored: boolean } {
  const matches = [...text.matchAll(DAY_WORDS)];
  if (matches.length === 0) return { text, anchored: false };
  // The words after each day, up to the next day; the first day also owns the words before it ("at 5 tomorrow").
  const after = matches.map((match, index) => text.slice((match.index ?? 0) + match[0].length, matches[index + 1]?.index ?? text.length));
  const before = text.slice(0, matches[0].index);
  const timed = matches.map((_, index) => TIME_WORDS.test(after[index]) || (index === 0 && TIME_WORDS.test(before)));
  const chosen = timed.lastIndexOf(true) >= 0 ? timed.lastIndexOf(true) : matches.length - 1;
  const match = matches[chosen];
  const said = match[0].toLowerCase();
  let day: DateTime;
  let daypart = '';
  if (/after/.test(said)) day = now.plus({ days: 2 });
  else if (said === 'tomorrow') day = now.plus({ days: 1 });
  else if (said === 'yesterday') day = now.minus({ days: 1 });
  else if (said === 'today') day = now;
  else if (said === 'tonight') [day, daypart] = [now, 'night'];
  else if (match[2]) [day, daypart] = [now, match[2].toLowerCase()];
  else {
    const weekday = WEEKDAYS.indexOf((match[3] ?? '').toLowerCase()) + 1;
    day = now.plus({ days: ((weekday - now.weekday + 6) % 7) + 1 });
  }
  const context = chosen === 0 && !TIME_WORDS.test(after[0]) ? before : after[chosen];
  return { text: `${day.setLocale('en').toFormat('LLLL d yyyy')} ${daypart} ${context}`.replace(/\s+/g, ' ').trim(), anchored: true };
}

const HALF = /\bin\s+(?:half\s+an?|a\s+half)\s+hours?\b/i;
const DURATION = /\bin\s+(an?|one|\d+(?:\.\d+)?)\s+(hours?|hrs?|minutes?|mins?)\b/i;

/** "in an hour", "in 2 hours", "in 30 minutes" (what toEnglishDateWords makes of "ek ghante baad", "بعد ساعه"...). */
export function readDuration(text: string): Duration | undefined {
  if (HALF.test(text)) return Duration.fromObject({ minutes: 30 });
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const amount = /^(an?|one)$/i.test(match[1]) ? 1 : Number(match[1]);
  return Duration.fromObject({ minutes: Math.round(/^h/i.test(match[2]) ? amount * 60 : amount) });
}

export type SpokenMoment =
  | { ok: true; at: DateTime }
  | { ok: false; problem: 'unparseable' | 'missing_date' | 'missing_time'; text: string };

/**
 * The moment English date words name on the callee's calendar. `timeOnly` says which day a bare
 * time ("at 6", "after 6") falls on: `today` as said, or `next`: today if still ahead, else tomorrow.
 */
export function readMoment(english: string, now: DateTime, timeOnly: 'today' | 'next'): SpokenMoment {
  const duration = readDuration(english);
  if (duration) return { ok: true, at: now.plus(duration).startOf('minute') };
  // "after 6" is from 6 on: a delivery window's start, a callback's earliest time.
  const anchored = anchorDays(english.replace(/\b(?:after|from)\s+(?=\d)/gi, 'at '), now);
  const text = anchored.text;
  const daypart = findDaypart(text);
  // A whole utterance ("haan ji, December 2 2026 evening bhej dijiye at 5") can give chrono the
  // day and the hour as separate results: the day comes from the first that names one, the hour likewise.
  const results = chrono.parse(text, { instant: now.toJSDate(), timezone: now.offset }, { forwardDate: true });
  if (results.length === 0) return { ok: false, problem: 'unparseable', text: english };
  const namesDay = (start: ParsedComponents) => start.isCertain('day') || start.isCertain('weekday') || start.isCertain('month');
  const dayStart = results.find((result) => namesDay(result.start))?.start;
  const hourStart = results.find((result) => result.start.isCertain('hour'))?.start;
  const dayNamed = anchored.anchored || dayStart !== undefined;
  const hourNamed = hourStart !== undefined;
  // "in the evening" names no day: a delivery asks which, a callback takes the next evening.
  if (!dayNamed && !hourNamed && (!daypart || timeOnly === 'today')) return { ok: false, problem: daypart ? 'missing_date' : 'unparseable', text: english };
  if (!hourNamed && !daypart) return { ok: false, problem: 'missing_time', text: english };

  const hour = hourStart ? (hourStart.isCertain('meridiem') ? (hourStart.get('hour') ?? 0) : hourInDaypart(hourStart.get('hour') ?? 0, daypart)) : DAYPART_HOURS[daypart as Daypart];
  const minute = hourStart?.get('minute') ?? 0;
  const dayFrom = dayStart ?? results[0].start;
  const day = dayNamed ? { year: dayFrom.get('year') ?? now.year, month: dayFrom.get('month') ?? now.month, day: dayFrom.get('day') ?? now.day } : { year: now.year, month: now.month, day: now.day };
  let at = DateTime.fromObject({ ...day, hour, minute }, { zone: now.zone });
  if (!at.isValid) return { ok: false, problem: 'unparseable', text: english };
  if (timeOnly === 'next' && !hourNamed && at <= now && at.hasSame(now, 'day') && now.hour < DAYPART_ENDS[daypart as Daypart]) {
    return { ok: true, at: now.plus({ minutes: SOON_IN_DAYPART_MINUTES }).startOf('minute') };
  }
  if (!dayNamed && timeOnly === 'next' && at <= now) at = at.plus({ days: 1 });
  return { ok: true, at };
}
