import type { LanguageCode } from '@codcall/languages';
import { resolveDeliverySlot } from './delivery-slot';

// Tuesday 1 December 2026, 09:30 UTC: 15:00 in Kolkata, 13:30 in Dubai, 11:30 in Cairo,
// 03:30 in Mexico City, 06:30 in São Paulo, 16:30 in Jakarta.
const now = new Date('2026-12-01T09:30:00Z');

type Case = [dateText: string, timeText: string | undefined, timezone: string, date: string, time: string];

function slot(language: LanguageCode, [dateText, timeText, timezone]: Case) {
  return resolveDeliverySlot(dateText, timeText, { now, timezone, language });
}

describe('a callee names a delivery day and time in their own language, on their own calendar', () => {
  const cases: Record<LanguageCode, Case[]> = {
    'hi-Latn': [
      ['kal shaam 5 baje', undefined, 'Asia/Kolkata', '2026-12-02', '17:00'],
      ['kal', 'shaam 5 baje', 'Asia/Kolkata', '2026-12-02', '17:00'],
      ['parson subah', undefined, 'Asia/Kolkata', '2026-12-03', '10:00'],
      ['kal shaam', undefined, 'Asia/Kolkata', '2026-12-02', '18:00'],
      ['kal', 'dopahar 2 baje', 'Asia/Kolkata', '2026-12-02', '14:00'],
      ['kal', 'saade paanch baje', 'Asia/Kolkata', '2026-12-02', '17:30'],
      ['aaj raat', undefined, 'Asia/Kolkata', '2026-12-01', '20:00'],
      ['agle somvaar', 'subah 11 baje', 'Asia/Kolkata', '2026-12-07', '11:00'],
      ['kal evening 6 pm', undefined, 'Asia/Kolkata', '2026-12-02', '18:00'],
    ],
    hi: [
      ['कल शाम ५ बजे', undefined, 'Asia/Kolkata', '2026-12-02', '17:00'],
      ['परसों', 'सुबह', 'Asia/Kolkata', '2026-12-03', '10:00'],
      ['शुक्रवार', 'दोपहर तीन बजे', 'Asia/Kolkata', '2026-12-04', '15:00'],
      ['कल', 'रात ८ बजे', 'Asia/Kolkata', '2026-12-02', '20:00'],
    ],
    ar: [
      ["bukra ba'd al-dhuhr", undefined, 'Asia/Dubai', '2026-12-02', '15:00'],
      ['بكرة بعد الظهر', undefined, 'Asia/Dubai', '2026-12-02', '15:00'],
      ["ba'd bukra", 'al-sabah', 'Asia/Dubai', '2026-12-03', '10:00'],
      ['بكرة', 'الساعة ثلاثة', 'Asia/Dubai', '2026-12-02', '15:00'],
      ['bukra', "al-sa'a talata", 'Asia/Dubai', '2026-12-02', '15:00'],
      ['غداً', 'الساعة ٥ ونص المساء', 'Asia/Dubai', '2026-12-02', '17:30'],
      ['يوم الخميس', 'المساء', 'Asia/Dubai', '2026-12-03', '18:00'],
      ['النهارده', 'الساعة ٨ بالليل', 'Africa/Cairo', '2026-12-01', '20:00'],
      ['بعد بكره', 'الساعة عشرة الصبح', 'Africa/Cairo', '2026-12-03', '10:00'],
      ['ghedda', 'f sba7', 'Africa/Cairo', '2026-12-02', '10:00'],
      ['اليوم ما نقدرش، غدا فالعشية مع الخمسة', undefined, 'Africa/Cairo', '2026-12-02', '17:00'],
      ['بعد بكرة', 'الساعة إحدى عشر الصبح', 'Asia/Dubai', '2026-12-03', '11:00'],
      ['bukra', "masa'", 'Asia/Dubai', '2026-12-02', '18:00'],
      ['bukra', 'al-masa, al-sa\'a sab\'a', 'Asia/Dubai', '2026-12-02', '19:00'],
      ['السبت', 'الساعة ١١ الصبح', 'Asia/Dubai', '2026-12-05', '11:00'],
      ['الليلة', 'الساعة تسعة', 'Asia/Dubai', '2026-12-01', '21:00'],
    ],
    es: [
      ['mañana a las tres', undefined, 'America/Mexico_City', '2026-12-02', '15:00'],
      ['mañana', 'a las tres de la tarde', 'America/Mexico_City', '2026-12-02', '15:00'],
      ['el jueves', 'a mediodía', 'America/Mexico_City', '2026-12-03', '12:00'],
      ['pasado mañana', 'por la tarde', 'America/Mexico_City', '2026-12-03', '15:00'],
      ['mañana por la mañana', undefined, 'America/Mexico_City', '2026-12-02', '10:00'],
      ['el lunes', 'a las tres y media de la tarde', 'America/Mexico_City', '2026-12-07', '15:30'],
      ['mañana', 'a las ocho de la noche', 'America/Mexico_City', '2026-12-02', '20:00'],
      ['hoy', 'a las once de la mañana', 'America/Mexico_City', '2026-12-01', '11:00'],
    ],
    'pt-BR': [
      ['amanhã às 15h', undefined, 'America/Sao_Paulo', '2026-12-02', '15:00'],
      ['depois de amanhã', 'de tarde', 'America/Sao_Paulo', '2026-12-03', '15:00'],
      ['sexta-feira', 'às 3 da tarde', 'America/Sao_Paulo', '2026-12-04', '15:00'],
      ['amanhã de manhã', undefined, 'America/Sao_Paulo', '2026-12-02', '10:00'],
      ['amanhã', 'às 14h30', 'America/Sao_Paulo', '2026-12-02', '14:30'],
      ['hoje', 'às duas e meia da tarde', 'America/Sao_Paulo', '2026-12-01', '14:30'],
    ],
    id: [
      ['besok jam 3 sore', undefined, 'Asia/Jakarta', '2026-12-02', '15:00'],
      ['lusa', 'pagi', 'Asia/Jakarta', '2026-12-03', '10:00'],
      ['besok', 'sore', 'Asia/Jakarta', '2026-12-02', '15:00'],
      ['besok', 'jam 2 siang', 'Asia/Jakarta', '2026-12-02', '14:00'],
      ['hari Senin', 'jam 10 pagi', 'Asia/Jakarta', '2026-12-07', '10:00'],
      ['besok', 'jam setengah 5 sore', 'Asia/Jakarta', '2026-12-02', '16:30'],
      ['besok malam', 'jam 7', 'Asia/Jakarta', '2026-12-02', '19:00'],
    ],
    en: [
      ['tomorrow', 'at 5 in the evening', 'Asia/Kolkata', '2026-12-02', '17:00'],
      ['the day after tomorrow', 'morning', 'Asia/Kolkata', '2026-12-03', '10:00'],
    ],
  };

  for (const [language, languageCases] of Object.entries(cases) as [LanguageCode, Case[]][]) {
    it.each(languageCases)(`${language}: "%s" / "%s" in %s is %s %s`, (...row) => {
      const [, , , date, time] = row;
      expect(slot(language, row)).toEqual({ ok: true, date, time });
    });
  }
});

describe('a day already gone is refused, so the agent asks again', () => {
  it.each<[LanguageCode, string, string, string]>([
    ['hi-Latn', 'aaj', 'subah 10 baje', 'Asia/Kolkata'],
    ['hi', 'आज', 'सुबह ९ बजे', 'Asia/Kolkata'],
    ['ar', 'امبارح', 'المساء', 'Asia/Dubai'],
    ['ar', 'اليوم', 'الساعة ٩ الصبح', 'Africa/Cairo'],
    ['hi', 'कल रात को ही भेज देते, बीता हुआ कल', 'सात बजे', 'Asia/Kolkata'],
    ['es', 'ayer', 'por la tarde', 'America/Mexico_City'],
    ['es', 'hoy', 'a las dos de la mañana', 'America/Mexico_City'],
    ['pt-BR', 'ontem', 'de tarde', 'America/Sao_Paulo'],
    ['pt-BR', 'hoje', 'às 6h da manhã', 'America/Sao_Paulo'],
    ['id', 'kemarin', 'sore', 'Asia/Jakarta'],
    ['id', 'hari ini', 'jam 9 pagi', 'Asia/Jakarta'],
  ])('%s: "%s %s" in %s is in the past', (language, dateText, timeText, timezone) => {
    const result = resolveDeliverySlot(dateText, timeText, { now, timezone, language });
    expect(result).toMatchObject({ ok: false, problem: 'past' });
  });
});

describe('"kal" late at night is the next calendar day in the callee\'s zone, not in UTC', () => {
  it('at 23:30 in Kolkata (18:00 UTC) "kal shaam" is the 2nd', () => {
    expect(resolveDeliverySlot('kal shaam', undefined, { now: new Date('2026-12-01T18:00:00Z'), timezone: 'Asia/Kolkata', language: 'hi-Latn' })).toEqual({
      ok: true,
      date: '2026-12-02',
      time: '18:00',
    });
  });

  it('at 00:30 in Kolkata, while UTC is still on the 1st, "kal" is the 3rd and "parson" the 4th', () => {
    const afterMidnight = { now: new Date('2026-12-01T19:00:00Z'), timezone: 'Asia/Kolkata', language: 'hi' as const };
    expect(resolveDeliverySlot('कल', 'शाम ५ बजे', afterMidnight)).toEqual({ ok: true, date: '2026-12-03', time: '17:00' });
    expect(resolveDeliverySlot('परसों', 'सुबह', afterMidnight)).toEqual({ ok: true, date: '2026-12-04', time: '10:00' });
  });

  it('a weekday is counted from the callee\'s today: Monday 00:30 in Jakarta, "hari Senin" is next week\'s', () => {
    // Sunday 6 December 17:30 UTC is Monday 7 December 00:30 in Jakarta.
    expect(resolveDeliverySlot('hari Senin', 'jam 10 pagi', { now: new Date('2026-12-06T17:30:00Z'), timezone: 'Asia/Jakarta', language: 'id' })).toEqual({
      ok: true,
      date: '2026-12-14',
      time: '10:00',
    });
  });
});

describe('what cannot be booked is said so, with how the words were read', () => {
  it('a day with no time asks for the time, and quotes the reading', () => {
    const result = resolveDeliverySlot('parson', undefined, { now, timezone: 'Asia/Kolkata', language: 'hi-Latn' });
    expect(result).toMatchObject({ ok: false, problem: 'missing_time' });
    if (!result.ok) expect(result.message).toContain('"parson" (read as "the day after tomorrow")');
  });

  it('a part of the day with no day asks for the day', () => {
    expect(resolveDeliverySlot('shaam ko', undefined, { now, timezone: 'Asia/Kolkata', language: 'hi-Latn' })).toMatchObject({ ok: false, problem: 'missing_date' });
  });

  it('words with no date in them are unparseable', () => {
    expect(resolveDeliverySlot('jab aap chahein', undefined, { now, timezone: 'Asia/Kolkata', language: 'hi-Latn' })).toMatchObject({ ok: false, problem: 'unparseable' });
  });
});

describe('the English or ISO words a language model passes read the same in every language', () => {
  it.each<LanguageCode>(['en', 'hi', 'hi-Latn', 'ar', 'es', 'pt-BR', 'id'])('%s', (language) => {
    const calendar = { now, timezone: 'Asia/Kolkata', language };
    expect(resolveDeliverySlot('2026-12-04', '15:00', calendar)).toEqual({ ok: true, date: '2026-12-04', time: '15:00' });
    expect(resolveDeliverySlot('tomorrow', '3 pm', calendar)).toEqual({ ok: true, date: '2026-12-02', time: '15:00' });
    expect(resolveDeliverySlot('December 4', 'evening', calendar)).toEqual({ ok: true, date: '2026-12-04', time: '18:00' });
    expect(resolveDeliverySlot('in two days', 'at noon', calendar)).toEqual({ ok: true, date: '2026-12-03', time: '12:00' });
  });
});

describe('a whole utterance, as the offline engine hears it, still gives its day and hour', () => {
  it.each<[LanguageCode, string, string, string, string]>([
    ['hi-Latn', 'haan ji, kal shaam 5 baje bhej dijiye', 'Asia/Kolkata', '2026-12-02', '17:00'],
    ['hi', 'जी, कल शाम पांच बजे भेज दीजिए', 'Asia/Kolkata', '2026-12-02', '17:00'],
    ['ar', 'لا، خليها بكرة بعد الظهر لو سمحت', 'Asia/Dubai', '2026-12-02', '15:00'],
    ['ar', "la, bukra ba'd al-dhuhr inshallah", 'Africa/Cairo', '2026-12-02', '15:00'],
    ['es', 'mejor mañana a las tres de la tarde, por favor', 'America/Mexico_City', '2026-12-02', '15:00'],
    ['pt-BR', 'pode ser amanhã às 15h?', 'America/Sao_Paulo', '2026-12-02', '15:00'],
    ['id', 'besok aja ya, jam 3 sore', 'Asia/Jakarta', '2026-12-02', '15:00'],
    ['en', 'can you come tomorrow, say at 5 in the evening', 'Asia/Kolkata', '2026-12-02', '17:00'],
    ['hi-Latn', 'aaj nahi, kal shaam 5 baje', 'Asia/Kolkata', '2026-12-02', '17:00'],
    ['hi-Latn', 'kal nahi yaar, parson subah', 'Asia/Kolkata', '2026-12-03', '10:00'],
    ['es', 'hoy no puedo, mejor mañana en la tarde', 'America/Mexico_City', '2026-12-02', '15:00'],
    ['en', 'not today, tomorrow at 11 am', 'Asia/Kolkata', '2026-12-02', '11:00'],
    ['hi', 'Actually, tomorrow morning at 10 would be better, आज मैं बाहर हूँ।', 'Asia/Kolkata', '2026-12-02', '10:00'],
    ['es', '¿Lo pueden traer ayer a las cinco? Ay, perdón. Entonces pasado mañana a las once de la mañana.', 'America/Mexico_City', '2026-12-03', '11:00'],
    ['id', 'jam 5 besok', 'Asia/Jakarta', '2026-12-02', '17:00'],
  ])('%s: "%s"', (language, said, timezone, date, time) => {
    expect(resolveDeliverySlot(said, undefined, { now, timezone, language })).toEqual({ ok: true, date, time });
  });
});
