import { alternation, ENGLISH_MONTHS, ENGLISH_WEEKDAYS, nameRewrites, numberFrom, quarterTo, words, type Rewrite } from './rewrite';

const NUMBERS: Record<string, number> = {
  uma: 1, um: 1, duas: 2, dois: 2, tres: 3, quatro: 4, cinco: 5, seis: 6, sete: 7, oito: 8, nove: 9, dez: 10, onze: 11, doze: 12,
};
const NUMBER = `\\d{1,2}|${alternation(NUMBERS)}`;
const n = (word: string): number => numberFrom(NUMBERS, word);
const clock = (value: string): string => (value.includes(':') ? value : String(n(value)));

const WEEKDAYS = [
  ['segunda(?:-?\\s?feira)?'], ['terca(?:-?\\s?feira)?'], ['quarta(?:-?\\s?feira)?'], ['quinta(?:-?\\s?feira)?'], ['sexta(?:-?\\s?feira)?'], ['sabado'], ['domingo'],
];
const MONTHS = [
  ['janeiro'], ['fevereiro'], ['marco'], ['abril'], ['maio'], ['junho'], ['julho'], ['agosto'], ['setembro'], ['outubro'], ['novembro'], ['dezembro'],
];

/**
 * Brazilian Portuguese, accents already off ("amanhã" is "amanha", "às" is "as"). "15h",
 * "15h30" and "3 da tarde" are how Brazilians write and say times.
 */
export const PORTUGUESE_REWRITES: readonly Rewrite[] = [
  [/(?<![\p{L}\p{N}])(\d{1,2})\s?h(?:oras?)?\s?(\d{2})(?![\p{L}\p{N}])/gu, '$1:$2'],
  [/(?<![\p{L}\p{N}])(\d{1,2})\s?h(?:oras?|rs?)?(?![\p{L}\p{N}])/gu, '$1:00'],
  [words('depois\\s+de\\s+amanha'), 'the day after tomorrow'],
  [words('(?:de|da|pela|na|a)\\s+manha|cedo'), 'morning'],
  [words('hoje\\s+(?:a|de)\\s+tarde|esta\\s+tarde|nesta\\s+tarde'), 'today afternoon'],
  [words('hoje\\s+(?:a|de)\\s+noite|esta\\s+noite|nesta\\s+noite'), 'today night'],
  [words('amanha'), 'tomorrow'],
  [words('ontem'), 'yesterday'],
  [words('hoje'), 'today'],
  [words('(?:de|da|a|pela|na)\\s+tarde'), 'afternoon'],
  [words('(?:de|da|a|pela|na)\\s+noite'), 'night'],
  [words('(?:ao\\s+)?meio[-\\s]?dia'), 'noon'],
  [words(`(${NUMBER})\\s+e\\s+meia`), (_, hour) => `${n(hour)}:30`],
  [words(`(${NUMBER})\\s+e\\s+quinze`), (_, hour) => `${n(hour)}:15`],
  [words(`quinze\\s+(?:para|pras)\\s+(?:as\\s+|a\\s+)?(${NUMBER})`), (_, hour) => quarterTo(n(hour))],
  [words('(?:daqui\\s+a|em|dentro\\s+de)\\s+meia\\s+hora'), 'in 30 minutes'],
  [words('(?:daqui\\s+a|em|dentro\\s+de)\\s+(?:uma|1)\\s+hora'), 'in 1 hour'],
  [words(`(?:daqui\\s+a|em|dentro\\s+de)\\s+(${NUMBER})\\s+horas`), (_, hours) => `in ${n(hours)} hours`],
  [words(`(?:daqui\\s+a|em|dentro\\s+de)\\s+(\\d{1,3}|${alternation(NUMBERS)})\\s+minutos`), (_, minutes) => `in ${n(minutes)} minutes`],
  [words(`(?:depois|apos)\\s+(?:das|da|de|as|a)\\s+(\\d{1,2}:\\d{2}|${NUMBER})`), (_, hour) => `after ${clock(hour)}`],
  [words(`(?:as|a|pras|pra)\\s+(\\d{1,2}:\\d{2}|${NUMBER})(?=\\s|$)`), (_, hour) => `at ${clock(hour)}`],
  // "umas seis horas", "lá pelas 6", "por volta das 6": around six.
  [words(`(?:umas|la\\s+pelas|pelas|por\\s+volta\\s+das)\\s+(\\d{1,2}:\\d{2}|${NUMBER})(?:\\s+horas)?`), (_, hour) => `at ${clock(hour)}`],
  [words(`(${NUMBER})\\s+horas`), (_, hour) => `at ${clock(hour)}`],
  // "3 da tarde" with no "às" before it.
  [words(`(?<!(?:at|after)\\s)(\\d{1,2}(?::\\d{2})?)(?=\\s+(?:afternoon|night|morning))`), 'at $1'],
  [words('(?:na|no)\\s+(?:proxima|proximo)|(?:proxima|proximo)'), 'next'],
  [words('que\\s+vem'), ''],
  ...nameRewrites(WEEKDAYS, ENGLISH_WEEKDAYS),
  ...nameRewrites(MONTHS, ENGLISH_MONTHS),
  [words('de|da|do|das|dos|na|no|as|a|o|e|para|pra|pela|que|dia|melhor|pode\\s+ser|sim|por\\s+favor'), ' '],
];
