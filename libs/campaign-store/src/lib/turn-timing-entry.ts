/**
 * One turn of a call as the campaign keeps it: the gateway's turn timing (times in ms since the
 * conversation started). A leg the turn did not have is absent.
 */
export type TurnTimingEntry = AnsweredTurnEntry | BargeInEntry;

export interface AnsweredTurnEntry {
  kind: 'text' | 'outcome';
  calleeSpeechEndedAtMs: number;
  sttFinalAtMs?: number;
  llmRequestAtMs?: number;
  llmFirstTokenAtMs?: number;
  ttsRequestAtMs?: number;
  ttsFirstByteAtMs?: number;
  firstFrameSentAtMs: number;
  latencyMs: number;
}

export interface BargeInEntry {
  kind: 'barge_in';
  speechStartedAtMs: number;
  clearedAtMs: number;
  latencyMs: number;
  resolution: 'interrupted' | 'resumed';
}
