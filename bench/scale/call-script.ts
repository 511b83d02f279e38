/** What every benchmark call lives through, shared by the load generator and the vendor fakes. */

/** Issue 10's provider delays: STT final 100 ms after speech end, LLM first token 250 ms, TTS first byte 150 ms. */
export const PROVIDER_DELAYS = { sttEndpointingMs: 100, llmFirstTokenMs: 250, ttsFirstByteMs: 150 };
/** The floor of a turn the agent answers with new speech: nothing can be faster with these vendors. */
export const TURN_FLOOR_MS = PROVIDER_DELAYS.sttEndpointingMs + PROVIDER_DELAYS.llmFirstTokenMs + PROVIDER_DELAYS.ttsFirstByteMs;

/** The one key every vendor fake accepts. */
export const VENDOR_KEY = 'bench-vendor-key-0123456789';

/**
 * The callee's lines; the scripted model keys its answer on them. Outcome turns alternate between
 * a model that writes words beside its tool call and one that only calls the tool, so both ways
 * to the goodbye's first audio are measured.
 */
export const CALLEE_LINES = {
  text: ['What time will it come?', 'Is it the blue one?', 'Can the courier call me first?', 'Which courier brings it?'],
  askMore: 'Tell me more about it.',
  interrupt: 'Wait, stop, one question please.',
  confirm: 'Yes, deliver it.',
  confirmWithWords: 'Yes please, deliver it.',
};

export type LoadShape = 'spread' | 'burst';

export interface CallPlan {
  /** When the call is placed, from the level's start. */
  placeAtMs: number;
  /** Text turns before the barge-in turn. */
  textTurns: number;
  /** The callee's pause before each of its lines, after the agent's audio has played out. */
  thinkMs: () => number;
  /** Whether the model writes words beside its outcome tool call on this call. */
  outcomeWithWords: boolean;
  /** Whether the call has its long answer talked over (the warm-up call has none). */
  bargeIn: boolean;
}

/**
 * Spread: calls placed at the campaign's CPS, callees who think 0.4-2.5 s before they answer, as
 * people do. Burst: every call placed within one second, callees who answer after the same short
 * pause, so the turns of all calls fall close together.
 */
export function planCalls(shape: LoadShape, calls: number, cps: number, textTurns: number, random: () => number = Math.random): CallPlan[] {
  return Array.from({ length: calls }, (_, i) => ({
    placeAtMs: shape === 'burst' ? (i * 1000) / calls : (i * 1000) / cps,
    textTurns,
    thinkMs: shape === 'burst' ? () => 400 : () => 400 + random() * 2100,
    outcomeWithWords: i % 2 === 1,
    bargeIn: true,
  }));
}
