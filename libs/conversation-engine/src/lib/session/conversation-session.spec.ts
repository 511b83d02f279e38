import { silentLogger } from '@codcall/logging';
import { RecordingAudioOutput, sampleRuntimeAgent } from '@codcall/test-support';
import type { LanguageModel, LanguageModelDelta, LanguageModelRequest, Synthesizer, Transcriber, TranscriberStream, TranscriptEvent } from '../providers';
import { AsyncQueue } from './async-queue';
import { ConversationSession, MAX_SPOKEN_MESSAGE_CHARS, welcomeSpeechRequests, welcomeText, type ConversationSessionOptions } from './conversation-session';

const agent = sampleRuntimeAgent();

class ScriptedTranscriber implements Transcriber {
  readonly name = 'test:scripted';
  readonly events = new AsyncQueue<TranscriptEvent>();
  async open(): Promise<TranscriberStream> {
    const events = this.events;
    return { sendAudio: () => undefined, close: async () => events.close(), [Symbol.asyncIterator]: () => events[Symbol.asyncIterator]() };
  }
  say(text: string) {
    this.events.push({ type: 'speech_started' });
    this.events.push({ type: 'final', text, endOfTurn: true });
  }
}

/** Answers each model request with the next scripted reply (text, then an optional tool call). */
class ScriptedModel implements LanguageModel {
  readonly name = 'test:scripted';
  readonly requests: LanguageModelRequest[] = [];
  constructor(private readonly replies: ({ text?: string; tool?: [string, Record<string, unknown>]; fail?: boolean; stallMs?: number } | undefined)[]) {}
  async *stream(request: LanguageModelRequest): AsyncIterable<LanguageModelDelta> {
    this.requests.push({ ...request, messages: [...request.messages] });
    const reply = this.replies.shift() ?? { text: 'Goodbye.' };
    if (reply.fail) throw new Error('model unavailable');
    for (const word of (reply.text ?? '').split(/(?<= )/)) {
      if (reply.stallMs) await new Promise((resolve) => setTimeout(resolve, reply.stallMs));
      if (request.signal.aborted) return;
      if (word) yield { type: 'text', text: word };
    }
    if (reply.tool) yield { type: 'tool_call', call: { id: `call_${this.requests.length}`, name: reply.tool[0], arguments: JSON.stringify(reply.tool[1]) } };
  }
}

const synthesizer: Synthesizer = {
  name: 'test:bytes',
  async *synthesize(request) {
    yield Buffer.alloc(request.text.length * 10, 0x55);
  },
};


function setup(model: ScriptedModel, overrides: Partial<ConversationSessionOptions> = {}) {
  const transcriber = new ScriptedTranscriber();
  const output = new RecordingAudioOutput();
  const hangups: string[] = [];
  const session = new ConversationSession({
    callId: 'c1',
    agent,
    variables: { name: 'Priya', order_id: 'ORD3', city: 'Pune' },
    timezone: 'Asia/Kolkata',
    now: () => new Date(),
    transcriber,
    languageModel: model,
    synthesizer,
    output,
    onHangup: (reason) => hangups.push(reason),
    logger: silentLogger(),
    ...overrides,
  });
  /** The carrier reports everything sent so far as played. */
  const playAll = () => output.marks.splice(0).forEach((mark) => session.handleMark(mark));
  return { session, transcriber, output, hangups, playAll };
}

const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits, a tick at a time, until `condition` holds: a busy machine may take longer than a fixed pause. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 5000) throw new Error(`still waiting for ${what}`);
    await tick(5);
  }
}

describe('ConversationSession', () => {
  it('greets first with the row filled in, confirms, and hangs up only after the goodbye was played', async () => {
    const model = new ScriptedModel([{ text: 'Thank you! Your order is confirmed. ', tool: ['confirm_order', {}] }]);
    const { session, transcriber, output, hangups, playAll } = setup(model);
    await session.start();
    expect(output.audioBytes).toBeGreaterThan(0);
    playAll();
    transcriber.say('Yes, please deliver it.');
    await tick();
    expect(hangups).toEqual([]); // the goodbye is still playing
    playAll();
    const result = await session.result;
    expect(hangups).toEqual(['confirmed']);
    expect(result.outcome).toBe('confirmed');
    expect(result.transcript.map((line) => [line.speaker, line.text])).toEqual([
      ['agent', 'Hello Priya, about order ORD3 to Pune.'],
      ['callee', 'Yes, please deliver it.'],
      ['agent', 'Thank you! Your order is confirmed.'],
    ]);
    expect(model.requests[0].messages[0].content).toContain('You call Priya about ORD3.');
    expect(model.requests[0].messages[0].content).toContain('city: Pune');
    expect(model.requests[0].tools.map((tool) => tool.name)).toEqual(['confirm_order', 'cancel_order', 'reschedule_delivery', 'wrong_person', 'do_not_call', 'end_call']);
    expect(result.turns).toHaveLength(1);
  });

  it('after a tool-only answer, says the model\'s own goodbye before hanging up, even while the model is slow to write it', async () => {
    // A real model often answers with the tool call alone; its goodbye comes from a second request.
    const model = new ScriptedModel([{ tool: ['cancel_order', { reason: 'ordered twice' }] }, { text: 'Okay, I have cancelled it. Goodbye. ', stallMs: 30 }]);
    const { session, transcriber, output, hangups, playAll } = setup(model);
    await session.start();
    playAll();
    transcriber.say('Please cancel it, I ordered it twice.');
    await tick(10);
    expect(hangups).toEqual([]); // the goodbye is still being written
    await tick(200);
    expect(output.marks.length).toBeGreaterThan(0);
    expect(hangups).toEqual([]); // and now it is playing
    playAll();
    const result = await session.result;
    expect(hangups).toEqual(['cancelled']);
    expect(result).toMatchObject({ outcome: 'cancelled', cancelReason: 'ordered twice' });
    expect(model.requests[1].tools).toEqual([]);
    expect(result.transcript.at(-1)).toMatchObject({ speaker: 'agent', text: 'Okay, I have cancelled it. Goodbye.' });
  });

  it('records a callee who asks never to be called again as do_not_call, with their words', async () => {
    const model = new ScriptedModel([{ tool: ['do_not_call', { reason: 'gets too many calls' }] }, { text: 'Understood, we will not call again. Goodbye.' }]);
    const { session, transcriber, playAll } = setup(model);
    await session.start();
    playAll();
    transcriber.say('Please stop calling me, I get too many calls.');
    const result = await new Promise<Awaited<typeof session.result>>((resolve) => {
      const timer = setInterval(playAll, 10);
      void session.result.then((value) => (clearInterval(timer), resolve(value)));
    });
    expect(result).toMatchObject({ outcome: 'do_not_call', reason: 'gets too many calls' });
    expect(result.transcript.at(-1)?.text).toBe('Understood, we will not call again. Goodbye.');
  });

  it('refuses a delivery day in the past, asks again, and records the corrected one', async () => {
    const model = new ScriptedModel([
      { text: 'Okay. ', tool: ['reschedule_delivery', { date: 'yesterday', time: '5 pm' }] },
      { text: 'That day has passed. Which day suits you? ' },
      { text: 'Done. ', tool: ['reschedule_delivery', { date: '2099-01-15', time: '10:30' }] },
    ]);
    const { session, transcriber, playAll } = setup(model);
    await session.start();
    playAll();
    transcriber.say('Deliver it yesterday at 5');
    await tick();
    playAll();
    expect(model.requests[1].messages.at(-1)).toMatchObject({ role: 'tool', content: expect.stringMatching(/in the past/) });
    transcriber.say('January 15th 2099 at 10:30');
    await tick();
    playAll();
    const result = await session.result;
    expect(result).toMatchObject({ outcome: 'rescheduled', rescheduleDate: '2099-01-15', rescheduleTime: '10:30' });
    expect(result.toolCalls.map((call) => call.name)).toEqual(['reschedule_delivery', 'reschedule_delivery']);
  });

  it('checks on a silent callee once, then ends the call as no_response', async () => {
    const { session, output, hangups, playAll } = setup(new ScriptedModel([]));
    await session.start();
    playAll();
    await tick(200);
    expect(output.marks.length).toBeGreaterThan(0); // "Are you there?" was spoken
    playAll();
    await tick(400);
    playAll();
    const result = await session.result;
    expect(result.outcome).toBe('no_response');
    expect(result.transcript.some((line) => line.text === 'Are you there?')).toBe(true);
    expect(hangups).toEqual(['no_response']);
  });

  it('records a callee who hangs up, without asking the carrier to hang up again', async () => {
    const { session, hangups } = setup(new ScriptedModel([]));
    await session.start();
    session.handleStreamEnd();
    expect((await session.result).outcome).toBe('callee_hung_up');
    expect(hangups).toEqual([]);
  });

  it('apologises and ends as failed when the language model breaks', async () => {
    const { session, transcriber, playAll } = setup(new ScriptedModel([{ fail: true }]));
    await session.start();
    playAll();
    transcriber.say('Yes');
    await tick();
    playAll();
    const result = await session.result;
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/model unavailable/);
  });

  it('stops talking when the callee interrupts, and keeps only what was heard', async () => {
    const model = new ScriptedModel([{ text: 'Let me tell you about delivery windows. They are long. Very long indeed. ', stallMs: 5 }, { text: 'Sure. ', tool: ['cancel_order', { reason: 'changed mind' }] }]);
    const { session, transcriber, output, playAll } = setup(model);
    await session.start();
    playAll();
    transcriber.say('What are the delivery windows?');
    await until(() => output.marks.length > 0, 'the agent to be mid-answer'); // some audio sent, marks not yet played
    transcriber.events.push({ type: 'interim', text: 'no stop please' });
    await tick();
    expect(output.clears).toBe(1);
    transcriber.say('Just cancel it, I changed my mind');
    await tick();
    playAll();
    const result = await session.result;
    expect(result).toMatchObject({ outcome: 'cancelled', cancelReason: 'changed mind' });
    expect(result.transcript.find((line) => line.interrupted)?.speaker).toBe('agent');
  });

  it('takes the recogniser\'s speech-started alone as a barge-in only when the agent asks for it', async () => {
    for (const interruptOnSpeechStarted of [false, true]) {
      const timing = { ...agent.timing, interruptOnSpeechStarted };
      const model = new ScriptedModel([{ text: 'Let me tell you about delivery windows. They are long. ' }]);
      const { session, transcriber, output, playAll } = setup(model, { agent: sampleRuntimeAgent({ timing }) });
      await session.start();
      playAll();
      transcriber.say('What are the delivery windows?');
      await tick(20); // mid-answer, marks not played
      transcriber.events.push({ type: 'speech_started' });
      await tick();
      expect(output.clears).toBe(interruptOnSpeechStarted ? 1 : 0);
      session.handleStreamEnd();
      await session.result;
    }
  });

  it('announces the keypad and takes presses when the agent enables them', async () => {
    const model = new ScriptedModel([{ text: 'Confirmed. ', tool: ['confirm_order', {}] }]);
    const { session, playAll } = setup(model, { agent: sampleRuntimeAgent({ dtmfEnabled: true }) });
    await session.start();
    playAll();
    session.handleDtmf('1');
    await tick();
    playAll();
    expect((await session.result).outcome).toBe('confirmed');
    expect(model.requests[0].messages.at(-1)?.content).toMatch(/pressed 1/);
    expect((await session.result).transcript[0].text).toMatch(/press 1 to confirm, 2 to cancel, or 3/);
  });

  it('ignores keypad presses when the agent does not offer them', async () => {
    const model = new ScriptedModel([]);
    const { session, playAll } = setup(model);
    await session.start();
    playAll();
    session.handleDtmf('1');
    await tick();
    expect(model.requests).toHaveLength(0);
    session.handleStreamEnd();
    expect((await session.result).transcript[0].text).not.toMatch(/press 1/);
  });

  it('does not cut off a callee who pauses mid-sentence', async () => {
    const model = new ScriptedModel([{ text: 'Okay. ', tool: ['reschedule_delivery', { date: '2099-03-05', time: '10 am' }] }]);
    const { session, transcriber, playAll } = setup(model);
    await session.start();
    playAll();
    transcriber.events.push({ type: 'final', text: 'Could you deliver it on', endOfTurn: true });
    await tick(300);
    expect(model.requests).toHaveLength(0); // a breath after "on", not the end of the turn
    transcriber.events.push({ type: 'speech_started' });
    transcriber.events.push({ type: 'final', text: 'March 5th 2099 at 10 am', endOfTurn: true });
    await tick();
    playAll();
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0].messages.at(-1)?.content).toBe('Could you deliver it on March 5th 2099 at 10 am');
    expect((await session.result).rescheduleDate).toBe('2099-03-05');
  });

  it('leaves a voicemail message for an answering machine and hangs up once it was played', async () => {
    const { session, output, hangups, playAll } = setup(new ScriptedModel([]));
    await session.start();
    session.leaveMessage('Please call us back about order {order_id}.');
    await tick();
    expect(hangups).toEqual([]);
    expect(output.clears).toBe(1); // the unplayed greeting was dropped first
    playAll();
    const result = await session.result;
    expect(result.transcript.at(-1)?.text).toBe('Please call us back about order ORD3.');
    expect(result.reason).toBe('voicemail message left');
    expect(hangups).toHaveLength(1);
  });
});

describe('the welcome message a row fills in', () => {
  it('is cut at a word boundary when a cell would make it minutes long, so what is synthesised stays bounded', () => {
    const agent = sampleRuntimeAgent({ welcomeMessage: 'Hello {name}, about order {order_id}.' });
    expect(welcomeText(agent, { name: 'Priya', order_id: 'O1' })).toBe('Hello Priya, about order O1.');
    const inflated = { name: 'word '.repeat(100_000), order_id: 'O1' };
    const text = welcomeText(agent, inflated);
    expect(text.length).toBeLessThanOrEqual(MAX_SPOKEN_MESSAGE_CHARS);
    expect(text).toMatch(/word$/);
    const requested = welcomeSpeechRequests(agent, inflated).reduce((sum, request) => sum + request.text.length, 0);
    expect(requested).toBeLessThanOrEqual(MAX_SPOKEN_MESSAGE_CHARS);
  });
});
