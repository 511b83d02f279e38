import type { GoodbyeKey, LanguageCode } from '@codcall/languages';

/**
 * What the gateway and the conversation engine need from an agent, distilled from the
 * Bolna-compatible agent JSON (see agent-config.dto.ts) by `toRuntimeConfig`. Defaults are
 * applied there, once, so nothing downstream guesses. The config is for one language: the
 * agent's default; `localiseAgent(config, row.language)` gives the config for a row's language.
 */
/** The outcomes after which the agent says goodbye (a callee who hung up hears nothing). */
export type GoodbyeOutcome = GoodbyeKey;

/** What an agent sets for one language (its `agent_config.languages.<code>` entry), every field optional. */
export interface LanguageOverride {
  welcomeMessage?: string;
  voicemailMessage?: string;
  repromptMessage?: string;
  transferMessage?: string;
  addressQuestion?: string;
  goodbyeMessages?: Partial<Record<GoodbyeOutcome, string>>;
  voiceId?: string;
  voice?: string;
  synthesizerModel?: string;
  transcriberModel?: string;
}

/**
 * What `localiseAgent` derives another language's config from: the agent as written, before any
 * language pack filled it in. Plain data, so the config still travels as JSON (agent-api to gateway).
 */
export interface AgentLocalisation {
  defaultLanguage: LanguageCode;
  /** The conversation prompt as the agent wrote it, without a language instruction. */
  basePrompt: string;
  /** The agent's top-level texts and vendor settings: they serve its default language only. */
  agentDefaults: LanguageOverride;
  /** `agent_config.languages`, keyed by pack code (an alias key is stored under its code). */
  overrides: Partial<Record<LanguageCode, LanguageOverride>>;
}

export interface AgentRuntimeConfig {
  agentName: string;
  /** Spoken first; `{column}` placeholders are filled from the CSV row. */
  welcomeMessage: string;
  /** The conversation task's system prompt, with `{column}` placeholders. */
  systemPrompt: string;
  /** The language this config speaks (the agent's default, or the row's after `localiseAgent`). */
  language: LanguageCode;
  /** `language` is Deepgram's (`multi` for Hinglish, with `languageHints`), not necessarily the pack's code. */
  transcriber: { provider: string; model: string; language: string; languageHints?: readonly string[]; endpointingMs: number };
  llm: { provider: string; model: string; temperature: number; maxTokens: number; baseUrl?: string };
  /** `languageCode` is what ElevenLabs' `language_code` gets, so a multilingual model keeps to the call's language. */
  synthesizer: { provider: string; voiceId?: string; voice?: string; model: string; languageCode?: string };
  /** The carrier the agent's input/output names (twilio by default). */
  carrier: string;
  timing: {
    /** Seconds of callee silence before the agent checks they are still there. */
    repromptAfterSeconds: number;
    /** Seconds of callee silence before hanging up with outcome no_response. */
    hangupAfterSilenceSeconds: number;
    /** Maximum call length in seconds. */
    maxCallSeconds: number;
    /** Grace in ms after the callee stops before the agent replies. */
    replyDelayMs: number;
    /** Interim words that count as a barge-in (0: the callee cannot interrupt). */
    interruptionWords: number;
    /**
     * The recogniser's speech-started event alone is a barge-in (unless interruptionWords is 0):
     * a few hundred ms sooner than waiting for words, but noise and echo trigger it too. Default false.
     */
    interruptOnSpeechStarted?: boolean;
    /**
     * `pause`: the recogniser's speech start pauses the agent at once; words make it an
     * interruption, silence or a backchannel for `falseInterruptionTimeoutMs` resumes what was
     * not yet heard. `words`: only `interruptionWords` words stop the agent.
     */
    interruptionMode: 'pause' | 'words';
    falseInterruptionTimeoutMs: number;
  };
  /** When the welcome is synthesised: at the dial, or at the carrier's answer (no TTS for unanswered calls). */
  greetingPrefetch: 'dial' | 'answer';
  /**
   * What the agent says after each outcome when the model wrote no words with the tool call;
   * `{column}` placeholders (and `{reschedule_date}` / `{reschedule_time}`) are filled in.
   */
  goodbyeMessages: Record<GoodbyeOutcome, string>;
  /** What the agent says when checking the callee is still there. */
  repromptMessage: string;
  /** What the agent says before handing the call to a person (transfer_to_human). */
  transferMessage: string;
  /** Asks whether the row's `{address}` is right; used when `confirmAddress`. */
  addressQuestion: string;
  /** The agent confirms the row's `address` cell with the callee (`task_config.confirm_address`). */
  confirmAddress: boolean;
  dtmfEnabled: boolean;
  /** What to do when a machine answers: hang up, or leave `voicemailMessage` after the beep. */
  voicemail: { action: 'hangup' | 'leave_message'; message?: string };
  /** IANA zone for resolving relative dates when the number's country does not settle it. */
  defaultTimezone: string;
  /** Kept so `localiseAgent` can build the config of another language; absent from hand-built configs. */
  localisation?: AgentLocalisation;
}
