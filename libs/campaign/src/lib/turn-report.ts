import type { AnsweredTurnEntry, TurnTimingEntry } from '@codcall/campaign-store';

/** n and nearest-rank p50/p95 of one measure, in ms; null where there is nothing to measure. */
export interface Spread {
  n: number;
  p50: number | null;
  p95: number | null;
}

type Time = keyof Omit<AnsweredTurnEntry, 'kind' | 'latencyMs'>;

/** The legs of an answered turn, in the order the callee lives them; the total is the turn's latency. */
export const TURN_LEGS: readonly { name: string; from: Time; to: Time; onlyWithoutTts?: boolean; rare?: boolean }[] = [
  { name: 'speech end -> STT final', from: 'calleeSpeechEndedAtMs', to: 'sttFinalAtMs' },
  { name: 'STT final -> LLM request', from: 'sttFinalAtMs', to: 'llmRequestAtMs' },
  { name: 'LLM request -> first token', from: 'llmRequestAtMs', to: 'llmFirstTokenAtMs' },
  { name: 'first token -> TTS request', from: 'llmFirstTokenAtMs', to: 'ttsRequestAtMs' },
  { name: 'TTS request -> first byte', from: 'ttsRequestAtMs', to: 'ttsFirstByteAtMs' },
  { name: 'first byte -> first frame sent', from: 'ttsFirstByteAtMs', to: 'firstFrameSentAtMs' },
  // A goodbye synthesised during the call has no TTS legs: this is the turn's own wait after the model.
  { name: 'first token -> first frame sent (prepared audio)', from: 'llmFirstTokenAtMs', to: 'firstFrameSentAtMs', onlyWithoutTts: true },
  // Only turns in which a tool sent the model back for another answer: the time inside 'first token -> TTS request' that was the tool and a second round trip.
  { name: 'first token -> follow-up LLM request (a tool sent the model back)', from: 'llmFirstTokenAtMs', to: 'followUpLlmRequestAtMs', rare: true },
  { name: 'follow-up LLM request -> its first token', from: 'followUpLlmRequestAtMs', to: 'followUpLlmFirstTokenAtMs', rare: true },
];
export const TOTAL_LEG = 'total: speech end -> first frame';

export interface AnsweredTurnsReport {
  turns: number;
  /** By leg name (TURN_LEGS, then TOTAL_LEG); a turn without both ends of a leg is not in its n. */
  legs: { name: string; spread: Spread }[];
}

export interface TurnLegReport {
  text: AnsweredTurnsReport;
  outcome: AnsweredTurnsReport;
  bargeIn: { turns: number; speechStartToClear: Spread; resumed: number; interrupted: number };
}

/** Every call's turns, leg by leg, per kind: what the callee waited for, and where the time went. */
export function buildTurnLegReport(turns: readonly TurnTimingEntry[]): TurnLegReport {
  const bargeIns = turns.filter((turn) => turn.kind === 'barge_in');
  return {
    text: answeredTurns(turns.filter((turn): turn is AnsweredTurnEntry => turn.kind === 'text')),
    outcome: answeredTurns(turns.filter((turn): turn is AnsweredTurnEntry => turn.kind === 'outcome')),
    bargeIn: {
      turns: bargeIns.length,
      speechStartToClear: spread(bargeIns.map((turn) => turn.clearedAtMs - turn.speechStartedAtMs)),
      resumed: bargeIns.filter((turn) => turn.resolution === 'resumed').length,
      interrupted: bargeIns.filter((turn) => turn.resolution === 'interrupted').length,
    },
  };
}

function answeredTurns(turns: readonly AnsweredTurnEntry[]): AnsweredTurnsReport {
  const legs = TURN_LEGS.map(({ name, from, to, onlyWithoutTts }) => {
    const durations = turns.flatMap((turn) => {
      if (onlyWithoutTts && turn.ttsRequestAtMs !== undefined) return [];
      const start = turn[from];
      const end = turn[to];
      return start !== undefined && end !== undefined ? [end - start] : [];
    });
    return { name, spread: spread(durations) };
  });
  return { turns: turns.length, legs: [...legs, { name: TOTAL_LEG, spread: spread(turns.map((turn) => turn.latencyMs)) }] };
}

export function spread(values: readonly number[]): Spread {
  return { n: values.length, p50: percentile(values, 50), p95: percentile(values, 95) };
}

/** Nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}
