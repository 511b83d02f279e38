import type { LanguageCode } from '../language-pack';
import { ARABIC_REWRITES, normaliseArabic } from './arabic';
import { HINDI_REWRITES } from './hindi';
import { INDONESIAN_REWRITES } from './indonesian';
import { PORTUGUESE_REWRITES } from './portuguese';
import { applyRewrites, asciiDigits, withoutLatinAccents, type Rewrite } from './rewrite';
import { SPANISH_REWRITES } from './spanish';

interface DateVocabulary {
  prepare(text: string): string;
  rewrites: readonly Rewrite[];
}

const VOCABULARIES: Record<LanguageCode, DateVocabulary> = {
  en: { prepare: (text) => text, rewrites: [] },
  hi: { prepare: (text) => text, rewrites: HINDI_REWRITES },
  'hi-Latn': { prepare: (text) => text, rewrites: HINDI_REWRITES },
  ar: { prepare: normaliseArabic, rewrites: ARABIC_REWRITES },
  es: { prepare: withoutLatinAccents, rewrites: SPANISH_REWRITES },
  'pt-BR': { prepare: withoutLatinAccents, rewrites: PORTUGUESE_REWRITES },
  id: { prepare: (text) => text, rewrites: INDONESIAN_REWRITES },
};

/**
 * A callee's day and time words as the English chrono-node's English parser reads, with the
 * clock time as "at H[:MM]" and callbacks as "after H" or "in N hours": "kal shaam 5 baje" ->
 * "tomorrow evening at 5", "bukra ba'd al-dhuhr" -> "tomorrow afternoon", "besok jam 3 sore" ->
 * "tomorrow at 3 afternoon". Words it does not know pass through; English passes unchanged.
 * It only translates: which day and hour they mean is the engine's business (resolveDeliverySlot).
 */
export function toEnglishDateWords(text: string, code: LanguageCode): string {
  const vocabulary = VOCABULARIES[code];
  if (code === 'en') return text.trim().replace(/\s+/g, ' ');
  const prepared = vocabulary.prepare(asciiDigits(text).toLowerCase()).replace(/[,;!?¿¡।؟،]/g, ' ');
  return applyRewrites(prepared, vocabulary.rewrites);
}
