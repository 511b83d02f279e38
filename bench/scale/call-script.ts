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

/** What the scripted model says (bench/scale/vendor-fakes.ts), so the callee knows how much speech to wait for. */
export const AGENT_LINES = {
  answer: 'Sure, I can help with that. Shall I confirm the delivery for tomorrow?',
  longAnswer:
    'Of course. Your parcel left our warehouse this morning, it travels with our own courier, and it reaches your city by this evening. You pay the courier in cash when it arrives, and you can check the box before you pay. Shall I keep the delivery as planned?',
  goodbyeWithTool: 'Wonderful, your order is confirmed for delivery. Thank you, goodbye!',
  /** Today's second round trip after an outcome tool: the goodbye the model writes. */
  goodbyeAfterTool: 'Thank you, your order is confirmed. Have a lovely day, goodbye!',
};

/** Length of the fake ElevenLabs' speech per character (BENCH_MS_PER_CHAR), read by the fakes and the callee alike. */
export const MS_PER_CHARACTER = Number(process.env['BENCH_MS_PER_CHAR'] ?? 20);

/**
 * How much of the agent's audio a callee waits to hear before it takes the turn: most of what the
 * fake voice makes of the text. An answer comes in sentences, each synthesised in turn; on a
 * loaded gateway the gap between two can pass for the end of the answer.
 */
export function expectedSpeechMs(text: string): number {
  return 0.8 * text.length * MS_PER_CHARACTER;
}

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
  /** The agent's welcome message as this callee hears it. */
  greeting: string;
}

/**
 * Spread: calls placed at the campaign's CPS, callees who think 0.4-2.5 s before they answer, as
 * people do. Burst: every call placed within one second, callees who answer after the same short
 * pause, so the turns of all calls fall close together.
 */
export function planCalls(shape: LoadShape, calls: number, cps: number, textTurns: number, greeting: (index: number) => string, random: () => number = Math.random): CallPlan[] {
  return Array.from({ length: calls }, (_, i) => ({
    placeAtMs: shape === 'burst' ? (i * 1000) / calls : (i * 1000) / cps,
    textTurns,
    thinkMs: shape === 'burst' ? () => 400 : () => 400 + random() * 2100,
    outcomeWithWords: i % 2 === 1,
    bargeIn: true,
    greeting: greeting(i),
  }));
}
