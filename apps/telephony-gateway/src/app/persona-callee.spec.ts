import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { toRuntimeConfig, validateAgentJson } from '@codcall/agent-config';
import { silentLogger } from '@codcall/logging';
import { FakeOpenAIServer, freePort, type FakeChatReply, type RecordedChatRequest } from '@codcall/test-support';
import { createGatewayApp } from './bootstrap';
import { loadGatewayConfig } from './config';
import { AgentNotFoundError } from './http-agent-source';

/** Views are whatever JSON the gateway sent; the assertions check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type View = any;
type SentMessage = { role: string; content?: string | null };

const API_KEY = 'persona-spec-key-0123456789';
const OPENAI_KEY = 'sk-persona-gateway-0123456789';
const withKey = { authorization: `Bearer ${API_KEY}` };
const seed = validateAgentJson(JSON.parse(readFileSync(join(__dirname, '../../../../agent_data/cod_confirmation_agent.json'), 'utf8')));
const shipped = seed.ok ? toRuntimeConfig(seed.agent) : undefined;

const PERSONA = 'Lee Wong, at home today, happy to take the parcel';
/** The agent's question about the order: it names the order, so the callee's next words may settle it. */
const ORDER_QUESTION = 'Thank you. Order ORD013 arrives tomorrow and costs 499 rupees. Shall we deliver it?';

const messagesOf = (request: RecordedChatRequest) => request.body['messages'] as SentMessage[];
const isPersona = (request: RecordedChatRequest) => String(messagesOf(request)[0]?.content ?? '').includes('role-playing a customer');
const offers = (request: RecordedChatRequest, name: string) =>
  ((request.body['tools'] ?? []) as { function: { name: string } }[]).some((tool) => tool.function.name === name);

/**
 * A persona callee, through the whole gateway: OPENAI_API_KEY is set and OPENAI_BASE_URL points at
 * a fake OpenAI that plays both sides. The agent's model asks about the order and confirms it when
 * told to deliver; the customer's model answers from the persona and the call so far.
 */
describe('a simulated callee played from a persona by the language model, through the gateway', () => {
  let app: INestApplication;
  let base: string;
  let dir: string;
  let openai: FakeOpenAIServer;
  const customerSays = ['Yes, speaking.', 'Please deliver it.'];

  beforeAll(async () => {
    if (!shipped) throw new Error('the shipped agent does not validate');
    openai = await new FakeOpenAIServer({
      apiKey: OPENAI_KEY,
      reply: (request): FakeChatReply => {
        if (isPersona(request)) return customerSays.shift() ?? '[done]';
        // Until the callee has answered a question about the order, the only thing to do is to ask it.
        if (!offers(request, 'confirm_order')) return ORDER_QUESTION;
        const said = [...messagesOf(request)].reverse().find((message) => message.role === 'user')?.content ?? '';
        return /deliver it/i.test(said) ? { toolCalls: [{ name: 'confirm_order', arguments: {} }] } : ORDER_QUESTION;
      },
    }).start();
    dir = mkdtempSync(join(tmpdir(), 'gateway-persona-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = loadGatewayConfig({
      GATEWAY_PORT: String(port),
      PUBLIC_BASE_URL: base,
      RECORDS_DIR: join(dir, 'records'),
      GATEWAY_DATA_DIR: join(dir, 'data'),
      CODCALL_API_KEYS: API_KEY,
      SIMULATOR_ENABLED: 'true',
      SIMULATOR_WEBHOOK_SECRET: 'sim-secret-for-the-tests',
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: openai.url,
      // Two cores shared with other suites: a loaded machine must not look like a stuck model.
      OPENAI_FIRST_TOKEN_TIMEOUT_MS: '10000',
    });
    app = await createGatewayApp(config, {
      logger: silentLogger(),
      agents: { getRuntimeConfig: async (id) => (id === 'cod' ? shipped! : Promise.reject(new AgentNotFoundError(id))) },
    });
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await openai?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('given a customer who says "Yes, speaking." and then "Please deliver it.", ends confirmed', async () => {
    const placed = await fetch(`${base}/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...withKey },
      body: JSON.stringify({
        agent_id: 'cod',
        recipient_phone_number: '+15553334444',
        context: { name: 'Lee Wong', order_id: 'ORD013' },
        carrier: 'sim',
        simulation: { answer: 'human', persona: PERSONA, language: 'en', ringSeconds: 0.1 },
      }),
    });
    expect(placed.status).toBe(201);
    const { call_id } = (await placed.json()) as { call_id: string };
    let view: View;
    // Two callee turns spoken by the offline voice; a long-poll answers after 40 s at most.
    for (let poll = 0; poll < 3 && view?.state !== 'completed'; poll++) view = await (await fetch(`${base}/call/${call_id}?wait=40`, { headers: withKey })).json();

    expect(view.outcome?.status).toBe('confirmed');
    expect(view.tool_calls.map((tool: { name: string }) => tool.name)).toEqual(['confirm_order']);
    const callee = view.transcript.filter((line: { speaker: string }) => line.speaker === 'callee').map((line: { text: string }) => line.text);
    expect(callee).toEqual(['Yes, speaking.', 'Please deliver it.']);

    // The customer's model was asked twice, each time as the persona, in the callee's language,
    // with the call as it stood: the second time the welcome, its own answer and the order question.
    const persona = openai.requests.filter(isPersona);
    expect(persona).toHaveLength(2);
    expect(messagesOf(persona[0])[0].content).toContain(`Who you are: ${PERSONA}`);
    expect(messagesOf(persona[0])[0].content).toContain('"en"');
    expect(messagesOf(persona[0]).slice(1).map((message) => message.role)).toEqual(['user']);
    const second = messagesOf(persona[1]).slice(1);
    expect(second.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(second[1].content).toBe('Yes, speaking.');
    expect(second[2].content).toBe(ORDER_QUESTION);
  }, 150_000);
});
