import { alternation, ENGLISH_MONTHS, ENGLISH_WEEKDAYS, nameRewrites, numberFrom, quarterTo, words, type Rewrite } from './rewrite';

/**
 * One spelling per Arabic letter family before matching: hamza seats on alef, final ta marbuta
 * and alef maqsura vary between writers and recognisers ("ثلاثة" / "ثلاثه", "إثنين" / "اثنين").
 */
export function normaliseArabic(text: string): string {
  return text
    .replace(/[\u064b-\u065f\u0670\u0640]/g, '')
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/ة/g, 'ه')
    .replace(/ى/g, 'ي')
    .replace(/[’ʿʾ`]/g, "'");
}

/** Hours 1-12: Gulf, Egyptian, Darija and MSA spellings (cardinals and the MSA ordinals "الثالثه"), then romanised. */
const NUMBERS: Record<string, number> = {
  'واحد': 1, 'وحده': 1, 'الواحده': 1, 'اثنين': 2, 'اتنين': 2, 'ثنين': 2, 'جوج': 2, 'زوج': 2, 'الثانيه': 2, 'ثلاثه': 3, 'تلاته': 3,
  'ثلاث': 3, 'تلات': 3, 'الثالثه': 3, 'اربعه': 4, 'اربع': 4, 'الرابعه': 4, 'خمسه': 5, 'خمس': 5, 'الخامسه': 5, 'سته': 6, 'ست': 6,
'السادسه': 6, 'سبعه': 7, 'سبع': 7, 'السابعه': 7, 'ثمانيه': 8, 'تمانيه': 8, 'ثمان': 8, 'تمنيه': 8, 'الثامنه': 8,
  'تسعه': 9, 'تسع': 9, 'التاسعه': 9, 'عشره': 10, 'عشر': 10, 'العاشره': 10, 'احدعش': 11, 'احداشر': 11, 'حداشر': 11, 'حداش': 11,
  'الحاديه عشر': 11, 'الحاديه عشره': 11, 'احدي عشر': 11, 'احدي عشره': 11, 'احد عشر': 11, 'اثنا عشر': 12, 'اثني عشر': 12, 'اثنتي عشره': 12, 'اثنا عشره': 12, 'اتناشر': 12, 'طناش': 12, 'اطناش': 12, 'الثانيه عشر': 12, 'الثانيه عشره': 12,
  wahda: 1, wahed: 1, wa7da: 1, itnein: 2, itnen: 2, ithnayn: 2, tnin: 2, jouj: 2, talata: 3, tlata: 3, thalatha: 3, tleta: 3,
  "arba'a": 4, arba: 4, arbaa: 4, "arb'a": 4, khamsa: 5, sitta: 6, setta: 6, "sab'a": 7, saba: 7, sabaa: 7, tamanya: 8,
  thamaniya: 8, tmanya: 8, "tis'a": 9, tisa: 9, tesa: 9, "'ashara": 10, ashara: 10, ashra: 10, "3ashara": 10, hidashar: 11,
  hdash: 11, itnashar: 12, itnash: 12, tnash: 12,
};
const NUMBER = `\\d{1,2}|${alternation(NUMBERS)}`;
const n = (word: string): number => numberFrom(NUMBERS, word);

/**
 * "الساعه" (with the article: the clock) marks a clock time, "ساعه" (without: an hour) a
 * duration; romanised alike: "al-sa'a sitta" is six o'clock, "ba'd sa'a" in an hour.
 */
const SA_A = "(?:sa'ah|sa'a|saa'a|sa3a|saa|sa'aa)";
const HOUR_MARK = `(?:(?:ب|ع|في\\s+)?الساعه|(?:al|el|as|es|is|fi|f|l|b)-?\\s?${SA_A})`;
const AFTER = "(?:بعد|ba'd|ba'ad|ba3d|baad|bad)";
const HOUR_NOUN = `(?:ساعه|${SA_A})`;

const WEEKDAYS = [
  ['الاثنين', 'الاتنين', 'التنين', "al-ithnayn", 'el-itnein', 'litnin', 'letnin', 'itnein'],
  ['الثلاثاء', 'الثلاثا', 'التلات', 'التلاتاء', "al-thulatha'", 'al-thulatha', 'el-talat', 'tlat', 'ttlat'],
  ['الاربعاء', 'الاربعا', 'الاربع', "al-arbi'a", 'al-arbia', 'el-arba', 'larbaa', 'larba'],
  ['الخميس', 'al-khamis', 'el-khamis', 'lkhamis', 'khamis'],
  ['الجمعه', "al-jum'a", 'al-juma', 'el-gom3a', 'el-goma', 'jjem3a', 'jumaa'],
  ['السبت', 'al-sabt', 'as-sabt', 'el-sabt', 'ssebt', 'sabt'],
  ['الاحد', 'الحد', 'al-ahad', 'el-had', 'lhed', 'lhad'],
];
const MONTHS = [
  ['يناير', 'كانون الثاني', 'يناير'],
  ['فبراير', 'شباط'],
  ['مارس', 'اذار'],
  ['ابريل', 'نيسان'],
  ['مايو', 'ماي', 'ايار'],
  ['يونيو', 'يونيه', 'حزيران'],
  ['يوليو', 'يوليه', 'تموز'],
  ['اغسطس', 'غشت'],
  ['سبتمبر', 'شتنبر', 'ايلول'],
  ['اكتوبر', 'تشرين الاول'],
  ['نوفمبر', 'نونبر', 'تشرين الثاني'],
  ['ديسمبر', 'دجنبر', 'كانون الاول'],
];

/**
 * Arabic as Gulf, Egyptian and Moroccan callers say it, in Arabic script or romanised ("bukra
 * ba'd al-dhuhr"). Runs over normalised text (see normaliseArabic). "بعد" is both "after 6"
 * ("بعد الساعه سته") and "in an hour" ("بعد ساعه"): the hour marker tells them apart.
 */
export const ARABIC_REWRITES: readonly Rewrite[] = [
  [words(`(${NUMBER})\\s+(?:و|w|wa|u)\\s*(?:نص|nus|noss|nuss|nsf)`), (_, hour) => `${n(hour)}:30`],
  [words(`(${NUMBER})\\s+(?:و|w|wa|u)\\s*(?:ربع|rub3|rubu'?|roba)`), (_, hour) => `${n(hour)}:15`],
  [words(`(${NUMBER})\\s+(?:الا|illa|ella|la)\\s*(?:ربع|rub3|rubu'?|roba)`), (_, hour) => quarterTo(n(hour))],
  [words(`${AFTER}\\s+${HOUR_MARK}\\s+(\\d{1,2}:\\d{2}|${NUMBER})`), (_, hour) => `after ${/:/.test(hour) ? hour : n(hour)}`],
  [words(`${HOUR_MARK}\\s+(\\d{1,2}:\\d{2}|${NUMBER})`), (_, hour) => `at ${/:/.test(hour) ? hour : n(hour)}`],
  // Darija "مع الخمسه" / "m3a l-khamsa": around five.
  [words(`(?:مع|m3a|ma3a)\\s+(?:ال|l-?|el-?)?(${NUMBER})`), (_, hour) => `at ${n(hour)}`],
  // A bare hour before a part of the day: "خمسه المساء", "sitta el-masa".
  [words(`(?<!(?:at|after)\\s)(\\d{1,2}:\\d{2}|${NUMBER})(?=\\s+(?:الصبح|الصباح|صباحا|مساء|المساء|بالليل|الليل|بعد الظهر|الظهر|العصر|(?:al|el|as|es)-?\\s?(?:sabah|sobh|masa|lail|leil|dhuhr|dohr|zuhr)))`), (_, hour) => `at ${/:/.test(hour) ? hour : n(hour)}`],
  [words(`${AFTER}\\s+(?:نص|نصف|nus|noss|nuss)\\s+${HOUR_NOUN}`), 'in 30 minutes'],
  [words(`${AFTER}\\s+(?:ساعتين|sa'?tein|sa3tein|sa'tayn)`), 'in 2 hours'],
  [words(`${AFTER}\\s+(\\d{1,2}|${alternation(NUMBERS)})\\s+(?:ساعات|sa'?at|sa3at)`), (_, hours) => `in ${n(hours)} hours`],
  [words(`${AFTER}\\s+(?:${HOUR_NOUN})(?:\\s+(?:واحده|wahda))?`), 'in 1 hour'],
  [words(`${AFTER}\\s+(\\d{1,3})\\s+(?:دقيقه|دقايق|دقائق|d'i'a|da'i'a|dqiqa|minutes?)`), 'in $1 minutes'],
  [words(`${AFTER}\\s+(?:بكره|بكرا|غدا|غد|bukra|bokra|bukrah|bokrah|ghadan|ghad)`), 'the day after tomorrow'],
  [words('بكره|بكرا|بكري|غدا|غدوه|bukra|bokra|bukrah|bokrah|ghadan|ghudwa|ghedda|ghadda|ghda'), 'tomorrow'],
  [words("امبارح|مبارح|البارحه|امس|البارح|lbareh|embare7|imbarih|ams"), 'yesterday'],
  [words("اليوم|النهارده|النهاردا|ليوم|اليوما|al-yawm|al-yom|el-yom|ennaharda|elnaharda|lyoum|lyouma|lyoma"), 'today'],
  [words(`${AFTER}\\s+(?:الظهر|الضهر|(?:al|el|ad|ed|adh|edh)-?\\s?(?:dhuhr|duhr|dohr|zuhr|dhohr|zohr|dhuhur))|العصر|(?:al|el)-?\\s?'?asr`), 'afternoon'],
  [words("الظهر|الضهر|(?:al|el|ad|ed|adh)-?\\s?(?:dhuhr|duhr|dohr|zuhr|dhohr|zohr)"), 'noon'],
  [words("الصبح|الصباح|صباحا|صباح|الصبحيه|فالصباح|فالصبح|(?:(?:al|el|as|es|is|s)-?\\s?)?(?:sabah|sobh|sob7|subh|sba7|sbah)"), 'morning'],
  [words("المساء|مساء|مساءا|المسا|فالمسا|فالعشيه|بالعشيه|العشيه|عشيه|(?:al|el)-?\\s?masa'?a?|masa'?a?|l3chiya"), 'evening'],
  [words("الليله|الليلادي|(?:el|al)-?\\s?(?:leila|layla|lila)"), 'tonight'],
  [words("بالليل|فالليل|الليل|ليلا|(?:bil|bel|fil|al|el)-?\\s?(?:lail|leil|layl|lil)"), 'night'],
  [words('الجاي|القادم|الجايه|الماجي|(?:el|al)-?\\s?(?:gay|jay|qadim)'), ''],
  ...nameRewrites(WEEKDAYS, ENGLISH_WEEKDAYS),
  ...nameRewrites(MONTHS, ENGLISH_MONTHS),
  [words("يوم|في|فى|على|عل|ان شاء الله|انشاء الله|انشالله|inshallah|insha'allah|nhar|yom|youm|fi|f|ya3ni|يعني"), ' '],
];
