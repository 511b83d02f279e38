import type { LanguageCode } from '@codcall/languages';
import { ARABIC } from './ar';
import { ENGLISH } from './en';
import { SPANISH } from './es';
import { HINDI } from './hi';
import { HINGLISH } from './hi-latn';
import { INDONESIAN } from './id';
import type { Lexicon } from './lexicon';
import { PORTUGUESE } from './pt-br';

export type { Intent, Lexicon } from './lexicon';
export { INTENTS } from './lexicon';

const LEXICONS: Record<LanguageCode, Lexicon> = { en: ENGLISH, hi: HINDI, 'hi-Latn': HINGLISH, ar: ARABIC, es: SPANISH, 'pt-BR': PORTUGUESE, id: INDONESIAN };

/**
 * The lexicons a call in `code` is understood with, its own first. Callers code-switch: into
 * English everywhere ("ok", "cancel", "confirm"), and between Devanagari and Latin Hindi, which
 * the recogniser may write either way.
 */
export function lexiconsFor(code: LanguageCode): Lexicon[] {
  if (code === 'hi') return [HINDI, HINGLISH, ENGLISH];
  if (code === 'hi-Latn') return [HINGLISH, HINDI, ENGLISH];
  // Indian callers answer English agents in Hinglish ("haan ji, confirm kar do"); its words rarely mean anything else in English.
  if (code === 'en') return [ENGLISH, HINGLISH];
  return [LEXICONS[code], ENGLISH];
}
