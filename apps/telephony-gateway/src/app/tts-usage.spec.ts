import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { toRuntimeConfig, validateAgentJson, type AgentRuntimeConfig } from '@codcall/agent-config';
import { splitIntoClauses, welcomeText } from '@codcall/conversation-engine';
import { silentLogger } from '@codcall/logging';
import { freePort } from '@codcall/test-support';
import { createGatewayApp } from './bootstrap';
import { loadGatewayConfig } from './config';
import { AgentNotFoundError } from './http-agent-source';

/** Views are whatever JSON the gateway sent; the assertions check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type View = any;

const API_KEY = 'tts-usage-spec-key-0123456789';
const withKey = { authorization: `Bearer ${API_KEY}` };

const json = readFileSync(join(__dirname, '../../../../agent_data/cod_confirmation_agent.json'), 'utf8');
const seed = validateAgentJson(JSON.parse(json));
const shipped = seed.ok ? toRuntimeConfig(seed.agent) : undefined;
/** The shipped agent greeting at the dial, with a welcome of its own (written in the JSON: a row's language is applied from there). */
const atDial = (() => {
  const agent = JSON.parse(json);
  agent.agent_config.agent_welcome_message = 'Good morning {name}, this is the delivery team calling you';
  agent.agent_config.tasks[0].task_config.greeting_prefetch = 'dial';
  const valid = validateAgentJson(agent);
  return valid.ok ? toRuntimeConfig(valid.agent) : undefined;
})();
const row = { name: 'Priya', order_id: 'ORD3' };

/** The characters of a text as the session sends it to the synthesizer: clause by clause. */
const synthesised = (text: string) => splitIntoClauses(text).join('').length;

/**
 * The whole path of a simulated call through the gateway: the simulator carrier dials, fetches
 * the answer document and opens the media stream; the offline voice speaks through the shared
 * greeting cache; the call's view says what it sent to the synthesizer.
 */
describe('TTS characters of a simulated call, through the gateway', () => {
  let app: INestApplication;
  let base: string;
  let dir: string;
  const agents: Record<string, AgentRuntimeConfig> = {};

  beforeAll(async () => {
    if (!shipped) throw new Error('the shipped agent does not validate');
    // The shipped agent prefetches at the answer (the product default); a second one at the dial.
    expect(shipped.greetingPrefetch).toBe('answer');
    agents['at-answer'] = shipped;
    if (!atDial) throw new Error('the agent greeting at the dial does not validate');
    agents['at-dial'] = atDial;
    dir = mkdtempSync(join(tmpdir(), 'gateway-tts-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // The simulator calls the gateway back at PUBLIC_BASE_URL, as a carrier would.
    const config = loadGatewayConfig({
      GATEWAY_PORT: String(port),
      PUBLIC_BASE_URL: base,
      RECORDS_DIR: join(dir, 'records'),
      GATEWAY_DATA_DIR: join(dir, 'data'),
      CODCALL_API_KEYS: API_KEY,
      SIMULATOR_ENABLED: 'true',
      SIMULATOR_WEBHOOK_SECRET: 'sim-secret-for-the-tests',
      RING_TIMEOUT_SECONDS: '5',
    });
    app = await createGatewayApp(config, {
      logger: silentLogger(),
      agents: { getRuntimeConfig: async (id) => agents[id] ?? Promise.reject(new AgentNotFoundError(id)) },
    });
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  async function call(agentId: string, to: string, simulation: unknown): Promise<View> {
    const placed = await fetch(`${base}/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...withKey },
      body: JSON.stringify({ agent_id: agentId, recipient_phone_number: to, context: row, carrier: 'sim', simulation }),
    });
    expect(placed.status).toBe(201);
    const { call_id } = (await placed.json()) as { call_id: string };
    // A long-poll answers after 40 s at most; a call of two callee turns on a busy machine may take longer.
    for (let poll = 0; ; poll++) {
      const view: View = await (await fetch(`${base}/call/${call_id}?wait=40`, { headers: withKey })).json();
      if (view.state === 'completed' || poll === 2) return view;
    }
  }

  it('counts every character the agent said for an answered call, and nothing for a greeting the cache already had', async () => {
    const first = await call('at-answer', '+15551234567', { answer: 'human', says: ['Yes, speaking.', 'Yes, please deliver it.'], ringSeconds: 0.1 });
    expect([first.state, first.outcome]).toEqual(['completed', { status: 'confirmed' }]);
    const agentLines: { text: string }[] = first.transcript.filter((line: { speaker: string }) => line.speaker === 'agent');
    const heard = agentLines.reduce((sum, line) => sum + synthesised(line.text), 0);
    const greeting = synthesised(welcomeText(shipped!, row));
    expect(agentLines.length).toBeGreaterThan(1); // the greeting and the goodbye at least
    // Everything the callee heard was synthesised for this call (prepared phrases may add to it).
    expect(first.tts_characters).toBeGreaterThanOrEqual(heard);
    expect(first.turns.length).toBeGreaterThan(0);
    // The simulator reports `answered` before it fetches the answer document: the first of the two prepares, before the stream.
    const events: string[] = first.timeline.map((entry: { event: string; detail?: string }) => `${entry.event}${entry.detail ? `: ${entry.detail}` : ''}`);
    expect(events.slice(events.indexOf('carrier status: answered'), events.indexOf('media stream started') + 1)).toEqual([
      'carrier status: answered',
      'greeting prepared: answer',
      'answer document served',
      'media stream started',
    ]);

    // The same row again: its greeting comes from the shared cache, paid for by the first call.
    const second = await call('at-answer', '+15551234567', { answer: 'human', says: ['Yes, speaking.', 'Yes, please deliver it.'], ringSeconds: 0.1 });
    expect(second.outcome).toEqual({ status: 'confirmed' });
    expect(second.tts_characters).toBeGreaterThan(0);
    expect(second.tts_characters).toBeLessThanOrEqual(first.tts_characters - greeting);
    // Two callee turns a call (who is speaking, then the order), spoken by the offline voice on a shared machine.
  }, 150_000);

  it('with greeting_prefetch answer, a busy or unanswered call costs no synthesis', async () => {
    const busy = await call('at-answer', '+15559876543', { answer: 'busy', ringSeconds: 0.1 });
    const unanswered = await call('at-answer', '+15559876544', { answer: 'no_answer', ringSeconds: 0.1 });
    expect([busy.outcome.status, busy.tts_characters]).toEqual(['busy', 0]);
    expect([unanswered.outcome.status, unanswered.tts_characters]).toEqual(['no_answer', 0]);
  }, 30_000);

  it('with greeting_prefetch dial, a busy call has paid for its greeting', async () => {
    const busy = await call('at-dial', '+15559876545', { answer: 'busy', ringSeconds: 0.5 });
    expect(busy.outcome).toEqual({ status: 'busy' });
    expect(busy.tts_characters).toBe(synthesised(welcomeText(agents['at-dial'], row)));
    expect(busy.timeline.map((entry: { event: string }) => entry.event).slice(0, 3)).toEqual(['dial requested', 'greeting prepared', 'dialled']);
  }, 30_000);
});
