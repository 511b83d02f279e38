/**
 * What the gateway and the conversation engine need from an agent, distilled from the
 * Bolna-compatible agent JSON (see agent-config.dto.ts) by `toRuntimeConfig`. Defaults are
 * applied there, once, so nothing downstream guesses.
 */
/** The outcomes after which the agent says goodbye (a callee who hung up hears nothing). */
export type GoodbyeOutcome = 'confirmed' | 'cancelled' | 'rescheduled' | 'wrong_person' | 'do_not_call' | 'no_response' | 'ended_without_outcome' | 'max_duration' | 'failed';

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
  dtmfEnabled: boolean;
  /** What to do when a machine answers: hang up, or leave `voicemailMessage` after the beep. */
  voicemail: { action: 'hangup' | 'leave_message'; message?: string };
  /** IANA zone for resolving relative dates when the number's country does not settle it. */
  defaultTimezone: string;
}
