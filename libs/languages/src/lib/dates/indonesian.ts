import { alternation, ENGLISH_MONTHS, ENGLISH_WEEKDAYS, nameRewrites, numberFrom, words, type Rewrite } from './rewrite';

const NUMBERS: Record<string, number> = {
  satu: 1, dua: 2, tiga: 3, empat: 4, lima: 5, enam: 6, tujuh: 7, delapan: 8, lapan: 8, sembilan: 9, sepuluh: 10,
  sebelas: 11, 'dua belas': 12,
};
const NUMBER = `\\d{1,2}|${alternation(NUMBERS)}`;
const n = (word: string): number => numberFrom(NUMBERS, word);
const CLOCK = `(\\d{1,2}[.:]\\d{2}|${NUMBER})`;
const clock = (value: string): string => (/[.:]/.test(value) ? value.replace('.', ':') : String(n(value)));

const WEEKDAYS = [['senin'], ['selasa'], ['rabu'], ['kamis'], ["jumat", "jum'at"], ['sabtu'], ['minggu(?!\\s+(?:depan|ini|lalu))', 'ahad']];
const MONTHS = [
  ['januari'], ['februari', 'pebruari'], ['maret'], ['april'], ['mei'], ['juni'], ['juli'], ['agustus'], ['september'], ['oktober'], ['november', 'nopember'], ['desember'],
];

/**
 * Indonesian: "jam 3 sore" is 15:00, "setengah 5" half past four (half before five), times are
 * written "15.30". Parts of the day: pagi (morning), siang (midday), sore (afternoon), malam (evening).
 */
export const INDONESIAN_REWRITES: readonly Rewrite[] = [
  [words(`(?:jam|pukul)\\s+setengah\\s+(${NUMBER})`), (_, hour) => `jam ${n(hour) - 1 || 12}:30`],
  [words(`(?:setelah|sesudah|habis|lewat)\\s+(?:jam|pukul)\\s+${CLOCK}`), (_, hour) => `after ${clock(hour)}`],
  [words(`(?:setelah|sesudah|habis)\\s+${CLOCK}(?=\\s|$)`), (_, hour) => `after ${clock(hour)}`],
  [words('(?:setengah\\s+jam\\s+lagi|dalam\\s+setengah\\s+jam|setengah\\s+jam\\s+(?:dari\\s+sekarang|kemudian))'), 'in 30 minutes'],
  [words('(?:sejam\\s+lagi|(?:satu|1|se)\\s+jam\\s+lagi|dalam\\s+(?:satu|1|se)\\s+jam|(?:satu|1)\\s+jam\\s+(?:dari\\s+sekarang|kemudian))'), 'in 1 hour'],
  [words(`(?:dalam\\s+)?(${NUMBER})\\s+jam\\s+(?:lagi|dari\\s+sekarang|kemudian)|dalam\\s+(${NUMBER})\\s+jam`), (_, a, b) => `in ${n(a || b)} hours`],
  [words(`(?:dalam\\s+)?(\\d{1,3}|${alternation(NUMBERS)})\\s+menit\\s+(?:lagi|dari\\s+sekarang|kemudian)`), (_, minutes) => `in ${n(minutes)} minutes`],
  [words(`(?:jam|pukul)\\s+${CLOCK}`), (_, hour) => `at ${clock(hour)}`],
  [words('lusa'), 'the day after tomorrow'],
  [words('besok|besuk|esok'), 'tomorrow'],
  [words('kemarin'), 'yesterday'],
  [words('hari\\s+ini'), 'today'],
  [words('(?:nanti\\s+)?(pagi|siang|sore|malam)\\s+ini|nanti\\s+(pagi|siang|sore|malam)'), (_, a, b) => `today ${a || b}`],
  [words('pagi'), 'morning'],
  [words('siang'), 'noon'],
  [words('sore'), 'afternoon'],
  [words('malam'), 'evening'],
  [words('minggu\\s+depan'), 'next week'],
  ...nameRewrites(WEEKDAYS, ENGLISH_WEEKDAYS),
  [words('(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\\s+depan'), 'next $1'],
  ...nameRewrites(MONTHS, ENGLISH_MONTHS),
  [words('hari|pada|tanggal|tgl|ke|di|aja|saja|dong|ya|nanti|jam|pukul|deh|kak|pak|bu'), ' '],
];
