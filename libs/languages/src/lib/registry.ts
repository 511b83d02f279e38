import type { LanguageCode, LanguagePack } from './language-pack';
import { ARABIC } from './packs/ar';
import { ENGLISH } from './packs/en';
import { HINDI } from './packs/hi';
import { HINGLISH } from './packs/hi-latn';
import { INDONESIAN } from './packs/id';
import { PORTUGUESE_BRAZIL } from './packs/pt-br';
import { SPANISH } from './packs/es';

/** Every language codcall holds calls in; English first, as the default. */
export const LANGUAGE_PACKS: readonly LanguagePack[] = [ENGLISH, HINDI, HINGLISH, ARABIC, SPANISH, PORTUGUESE_BRAZIL, INDONESIAN];

const BY_NAME = new Map<string, LanguagePack>();
for (const pack of LANGUAGE_PACKS) {
  for (const name of [pack.code, pack.name, ...pack.aliases]) BY_NAME.set(normaliseName(name), pack);
}

function normaliseName(text: string): string {
  return text.trim().toLowerCase().replace(/_/g, '-').replace(/\s+/g, ' ');
}

/**
 * The pack a code or alias names ("hi", "Hinglish", "ar-EG", " PT "), or undefined when none
 * does. A regional tag the pack does not list ("ar-JO", "es-CR", "en-AU") falls back to its
 * language, since the pack serves every region of it.
 */
export function findLanguage(text: string | undefined): LanguagePack | undefined {
  if (text === undefined) return undefined;
  const name = normaliseName(text);
  const regional = /^([a-z]{2,3})-[a-z0-9]{2,8}$/.exec(name);
  return BY_NAME.get(name) ?? (regional ? BY_NAME.get(regional[1]) : undefined);
}

export class UnknownLanguageCodeError extends Error {
  constructor(readonly code: string) {
    super(`no language pack for "${code}"; known: ${LANGUAGE_PACKS.map((pack) => pack.code).join(', ')}`);
    this.name = 'UnknownLanguageCodeError';
  }
}

export function languagePack(code: LanguageCode): LanguagePack {
  const pack = LANGUAGE_PACKS.find((candidate) => candidate.code === code);
  // Only reachable from untyped callers: the type admits no other code.
  if (!pack) throw new UnknownLanguageCodeError(code);
  return pack;
}
