import { toEnglishDateWords } from '@codcall/languages';
import { calleeNow, describeToday, type CalleeCalendar } from './delivery-slot';
import { readMoment } from './delivery-slot-calendar';

export type CallbackTime = { ok: true; at: string } | { ok: false; problem: 'unparseable' | 'past'; message: string };

/**
 * When the callee asked to be called back, on their calendar, as ISO 8601 with their zone's
 * offset at minute precision ('2026-12-01T18:00+05:30'): the campaign retries the row then.
 * "call me after 6" / "6 baje ke baad" / "después de las seis" is today at 18:00 if that is still
 * ahead, else tomorrow; "in an hour" / "ek ghante baad" is an hour from now; "tomorrow morning"
 * is tomorrow at 10:00. A moment already gone is refused ('past') so the agent asks again.
 */
export function resolveCallbackTime(text: string, options: CalleeCalendar): CallbackTime {
  const now = calleeNow(options);
  const said = text.trim();
  const english = toEnglishDateWords(said, options.language ?? 'en');
  const moment = said ? readMoment(english, now, 'next') : undefined;
  if (!moment?.ok) {
    const quoted = said === english ? `"${said}"` : `"${said}" (read as "${english}")`;
    const why = moment?.problem === 'missing_time' ? 'has no time of day' : 'is not a time to call back';
    return { ok: false, problem: 'unparseable', message: `${quoted} ${why}; ask when to call back; it is now ${describeToday(now)}` };
  }
  if (moment.at <= now) {
    return { ok: false, problem: 'past', message: `${moment.at.toFormat('yyyy-MM-dd HH:mm')} has passed; it is now ${describeToday(now)}; ask for a later time` };
  }
  return { ok: true, at: moment.at.toFormat("yyyy-MM-dd'T'HH:mmZZ") };
}
