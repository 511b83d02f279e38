import { silentLogger } from '@codcall/logging';
import { FakeClock, RecordingAudioOutput, sampleRuntimeAgent, type SampleAgentOverrides } from '@codcall/test-support';
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
  say(text: string, speechEndedAtAudioMs?: number) {
    this.events.push({ type: 'speech_started' });
    this.events.push({ type: 'final', text, endOfTurn: true, ...(speechEndedAtAudioMs !== undefined ? { speechEndedAtAudioMs } : {}) });
  }
}

type ScriptedReply = { text?: string; tool?: [string, Record<string, unknown>]; fail?: boolean; stallMs?: number };

/** Answers each model request with the next scripted reply (text word by word, then an optional tool call); waits on the test's clock. */
class ScriptedModel implements LanguageModel {
  readonly name = 'test:scripted';
  readonly requests: LanguageModelRequest[] = [];
  clock?: FakeClock;
  constructor(private readonly replies: (ScriptedReply | undefined)[]) {}
  async *stream(request: LanguageModelRequest): AsyncIterable<LanguageModelDelta> {
    this.requests.push({ ...request, messages: [...request.messages] });
    const reply = this.replies.shift() ?? { text: 'Goodbye.' };
    if (reply.fail) throw new Error('model unavailable');
    for (const word of (reply.text ?? '').split(/(?<= )/)) {
      if (reply.stallMs) await this.clock?.sleep(reply.stallMs, request.signal);
      if (request.signal.aborted) return;
      if (word) yield { type: 'text', text: word };
    }
    if (reply.tool) yield { type: 'tool_call', call: { id: `call_${this.requests.length}`, name: reply.tool[0], arguments: JSON.stringify(reply.tool[1]) } };
  }
}

/** Two chunks a clause, 10 bytes a character: marks then tell the playback position within a clause. */
const synthesizer: Synthesizer = {
  name: 'test:bytes',
  async *synthesize(request) {
    const bytes = request.text.length * 10;
    yield Buffer.alloc(Math.ceil(bytes / 2), 0x55);
    yield Buffer.alloc(Math.floor(bytes / 2), 0x55);
  },
};

/** The carrier as the session sees it, keeping the order of what was sent. */
class CarrierLog extends RecordingAudioOutput {
  readonly sent: ('audio' | 'mark' | 'clear')[] = [];
  onAudio?: () => void;
  override sendAudio(mulaw: Buffer): void {
    super.sendAudio(mulaw);
    this.sent.push('audio');
    this.onAudio?.();
  }
  override sendMark(name: string): void {
    super.sendMark(name);
    this.sent.push('mark');
  }
  override clear(): void {
    super.clear();
    this.sent.push('clear');
  }
}

function setup(model: ScriptedModel, overrides: Partial<ConversationSessionOptions> & { agentOverrides?: SampleAgentOverrides } = {}) {
  const { agentOverrides, ...options } = overrides;
  const clock = new FakeClock('2026-12-01T09:00:00Z');
  model.clock = clock;
  const transcriber = new ScriptedTranscriber();
  const output = new CarrierLog();
  const hangups: string[] = [];
  const session = new ConversationSession({
    callId: 'c1',
    agent: agentOverrides ? sampleRuntimeAgent(agentOverrides) : agent,
    variables: { name: 'Priya', order_id: 'ORD3', city: 'Pune' },
    timezone: 'Asia/Kolkata',
    clock,
    transcriber,
    languageModel: model,
    synthesizer,
    output,
    onHangup: (reason) => hangups.push(reason),
    logger: silentLogger(),
    ...options,
  });
  /** The carrier reports everything sent so far as played. */
  const playAll = () => output.marks.splice(0).forEach((mark) => session.handleMark(mark));
  /** Time passes (the session's timers and the model's pauses run on it). */
  const tick = (ms = 20) => clock.advance(ms);
  /** Waits, 5 ms of fake time at a time, until `condition` holds. */
  const until = async (condition: () => boolean, what: string) => {
    for (let waited = 0; !condition(); waited += 5) {
      if (waited > 5000) throw new Error(`still waiting for ${what}`);
      await tick(5);
    }
  };
  /** Plays marks until the session ends. */
  const ended = async () => {
    let done = false;
    void session.result.then(() => (done = true));
    await until(() => (playAll(), done), 'the end of the call');
    return session.result;
  };
  /**
   * The callee says who they are and hears the model's next reply, the order question (the model
   * must have one scripted first, e.g. ASK_ORDER): from then on their answer may be recorded.
   */
  const identify = async (words = 'Yes, speaking.') => {
    const asked = model.requests.length + 1;
    playAll();
    transcriber.say(words);
    await until(() => model.requests.length >= asked && output.marks.length > 0, 'the order question');
    playAll();
  };
  return { session, transcriber, output, hangups, playAll, tick, until, ended, clock, identify };
}

/** The model's reply to the callee's first answer: it names the order, so it is the order question. */
const ASK_ORDER: ScriptedReply = { text: 'Thank you. Shall I deliver order ORD3 as planned? ' };

describe('ConversationSession', () => {
  it('greets first with the row filled in, hears who is speaking, asks about the order, confirms, and hangs up only after the goodbye was played', async () => {
    const model = new ScriptedModel([ASK_ORDER, { text: 'Thank you! Your order is confirmed. ', tool: ['confirm_order', {}] }]);
    const { session, transcriber, output, hangups, playAll, tick, identify } = setup(model);
    await session.start();
    expect(output.audioBytes).toBeGreaterThan(0);
    await identify();
    transcriber.say('Yes, please deliver it.');
    await tick();
    expect(hangups).toEqual([]); // the goodbye is still playing
    playAll();
    const result = await session.result;
    expect(hangups).toEqual(['confirmed']);
    expect(result.outcome).toBe('confirmed');
    expect(result.transcript.map((line) => [line.speaker, line.text])).toEqual([
      // The voice reads the order id letter by letter; the prompt has it as written.
      ['agent', 'Hello Priya, about order O R D, 3 to Pune.'],
      ['callee', 'Yes, speaking.'],
      ['agent', 'Thank you. Shall I deliver order ORD3 as planned?'],
      ['callee', 'Yes, please deliver it.'],
      ['agent', 'Thank you! Your order is confirmed.'],
    ]);
    expect(model.requests).toHaveLength(2);
    expect(model.requests[0].messages[0].content).toContain('You call Priya about ORD3.');
    expect(model.requests[0].messages[0].content).toContain('city: Pune');
    // An identity answer cannot settle the order: the tools that would are offered only after the order question.
    expect(model.requests[0].tools.map((tool) => tool.name)).toEqual(['wrong_person', 'do_not_call', 'end_call', 'request_callback']);
    expect(model.requests[1].tools.map((tool) => tool.name)).toEqual(['confirm_order', 'cancel_order', 'reschedule_delivery', 'wrong_person', 'do_not_call', 'end_call', 'request_callback']);
    expect(result.turns.map((turn) => turn.kind)).toEqual(['text', 'outcome']);
  });

  it("after a tool-only answer, says the agent's goodbye for that outcome at once, without asking the model again", async () => {
    const model = new ScriptedModel([ASK_ORDER, { tool: ['cancel_order', { reason: 'ordered twice' }] }]);
    const { session, transcriber, output, hangups, playAll, tick, identify } = setup(model);
    await session.start();
    await identify();
    transcriber.say('Please cancel it, I ordered it twice.');
    await tick(0);
    expect(output.marks.length).toBeGreaterThan(0); // the goodbye is playing
    expect(hangups).toEqual([]);
    playAll();
    const result = await session.result;
    expect(hangups).toEqual(['cancelled']);
    expect(result).toMatchObject({ outcome: 'cancelled', cancelReason: 'ordered twice' });
    expect(model.requests).toHaveLength(2);
    expect(result.transcript.at(-1)).toMatchObject({ speaker: 'agent', text: 'Your order has been cancelled. Thank you for letting us know. Goodbye.' });
  });

  it("fills the agent's goodbye with the row and, for a new delivery day, with the date the callee chose", async () => {
    const goodbyeMessages = {
      ...agent.goodbyeMessages,
      do_not_call: 'Understood, {name}. We will not call again. Goodbye.',
      rescheduled: 'We will bring order {order_id} on {reschedule_date} at {reschedule_time}. Goodbye.',
    };
    for (const [tool, expected] of [
      [['do_not_call', { reason: 'gets too many calls' }], 'Understood, Priya. We will not call again. Goodbye.'],
      // The day and time as an English speaker says them; the order id spelled out.
      [['reschedule_delivery', { date: '2099-01-15', time: '10:30' }], 'We will bring order O R D, 3 on Thursday, January 15 at 10:30 AM. Goodbye.'],
    ] as const) {
      const model = new ScriptedModel([ASK_ORDER, { tool: [tool[0], tool[1]] }]);
      const { session, transcriber, ended, identify } = setup(model, { agentOverrides: { goodbyeMessages } });
      await session.start();
      await identify();
      transcriber.say('Never mind what I say.');
      const result = await ended();
      expect(result.transcript.at(-1)?.text).toBe(expected);
      expect(model.requests).toHaveLength(2);
    }
  });

  it('refuses a delivery day in the past, asks again, and records the corrected one', async () => {
    const model = new ScriptedModel([
      ASK_ORDER,
      { text: 'Okay. ', tool: ['reschedule_delivery', { date: 'yesterday', time: '5 pm' }] },
      { text: 'That day has passed. Which day suits you? ' },
      { text: 'Done. ', tool: ['reschedule_delivery', { date: '2099-01-15', time: '10:30' }] },
    ]);
    const { session, transcriber, playAll, tick, identify } = setup(model);
    await session.start();
    await identify();
    transcriber.say('Deliver it yesterday at 5');
    await tick();
    playAll();
    // The refusal is not an outcome: the model answers again, within the same turn.
    expect(model.requests[2].messages.at(-1)).toMatchObject({ role: 'tool', content: expect.stringMatching(/in the past/) });
    transcriber.say('January 15th 2099 at 10:30');
    await tick();
    playAll();
    const result = await session.result;
    expect(result).toMatchObject({ outcome: 'rescheduled', rescheduleDate: '2099-01-15', rescheduleTime: '10:30' });
    expect(result.toolCalls.map((call) => call.name)).toEqual(['reschedule_delivery', 'reschedule_delivery']);
    expect(result.turns.map((turn) => turn.kind)).toEqual(['text', 'text', 'outcome']);
  });

  it('checks on a silent callee once, then ends the call as no_response with its goodbye', async () => {
    const { session, output, hangups, playAll, tick } = setup(new ScriptedModel([]));
    await session.start();
    playAll();
    await tick(150);
    expect(output.marks.length).toBeGreaterThan(0); // "Are you there?" was spoken
    playAll();
    await tick(250);
    playAll();
    const result = await session.result;
    expect(result.outcome).toBe('no_response');
    expect(result.transcript.map((line) => line.text)).toEqual(['Hello Priya, about order O R D, 3 to Pune.', 'Are you there?', agent.goodbyeMessages.no_response]);
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
    const { session, transcriber, playAll, tick } = setup(new ScriptedModel([{ fail: true }]));
    await session.start();
    playAll();
    transcriber.say('Yes');
    await tick();
    playAll();
    const result = await session.result;
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/model unavailable/);
    expect(result.transcript.at(-1)?.text).toBe(agent.goodbyeMessages.failed);
  });

  it('stops talking when the callee interrupts, and keeps only what was heard', async () => {
    const model = new ScriptedModel([ASK_ORDER, { text: 'Let me tell you about delivery windows. They are long. Very long indeed. ', stallMs: 5 }, { text: 'Sure. ', tool: ['cancel_order', { reason: 'changed mind' }] }]);
    const { session, transcriber, output, playAll, tick, until, identify } = setup(model);
    await session.start();
    await identify();
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
    expect(result.turns.map((turn) => turn.kind)).toEqual(['text', 'text', 'barge_in', 'outcome']);
  });

  it("takes the recogniser's speech-started alone as a barge-in only when the agent asks for it", async () => {
    for (const interruptOnSpeechStarted of [false, true]) {
      const model = new ScriptedModel([{ text: 'Let me tell you about delivery windows. They are long. ' }]);
      const { session, transcriber, output, playAll, tick } = setup(model, { agentOverrides: { timing: { interruptOnSpeechStarted } } });
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
    const { session, playAll, tick } = setup(model, { agentOverrides: { dtmfEnabled: true } });
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
    const { session, playAll, tick } = setup(model);
    await session.start();
    playAll();
    session.handleDtmf('1');
    await tick();
    expect(model.requests).toHaveLength(0);
    session.handleStreamEnd();
    expect((await session.result).transcript[0].text).not.toMatch(/press 1/);
  });

  it('does not cut off a callee who pauses mid-sentence', async () => {
    const model = new ScriptedModel([ASK_ORDER, { text: 'Okay. ', tool: ['reschedule_delivery', { date: '2099-03-05', time: '10 am' }] }]);
    const { session, transcriber, playAll, tick, identify } = setup(model);
    await session.start();
    await identify();
    transcriber.events.push({ type: 'final', text: 'Could you deliver it on', endOfTurn: true });
    await tick(300);
    expect(model.requests).toHaveLength(1); // a breath after "on", not the end of the turn
    transcriber.events.push({ type: 'speech_started' });
    transcriber.events.push({ type: 'final', text: 'March 5th 2099 at 10 am', endOfTurn: true });
    await tick();
    playAll();
    expect(model.requests).toHaveLength(2);
    expect(model.requests[1].messages.at(-1)?.content).toBe('Could you deliver it on March 5th 2099 at 10 am');
    expect((await session.result).rescheduleDate).toBe('2099-03-05');
  });

  it('leaves a voicemail message for an answering machine and hangs up once it was played', async () => {
    const { session, output, hangups, playAll, tick } = setup(new ScriptedModel([]));
    await session.start();
    session.leaveMessage('Please call us back about order {order_id}.');
    await tick();
    expect(hangups).toEqual([]);
    expect(output.clears).toBe(1); // the unplayed greeting was dropped first
    playAll();
    const result = await session.result;
    expect(result.transcript.at(-1)?.text).toBe('Please call us back about order O R D, 3.');
    expect(result.reason).toBe('voicemail message left');
    expect(hangups).toHaveLength(1);
  });
});

describe('pause-and-resume barge-in (interruptionMode pause)', () => {
  const pauseAgent: SampleAgentOverrides = { timing: { interruptionMode: 'pause', falseInterruptionTimeoutMs: 600 } };
  const answer = 'Your order is one blue kettle. It costs nine hundred rupees. Shall I confirm it?';

  /** The callee asked a question; the agent's whole answer is at the carrier, its first chunk played. */
  async function midAnswer(replies: ScriptedReply[] = []) {
    const model = new ScriptedModel([{ text: `${answer} ` }, ...replies]);
    const harness = setup(model, { agentOverrides: pauseAgent });
    const { session, transcriber, output, playAll, until } = harness;
    await session.start();
    playAll();
    transcriber.say('What is in my order?');
    await until(() => output.marks.length >= 6, 'the whole answer at the carrier');
    session.handleMark(output.marks.shift()!);
    return { ...harness, model };
  }

  it('given a callee who coughs while the agent talks, the agent pauses at once and resumes the same sentence', async () => {
    const { session, transcriber, output, model, playAll, tick, ended } = await midAnswer([{ text: 'Okay. ', tool: ['confirm_order', {}] }]);
    const bytesBefore = output.audioBytes;
    const unplayed = output.marks.splice(0); // at the carrier when the callee coughs
    transcriber.events.push({ type: 'speech_started' });
    await tick(0);
    expect(output.clears).toBe(1);
    expect(session.currentState).toBe('paused');
    // Twilio returns every outstanding mark right after a clear: none of that audio was heard.
    unplayed.forEach((mark) => session.handleMark(mark));
    await tick(599);
    expect(output.audioBytes).toBe(bytesBefore); // still paused: no words, window not over
    await tick(1);
    expect(session.currentState).toBe('speaking');
    const resent = output.audioBytes - bytesBefore;
    // From the first chunk not played on: the second half of the first clause, and both clauses after it.
    expect(resent).toBe(150 + ('It costs nine hundred rupees.'.length + 'Shall I confirm it?'.length) * 10);
    expect(output.marks).toHaveLength(unplayed.length);
    playAll();
    transcriber.say('Yes please');
    const result = await ended();
    // The model is told the whole answer was said, as if never cut.
    expect(model.requests[1].messages.slice(-2)).toEqual([
      { role: 'assistant', content: answer },
      { role: 'user', content: 'Yes please' },
    ]);
    expect(result.transcript.find((line) => line.text === answer)?.interrupted).toBeUndefined();
    expect(result.turns.find((turn) => turn.kind === 'barge_in')).toMatchObject({ kind: 'barge_in', latencyMs: 0, resolution: 'resumed' });
  });

  it('given a callee who says "mm-hm" during the pause, the agent resumes at once and takes no turn of it', async () => {
    const { session, transcriber, output, model, tick } = await midAnswer();
    output.marks.splice(0);
    transcriber.events.push({ type: 'speech_started' });
    await tick(100);
    expect(session.currentState).toBe('paused');
    const bytesPaused = output.audioBytes;
    transcriber.events.push({ type: 'interim', text: 'mm-hm' });
    transcriber.events.push({ type: 'final', text: 'Mm-hm.', endOfTurn: true });
    await tick(0);
    expect(session.currentState).toBe('speaking');
    expect(output.audioBytes).toBeGreaterThan(bytesPaused);
    await tick(1000);
    expect(model.requests).toHaveLength(1); // "mm-hm" was not answered
    session.handleStreamEnd();
    expect((await session.result).turns.filter((turn) => turn.kind === 'barge_in')).toEqual([expect.objectContaining({ resolution: 'resumed' })]);
  });

  it('given two words during the pause, the agent yields as today: the rest is dropped and the model is told only the heard clause', async () => {
    const { session, transcriber, output, model, tick, ended } = await midAnswer([{ tool: ['cancel_order', {}] }]);
    session.handleMark(output.marks.shift()!); // the first clause was heard to its end
    const unplayed = output.marks.splice(0);
    transcriber.events.push({ type: 'speech_started' });
    await tick(0);
    unplayed.forEach((mark) => session.handleMark(mark)); // returned by the clear: not heard
    transcriber.events.push({ type: 'interim', text: 'no wait' });
    await tick(0);
    const bytesAfter = output.audioBytes;
    transcriber.say('No wait, cancel it.');
    const result = await ended();
    expect(output.clears).toBe(1);
    expect(model.requests[1].messages.slice(-2)).toEqual([
      { role: 'assistant', content: 'Your order is one blue kettle.' },
      { role: 'user', content: 'No wait, cancel it.' },
    ]);
    expect(result.transcript.find((line) => line.interrupted)).toMatchObject({ speaker: 'agent', text: answer });
    expect(output.audioBytes).toBeGreaterThan(bytesAfter); // only the goodbye came after
  });

  it('given a callee who makes a sound while the model is still thinking, nothing is cleared and the answer plays after the window', async () => {
    const model = new ScriptedModel([{ text: 'Your order is one blue kettle. ', stallMs: 300 }]);
    const { session, transcriber, output, tick } = setup(model, { agentOverrides: pauseAgent });
    await session.start();
    output.marks.splice(0).forEach((mark) => session.handleMark(mark));
    transcriber.say('What is in my order?');
    await tick(100);
    expect(session.currentState).toBe('thinking');
    transcriber.events.push({ type: 'speech_started' });
    await tick(0);
    expect(session.currentState).toBe('paused');
    expect(output.clears).toBe(0); // nothing was at the carrier
    const before = output.audioBytes;
    await tick(600);
    expect(session.currentState).toBe('thinking'); // resumed, the model still writing
    await tick(2000);
    expect(output.audioBytes - before).toBe('Your order is one blue kettle.'.length * 10);
    session.handleStreamEnd();
    await session.result;
  });

  it('given an outcome decided while paused, the goodbye goes on at once and the call ends once it is heard', async () => {
    const model = new ScriptedModel([ASK_ORDER, { text: 'Thank you, it is confirmed. Goodbye. ', tool: ['confirm_order', {}], stallMs: 100 }]);
    const { session, transcriber, output, hangups, until, tick, ended, identify } = setup(model, { agentOverrides: pauseAgent });
    await session.start();
    await identify();
    transcriber.say('Yes, deliver it.');
    await until(() => output.marks.length > 0, 'the goodbye at the carrier');
    transcriber.events.push({ type: 'speech_started' });
    await tick(0);
    expect(session.currentState).toBe('paused');
    await until(() => session.currentState === 'saying_goodbye', 'the tool call');
    expect(hangups).toEqual([]);
    const result = await ended();
    expect(hangups).toEqual(['confirmed']);
    expect(result.transcript.at(-1)?.text).toBe('Thank you, it is confirmed. Goodbye.');
    // Each is recorded once it is settled: the outcome with its tool call, the pause as the goodbye resumed.
    expect(result.turns.map((turn) => turn.kind)).toEqual(['text', 'outcome', 'barge_in']);
    expect(result.turns[2]).toMatchObject({ resolution: 'resumed' });
  });

  it('never pauses an agent the callee may not interrupt (interruptionWords 0)', async () => {
    const { session, transcriber, output, tick } = await (async () => {
      const harness = setup(new ScriptedModel([{ text: `${answer} ` }]), { agentOverrides: { timing: { interruptionMode: 'pause', interruptionWords: 0 } } });
      await harness.session.start();
      harness.playAll();
      harness.transcriber.say('What is in my order?');
      await harness.until(() => harness.output.marks.length > 0, 'the answer at the carrier');
      return harness;
    })();
    transcriber.events.push({ type: 'speech_started' });
    transcriber.events.push({ type: 'interim', text: 'no wait stop' });
    await tick(0);
    expect(output.clears).toBe(0);
    expect(session.currentState).toBe('speaking');
    session.handleStreamEnd();
    await session.result;
  });

  it('holds an answer still being written while paused, and plays it on resume', async () => {
    const model = new ScriptedModel([{ text: `${answer} `, stallMs: 50 }]);
    const { session, transcriber, output, until, tick } = setup(model, { agentOverrides: pauseAgent });
    await session.start();
    output.marks.splice(0).forEach((mark) => session.handleMark(mark));
    transcriber.say('What is in my order?');
    await until(() => output.marks.length > 0, 'the first clause at the carrier');
    transcriber.events.push({ type: 'speech_started' });
    await tick(0);
    const held = output.audioBytes;
    await tick(400); // the model writes on while the agent is paused
    expect(output.audioBytes).toBe(held);
    await tick(200);
    expect(session.currentState).toBe('speaking');
    await tick(2000);
    // Nothing was heard before the pause: all three clauses went out after it, once each.
    expect(output.audioBytes - held).toBe(('Your order is one blue kettle.'.length + 'It costs nine hundred rupees.'.length + 'Shall I confirm it?'.length) * 10);
    session.handleStreamEnd();
    expect((await session.result).transcript.at(-1)).toMatchObject({ text: answer });
  });
});

describe('turn timings', () => {
  it("records the outcome turn, with the callee's speech end from the recogniser's word timings", async () => {
    const model = new ScriptedModel([ASK_ORDER, { text: 'Lovely, confirmed. ', tool: ['confirm_order', {}] }]);
    const { session, transcriber, clock, ended, identify } = setup(model);
    await session.start();
    await identify();
    const start = clock.now() - new Date('2026-12-01T09:00:00Z').getTime();
    // 1 s of the callee's audio, one 20 ms frame every 20 ms; their last word ends 640 ms in.
    for (let frame = 0; frame < 50; frame++) {
      session.handleAudio(Buffer.alloc(160, 0xff));
      await clock.advance(20);
    }
    transcriber.say('Yes, deliver it.', 640);
    const result = await ended();
    // The frame holding audio 620-640 ms (its 32nd) arrived 620 ms after the callee began; the final came at 1000 ms.
    const at = (ms: number) => start + ms;
    expect(result.turns.at(-1)).toEqual({
      kind: 'outcome',
      calleeSpeechEndedAtMs: at(620),
      sttFinalAtMs: at(1000),
      llmRequestAtMs: at(1000),
      llmFirstTokenAtMs: at(1000),
      ttsRequestAtMs: at(1000),
      ttsFirstByteAtMs: at(1000),
      firstFrameSentAtMs: at(1000),
      latencyMs: 380,
    });
  });

  it('records a turn in which a refused tool sent the model back: the first request, then the follow-up and its first token', async () => {
    // An outcome asked for before the callee said who they are is refused; the model answers again, 300 ms a word.
    const model = new ScriptedModel([{ tool: ['confirm_order', {}] }, { text: 'Sorry, am I speaking with Priya? ', stallMs: 300 }]);
    const { session, transcriber, clock, tick, until } = setup(model);
    await session.start();
    await tick(500);
    const at = clock.now() - new Date('2026-12-01T09:00:00Z').getTime();
    transcriber.say('Yes, deliver it.');
    await until(() => model.requests.length === 2, 'the second request');
    await tick(3000);
    session.handleStreamEnd();
    const turn = (await session.result).turns.find((entry) => entry.kind === 'text');
    expect(turn).toMatchObject({ llmRequestAtMs: at, llmFirstTokenAtMs: at, followUpLlmRequestAtMs: at, followUpLlmFirstTokenAtMs: at + 300 });
    expect(turn).toMatchObject({ ttsRequestAtMs: at + 6 * 300 });
  });

  it('falls back to the arrival of the final without word timings, and leaves out TTS legs for a prepared goodbye', async () => {
    const model = new ScriptedModel([ASK_ORDER, { tool: ['confirm_order', {}] }]);
    const { session, transcriber, clock, tick, ended, identify } = setup(model);
    await session.start();
    await identify();
    await tick(500);
    const at = clock.now() - new Date('2026-12-01T09:00:00Z').getTime();
    transcriber.say('Yes, deliver it.');
    const result = await ended();
    expect(result.turns.at(-1)).toEqual({ kind: 'outcome', calleeSpeechEndedAtMs: at, sttFinalAtMs: at, llmRequestAtMs: at, llmFirstTokenAtMs: at, firstFrameSentAtMs: at, latencyMs: 0 });
  });
});

describe('the welcome message a row fills in', () => {
  it('is cut at a word boundary when a cell would make it minutes long, so what is synthesised stays bounded', () => {
    const agent = sampleRuntimeAgent({ welcomeMessage: 'Hello {name}, about order {order_id}.' });
    expect(welcomeText(agent, { name: 'Priya', order_id: 'O1' })).toBe('Hello Priya, about order O, 1.');
    const inflated = { name: 'word '.repeat(100_000), order_id: 'O1' };
    const text = welcomeText(agent, inflated);
    expect(text.length).toBeLessThanOrEqual(MAX_SPOKEN_MESSAGE_CHARS);
    expect(text).toMatch(/word$/);
    const requested = welcomeSpeechRequests(agent, inflated).reduce((sum, request) => sum + request.text.length, 0);
    expect(requested).toBeLessThanOrEqual(MAX_SPOKEN_MESSAGE_CHARS);
  });
});
