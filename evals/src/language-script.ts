import type { LanguageCode } from '@codcall/languages';

/** Which writing system a language's agent lines are in. */
const SCRIPT: Record<LanguageCode, 'devanagari' | 'arabic' | 'latin'> = {
  en: 'latin',
  hi: 'devanagari',
  'hi-Latn': 'latin',
  ar: 'arabic',
  es: 'latin',
  'pt-BR': 'latin',
  id: 'latin',
};

const LETTERS: Record<'devanagari' | 'arabic' | 'latin', RegExp> = {
  devanagari: /[\u0900-\u097F]/gu,
  arabic: /[\u0600-\u06FF\u0750-\u077F]/gu,
  latin: /[A-Za-z\u00C0-\u024F]/gu,
};

/**
 * Common words that tell the Latin-script languages apart in a short phone line. A line is taken
 * for another language only when that language's words clearly outnumber its own.
 */
const MARKERS: Partial<Record<LanguageCode, readonly string[]>> = {
  en: ['the', 'your', 'you', 'is', 'are', 'order', 'delivery', 'will', 'thank', 'please', 'this', 'calling', 'what', 'when', 'would', 'shall', 'speaking'],
  'hi-Latn': ['aap', 'aapka', 'aapki', 'hai', 'hain', 'ka', 'ki', 'ko', 'kya', 'ji', 'main', 'hoon', 'raha', 'rahi', 'kar', 'karein', 'dhanyavaad', 'shukriya', 'namaste', 'kab', 'kal', 'baje'],
  es: ['el', 'la', 'su', 'usted', 'pedido', 'entrega', 'gracias', 'que', 'de', 'es', 'hola', 'por', 'favor', 'llamo', 'cuándo', 'mañana', 'está', 'habla'],
  'pt-BR': ['o', 'seu', 'sua', 'você', 'pedido', 'entrega', 'obrigado', 'obrigada', 'que', 'de', 'é', 'olá', 'por', 'favor', 'estou', 'quando', 'amanhã', 'falo', 'com'],
  id: ['anda', 'pesanan', 'yang', 'dan', 'untuk', 'terima', 'kasih', 'saya', 'dari', 'apakah', 'ini', 'besok', 'kapan', 'dengan', 'bisa', 'pengiriman', 'bapak', 'ibu'],
};

/** Names, order ids and amounts come from the row, in whatever script it has: they say nothing of the agent's language. */
function withoutRowValues(text: string, rowValues: readonly string[]): string {
  let rest = text;
  for (const value of rowValues) if (value.trim().length > 1) rest = rest.split(value).join(' ');
  return rest;
}

function share(text: string, script: 'devanagari' | 'arabic' | 'latin'): { own: number; all: number } {
  const all = (text.match(/\p{L}/gu) ?? []).length;
  const own = (text.match(LETTERS[script]) ?? []).length;
  return { own, all };
}

/** Why an agent line is not in `language`, or undefined when it is (or cannot be told). */
export function notInLanguage(line: string, language: LanguageCode, rowValues: readonly string[] = []): string | undefined {
  const text = withoutRowValues(line, rowValues);
  const script = SCRIPT[language];
  const { own, all } = share(text, script);
  if (all === 0) return undefined;
  // Loanwords in Latin letters ("OTP", "COD") are common in Hindi and Arabic lines: most letters will do.
  if (own / all < 0.6) return `mostly not in ${script} script`;
  if (script !== 'latin') return undefined;
  const words = text.toLowerCase().match(/[\p{L}']+/gu) ?? [];
  const score = (code: LanguageCode) => words.filter((word) => MARKERS[code]?.includes(word)).length;
  const ownScore = score(language);
  for (const other of Object.keys(MARKERS) as LanguageCode[]) {
    // Hinglish is Hindi mixed with English by definition: "Thank you." is a Hinglish line.
    if (other === language || (language === 'hi-Latn' && other === 'en')) continue;
    const otherScore = score(other);
    if (otherScore >= 2 && otherScore > ownScore * 2) return `reads as ${other}, not ${language}`;
  }
  return undefined;
}
