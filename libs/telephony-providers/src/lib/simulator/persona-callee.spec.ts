import { silentLogger } from '@codcall/logging';
import { FakeOpenAIServer } from '@codcall/test-support';
import { openAiPersonaCallee, PersonaCalleeError, type HeardLine } from './persona-callee';

type SentMessage = { role: string; content: string };

describe('a callee played by a chat model from a persona', () => {
  let openai: FakeOpenAIServer;

  beforeEach(async () => {
    openai = await new FakeOpenAIServer({ apiKey: 'sk-persona-test' }).start();
  });

  afterEach(async () => {
    await openai.close();
  });

  const callee = (conversation: (callId: string) => readonly HeardLine[], apiKey = 'sk-persona-test') =>
    openAiPersonaCallee({ apiKey, baseUrl: openai.url, model: 'gpt-4o-mini', logger: silentLogger(), conversation });

  it('given what the agent said so far, asks the model as that customer in its language and speaks its reply', async () => {
    openai.replyWith('  Kal shaam ko bhej dena, please.  ');
    const heardBy: string[] = [];
    const improvise = callee((callId) => {
      heardBy.push(callId);
      return [
        { speaker: 'agent', text: 'Namaste, kya main Anita ji se baat kar rahi hoon?' },
        { speaker: 'callee', text: 'Haan ji.' },
        { speaker: 'agent', text: 'Aapka order ORD-7 kab deliver karein?' },
      ];
    });

    const line = await improvise({ callId: 'call-1', persona: 'Anita, busy until evening', language: 'hi-Latn', turn: 1 });

    expect(line).toEqual({ say: 'Kal shaam ko bhej dena, please.' });
    expect(heardBy).toEqual(['call-1']);
    expect(openai.requests).toHaveLength(1);
    const sent = openai.requests[0];
    expect(sent.apiKey).toBe('sk-persona-test');
    // One answer, not a stream: the simulator speaks the line whole.
    expect(sent.body['stream']).toBeUndefined();
    expect(sent.body['model']).toBe('gpt-4o-mini');
    const messages = sent.body['messages'] as SentMessage[];
    expect(messages[0].role).toBe('system');
    expect(messages[0].content).toContain('Who you are: Anita, busy until evening');
    expect(messages[0].content).toContain('"hi-Latn"');
    // The agent's lines are the user's turns, the callee's own the assistant's.
    expect(messages.slice(1)).toEqual([
      { role: 'user', content: 'Namaste, kya main Anita ji se baat kar rahi hoon?' },
      { role: 'assistant', content: 'Haan ji.' },
      { role: 'user', content: 'Aapka order ORD-7 kab deliver karein?' },
    ]);
  });

  it('says nothing more when the model says the call is over', async () => {
    openai.replyWith('[done]');
    const improvise = callee(() => [{ speaker: 'agent', text: 'Thank you, goodbye.' }]);
    expect(await improvise({ callId: 'call-1', persona: 'a polite customer', turn: 3 })).toBeNull();
  });

  it('tries once more after a server error, then names the refusal without the key', async () => {
    openai.failNext('http500');
    openai.replyWith('Yes, speaking.');
    const improvise = callee(() => [{ speaker: 'agent', text: 'Hello, is this Lee?' }]);
    expect(await improvise({ callId: 'call-1', persona: 'Lee', turn: 0 })).toEqual({ say: 'Yes, speaking.' });
    expect(openai.requests).toHaveLength(2);

    const refused = callee(() => [], 'sk-wrong-key-1234');
    const failure = refused({ callId: 'call-2', persona: 'Lee', turn: 0 });
    await expect(failure).rejects.toThrow(PersonaCalleeError);
    await expect(failure).rejects.toMatchObject({ status: 401, message: expect.not.stringContaining('sk-wrong-key-1234') });
  });
});
