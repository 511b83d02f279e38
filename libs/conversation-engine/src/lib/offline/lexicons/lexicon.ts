import type { LanguageCode } from '@codcall/languages';

/**
 * What the callee may mean, most decisive first: a callee who says "yes, but stop calling me"
 * wants the calls stopped, one who says "no, I don't want it" wants it cancelled.
 */
export const INTENTS = [
  'do_not_call',
  'wrong_person',
  'human',
  'callback',
  'cancel',
  'anger',
  'address',
  'reschedule',
  'who',
  'amount',
  'confirm',
  'no',
  'yes',
] as const;
export type Intent = (typeof INTENTS)[number];

/**
 * One language's words for a COD confirmation call. Each entry is a regular-expression source
 * for a phrase, written in lower case; a space stands for any run of spaces, and a phrase only
 * matches whole words. Accents, Arabic hamza and vowel marks, Hindi nukta and chandrabindu are
 * folded away on both sides (see understanding.ts), so "sí"/"si" and "أكد"/"اكد" read alike.
 */
export interface Lexicon {
  code: LanguageCode;
  /**
   * `yes`: an affirmation that answers the question asked ("haan ji, bol raha hoon" to "is this
   * Anita?" is identity only). `confirm`: words that only ever mean "deliver the order".
   * `address`: the delivery address is wrong or has changed; the new one usually follows.
   */
  intents: Record<Intent, readonly string[]>;
  /** Days already gone: "yesterday", "बीता हुआ कल". Said, they are the day meant (and refused), over a word they contain ("कल"). */
  pastDays: readonly string[];
  /** "today": a delivery today with no hour is the delivery as planned. */
  today: readonly string[];
  /** "actually", "no wait": what follows replaces what came before. */
  changeOfMind: readonly string[];
  /** Words that negate a clause: a day named in one ("not today", "hoy no voy a estar") is not the day wanted. */
  negations: readonly string[];
  /** "because": the cancellation reason follows. */
  reasonMarkers: readonly string[];
  /** Named days: "tomorrow", "kal", "بكرة", "el viernes". The last one said wins. */
  days: readonly string[];
  /** Parts of the day without an hour: "evening", "shaam", "المسا". Too vague for a delivery. */
  dayparts: readonly string[];
  /** A time with an hour: "at 5", "5 baje", "الساعة خمسة", "a las tres", "jam 3", "às 15h". */
  clocks: readonly string[];
  /** A bare hour, said in answer to "what time?": "5", "paanch", "cinco". */
  hours: readonly string[];
  /** Words before a corrected address that are not part of it: "no", "it's", "the new address is". */
  addressLead: readonly string[];
  /** The time of a delivery in the language's own order, from a part of the day and an hour given apart. */
  timePhrase(daypart: string, clock: string): string;
}
