/**
 * What one turn cost the callee, leg by leg. Every time is in ms since the session started; a leg
 * a turn did not have (an outcome turn answered with the agent's configured goodbye has no TTS
 * request of its own when the goodbye was prepared) is left out. `latencyMs` is what the callee
 * felt: from the end of their speech to the agent's first audio frame sent to the carrier.
 */
export interface AnsweredTurnTiming {
  /** `text`: the model answered in words; `outcome`: an outcome tool ended the call with a goodbye. */
  kind: 'text' | 'outcome';
  /** The callee's last voiced frame: the recogniser's last word end, else the media's last loud frame. */
  calleeSpeechEndedAtMs: number;
  sttFinalAtMs?: number;
  llmRequestAtMs?: number;
  /** The model's first text or tool call. */
  llmFirstTokenAtMs?: number;
  ttsRequestAtMs?: number;
  ttsFirstByteAtMs?: number;
  firstFrameSentAtMs: number;
  latencyMs: number;
}

/** The callee spoke over the agent: from their speech start to the `clear` sent, and how it ended. */
export interface BargeInTiming {
  kind: 'barge_in';
  speechStartedAtMs: number;
  clearedAtMs: number;
  latencyMs: number;
  /** `interrupted`: words followed and the agent yielded; `resumed`: a cough or a backchannel, the agent went on. */
  resolution: 'interrupted' | 'resumed';
}

export type TurnTiming = AnsweredTurnTiming | BargeInTiming;
