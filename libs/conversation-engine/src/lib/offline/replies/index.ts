import type { LanguageCode } from '@codcall/languages';
import { ARABIC_REPLIES } from './ar';
import { ENGLISH_REPLIES } from './en';
import { SPANISH_REPLIES } from './es';
import { HINDI_REPLIES } from './hi';
import { HINGLISH_REPLIES } from './hi-latn';
import { INDONESIAN_REPLIES } from './id';
import { PORTUGUESE_REPLIES } from './pt-br';
import type { Replies } from './replies';

export type { OrderFacts, Replies } from './replies';

const REPLIES: Record<LanguageCode, Replies> = {
  en: ENGLISH_REPLIES,
  hi: HINDI_REPLIES,
  'hi-Latn': HINGLISH_REPLIES,
  ar: ARABIC_REPLIES,
  es: SPANISH_REPLIES,
  'pt-BR': PORTUGUESE_REPLIES,
  id: INDONESIAN_REPLIES,
};

export function repliesFor(code: LanguageCode): Replies {
  return REPLIES[code];
}
