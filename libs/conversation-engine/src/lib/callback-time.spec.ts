import type { LanguageCode } from '@codcall/languages';
import { resolveCallbackTime } from './callback-time';

// Tuesday 1 December 2026, 09:30 UTC: 15:00 in Kolkata, 13:30 in Dubai, 11:30 in Cairo,
// 03:30 in Mexico City, 06:30 in São Paulo, 16:30 in Jakarta.
const now = new Date('2026-12-01T09:30:00Z');

describe('a callee asks to be called back, and the row gets that moment with their offset', () => {
  it.each<[LanguageCode, string, string, string]>([
    ['en', 'call me after 6', 'Asia/Kolkata', '2026-12-01T18:00+05:30'],
    ['en', 'in an hour', 'Asia/Kolkata', '2026-12-01T16:00+05:30'],
    ['en', 'tomorrow morning', 'Asia/Kolkata', '2026-12-02T10:00+05:30'],
    ['en', 'in the evening', 'Asia/Kolkata', '2026-12-01T18:00+05:30'],
    ['en', 'in 30 minutes', 'Asia/Kolkata', '2026-12-01T15:30+05:30'],
    ['hi-Latn', '6 baje ke baad', 'Asia/Kolkata', '2026-12-01T18:00+05:30'],
    ['hi-Latn', 'ek ghante baad', 'Asia/Kolkata', '2026-12-01T16:00+05:30'],
    ['hi-Latn', 'aadhe ghante mein', 'Asia/Kolkata', '2026-12-01T15:30+05:30'],
    ['hi-Latn', 'kal subah', 'Asia/Kolkata', '2026-12-02T10:00+05:30'],
    ['hi', '६ बजे के बाद', 'Asia/Kolkata', '2026-12-01T18:00+05:30'],
    ['hi', 'दो घंटे बाद', 'Asia/Kolkata', '2026-12-01T17:00+05:30'],
    ['ar', "ba'd al-sa'a sitta", 'Asia/Dubai', '2026-12-01T18:00+04:00'],
    ['ar', 'بعد الساعة ستة', 'Africa/Cairo', '2026-12-01T18:00+02:00'],
    ['ar', 'بعد ساعة', 'Asia/Dubai', '2026-12-01T14:30+04:00'],
    ['ar', 'بكرة الصبح', 'Asia/Dubai', '2026-12-02T10:00+04:00'],
    ['es', 'después de las seis', 'America/Mexico_City', '2026-12-01T18:00-06:00'],
    ['es', 'en una hora', 'America/Mexico_City', '2026-12-01T04:30-06:00'],
    ['es', 'mañana por la mañana', 'America/Mexico_City', '2026-12-02T10:00-06:00'],
    ['pt-BR', 'depois das 18h', 'America/Sao_Paulo', '2026-12-01T18:00-03:00'],
    ['pt-BR', 'daqui a uma hora', 'America/Sao_Paulo', '2026-12-01T07:30-03:00'],
    ['id', 'setelah jam 6', 'Asia/Jakarta', '2026-12-01T18:00+07:00'],
    ['id', 'satu jam lagi', 'Asia/Jakarta', '2026-12-01T17:30+07:00'],
    ['id', 'besok pagi', 'Asia/Jakarta', '2026-12-02T10:00+07:00'],
  ])('%s: "%s" in %s is %s', (language, text, timezone, at) => {
    expect(resolveCallbackTime(text, { now, timezone, language })).toEqual({ ok: true, at });
  });

  it.each<[LanguageCode, string, string, string]>([
    ['hi-Latn', 'abhi busy hoon, das minute baad call karo', 'Asia/Kolkata', '2026-12-01T15:10+05:30'],
    ['hi-Latn', 'shaam ko call karna', 'Asia/Kolkata', '2026-12-01T18:00+05:30'],
    ['hi', 'कल सुबह ११ बजे फ़ोन करना', 'Asia/Kolkata', '2026-12-02T11:00+05:30'],
    ['ar', 'اتصل بي بعد ساعتين', 'Asia/Dubai', '2026-12-01T15:30+04:00'],
    ['es', 'llámame mañana por la tarde', 'America/Mexico_City', '2026-12-02T15:00-06:00'],
    ['pt-BR', 'me liga amanhã às 10h', 'America/Sao_Paulo', '2026-12-02T10:00-03:00'],
    ['id', 'telepon lagi besok jam 9 pagi ya', 'Asia/Jakarta', '2026-12-02T09:00+07:00'],
  ])('%s, a whole sentence: "%s" in %s is %s', (language, text, timezone, at) => {
    expect(resolveCallbackTime(text, { now, timezone, language })).toEqual({ ok: true, at });
  });

  it('an hour already gone today is tomorrow: "after 2" said at 15:00 in Kolkata', () => {
    expect(resolveCallbackTime('after 2', { now, timezone: 'Asia/Kolkata' })).toEqual({ ok: true, at: '2026-12-02T14:00+05:30' });
  });

  it('a part of the day already under way is soon, not tomorrow: "nanti sore" at 16:30 in Jakarta, "shaam ko" at 18:10 in Kolkata', () => {
    expect(resolveCallbackTime('telepon nanti sore', { now, timezone: 'Asia/Jakarta', language: 'id' })).toEqual({ ok: true, at: '2026-12-01T17:00+07:00' });
    // 12:40 UTC is 18:10 in Kolkata.
    expect(resolveCallbackTime('shaam ko call karna', { now: new Date('2026-12-01T12:40:00Z'), timezone: 'Asia/Kolkata', language: 'hi-Latn' })).toEqual({
      ok: true,
      at: '2026-12-01T18:40+05:30',
    });
    // Once the evening is over (21:30), "in the evening" is tomorrow's.
    expect(resolveCallbackTime('in the evening', { now: new Date('2026-12-01T16:00:00Z'), timezone: 'Asia/Kolkata' })).toEqual({ ok: true, at: '2026-12-02T18:00+05:30' });
  });

  it('late at night, "6 baje ke baad" is the next evening in the callee\'s zone', () => {
    // 18:00 UTC is 23:30 in Kolkata.
    expect(resolveCallbackTime('6 baje ke baad', { now: new Date('2026-12-01T18:00:00Z'), timezone: 'Asia/Kolkata', language: 'hi-Latn' })).toEqual({
      ok: true,
      at: '2026-12-02T18:00+05:30',
    });
  });

  it('a moment already gone is refused, so the agent asks again', () => {
    const result = resolveCallbackTime('yesterday at 5', { now, timezone: 'Asia/Kolkata' });
    expect(result).toMatchObject({ ok: false, problem: 'past' });
    if (!result.ok) expect(result.message).toContain('2026-12-01 15:00');
    expect(resolveCallbackTime('ayer por la tarde', { now, timezone: 'America/Mexico_City', language: 'es' })).toMatchObject({ ok: false, problem: 'past' });
  });

  it('words that name no time are unparseable, with how they were read', () => {
    const result = resolveCallbackTime('jab free hoon tab', { now, timezone: 'Asia/Kolkata', language: 'hi-Latn' });
    expect(result).toMatchObject({ ok: false, problem: 'unparseable' });
    expect(resolveCallbackTime('', { now, timezone: 'Asia/Kolkata' })).toMatchObject({ ok: false, problem: 'unparseable' });
    expect(resolveCallbackTime('kal', { now, timezone: 'Asia/Kolkata', language: 'hi-Latn' })).toMatchObject({ ok: false, problem: 'unparseable', message: expect.stringContaining('no time of day') });
  });
});
