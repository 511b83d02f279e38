import type { AnsweredTurnEntry, TurnTimingEntry } from '@codcall/campaign-store';
import { isObject } from './http';

/** The answered-turn legs, by the gateway's view name (snake_case) and the campaign's. */
const ANSWERED_LEGS = [
  ['stt_final_at_ms', 'sttFinalAtMs'],
  ['llm_request_at_ms', 'llmRequestAtMs'],
  ['llm_first_token_at_ms', 'llmFirstTokenAtMs'],
  ['tts_request_at_ms', 'ttsRequestAtMs'],
  ['tts_first_byte_at_ms', 'ttsFirstByteAtMs'],
  ['follow_up_llm_request_at_ms', 'followUpLlmRequestAtMs'],
  ['follow_up_llm_first_token_at_ms', 'followUpLlmFirstTokenAtMs'],
] as const;

/**
 * The view's `turns`, as far as they can be trusted: an entry without its kind or its required
 * times is dropped, a leg that is not a time is left out; never a reason to fail the call's
 * outcome. Undefined when the view has no turns (a gateway older than them).
 */
export function parseTurnTimings(value: unknown): TurnTimingEntry[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map(parseTurn).filter((turn): turn is TurnTimingEntry => turn !== undefined);
}

function parseTurn(value: unknown): TurnTimingEntry | undefined {
  if (!isObject(value)) return undefined;
  const latencyMs = time(value['latency_ms']);
  if (latencyMs === undefined) return undefined;
  if (value['kind'] === 'barge_in') {
    const speechStartedAtMs = time(value['speech_started_at_ms']);
    const clearedAtMs = time(value['cleared_at_ms']);
    const resolution = value['resolution'];
    if (speechStartedAtMs === undefined || clearedAtMs === undefined || (resolution !== 'interrupted' && resolution !== 'resumed')) return undefined;
    return { kind: 'barge_in', speechStartedAtMs, clearedAtMs, latencyMs, resolution };
  }
  const kind = value['kind'];
  if (kind !== 'text' && kind !== 'outcome') return undefined;
  const calleeSpeechEndedAtMs = time(value['callee_speech_ended_at_ms']);
  const firstFrameSentAtMs = time(value['first_frame_sent_at_ms']);
  if (calleeSpeechEndedAtMs === undefined || firstFrameSentAtMs === undefined) return undefined;
  const turn: AnsweredTurnEntry = { kind, calleeSpeechEndedAtMs, firstFrameSentAtMs, latencyMs };
  for (const [wire, leg] of ANSWERED_LEGS) {
    const at = time(value[wire]);
    if (at !== undefined) turn[leg] = at;
  }
  return turn;
}

function time(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
