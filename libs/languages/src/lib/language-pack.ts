/**
 * What codcall needs to hold a phone call in one language: how to recognise it (Deepgram), how
 * to speak it (ElevenLabs, or eSpeak-NG offline), what to tell the model, and the agent's default
 * texts written natively in it. Dependency-free, so every lib and app can import it.
 */
export type LanguageCode = 'en' | 'hi' | 'hi-Latn' | 'ar' | 'es' | 'pt-BR' | 'id';

/** The outcomes (and call endings) after which the agent says a goodbye of its own. */
export type GoodbyeKey =
  | 'confirmed'
  | 'cancelled'
  | 'rescheduled'
  | 'wrong_person'
  | 'do_not_call'
  | 'no_response'
  | 'ended_without_outcome'
  | 'max_duration'
  | 'failed'
  | 'callback_requested'
  | 'transferred';

export const GOODBYE_KEYS: readonly GoodbyeKey[] = [
  'confirmed',
  'cancelled',
  'rescheduled',
  'wrong_person',
  'do_not_call',
  'no_response',
  'ended_without_outcome',
  'max_duration',
  'failed',
  'callback_requested',
  'transferred',
];

/** The placeholders a pack's default texts may use; the gateway fills them from the row and the outcome. */
export const TEXT_PLACEHOLDERS: readonly string[] = ['name', 'order_id', 'address', 'reschedule_date', 'reschedule_time', 'callback_time'];

export interface LanguageDefaults {
  /** Establishes who is speaking and who is calling; never asks about the order (a wrong person must hear no order detail). */
  welcome: string;
  /** Left after the beep: the order id at most, nothing else about the order. */
  voicemail: string;
  /** Said when the callee has gone quiet. */
  reprompt: string;
  /** Said before the call is handed to a human. */
  transferring: string;
  /** Asks whether `{address}` is still right. */
  addressQuestion: string;
  goodbyes: Record<GoodbyeKey, string>;
}

export interface LanguagePack {
  code: LanguageCode;
  /** English name, e.g. "Hindi". */
  name: string;
  /** Intl locale for numbers and currencies, e.g. 'hi-IN'. */
  locale: string;
  /** Other names for the language an agent JSON or a CSV cell may use; matched case-insensitively. */
  aliases: readonly string[];
  direction: 'ltr' | 'rtl';
  /** `note` says why this model and language serve the pack. */
  deepgram: { model: string; language: string; languageHints?: readonly string[]; note: string };
  /** eleven_flash_v2_5 speaks 32 languages; `languageCode` makes it keep to this one. */
  elevenlabs: { model: string; languageCode: string; voiceId: string; voiceName: string };
  /** The eSpeak-NG voice of the offline synthesiser. */
  espeakVoice: string;
  /** Appended to the system prompt, in English: which language and script to speak. */
  promptInstruction: string;
  defaults: LanguageDefaults;
  /** Words a listener says over the speaker without taking the turn. */
  backchannels: readonly string[];
}
