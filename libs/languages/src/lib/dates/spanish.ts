import { alternation, ENGLISH_MONTHS, ENGLISH_WEEKDAYS, nameRewrites, numberFrom, quarterTo, words, type Rewrite } from './rewrite';

const NUMBERS: Record<string, number> = {
  una: 1, uno: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9, diez: 10, once: 11, doce: 12,
};
const NUMBER = `\\d{1,2}|${alternation(NUMBERS)}`;
const n = (word: string): number => numberFrom(NUMBERS, word);
const CLOCK = `(\\d{1,2}:\\d{2}|${NUMBER})`;
const clock = (value: string): string => (value.includes(':') ? value : String(n(value)));

const WEEKDAYS = [['lunes'], ['martes'], ['miercoles'], ['jueves'], ['viernes'], ['sabado'], ['domingo']];
const MONTHS = [
  ['enero'], ['febrero'], ['marzo'], ['abril'], ['mayo'], ['junio'], ['julio'], ['agosto'], ['septiembre', 'setiembre'], ['octubre'], ['noviembre'], ['diciembre'],
];

/**
 * Latin American Spanish, accents already off ("mañana" is "manana"). "mañana" is both
 * tomorrow and the morning: "por/de/en la mañana" is the morning, "pasado mañana" the day
 * after tomorrow, any other "mañana" tomorrow.
 */
export const SPANISH_REWRITES: readonly Rewrite[] = [
  [words('pasado\\s+manana'), 'the day after tomorrow'],
  [words('(?:por|de|en)\\s+la\\s+manana|temprano'), 'morning'],
  [words('esta\\s+manana'), 'today morning'],
  [words('esta\\s+tarde'), 'today afternoon'],
  [words('esta\\s+noche|hoy\\s+en\\s+la\\s+noche'), 'today night'],
  [words('manana'), 'tomorrow'],
  [words('ayer'), 'yesterday'],
  [words('hoy'), 'today'],
  [words('(?:por|de|en)\\s+la\\s+tarde'), 'afternoon'],
  [words('(?:por|de|en)\\s+la\\s+noche'), 'night'],
  [words('(?:al\\s+)?mediodia'), 'noon'],
  // "a las tres y media" = 3:30, "y cuarto" :15, "menos cuarto" a quarter to.
  [words(`(?:las|la)\\s+${CLOCK}\\s+y\\s+media`), (_, hour) => `las ${n(hour)}:30`],
  [words(`(?:las|la)\\s+${CLOCK}\\s+y\\s+cuarto`), (_, hour) => `las ${n(hour)}:15`],
  [words(`(?:las|la)\\s+${CLOCK}\\s+menos\\s+cuarto`), (_, hour) => `las ${quarterTo(n(hour))}`],
  [words(`despues\\s+de\\s+(?:las|la)\\s+${CLOCK}(?:\\s+horas)?`), (_, hour) => `after ${clock(hour)}`],
  [words(`(?:a\\s+)?(?:las|la)\\s+${CLOCK}(?:\\s+(?:horas|hrs|en\\s+punto))?`), (_, hour) => `at ${clock(hour)}`],
  [words(`(?:en|dentro\\s+de)\\s+media\\s+hora`), 'in 30 minutes'],
  [words(`(?:en|dentro\\s+de)\\s+(?:una|1)\\s+hora`), 'in 1 hour'],
  [words(`(?:en|dentro\\s+de)\\s+(${NUMBER})\\s+horas`), (_, hours) => `in ${n(hours)} hours`],
  [words(`(?:en|dentro\\s+de)\\s+(\\d{1,3}|${alternation(NUMBERS)})\\s+minutos`), (_, minutes) => `in ${n(minutes)} minutes`],
  [words('(?:el\\s+)?(?:proximo|siguiente)'), 'next'],
  [words('que\\s+viene'), ''],
  ...nameRewrites(WEEKDAYS, ENGLISH_WEEKDAYS),
  ...nameRewrites(MONTHS, ENGLISH_MONTHS),
  [words('el|la|los|las|de|del|a|al|para|por|en|y|que|dia|mejor|puede\\s+ser|si|porfa|por\\s+favor'), ' '],
];
