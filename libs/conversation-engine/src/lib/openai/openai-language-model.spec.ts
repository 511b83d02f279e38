import { FakeOpenAIServer, type FakeOpenAIOptions } from '../../../../test-support/src/lib/fakes/openai-fake-server';
import type { ChatMessage, LanguageModelDelta, LanguageModelRequest, ToolSchema } from '../providers';
import {
  LanguageModelError,
  OpenAILanguageModel,
  openaiConfigFromEnv,
  type OpenAILanguageModelOptions,
} from './openai-language-model';

const API_KEY = 'sk-test-0123456789abcdef0123456789abcdef';
const MODEL = 'gpt-4o-mini';
const SYSTEM = 'You are Meera from ShopKart, calling about a cash on delivery order.';
const REPLY = 'Hello Priya, this is Meera from ShopKart. Can you confirm your order of a blue kurta?';

const CONFIRM_ORDER: ToolSchema = {
  name: 'confirm_order',
  description: 'The callee confirms the order as it is.',
  parameters: { type: 'object', properties: {}, additionalProperties: false },
};
const RESCHEDULE_DELIVERY: ToolSchema = {
  name: 'reschedule_delivery',
  description: 'The callee wants the delivery on another day.',
  parameters: { type: 'object', properties: { date: { type: 'string' } }, required: ['date'] },
};

describe('OpenAILanguageModel, through the official SDK against a local OpenAI', () => {
  let server: FakeOpenAIServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function startOpenAI(options: Partial<FakeOpenAIOptions> = {}): Promise<FakeOpenAIServer> {
    server = await new FakeOpenAIServer({ apiKey: API_KEY, ...options }).start();
    return server;
  }

  function modelFor(fake: FakeOpenAIServer, options: Partial<OpenAILanguageModelOptions> = {}): OpenAILanguageModel {
    return new OpenAILanguageModel({ apiKey: API_KEY, baseUrl: fake.url, model: MODEL, temperature: 0.2, maxTokens: 150, ...options });
  }

  function ask(model: OpenAILanguageModel, request: Partial<LanguageModelRequest> = {}): AsyncIterable<LanguageModelDelta> {
    return model.stream({
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: 'Hello?' },
      ],
      tools: [CONFIRM_ORDER],
      signal: new AbortController().signal,
      ...request,
    });
  }

  async function collect(deltas: AsyncIterable<LanguageModelDelta>): Promise<LanguageModelDelta[]> {
    const all: LanguageModelDelta[] = [];
    for await (const delta of deltas) all.push(delta);
    return all;
  }

  function textOf(deltas: LanguageModelDelta[]): string {
    return deltas.map((delta) => (delta.type === 'text' ? delta.text : '')).join('');
  }

  async function failureOf(deltas: AsyncIterable<LanguageModelDelta>): Promise<LanguageModelError> {
    try {
      await collect(deltas);
    } catch (error) {
      expect(error).toBeInstanceOf(LanguageModelError);
      return error as LanguageModelError;
    }
    throw new Error('expected the language model to fail');
  }

  it("sends the agent's model, temperature, token limit, history and tools the way OpenAI expects them", async () => {
    const fake = await startOpenAI();
    fake.replyWith('Thank you, your order is confirmed.');
    const model = modelFor(fake);
    expect(model.name).toBe('openai:gpt-4o-mini');
    const history: ChatMessage[] = [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: 'Can it come on Friday instead?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_abc123', name: 'reschedule_delivery', arguments: '{"date":"2026-11-27"}' }] },
      { role: 'tool', toolCallId: 'call_abc123', content: 'Delivery moved to Friday 27 November.' },
      { role: 'assistant', content: 'Done, it will come on Friday.' },
      { role: 'user', content: 'Great, thanks.' },
    ];

    const deltas = await collect(ask(model, { messages: history, tools: [CONFIRM_ORDER, RESCHEDULE_DELIVERY] }));

    expect(textOf(deltas)).toBe('Thank you, your order is confirmed.');
    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0];
    expect(request.apiKey).toBe(API_KEY);
    expect(request.outcome).toBe('completed');
    expect(request.body).toEqual({
      model: 'gpt-4o-mini',
      temperature: 0.2,
      max_tokens: 150,
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: 'Can it come on Friday instead?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'reschedule_delivery', arguments: '{"date":"2026-11-27"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_abc123', content: 'Delivery moved to Friday 27 November.' },
        { role: 'assistant', content: 'Done, it will come on Friday.' },
        { role: 'user', content: 'Great, thanks.' },
      ],
      tools: [
        { type: 'function', function: CONFIRM_ORDER },
        { type: 'function', function: RESCHEDULE_DELIVERY },
      ],
    });
  });

  it('leaves tools out when the turn offers none (the goodbye)', async () => {
    const fake = await startOpenAI();

    await collect(ask(modelFor(fake), { tools: [] }));

    expect(fake.requests[0].body).not.toHaveProperty('tools');
  });

  it('asks a reasoning model for max_completion_tokens and no temperature, which it would refuse', async () => {
    const fake = await startOpenAI();

    await collect(ask(modelFor(fake, { model: 'o4-mini' })));

    expect(fake.requests[0].body).toMatchObject({ model: 'o4-mini', max_completion_tokens: 150 });
    expect(fake.requests[0].body).not.toHaveProperty('max_tokens');
    expect(fake.requests[0].body).not.toHaveProperty('temperature');
  });

  it('hands over the first words while the rest of the answer is still on its way', async () => {
    const fake = await startOpenAI({ chunkDelayMs: 20, charactersPerChunk: 6 });
    fake.replyWith(REPLY);

    const deltas: LanguageModelDelta[] = [];
    let stillStreamingAtFirstWords: boolean | undefined;
    for await (const delta of ask(modelFor(fake))) {
      if (deltas.length === 0) stillStreamingAtFirstWords = fake.requests[0].outcome === undefined;
      deltas.push(delta);
    }

    expect(stillStreamingAtFirstWords).toBe(true);
    expect(deltas.length).toBe(Math.ceil(REPLY.length / 6));
    expect(deltas.every((delta) => delta.type === 'text')).toBe(true);
    expect(textOf(deltas)).toBe(REPLY);
  });

  it("carries a Hindi call's language instruction and Devanagari details to OpenAI as written, and its Hindi answer and tool arguments back whole", async () => {
    // One character a chunk: every Devanagari letter and Arabic-script word crosses a chunk boundary.
    const fake = await startOpenAI({ charactersPerChunk: 1 });
    const system = `${SYSTEM}\nname: अनीता शर्मा\nSpeak Hindi (Devanagari), in short sentences; keep the order id and amounts as given.`;
    const answer = 'नमस्ते अनीता जी, क्या आप ऑर्डर की पुष्टि करती हैं?';
    fake.replyWith({ text: answer, toolCalls: [{ name: 'request_callback', arguments: { time: 'कल शाम 5 बजे' } }] });

    const deltas = await collect(ask(modelFor(fake), { messages: [{ role: 'system', content: system }, { role: 'user', content: 'हाँ जी, बोल रही हूँ' }] }));

    expect(fake.requests[0].body['messages']).toEqual([
      { role: 'system', content: system },
      { role: 'user', content: 'हाँ जी, बोल रही हूँ' },
    ]);
    expect(textOf(deltas)).toBe(answer);
    expect(deltas.filter((delta) => delta.type === 'tool_call').map((delta) => (delta.type === 'tool_call' ? JSON.parse(delta.call.arguments) : undefined))).toEqual([
      { time: 'कल शाम 5 बजे' },
    ]);
  });

  it('assembles two parallel tool calls from their fragments and hands each over whole', async () => {
    const fake = await startOpenAI({ charactersPerChunk: 3 });
    fake.replyWith({
      text: 'Let me note that.',
      toolCalls: [
        { id: 'call_first', name: 'reschedule_delivery', arguments: { date: '2026-11-27', note: 'after 5 pm, ring twice' } },
        { id: 'call_second', name: 'confirm_order', arguments: {} },
      ],
    });

    const deltas = await collect(ask(modelFor(fake), { tools: [CONFIRM_ORDER, RESCHEDULE_DELIVERY] }));

    expect(textOf(deltas)).toBe('Let me note that.');
    expect(deltas.filter((delta) => delta.type === 'tool_call')).toEqual([
      { type: 'tool_call', call: { id: 'call_first', name: 'reschedule_delivery', arguments: '{"date":"2026-11-27","note":"after 5 pm, ring twice"}' } },
      { type: 'tool_call', call: { id: 'call_second', name: 'confirm_order', arguments: '{}' } },
    ]);
    // The text comes first, as it streamed; the calls once they are complete.
    expect(deltas[deltas.length - 1].type).toBe('tool_call');
    expect(fake.requests[0].chunksSent).toBeGreaterThan(10);
  });

  it('sends the request once more when the first one stays silent, and streams the second', async () => {
    const fake = await startOpenAI();
    fake.failNext('stall');
    fake.replyWith('Yes, hello.');

    const deltas = await collect(ask(modelFor(fake, { firstTokenTimeoutMs: 300 })));

    expect(textOf(deltas)).toBe('Yes, hello.');
    expect(fake.requests).toHaveLength(2);
    expect(await fake.whenEnded(0)).toBe('client_closed');
    expect(fake.requests[1].outcome).toBe('completed');
    expect(fake.requests[1].body).toEqual(fake.requests[0].body);
  });

  it('does not count the role-only first chunk as a token', async () => {
    const fake = await startOpenAI();
    fake.failNext('stall_after_role');

    const deltas = await collect(ask(modelFor(fake, { firstTokenTimeoutMs: 300 })));

    expect(textOf(deltas)).toBe('Okay.');
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0]).toMatchObject({ chunksSent: 1, outcome: 'client_closed' });
  });

  it('gives up with a LanguageModelError when the retry is silent too', async () => {
    const fake = await startOpenAI();
    fake.failNext('stall', 'stall_after_role');

    const error = await failureOf(ask(modelFor(fake, { firstTokenTimeoutMs: 300 })));

    expect(error.message).toBe('OpenAI sent no first token within 300 ms, twice (model gpt-4o-mini at ' + new URL(fake.url).host + ')');
    expect(error.attempts).toBe(2);
    expect(error.status).toBeUndefined();
    expect(fake.requests).toHaveLength(2);
    expect(await fake.whenEnded(0)).toBe('client_closed');
    expect(await fake.whenEnded(1)).toBe('client_closed');
  });

  it('gives up on a model that never starts answering (slow headers), without a third request', async () => {
    const fake = await startOpenAI({ firstTokenDelayMs: 3_000 });

    const error = await failureOf(ask(modelFor(fake, { firstTokenTimeoutMs: 200 })));

    expect(error.message).toContain('no first token within 200 ms, twice');
    expect(fake.requests).toHaveLength(2);
  });

  it('retries a server error before the first token once, and answers', async () => {
    const fake = await startOpenAI();
    fake.failNext('http500');
    fake.replyWith('Hello, this is Meera.');

    const deltas = await collect(ask(modelFor(fake)));

    expect(textOf(deltas)).toBe('Hello, this is Meera.');
    expect(fake.requests.map((request) => request.outcome)).toEqual(['rejected', 'completed']);
  });

  it('retries a rate limit once after the pause OpenAI asks for, then reports the second refusal with its status', async () => {
    const fake = await startOpenAI();
    fake.failNext('http429', 'http500');

    const started = Date.now();
    const error = await failureOf(ask(modelFor(fake)));

    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(error.status).toBe(500);
    expect(error.attempts).toBe(2);
    expect(error.message).toMatch(/^OpenAI refused the request: HTTP 500 server_error: The server had an error.*, on the retry after: OpenAI refused the request: HTTP 429 rate_limit_exceeded/);
    expect(fake.requests).toHaveLength(2);
  });

  it('reports a wrong key as a LanguageModelError with status 401 that never shows the key, without retrying', async () => {
    const fake = await startOpenAI();
    const wrongKey = 'sk-wrong-fedcba9876543210fedcba9876543210';

    const error = await failureOf(ask(modelFor(fake, { apiKey: wrongKey })));

    expect(error.status).toBe(401);
    expect(error.code).toBe('invalid_api_key');
    expect(error.message).toContain('HTTP 401 invalid_api_key: Incorrect API key provided');
    expect(error.message).not.toContain(wrongKey);
    expect(error.message).not.toContain(API_KEY);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].apiKey).toBe(wrongKey);
  });

  it('redacts the key even when a server echoes it back whole', async () => {
    const fake = await startOpenAI();
    fake.failNext({ status: 400, error: { message: `Key ${API_KEY} is not allowed here`, type: 'invalid_request_error', param: null, code: null } });

    const error = await failureOf(ask(modelFor(fake)));

    expect(error.status).toBe(400);
    expect(error.message).toContain('Key [redacted] is not allowed here');
    expect(error.message).not.toContain(API_KEY);
  });

  it('reports an unknown model as a 404 naming the model', async () => {
    const fake = await startOpenAI({ models: ['gpt-4o-mini'] });

    const error = await failureOf(ask(modelFor(fake, { model: 'gpt-9-turbo' })));

    expect(error.status).toBe(404);
    expect(error.code).toBe('model_not_found');
    expect(error.model).toBe('gpt-9-turbo');
    expect(error.message).toContain('The model `gpt-9-turbo` does not exist');
    expect(fake.requests).toHaveLength(1);
  });

  it('goes quiet when the callee barges in mid-answer, and hangs up on OpenAI', async () => {
    const fake = await startOpenAI({ chunkDelayMs: 30, charactersPerChunk: 4 });
    fake.replyWith(REPLY);
    const bargeIn = new AbortController();

    const heard: LanguageModelDelta[] = [];
    for await (const delta of ask(modelFor(fake), { signal: bargeIn.signal })) {
      heard.push(delta);
      if (heard.length === 2) bargeIn.abort();
    }

    // The loop ended without an error, and OpenAI saw the connection close before the end.
    expect(heard).toHaveLength(2);
    expect(await fake.whenEnded(0)).toBe('client_closed');
    expect(fake.requests).toHaveLength(1);
  });

  it('goes quiet when the callee barges in before the first token', async () => {
    const fake = await startOpenAI({ firstTokenDelayMs: 2_000 });
    const bargeIn = new AbortController();
    setTimeout(() => bargeIn.abort(), 50);

    expect(await collect(ask(modelFor(fake), { signal: bargeIn.signal }))).toEqual([]);
    expect(await fake.whenEnded(0)).toBe('client_closed');
    expect(fake.requests).toHaveLength(1);
  });

  it('closes the connection when the session stops reading before the end', async () => {
    const fake = await startOpenAI({ chunkDelayMs: 30 });
    fake.replyWith(REPLY);

    for await (const delta of ask(modelFor(fake))) {
      expect(delta.type).toBe('text');
      break;
    }

    expect(await fake.whenEnded(0)).toBe('client_closed');
  });

  it('calls no one for an already cancelled turn', async () => {
    const fake = await startOpenAI();
    const cancelled = new AbortController();
    cancelled.abort();

    expect(await collect(ask(modelFor(fake), { signal: cancelled.signal }))).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it('reports a stream that stops mid-sentence, after the words that did arrive, without retrying', async () => {
    const fake = await startOpenAI({ chunkDelayMs: 10 });
    fake.failNext('drop');
    fake.replyWith(REPLY);

    const heard: LanguageModelDelta[] = [];
    let failure: unknown;
    try {
      for await (const delta of ask(modelFor(fake))) heard.push(delta);
    } catch (error) {
      failure = error;
    }

    expect(failure).toBeInstanceOf(LanguageModelError);
    expect((failure as LanguageModelError).message).toMatch(/^OpenAI stream broke off after \d+ characters: /);
    expect(textOf(heard).length).toBeGreaterThan(0);
    expect(REPLY.startsWith(textOf(heard))).toBe(true);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].outcome).toBe('dropped');
  });

  it('gives up on a stream that stalls mid-sentence, and never retries words the callee has heard', async () => {
    const fake = await startOpenAI({ chunkDelayMs: 1_000, charactersPerChunk: 20 });
    fake.replyWith(REPLY);

    const heard: LanguageModelDelta[] = [];
    let failure: unknown;
    try {
      for await (const delta of ask(modelFor(fake, { stallTimeoutMs: 200 }))) heard.push(delta);
    } catch (error) {
      failure = error;
    }

    expect(failure).toBeInstanceOf(LanguageModelError);
    expect((failure as LanguageModelError).message).toBe(`OpenAI stopped sending for 200 ms after 20 characters (model gpt-4o-mini at ${new URL(fake.url).host})`);
    expect(heard).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
    expect(await fake.whenEnded(0)).toBe('client_closed');
  });

  it('reports an unreachable server as a LanguageModelError, after one retry', async () => {
    const fake = await startOpenAI();
    const url = fake.url;
    await fake.close();

    const error = await failureOf(ask(new OpenAILanguageModel({ apiKey: API_KEY, baseUrl: url, model: MODEL })));

    expect(error.message).toMatch(/^OpenAI could not be reached: .*ECONNREFUSED/);
    expect(error.attempts).toBe(2);
    expect(error.status).toBeUndefined();
  });

  it('keeps answering after a failed turn: the next request succeeds', async () => {
    const fake = await startOpenAI();
    fake.failNext({ status: 503, error: { message: 'Service unavailable', type: 'server_error', param: null, code: null } }, 'http500');
    const model = modelFor(fake);

    await failureOf(ask(model));
    const deltas = await collect(ask(model));

    expect(textOf(deltas)).toBe('Okay.');
    expect(fake.requests).toHaveLength(3);
  });
});

describe('openaiConfigFromEnv', () => {
  const agentLlm = { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.2, maxTokens: 150 };

  it('is null without OPENAI_API_KEY, or when the agent asks for a provider that does not speak OpenAI', () => {
    expect(openaiConfigFromEnv({}, agentLlm)).toBeNull();
    expect(openaiConfigFromEnv({ OPENAI_API_KEY: '  ' }, agentLlm)).toBeNull();
    expect(openaiConfigFromEnv({ OPENAI_API_KEY: API_KEY }, { ...agentLlm, provider: 'offline' })).toBeNull();
    expect(openaiConfigFromEnv({ OPENAI_API_KEY: API_KEY }, { ...agentLlm, provider: 'azure-openai' })).toBeNull();
  });

  it('takes a longer first-token timeout from OPENAI_FIRST_TOKEN_TIMEOUT_MS, and refuses a malformed one by name', () => {
    expect(openaiConfigFromEnv({ OPENAI_API_KEY: API_KEY, OPENAI_FIRST_TOKEN_TIMEOUT_MS: '8000' }, agentLlm)).toMatchObject({ firstTokenTimeoutMs: 8000 });
    expect(openaiConfigFromEnv({ OPENAI_API_KEY: API_KEY }, agentLlm)).not.toHaveProperty('firstTokenTimeoutMs');
    for (const bad of ['8s', '50', '-1', '1.5'])
      expect(() => openaiConfigFromEnv({ OPENAI_API_KEY: API_KEY, OPENAI_FIRST_TOKEN_TIMEOUT_MS: bad }, agentLlm)).toThrow(/OPENAI_FIRST_TOKEN_TIMEOUT_MS/);
  });

  it("takes the agent's model, temperature and token limit, and OpenAI's own host by default", () => {
    expect(openaiConfigFromEnv({ OPENAI_API_KEY: API_KEY }, agentLlm)).toEqual({
      apiKey: API_KEY,
      provider: 'openai',
      model: 'gpt-4o-mini',
      temperature: 0.2,
      maxTokens: 150,
    });
  });

  it("prefers the agent's base URL to OPENAI_BASE_URL", () => {
    const env = { OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1/' };
    expect(openaiConfigFromEnv(env, agentLlm)?.baseUrl).toBe('http://127.0.0.1:9/v1');
    expect(openaiConfigFromEnv(env, { ...agentLlm, baseUrl: 'https://llm.internal.example/v1' })?.baseUrl).toBe('https://llm.internal.example/v1');
  });

  it('takes an OpenAI-compatible provider only when a base URL says where it is', () => {
    const ollama = { ...agentLlm, provider: 'ollama', model: 'llama3.1:8b' };
    expect(openaiConfigFromEnv({ OPENAI_API_KEY: 'ollama-key' }, ollama)).toBeNull();
    expect(openaiConfigFromEnv({ OPENAI_API_KEY: 'ollama-key' }, { ...ollama, baseUrl: 'http://localhost:11434/v1' })).toMatchObject({
      provider: 'ollama',
      baseUrl: 'http://localhost:11434/v1',
      model: 'llama3.1:8b',
    });
    expect(openaiConfigFromEnv({ OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: 'https://api.groq.com/openai/v1' }, { ...agentLlm, provider: 'Groq' })).toMatchObject({
      provider: 'groq',
      baseUrl: 'https://api.groq.com/openai/v1',
    });
  });

  it('fails fast on a malformed base URL, naming where it came from', () => {
    expect(() => openaiConfigFromEnv({ OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: 'api.openai.com/v1' }, agentLlm)).toThrow(/OPENAI_BASE_URL/);
    expect(() => openaiConfigFromEnv({ OPENAI_API_KEY: API_KEY }, { ...agentLlm, baseUrl: 'ftp://llm.example/v1' })).toThrow(/llm_config\.base_url/);
  });

  it('never puts the key in an error', () => {
    let message = '';
    try {
      openaiConfigFromEnv({ OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: 'not a url' }, agentLlm);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('OPENAI_BASE_URL');
    expect(message).not.toContain(API_KEY);
  });
});
