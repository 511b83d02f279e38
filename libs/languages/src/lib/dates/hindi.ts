import { alternation, ENGLISH_MONTHS, ENGLISH_WEEKDAYS, halfPast, nameRewrites, numberFrom, quarterTo, words, type Rewrite } from './rewrite';

/** Hour numbers as said on a call, romanised and in Devanagari. */
const NUMBERS: Record<string, number> = {
  ek: 1, do: 2, teen: 3, tin: 3, char: 4, chaar: 4, paanch: 5, panch: 5, paach: 5, chhe: 6, chhah: 6, che: 6, chah: 6,
  saat: 7, sat: 7, aath: 8, aat: 8, nau: 9, das: 10, dus: 10, gyarah: 11, gyara: 11, barah: 12, bara: 12, baara: 12,
  'एक': 1, 'दो': 2, 'तीन': 3, 'चार': 4, 'पाँच': 5, 'पांच': 5, 'छह': 6, 'छः': 6, 'छे': 6, 'सात': 7, 'आठ': 8, 'नौ': 9,
  'दस': 10, 'ग्यारह': 11, 'बारह': 12,
};
const NUMBER = `\\d{1,2}|${alternation(NUMBERS)}`;
const n = (word: string): number => numberFrom(NUMBERS, word);

const BAJE = 'baje|bajey|baj|बजे';
const HOUR_UNIT = 'ghante|ghanta|ghanton|घंटे|घंटा|घंटों';
const MINUTE_UNIT = 'minute|minut|minat|mins?|मिनट';
const AFTER = '(?:ke|के)\\s+(?:baad|bad|बाद)';
const IN = '(?:mein|me|main|में|baad|bad|बाद|ke baad|के बाद)';

const WEEKDAYS = [
  ['somvaar', 'somvar', 'somwar', 'somwaar', 'सोमवार'],
  ['mangalvaar', 'mangalvar', 'mangalwar', 'mangalwaar', 'मंगलवार'],
  ['budhvaar', 'budhvar', 'budhwar', 'budhwaar', 'बुधवार'],
  ['guruvaar', 'guruvar', 'guruwar', 'veervaar', 'brihaspativaar', 'गुरुवार', 'गुरूवार', 'बृहस्पतिवार', 'वीरवार'],
  ['shukravaar', 'shukravar', 'shukrawar', 'shukrwar', 'शुक्रवार'],
  ['shanivaar', 'shanivar', 'shaniwar', 'shaniwaar', 'शनिवार'],
  ['ravivaar', 'ravivar', 'raviwar', 'itwar', 'itvaar', 'etwar', 'रविवार', 'इतवार'],
];
const MONTHS = [
  ['janvari', 'january', 'जनवरी'],
  ['farvari', 'february', 'फ़रवरी', 'फरवरी'],
  ['march', 'मार्च'],
  ['april', 'अप्रैल'],
  ['may', 'मई'],
  ['joon', 'june', 'जून'],
  ['julai', 'july', 'जुलाई'],
  ['agast', 'august', 'अगस्त'],
  ['sitambar', 'september', 'सितंबर', 'सितम्बर'],
  ['aktubar', 'october', 'अक्टूबर', 'अक्तूबर'],
  ['navambar', 'november', 'नवंबर', 'नवम्बर'],
  ['disambar', 'december', 'दिसंबर', 'दिसम्बर'],
];

/**
 * Hindi in Devanagari and romanised (Hinglish): both run over every Hindi call, since callers
 * code-switch and recognisers write either script. "kal" is tomorrow: the agent only ever books
 * forward. Order matters: clock times before "baje", "parson" before "kal".
 */
export const HINDI_REWRITES: readonly Rewrite[] = [
  // "beeta hua kal" (the kal that has gone) makes every kal of the utterance yesterday.
  [/^.*(?:बीता हुआ कल|बीते कल|beeta hua kal|bita hua kal|beete kal|guzra kal).*$/su, (said) => said.replace(words('(?:बीता हुआ |बीते |beeta hua |bita hua |beete |guzra )?(?:kal|कल)'), 'yesterday')],
  // Half and quarter hours: saade 5 = 5:30, sava 5 = 5:15, paune 5 = 4:45, dhai = 2:30, dedh = 1:30.
  [words(`(?:saade|saadhe|sade|sadhe|साढ़े|साढे)\\s+(${NUMBER})`), (_, hour) => halfPast(n(hour))],
  [words(`(?:sava|savaa|sawa|सवा)\\s+(${NUMBER})`), (_, hour) => `${n(hour)}:15`],
  [words(`(?:paune|paunay|पौने)\\s+(${NUMBER})`), (_, hour) => quarterTo(n(hour))],
  [words('dhai|dhaai|ढाई'), '2:30'],
  [words('dedh|derh|डेढ़|डेढ'), '1:30'],
  [words(`(${NUMBER})(?=\\s*(?:${BAJE}|${HOUR_UNIT}|${MINUTE_UNIT}))`), (_, number) => String(n(number))],
  // Callbacks: "6 baje ke baad" = after 6; "ek ghante baad" / "aadhe ghante mein" = in an hour / half an hour.
  [words(`(\\d{1,2}(?::\\d{2})?)\\s*(?:${BAJE})\\s+${AFTER}`), 'after $1'],
  [words(`(?:aadhe|aadha|adhe|आधे|आधा)\\s+(?:${HOUR_UNIT})\\s+${IN}`), 'in 30 minutes'],
  [words(`(\\d{1,2}(?::30)?)\\s*(?:${HOUR_UNIT})\\s+${IN}`), (_, hours) => (hours === '1' ? 'in 1 hour' : `in ${hours.replace(':30', '.5')} hours`)],
  [words(`(\\d{1,3})\\s*(?:${MINUTE_UNIT})\\s+${IN}`), 'in $1 minutes'],
  [words(`(\\d{1,2}(?::\\d{2})?)\\s*(?:${BAJE})`), 'at $1'],
  [words('parson|parso|parsoon|parsõ|परसों|परसो'), 'the day after tomorrow'],
  [words('kal|kaal|कल'), 'tomorrow'],
  [words('aaj|aj|आज'), 'today'],
  [words('subah|subha|subeh|savere|sawere|सुबह|सवेरे'), 'morning'],
  [words('dopahar|dopehar|dupahar|dopaher|दोपहर'), 'afternoon'],
  [words('shaam|sham|shyam|शाम'), 'evening'],
  [words('raat|rat|रात'), 'night'],
  [words('agle|agla|agli|अगले|अगला|अगली'), 'next'],
  ...nameRewrites(WEEKDAYS, ENGLISH_WEEKDAYS),
  ...nameRewrites(MONTHS, ENGLISH_MONTHS),
  // Postpositions and fillers that would split one time phrase in two for chrono.
  [words('ko|ke|ki|ka|se|par|pe|tak|mein|me|wale|waale|din|ko bhi|bhi|को|के|की|का|से|पर|पे|तक|में|वाले|दिन|भी'), ' '],
];
