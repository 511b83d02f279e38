import { DateTime } from 'luxon';
import type { LanguagePack } from '@codcall/languages';
import type { Decision } from './conversation-result';

/**
 * The outcome's placeholders of a goodbye, said the callee's way: {reschedule_date} "Friday 4
 * December" / "शुक्रवार, 4 दिसंबर", {reschedule_time} "3:00 PM" / "15:00", {callback_time} the
 * callback's weekday and time on the callee's clock. Intl formats them per pack.locale; a value
 * that is missing or does not parse is left as it was.
 */
export function spokenOutcomeVariables(decision: Decision, pack: LanguagePack, timezone: string): Record<string, string> {
  return {
    reschedule_date: decision.rescheduleDate ? spokenDate(decision.rescheduleDate, pack) : '',
    reschedule_time: decision.rescheduleTime ? spokenTime(decision.rescheduleTime, pack) : '',
    callback_time: decision.callbackAt ? spokenMoment(decision.callbackAt, pack, timezone) : '',
  };
}

/** '2026-12-04' as the day is said in the pack's language (a calendar date: no zone moves it). */
export function spokenDate(isoDate: string, pack: LanguagePack): string {
  const day = DateTime.fromISO(isoDate, { zone: 'UTC' });
  if (!day.isValid) return isoDate;
  return new Intl.DateTimeFormat(pack.locale, { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(day.toJSDate());
}

/** '15:00' as a time of day is said in the pack's language. */
export function spokenTime(hhmm: string, pack: LanguagePack): string {
  const time = DateTime.fromFormat(hhmm, 'HH:mm', { zone: 'UTC' });
  if (!time.isValid) return hhmm;
  return new Intl.DateTimeFormat(pack.locale, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(time.toJSDate());
}

/** An ISO moment with its offset, as its weekday and time on the callee's clock. */
export function spokenMoment(iso: string, pack: LanguagePack, timezone: string): string {
  const moment = DateTime.fromISO(iso, { setZone: true });
  if (!moment.isValid) return iso;
  return new Intl.DateTimeFormat(pack.locale, { weekday: 'long', hour: 'numeric', minute: '2-digit', timeZone: timezone }).format(moment.toJSDate());
}
