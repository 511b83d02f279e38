import type { AnsweredTurnTiming } from './turn-timing';

type Leg = 'llmRequestAtMs' | 'llmFirstTokenAtMs' | 'ttsRequestAtMs' | 'ttsFirstByteAtMs' | 'followUpLlmRequestAtMs' | 'followUpLlmFirstTokenAtMs';

/**
 * Collects one answered turn's timing leg by leg. The record is written once the agent's first
 * frame was sent and the kind is known (an outcome tool may follow the text): whichever comes last.
 */
export class AnsweredTurn {
  private readonly legs: Partial<Record<Leg, number>> = {};
  private firstFrameSentAtMs?: number;
  private kind?: AnsweredTurnTiming['kind'];
  private written = false;

  constructor(
    /** The callee's last voiced frame (or the keypad press). */
    private readonly calleeSpeechEndedAtMs: number,
    private readonly sttFinalAtMs: number | undefined,
    private readonly write: (timing: AnsweredTurnTiming) => void,
  ) {}

  /** Notes a leg the first time it happens (a retried request does not move it). */
  leg(leg: Leg, atMs: number): void {
    this.legs[leg] ??= atMs;
  }

  /** A request to the model in this turn: the first is the turn's LLM leg; a later one (a tool sent it back) its follow-up, the last one kept. */
  modelRequested(round: number, atMs: number): void {
    if (round === 0) return this.leg('llmRequestAtMs', atMs);
    this.legs.followUpLlmRequestAtMs = atMs;
    delete this.legs.followUpLlmFirstTokenAtMs;
  }

  /** The first text or tool call of the model's answer to request `round`. */
  modelAnswered(round: number, atMs: number): void {
    this.leg(round === 0 ? 'llmFirstTokenAtMs' : 'followUpLlmFirstTokenAtMs', atMs);
  }

  firstFrameSent(atMs: number): void {
    this.firstFrameSentAtMs ??= atMs;
    this.flush();
  }

  /** The model's answer is complete: `outcome` when an outcome tool ended the call. */
  known(kind: AnsweredTurnTiming['kind']): void {
    this.kind ??= kind;
    this.flush();
  }

  /** The answer was cut off: a turn the callee heard something of still counts, as text. */
  abandon(): void {
    this.known('text');
  }

  private flush(): void {
    if (this.written || this.kind === undefined || this.firstFrameSentAtMs === undefined) return;
    this.written = true;
    this.write({
      kind: this.kind,
      calleeSpeechEndedAtMs: this.calleeSpeechEndedAtMs,
      ...(this.sttFinalAtMs !== undefined ? { sttFinalAtMs: this.sttFinalAtMs } : {}),
      ...this.legs,
      firstFrameSentAtMs: this.firstFrameSentAtMs,
      latencyMs: this.firstFrameSentAtMs - this.calleeSpeechEndedAtMs,
    });
  }
}
