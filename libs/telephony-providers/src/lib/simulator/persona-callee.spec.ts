import { createServer, type Server } from 'node:http';
import { silentLogger } from '@codcall/logging';
import { openAiPersonaCallee, PersonaCalleeError } from './persona-callee';

/** A chat-completions endpoint that answers with the next of `replies` and keeps what it was sent. */
async function fakeChat(replies: string[], status = 200) {
  const requests: { authorization?: string; body: { model: string; messages: { role: string; content: string }[] } }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push({ authorization: req.headers.authorization, body: JSON.parse(body) });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? JSON.stringify({ choices: [{ message: { role: 'assistant', content: replies.shift() ?? '' } }] }) : '{"error":"no"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  return { base, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('a callee played by a chat model from a persona', () => {
  it('given what the agent said so far, asks the model as that customer and speaks its reply', async () => {
    const chat = await fakeChat(['  Kal shaam ko bhej dena, please.  ']);
    const improvise = openAiPersonaCallee({
      apiKey: 'sk-test',
      baseUrl: chat.base,
      logger: silentLogger(),
      conversation: () => [
        { speaker: 'agent', text: 'Namaste, kya main Anita ji se baat kar rahi hoon?' },
        { speaker: 'callee', text: 'Haan ji.' },
        { speaker: 'agent', text: 'Aapka order kab deliver karein?' },
      ],
    });
    const line = await improvise({ callId: 'c1', persona: 'Anita, busy until evening', language: 'hi-Latn', turn: 1 });
    expect(line).toEqual({ say: 'Kal shaam ko bhej dena, please.' });
    const sent = chat.requests[0];
    expect(sent.authorization).toBe('Bearer sk-test');
    expect(sent.body.messages[0].role).toBe('system');
    expect(sent.body.messages[0].content).toContain('Anita, busy until evening');
    expect(sent.body.messages[0].content).toContain('"hi-Latn"');
    expect(sent.body.messages.slice(1).map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    await chat.close();
  });

  it('says nothing more when the model says the call is over, and names a refused request', async () => {
    const chat = await fakeChat(['[done]']);
    const improvise = openAiPersonaCallee({ apiKey: 'k', baseUrl: chat.base, logger: silentLogger(), conversation: () => [] });
    expect(await improvise({ callId: 'c1', persona: 'p', turn: 3 })).toBeNull();
    await chat.close();
    const broken = await fakeChat([], 500);
    const failing = openAiPersonaCallee({ apiKey: 'k', baseUrl: broken.base, logger: silentLogger(), conversation: () => [] });
    await expect(failing({ callId: 'c1', persona: 'p', turn: 0 })).rejects.toThrow(PersonaCalleeError);
    await broken.close();
  });
});
