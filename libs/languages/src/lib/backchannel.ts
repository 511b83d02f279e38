import type { LanguagePack } from './language-pack';
import { LANGUAGE_PACKS } from './registry';

/**
 * Lower case, Latin accents and Arabic vowel marks dropped, punctuation turned into spaces, so
 * "Sí..." and "sí" and "نَعَم" and "نعم" compare alike. Devanagari vowel signs are letters, not
 * accents: they stay.
 */
export function normaliseUtterance(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u064b-\u065f\u0670\u0640]/g, '')
    .normalize('NFC')
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{M}\p{N}\s-]/gu, ' ')
    .replace(/(^|\s)-+|-+(?=\s|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** "hmm" -> h+m+, so "hm", "hmmm" and "hmmmm" all match; "mm-hm" also matches "mm hm" and "mmhm". */
function tokenPattern(token: string): string {
  const letters = [...normaliseUtterance(token)];
  let pattern = '';
  for (let index = 0; index < letters.length; index++) {
    const letter = letters[index];
    if (letter === letters[index - 1]) continue;
    if (letter === ' ' || letter === '-') pattern += '[\\s-]?';
    else pattern += `${letter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}+`;
  }
  return pattern;
}

const patternCache = new WeakMap<readonly LanguagePack[], RegExp>();

function backchannelPattern(packs: readonly LanguagePack[]): RegExp {
  const cached = patternCache.get(packs);
  if (cached) return cached;
  const tokens = [...new Set(packs.flatMap((pack) => pack.backchannels))].map(tokenPattern).sort((a, b) => b.length - a.length);
  const alternatives = tokens.join('|');
  const pattern = new RegExp(`^(?:${alternatives})(?:\\s+(?:${alternatives}))*$`, 'u');
  patternCache.set(packs, pattern);
  return pattern;
}

/**
 * Whether the callee only said "I'm listening": every word a backchannel of one of the packs
 * (all of them by default, since callers code-switch), repeats and elongations included
 * ("haan haan", "hmmm", "ji ji"). "haan, kal bhejna" carries a request: it is not one.
 */
export function isBackchannel(utterance: string, packs: readonly LanguagePack[] = LANGUAGE_PACKS): boolean {
  const said = normaliseUtterance(utterance);
  if (!said) return false;
  return backchannelPattern(packs).test(said);
}
