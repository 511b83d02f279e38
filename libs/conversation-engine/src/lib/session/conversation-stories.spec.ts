import { localiseAgent, type AgentRuntimeConfig } from '@codcall/agent-config';
import { languagePack } from '@codcall/languages';
import { silentLogger } from '@codcall/logging';
import { FakeClock, RecordingAudioOutput, sampleRuntimeAgent, type SampleAgentOverrides } from '@codcall/test-support';
import type { LanguageModel, LanguageModelDelta, LanguageModelRequest, SynthesisRequest, Synthesizer, Transcriber, TranscriberOptions, TranscriberStream, TranscriptEvent } from '../providers';
import { AsyncQueue } from './async-queue';
import { ConversationSession } from './conversation-session';

/**
 * Whole conversations with the rules of conversation-stage.ts: who is speaking first, then the
 * order; callbacks, transfers and address corrections. The model is scripted, so each story says
 * what a model (or the offline policy) did and what the engine made of it.
 */

type Reply = { text?: string; tool?: [string, Record<string, unknown>] };

class ScriptedModel implements LanguageModel {
  readonly name = 'test:scripted';
  readonly requests: LanguageModelRequest[] = [];
  constructor(private readonly replies: Reply[]) {}
  async *stream(request: LanguageModelRequest): AsyncIterable<LanguageModelDelta> {
    this.requests.push({ ...request, messages: [...request.messages] });
    const reply = this.replies.shift() ?? { text: 'Goodbye.' };
    if (reply.text) yield { type: 'text', text: reply.text };
    if (reply.tool) yield { type: 'tool_call', call: { id: `call_${this.requests.length}`, name: reply.tool[0], arguments: JSON.stringify(reply.tool[1]) } };
  }
  offered(request: number): string[] {
    return this.requests[request].tools.map((tool) => tool.name);
  }
}

function call(replies: Reply[], options: { agent?: SampleAgentOverrides; localised?: AgentRuntimeConfig; variables?: Record<string, string>; transferAvailable?: boolean; timezone?: string } = {}) {
  // 14:30 in Kolkata, Tuesday 1 December 2026.
  const clock = new FakeClock('2026-12-01T09:00:00Z');
  const events = new AsyncQueue<TranscriptEvent>();
  const opened: TranscriberOptions[] = [];
  const spoken: Omit<SynthesisRequest, 'signal'>[] = [];
  const synthesizer: Synthesizer = {
    name: 'test:bytes',
    async *synthesize({ signal: _, ...request }) {
      spoken.push(request);
      yield Buffer.alloc(request.text.length * 10, 0x55);
    },
  };
  const transcriber: Transcriber = {
    name: 'test:scripted',
    open: async (options): Promise<TranscriberStream> => (opened.push(options), { sendAudio: () => undefined, close: async () => events.close(), [Symbol.asyncIterator]: () => events[Symbol.asyncIterator]() }),
  };
  const model = new ScriptedModel(replies);
  const output = new RecordingAudioOutput();
  const hangups: string[] = [];
  const session = new ConversationSession({
    callId: 'c1',
    agent: options.localised ?? sampleRuntimeAgent({ welcomeMessage: 'Hello, this is the delivery team. Am I speaking with {name}?', ...options.agent }),
    variables: options.variables ?? { name: 'Anita', order_id: 'ORD-1042', amount: '1499' },
    timezone: options.timezone ?? 'Asia/Kolkata',
    transferAvailable: options.transferAvailable,
    clock,
    transcriber,
    languageModel: model,
    synthesizer,
    output,
    onHangup: (reason) => hangups.push(reason),
    logger: silentLogger(),
  });
  const playAll = () => output.marks.splice(0).forEach((mark) => session.handleMark(mark));
  /** The callee says `text` once the agent has been heard, and waits until the agent has answered it. */
  const callee = async (text: string) => {
    playAll();
    const before = model.requests.length;
    events.push({ type: 'speech_started' });
    events.push({ type: 'final', text, endOfTurn: true });
    for (let waited = 0; model.requests.length === before; waited += 5) {
      if (waited > 2000) throw new Error(`the agent never answered "${text}"`);
      await clock.advance(5);
    }
    await clock.advance(5);
  };
  const ended = async () => {
    let done = false;
    void session.result.then(() => (done = true));
    for (let waited = 0; !done; waited += 5) {
      if (waited > 5000) throw new Error('the call never ended');
      playAll();
      await clock.advance(5);
    }
    return session.result;
  };
  return { session, model, hangups, callee, ended, playAll, clock, opened, spoken };
}

describe('a conversation that does not guess', () => {
  it('given a callee who says who they are and then wants another day, the order is rescheduled and never confirmed, even by a model that guessed', async () => {
    const { session, model, callee, ended } = call([
      // A model that takes "yes, speaking" for a yes to the order (the false confirmation).
      { text: 'Great! ', tool: ['confirm_order', {}] },
      { text: 'Your order O R D, 1 0 4 2 of 1,499 rupees comes tomorrow. Shall I deliver it then? ' },
      { text: 'Sure, Friday at 3 it is. ', tool: ['reschedule_delivery', { date: 'Friday', time: '3 pm' }] },
    ]);
    await session.start();
    await callee('Yes, speaking.');
    await callee("Not tomorrow, I'm away. Friday at 3 pm please.");
    const result = await ended();
    expect(result).toMatchObject({ outcome: 'rescheduled', rescheduleDate: '2026-12-04', rescheduleTime: '15:00' });
    // The guess was refused and is in the record; the model was told to ask about the order first.
    expect(result.toolCalls.map((tool) => [tool.name, tool.result.split(':')[0]])).toEqual([
      ['confirm_order', 'Not recorded'],
      ['reschedule_delivery', 'Delivery rescheduled to 2026-12-04 at 15'],
    ]);
    expect(model.requests[1].messages.at(-1)).toMatchObject({ role: 'tool', content: expect.stringMatching(/Ask them now about order ORD-1042, saying its number/) });
    // Before the order question, the model is not even offered the tools that settle the order.
    expect(model.offered(0)).not.toContain('confirm_order');
    expect(model.offered(2)).toContain('confirm_order');
  });

  it('given a callee who says who they are and then goes quiet, the call ends without an outcome', async () => {
    const { session, callee, ended, hangups } = call([{ text: 'Thank you. Order O R D, 1 0 4 2 is ready to deliver tomorrow. Is that fine? ' }]);
    await session.start();
    await callee('Haan ji, bol rahi hoon.');
    const result = await ended();
    expect(result.outcome).toBe('no_response');
    expect(hangups).toEqual(['no_response']);
  });

  it('given "who is this?" answered without an order detail, the "yes" that follows is still about identity', async () => {
    const { session, model, callee } = call([
      { text: "I'm Priya from the delivery team. Am I speaking with Anita? " },
      { text: 'Thank you, Anita. Shall I deliver order O R D, 1 0 4 2 tomorrow? ' },
    ]);
    await session.start();
    await callee('Who is this?');
    await callee('Yes, I am Anita.');
    expect(model.offered(1)).not.toContain('confirm_order');
    session.handleStreamEnd();
    expect((await session.result).outcome).toBe('callee_hung_up');
  });

  it('tells the model the rules it enforces, in the prompt', async () => {
    const { session, model, callee } = call([{ text: 'Okay. ' }]);
    await session.start();
    await callee('Yes.');
    const prompt = model.requests[0].messages[0].content;
    expect(prompt).toMatch(/first answer .* says who they are, never what they want done with the order\. Then ask about order ORD-1042, saying its number/);
    expect(prompt).toContain('order_id: ORD-1042'); // the prompt has the cells as written
    session.handleStreamEnd();
    await session.result;
  });
});

describe('a callee who asks to be called back', () => {
  it('given "call me after 6" in Kolkata, the call ends callback_requested at 18:00 there, said back in the callee\'s words', async () => {
    const { session, model, callee, ended, hangups } = call([{ tool: ['request_callback', { time: 'after 6' }] }]);
    await session.start();
    await callee("Yes, that's me. I'm driving right now, call me after 6.");
    const result = await ended();
    expect(model.offered(0)).toContain('request_callback');
    expect(result).toMatchObject({ outcome: 'callback_requested', callbackAt: '2026-12-01T18:00+05:30' });
    expect(result.transcript.at(-1)?.text).toBe("Of course. We'll call you back at the time you asked for: Tuesday 6:00 PM. Goodbye.");
    expect(hangups).toEqual(['callback_requested']);
  });

  it('given a Hindi call, the callback time of the goodbye is said in Hindi', async () => {
    const hindi = languagePack('hi');
    const { session, callee, ended } = call([{ tool: ['request_callback', { time: 'kal subah 10 baje' }] }], {
      agent: { language: 'hi', goodbyeMessages: { ...hindi.defaults.goodbyes } },
      variables: { name: 'अनीता', order_id: 'ORD009' },
    });
    await session.start();
    await callee('हाँ जी, मैं अनीता बोल रही हूँ। कल सुबह दस बजे फ़ोन कीजिए।');
    const result = await ended();
    expect(result.callbackAt).toBe('2026-12-02T10:00+05:30');
    expect(result.transcript.at(-1)?.text).toBe(hindi.defaults.goodbyes.callback_requested.replace('{callback_time}', 'बुधवार 10:00 am'));
  });

  it('given a time already past, nothing is booked and the model asks again', async () => {
    const { session, model, callee, ended } = call([
      { text: 'Okay. ', tool: ['request_callback', { time: 'this morning at 9' }] },
      { text: 'That time has passed. When should we call? ' },
      { tool: ['request_callback', { time: 'tomorrow at 9 am' }] },
    ]);
    await session.start();
    await callee('Call me this morning at 9.');
    expect(model.requests[1].messages.at(-1)).toMatchObject({ role: 'tool', content: expect.stringMatching(/^Not booked: /) });
    await callee('Tomorrow at 9 then.');
    expect((await ended()).callbackAt).toBe('2026-12-02T09:00+05:30');
  });
});

describe('a callee who asks for a person', () => {
  it('is offered the transfer only when the gateway has a number, hears the transfer message, and the session does not hang up', async () => {
    const { session, model, callee, ended, hangups } = call([{ tool: ['transfer_to_human', { reason: 'wants a person' }] }], { transferAvailable: true });
    await session.start();
    await callee('Yes, speaking. Can I talk to a real person, please?');
    const result = await ended();
    expect(model.offered(0)).toContain('transfer_to_human');
    expect(result).toMatchObject({ outcome: 'transferred', transferReason: 'wants a person' });
    expect(result.transcript.at(-1)?.text).toBe('One moment, I am connecting you to a colleague.');
    expect(hangups).toEqual([]); // the call moves to a person: the carrier, not a hang-up
  });

  it('without a transfer number, the model is offered no transfer and told to offer a callback', async () => {
    const { session, model, callee } = call([{ text: 'The delivery team will call you. ' }]);
    await session.start();
    await callee('I want a human.');
    expect(model.offered(0)).not.toContain('transfer_to_human');
    expect(model.requests[0].messages[0].content).toMatch(/No colleague can take this call/);
    session.handleStreamEnd();
    await session.result;
  });
});

describe('an address the agent confirms', () => {
  const confirmsAddress = { agent: { confirmAddress: true, addressQuestion: 'Is your address still {address}?' }, variables: { name: 'Fatima', order_id: 'ORD011', address: 'Al Barsha 1' }, timezone: 'Asia/Dubai' };

  it('given a callee who completes the address and then confirms, the order is confirmed with the corrected address', async () => {
    const { session, model, callee, ended } = call(
      [
        { text: 'Thank you. Order O R D, 0 1 1: shall I deliver it, and is your address still Al Barsha 1? ' },
        { text: 'Noted, Flat 4B, Palm Residency. Shall I confirm the delivery there? ', tool: ['update_address', { address: 'Flat 4B, Palm Residency, near City Mall, Al Barsha 1' }] },
        { tool: ['confirm_order', {}] },
      ],
      confirmsAddress,
    );
    await session.start();
    await callee('Yes, I am Fatima.');
    expect(model.offered(0)).not.toContain('update_address'); // an order detail: after the order question
    expect(model.requests[0].messages[0].content).toMatch(/read the delivery address back .* "Is your address still Al Barsha 1\?"/);
    await callee('Yes deliver it, but it is Flat 4B, Palm Residency, near City Mall.');
    expect(model.requests).toHaveLength(2); // the model's words beside the note answered the callee: no second round
    await callee('Yes.');
    const result = await ended();
    expect(result).toMatchObject({ outcome: 'confirmed', addressUpdate: 'Flat 4B, Palm Residency, near City Mall, Al Barsha 1' });
  });

  it('given an agent that does not confirm addresses, update_address is never offered', async () => {
    const { session, model, callee } = call([{ text: 'Order O R D, 0 1 1 comes tomorrow. Fine? ' }, { text: 'Okay. ' }], { ...confirmsAddress, agent: {} });
    await session.start();
    await callee('Yes, I am Fatima.');
    await callee('It is Flat 4B.');
    expect(model.offered(1)).not.toContain('update_address');
    session.handleStreamEnd();
    await session.result;
  });
});

describe('a row in its own language', () => {
  it('given a Hinglish row, the recogniser hears Hindi and English at once and the voice keeps to the row\'s language', async () => {
    const hinglish = localiseAgent(sampleRuntimeAgent(), 'Hinglish');
    const { session, opened, spoken } = call([], { localised: hinglish, variables: { name: 'Rahul', order_id: 'ORD010' } });
    await session.start();
    expect(opened[0]).toMatchObject({ language: hinglish.transcriber.language, languageHints: hinglish.transcriber.languageHints });
    expect(hinglish.transcriber.languageHints?.length).toBeGreaterThan(0);
    expect(spoken[0]).toMatchObject({ language: 'hi-Latn', languageCode: hinglish.synthesizer.languageCode });
    expect(spoken.map((request) => request.text).join(' ')).toContain('Rahul');
    session.handleStreamEnd();
    await session.result;
  });
});
