import type { LanguageCode } from '../language-pack';
import { toEnglishDateWords } from './date-words';

/** Every phrase the issue names, and the everyday variants around them, as the English the engine reads. */
describe('toEnglishDateWords', () => {
  it.each<[LanguageCode, string, string]>([
    ['hi-Latn', 'kal shaam 5 baje', 'tomorrow evening at 5'],
    ['hi-Latn', 'parson subah', 'the day after tomorrow morning'],
    ['hi-Latn', 'aaj dopahar', 'today afternoon'],
    ['hi-Latn', 'kal raat 9 baje', 'tomorrow night at 9'],
    ['hi-Latn', 'saade paanch baje', 'at 5:30'],
    ['hi-Latn', 'sava teen baje', 'at 3:15'],
    ['hi-Latn', 'paune chaar baje', 'at 3:45'],
    ['hi-Latn', 'agle somvaar ko', 'next monday'],
    ['hi-Latn', 'shukrawar', 'friday'],
    ['hi-Latn', '6 baje ke baad', 'after 6'],
    ['hi-Latn', 'ek ghante baad', 'in 1 hour'],
    ['hi-Latn', 'do ghante mein', 'in 2 hours'],
    ['hi-Latn', '4 disambar ko', '4 december'],
    ['hi', 'कल शाम ५ बजे', 'tomorrow evening at 5'],
    ['hi', 'परसों सुबह', 'the day after tomorrow morning'],
    ['hi', 'आज रात', 'today night'],
    ['hi', 'सोमवार दोपहर दो बजे', 'monday afternoon at 2'],
    ['hi', 'छह बजे के बाद', 'after 6'],
    ['hi', 'कल रात को ही भेज देते, बीता हुआ कल, सात बजे', 'yesterday night ही भेज देते yesterday at 7'],
    ['hi-Latn', 'beeta hua kal shaam 7 baje', 'yesterday evening at 7'],
    ['ar', "bukra ba'd al-dhuhr", 'tomorrow afternoon'],
    ['ar', 'بكرة بعد الظهر', 'tomorrow afternoon'],
    ['ar', "ba'd bukra", 'the day after tomorrow'],
    ['ar', 'بعد بكرة الصبح', 'the day after tomorrow morning'],
    ['ar', 'غداً المساء', 'tomorrow evening'],
    ['ar', "al-sa'a talata", 'at 3'],
    ['ar', 'الساعة ثلاثة', 'at 3'],
    ['ar', 'الساعة الثالثة', 'at 3'],
    ['ar', 'الساعة ٣', 'at 3'],
    ['ar', 'الساعة سبعة ونص', 'at 7:30'],
    ['ar', 'يوم الخميس', 'thursday'],
    ['ar', 'الاتنين', 'monday'],
    ['ar', "ba'd al-sa'a sitta", 'after 6'],
    ['ar', 'بعد الساعة ستة', 'after 6'],
    ['ar', 'بعد ساعة', 'in 1 hour'],
    ['ar', 'بعد ساعتين', 'in 2 hours'],
    ['ar', 'بكرة الساعة إحدى عشر الصبح', 'tomorrow at 11 morning'],
    ['ar', 'الساعة اثنا عشر', 'at 12'],
    ['ar', 'غدا فالعشية مع الخمسة', 'tomorrow evening at 5'],
    ['ar', 'الليلة الساعة تسعة', 'tonight at 9'],
    ['es', 'mañana a las tres', 'tomorrow at 3'],
    ['es', 'pasado mañana', 'the day after tomorrow'],
    ['es', 'por la tarde', 'afternoon'],
    ['es', 'mañana por la mañana', 'tomorrow morning'],
    ['es', 'a las tres y media de la tarde', 'at 3:30 afternoon'],
    ['es', 'a la una', 'at 1'],
    ['es', 'el próximo viernes', 'next friday'],
    ['es', 'el 4 de diciembre', '4 december'],
    ['es', 'después de las seis', 'after 6'],
    ['es', 'dentro de dos horas', 'in 2 hours'],
    ['pt-BR', 'amanhã às 15h', 'tomorrow at 15:00'],
    ['pt-BR', 'depois de amanhã', 'the day after tomorrow'],
    ['pt-BR', 'de tarde', 'afternoon'],
    ['pt-BR', 'amanhã de manhã', 'tomorrow morning'],
    ['pt-BR', 'às 14h30', 'at 14:30'],
    ['pt-BR', 'às duas e meia', 'at 2:30'],
    ['pt-BR', 'na próxima segunda-feira', 'next monday'],
    ['pt-BR', 'depois das 18h', 'after 18:00'],
    ['pt-BR', 'daqui a uma hora', 'in 1 hour'],
    ['pt-BR', 'umas seis horas', 'at 6'],
    ['pt-BR', 'lá pelas 7', 'at 7'],
    ['id', 'besok jam 3 sore', 'tomorrow at 3 afternoon'],
    ['id', 'lusa', 'the day after tomorrow'],
    ['id', 'pagi', 'morning'],
    ['id', 'siang', 'noon'],
    ['id', 'malam', 'evening'],
    ['id', 'hari Senin', 'monday'],
    ['id', 'jam 15.30', 'at 15:30'],
    ['id', 'jam setengah lima', 'at 4:30'],
    ['id', 'setelah jam 6', 'after 6'],
    ['id', 'satu jam lagi', 'in 1 hour'],
    ['id', 'nanti sore', 'today afternoon'],
  ])('%s: "%s" -> "%s"', (code, said, english) => {
    expect(toEnglishDateWords(said, code)).toBe(english);
  });

  it('leaves English as it is, and words it does not know in place', () => {
    expect(toEnglishDateWords('  next Friday   at 3 pm ', 'en')).toBe('next Friday at 3 pm');
    expect(toEnglishDateWords('kal delivery karna', 'hi-Latn')).toBe('tomorrow delivery karna');
  });

  it('does not take a Hindi "do" (give) for a two, nor a time inside another time', () => {
    expect(toEnglishDateWords('kal bhej do', 'hi-Latn')).toBe('tomorrow bhej do');
    expect(toEnglishDateWords('الساعة ٥ ونص المساء', 'ar')).toBe('at 5:30 evening');
  });
});
