import { silentLogger } from '@codcall/logging';
import { FRAME_BYTES } from '@codcall/media';
import {
  embeddedSpeech,
  FakeDeepgramServer,
  FakeElevenLabsServer,
  FakeOpenAIServer,
  RecordingAudioOutput,
  sampleRuntimeAgent,
  type FakeChatReply,
  type FakeDeepgramOptions,
  type FakeOpenAIOptions,
  type RecordedChatRequest,
} from '@codcall/test-support';
import { DeepgramTranscriber } from '../deepgram/deepgram-transcriber';
import { ElevenLabsSynthesizer } from '../elevenlabs/elevenlabs-synthesizer';
import { OpenAILanguageModel } from '../openai/openai-language-model';
import type { AgentRuntimeConfig } from '@codcall/agent-config';
import { ConversationSession, splitIntoClauses, welcomeSpeechRequests, type ConversationResult } from './conversation-session';

jest.setTimeout(30_000);

const KEYS = { deepgram: 'dg-session-key-0123456789', openai: 'sk-session-key-0123456789', elevenlabs: 'xi-session-key-0123456789' };
const agent = sampleRuntimeAgent({
  transcriber: { provider: 'deepgram', model: 'nova-3', language: 'en', endpointingMs: 300 },
  llm: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2, maxTokens: 150 },
  synthesizer: { provider: 'elevenlabs', model: 'eleven_flash_v2_5', voiceId: '21m00Tcm4TlvDq8ikWAM' },
  timing: { repromptAfterSeconds: 20, hangupAfterSilenceSeconds: 25, maxCallSeconds: 60, replyDelayMs: 0, interruptionWords: 2 },
});


/** The agent's question about the order: it names the order, so the callee's next words may settle it. */
const ORDER_QUESTION = 'Order K9 is one blue kettle. It costs nine hundred and ninety nine rupees. It comes tomorrow morning. Shall I confirm it?';

/** Whether the session offered the model this tool in this request. */
function offers(request: RecordedChatRequest, name: string): boolean {
  const tools = (request.body['tools'] ?? []) as { function: { name: string } }[];
  return tools.some((tool) => tool.function.name === name);
}

/** The test's stand-in for the model's judgement: a fixed script keyed by the callee's last words. */
function script(request: RecordedChatRequest): FakeChatReply {
  if (!request.body['tools']) return 'Thank you. Goodbye.';
  // Until the callee has answered a question about the order, the only thing to do is to ask it.
  if (!offers(request, 'confirm_order')) return ORDER_QUESTION;
  const messages = request.body['messages'] as { role: string; content?: string }[];
  const said = [...messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  if (/cancel/i.test(said)) return { toolCalls: [{ name: 'cancel_order', arguments: { reason: 'changed my mind' } }] };
  if (/deliver it/i.test(said)) return { toolCalls: [{ name: 'confirm_order', arguments: {} }] };
  return ORDER_QUESTION;
}

/** The carrier's side; `onAudio` sees each piece of agent audio as it is sent. */
class WatchedOutput extends RecordingAudioOutput {
  onAudio?: () => void;
  override sendAudio(mulaw: Buffer): void {
    super.sendAudio(mulaw);
    this.onAudio?.();
  }
}

interface Harness {
  session: ConversationSession;
  output: WatchedOutput;
  deepgram: FakeDeepgramServer;
  openai: FakeOpenAIServer;
  elevenlabs: FakeElevenLabsServer;
  hangups: string[];
  /** The carrier reports every mark sent so far as played. */
  playAll(): void;
  /** The callee says `text` (as audio), followed by `silenceMs` of silence. */
  say(text: string, options?: { silenceMs?: number; paceMs?: number }): Promise<void>;
}

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function call(options: { deepgram?: Partial<FakeDeepgramOptions>; openai?: Partial<FakeOpenAIOptions>; firstTokenTimeoutMs?: number; agent?: AgentRuntimeConfig } = {}): Promise<Harness> {
  const deepgram = await new FakeDeepgramServer({ apiKey: KEYS.deepgram, recognise: {}, ...options.deepgram }).start();
  const openai = await new FakeOpenAIServer({ apiKey: KEYS.openai, reply: script, ...options.openai }).start();
  const elevenlabs = await new FakeElevenLabsServer({ apiKey: KEYS.elevenlabs, msPerCharacter: 10 }).start();
  running.push(deepgram, openai, elevenlabs);
  const output = new WatchedOutput();
  const hangups: string[] = [];
  const session = new ConversationSession({
    callId: 'call-1',
    agent: options.agent ?? agent,
    variables: { name: 'Asha', order_id: 'K9', city: 'Pune' },
    timezone: 'Asia/Kolkata',
    transcriber: new DeepgramTranscriber({ apiKey: KEYS.deepgram, baseUrl: deepgram.url }),
    languageModel: new OpenAILanguageModel({ apiKey: KEYS.openai, baseUrl: openai.url, model: 'gpt-4o-mini', firstTokenTimeoutMs: options.firstTokenTimeoutMs }),
    synthesizer: new ElevenLabsSynthesizer({ apiKey: KEYS.elevenlabs, baseUrl: elevenlabs.baseUrl, voiceId: '21m00Tcm4TlvDq8ikWAM' }),
    output,
    onHangup: (reason) => hangups.push(reason),
    logger: silentLogger(),
  });
  const playAll = () => output.marks.splice(0).forEach((mark) => session.handleMark(mark));
  const say = async (text: string, { silenceMs = 400, paceMs = 2 } = {}) => {
    const audio = Buffer.concat([Buffer.alloc(800, 0xff), embeddedSpeech(text), Buffer.alloc(silenceMs * 8, 0xff)]);
    for (let offset = 0; offset < audio.length; offset += FRAME_BYTES) {
      session.handleAudio(audio.subarray(offset, offset + FRAME_BYTES));
      await delay(paceMs);
    }
  };
  return { session, output, deepgram, openai, elevenlabs, hangups, playAll, say };
}

/** The callee says who they are; the agent's order question is answered and heard to its end. */
async function identify(harness: Harness, words = 'Yes, speaking.', options?: { silenceMs?: number; paceMs?: number }): Promise<void> {
  const before = harness.openai.requests.length;
  await harness.say(words, options);
  const player = setInterval(() => harness.playAll(), 20);
  try {
    await waitFor(() => harness.openai.requests.length > before && harness.session.currentState === 'listening', 'the order question heard', 15_000);
  } finally {
    clearInterval(player);
  }
}

async function ended(harness: Harness): Promise<ConversationResult> {
  // The carrier plays whatever the agent still sends until the session is done.
  const player = setInterval(() => harness.playAll(), 20);
  try {
    return await harness.session.result;
  } finally {
    clearInterval(player);
  }
}

describe('an outcome turn through the real adapters: one model request, then the goodbye', () => {
  const goodbyeAgent: AgentRuntimeConfig = { ...agent, goodbyeMessages: { ...agent.goodbyeMessages, confirmed: 'Thank you, {name}! Order {order_id} is on its way. Goodbye.' } };

  it.each([
    ['writes its goodbye beside the tool call', { text: 'Wonderful, it is on its way to you. Goodbye!', toolCalls: [{ name: 'confirm_order', arguments: {} }] }, 'Wonderful, it is on its way to you. Goodbye!'],
    // The voice reads the order id character by character.
    ['calls the tool alone', { toolCalls: [{ name: 'confirm_order', arguments: {} }] }, 'Thank you, Asha! Order K, 9 is on its way. Goodbye.'],
  ] as const)('given a callee who says yes to the order question and a model that %s, the goodbye is heard after one model request', async (_, reply, goodbye) => {
    const answer = (request: RecordedChatRequest): FakeChatReply => (offers(request, 'confirm_order') ? { ...reply, toolCalls: [...reply.toolCalls] } : ORDER_QUESTION);
    const harness = await call({ agent: goodbyeAgent, openai: { reply: answer } });
    const { session, output, openai, elevenlabs } = harness;
    await session.start();
    harness.playAll();
    await waitFor(() => elevenlabs.requests.length >= preparedSpeechRequests(goodbyeAgent), 'the goodbyes prepared');
    const synthesisedBefore = elevenlabs.requests.map((request) => String(request.body['text']));
    await identify(harness);
    let requestsWhenGoodbyeAudioWent: number | undefined;
    output.onAudio = () => (requestsWhenGoodbyeAudioWent ??= openai.requests.length);

    await harness.say('Yes, please deliver it.');
    const result = await ended(harness);
    expect(result.outcome).toBe('confirmed');
    expect(requestsWhenGoodbyeAudioWent).toBe(2);
    expect(openai.requests).toHaveLength(2);
    expect(result.transcript.at(-1)).toMatchObject({ speaker: 'agent', text: goodbye });
    if (!('text' in reply)) {
      // The configured goodbye was synthesised during the call, before the callee said yes.
      expect(splitIntoClauses(goodbye).every((clause) => synthesisedBefore.includes(clause))).toBe(true);
    }
    const turn = result.turns.at(-1)!;
    expect(turn.kind).toBe('outcome');
    // Deepgram's word timings put the end of the callee's speech before its final arrived.
    if (turn.kind !== 'barge_in') expect(turn.calleeSpeechEndedAtMs).toBeLessThan(turn.sttFinalAtMs!);
  });
});

describe('a conversation through the real Deepgram, OpenAI and ElevenLabs adapters', () => {
  it('stops talking when the callee interrupts: clear sent, model and voice aborted, only what was played kept', async () => {
    // The model writes slowly, so the callee cuts in while it is still answering.
    const harness = await call({ openai: { chunkDelayMs: 40 } });
    const { session, output, openai, elevenlabs } = harness;
    await session.start();
    harness.playAll();
    await harness.say('What is in my order?');
    await waitFor(() => output.marks.length >= 1, 'the first clause of the answer at the carrier');
    // The carrier has played the first clause only.
    session.handleMark(output.marks.shift()!);
    const speechRequestsBefore = elevenlabs.requests.length;

    await harness.say('No wait, please cancel it.', { paceMs: 5 });
    expect(output.clears).toBe(1);
    expect(await openai.whenEnded(0)).toBe('client_closed');

    const result = await ended(harness);
    expect(result.outcome).toBe('cancelled');
    // What the model is told the agent said: the played clause, not the words cut off.
    const next = openai.requests[1].body['messages'] as { role: string; content: string }[];
    expect(next.slice(-2)).toEqual([
      { role: 'assistant', content: 'Order K9 is one blue kettle.' },
      { role: 'user', content: 'No wait, please cancel it.' },
    ]);
    expect(result.transcript.find((line) => line.interrupted)).toMatchObject({ speaker: 'agent', text: expect.stringMatching(/^Order K9 is one blue kettle\./) });
    // No clause of the abandoned answer was synthesised after the interruption.
    const afterwards = elevenlabs.requests.slice(speechRequestsBefore).map((request) => request.body['text']);
    expect(afterwards.some((text) => /rupees|tomorrow morning/.test(String(text)))).toBe(false);
  });

  it("keeps the callee's words when the recogniser's socket drops mid-sentence", async () => {
    // 100 ms of lead-in silence, then the drop halfway through the words.
    const harness = await call({ deepgram: { dropAfterAudioMs: 700 } });
    await harness.session.start();
    harness.playAll();
    await identify(harness, 'Yes, this is Asha speaking now.', { paceMs: 10, silenceMs: 1500 });
    expect(harness.deepgram.connections).toHaveLength(2);
    expect(harness.deepgram.connections[0].dropped).toBe(true);
    await harness.say('Yes, please deliver it.');
    const result = await ended(harness);
    expect(result.outcome).toBe('confirmed');
    expect(result.transcript.filter((line) => line.speaker === 'callee').map((line) => line.text)).toEqual(['Yes, this is Asha speaking now.', 'Yes, please deliver it.']);
  });

  it('apologises and ends the call as failed when the model stays silent twice', async () => {
    const harness = await call({ firstTokenTimeoutMs: 300 });
    await harness.session.start();
    harness.playAll();
    harness.openai.failNext('stall', 'stall');
    await harness.say('Yes, please deliver it.');
    const result = await ended(harness);
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/no first token within 300 ms, twice/);
    expect(harness.openai.requests.map((request) => request.outcome)).toEqual(['client_closed', 'client_closed']);
    expect(harness.elevenlabs.requests.map((request) => request.body['text']).join(' ')).toMatch(/technical trouble/);
    expect(harness.hangups).toEqual(['failed']);
  });

  it('ends the call as failed, with the vendor\'s reason, when the voice fails mid-call', async () => {
    const harness = await call();
    await harness.session.start();
    harness.playAll();
    // The goodbyes are prepared after the greeting: the failure is for the answer's first clause.
    await waitFor(() => harness.elevenlabs.requests.length >= preparedSpeechRequests(agent), 'the goodbyes prepared');
    harness.elevenlabs.failNext('http500');
    await harness.say('What is in my order?');
    const result = await ended(harness);
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/speech synthesis failed: ElevenLabs refused speech: HTTP 500/);
    expect(result.reason).not.toContain(KEYS.elevenlabs);
  });
});

/**
 * The synthesis requests the session makes before the callee speaks: the greeting's clauses, then
 * the goodbyes of the call's outcome tools (distinct clauses) but those naming the outcome's day or time.
 */
function preparedSpeechRequests(agentConfig: AgentRuntimeConfig): number {
  const outcomes = ['confirmed', 'cancelled', 'rescheduled', 'wrong_person', 'do_not_call', 'ended_without_outcome', 'callback_requested'] as const;
  const variables = { name: 'Asha', order_id: 'K9', city: 'Pune' };
  const spoken = { ...variables, order_id: 'K, 9' };
  const templates = outcomes.map((outcome) => agentConfig.goodbyeMessages[outcome]).filter((template) => !/\{(reschedule_date|reschedule_time|callback_time)\}/.test(template));
  const goodbyeClauses = new Set(templates.flatMap((template) => splitIntoClauses(template.replace(/\{(\w+)\}/g, (_, key: string) => spoken[key as keyof typeof spoken] ?? ''))));
  return welcomeSpeechRequests(agentConfig, variables).length + goodbyeClauses.size;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}
