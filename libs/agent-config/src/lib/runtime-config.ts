/**
 * What the gateway and the conversation engine need from an agent, distilled from the
 * Bolna-compatible agent JSON (see agent-config.dto.ts) by `toRuntimeConfig`. Defaults are
 * applied there, once, so nothing downstream guesses.
 */
export interface AgentRuntimeConfig {
  agentName: string;
  /** Spoken first; `{column}` placeholders are filled from the CSV row. */
  welcomeMessage: string;
  /** The conversation task's system prompt, with `{column}` placeholders. */
  systemPrompt: string;
  /** BCP-47-ish language code, e.g. "en", "hi", "ar". */
  language: string;
  transcriber: { provider: string; model: string; language: string; endpointingMs: number };
  llm: { provider: string; model: string; temperature: number; maxTokens: number; baseUrl?: string };
  synthesizer: { provider: string; voiceId?: string; voice?: string; model: string };
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
  };
  /** What the agent says when checking the callee is still there. */
  repromptMessage: string;
  dtmfEnabled: boolean;
  /** What to do when a machine answers: hang up, or leave `voicemailMessage` after the beep. */
  voicemail: { action: 'hangup' | 'leave_message'; message?: string };
  /** IANA zone for resolving relative dates when the number's country does not settle it. */
  defaultTimezone: string;
}
