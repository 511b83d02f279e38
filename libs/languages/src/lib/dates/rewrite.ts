/**
 * The small machinery every language's date words share: a rewrite is a pattern and what it
 * becomes in the English that chrono-node (and the engine's day anchoring) understands.
 */
export type Rewrite = readonly [RegExp, string | ((...groups: string[]) => string)];

/**
 * A whole-word pattern in any script: JavaScript's \b only knows ASCII letters, and Devanagari
 * vowel signs or Arabic letters would otherwise count as word breaks.
 */
export function words(pattern: string): RegExp {
  // Nor may a match start or end inside a clock time ("5:30", Indonesian "15.30").
  return new RegExp(`(?<![\\p{L}\\p{M}\\p{N}'])(?<!\\p{N}[:.])(?:${pattern})(?![\\p{L}\\p{M}\\p{N}]|[:.]\\p{N})`, 'giu');
}

export function applyRewrites(text: string, rewrites: readonly Rewrite[]): string {
  let result = text;
  for (const [pattern, replacement] of rewrites) {
    result = typeof replacement === 'string' ? result.replace(pattern, replacement) : result.replace(pattern, (...args: unknown[]) => replacement(...(args.slice(0, -2) as string[])));
  }
  return result.replace(/\s+/g, ' ').trim();
}

/** Alternation of a number-word table's keys, longest first so "dua belas" wins over "dua". */
export function alternation(table: Record<string, number>): string {
  return Object.keys(table)
    .sort((a, b) => b.length - a.length)
    .map((key) => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+'))
    .join('|');
}

/** Looks a number word up in a table (spacing-insensitive), or reads digits as they are. */
export function numberFrom(table: Record<string, number>, word: string): number {
  const key = word.toLowerCase().replace(/\s+/g, ' ');
  return table[key] ?? Number(key);
}

/** "4:45" for an hour and a quarter to it, "12:45" for a quarter to one. */
export function quarterTo(hour: number): string {
  return `${hour === 1 ? 12 : hour - 1}:45`;
}

export function halfPast(hour: number): string {
  return `${hour}:30`;
}

/** Devanagari, Arabic-Indic and Persian digits as ASCII digits. */
export function asciiDigits(text: string): string {
  return text
    .replace(/[\u0966-\u096f]/g, (digit) => String(digit.charCodeAt(0) - 0x0966))
    .replace(/[\u0660-\u0669]/g, (digit) => String(digit.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (digit) => String(digit.charCodeAt(0) - 0x06f0));
}

/** Latin accents off ("mañana" -> "manana", "às" -> "as") so patterns need one spelling. */
export function withoutLatinAccents(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').normalize('NFC');
}

export const ENGLISH_WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export const ENGLISH_MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'] as const;

/** Rewrites each name list (index = weekday or month) to its English name. */
export function nameRewrites(names: readonly (readonly string[])[], english: readonly string[]): Rewrite[] {
  return names.map((spellings, index) => [words(spellings.join('|')), english[index]] as const);
}
