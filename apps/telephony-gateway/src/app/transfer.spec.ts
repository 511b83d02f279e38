import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { toRuntimeConfig, validateAgentJson } from '@codcall/agent-config';
import { silentLogger } from '@codcall/logging';
import { freePort } from '@codcall/test-support';
import { createGatewayApp } from './bootstrap';
import { loadGatewayConfig } from './config';
import { AgentNotFoundError } from './http-agent-source';

/** Views are whatever JSON the gateway sent; the assertions check their shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type View = any;

const API_KEY = 'transfer-spec-key-0123456789';
const withKey = { authorization: `Bearer ${API_KEY}` };
const seed = validateAgentJson(JSON.parse(readFileSync(join(__dirname, '../../../../agent_data/cod_confirmation_agent.json'), 'utf8')));
const shipped = seed.ok ? toRuntimeConfig(seed.agent) : undefined;

/**
 * A callee who asks for a person, through the whole gateway: the simulator dials, the offline
 * policy hears the request, the agent says its transfer message and the simulator's line is moved
 * to TRANSFER_NUMBER instead of being hung up.
 */
describe('a simulated callee who asks for a person, through the gateway with a TRANSFER_NUMBER', () => {
  let app: INestApplication;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    if (!shipped) throw new Error('the shipped agent does not validate');
    dir = mkdtempSync(join(tmpdir(), 'gateway-transfer-'));
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
      TRANSFER_NUMBER: '+919800000000',
    });
    app = await createGatewayApp(config, {
      logger: silentLogger(),
      agents: { getRuntimeConfig: async (id) => (id === 'cod' ? shipped! : Promise.reject(new AgentNotFoundError(id))) },
    });
    await app.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('ends transferred: the transfer was announced, the carrier was asked to move the call, and the line was not hung up', async () => {
    const placed = await fetch(`${base}/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...withKey },
      body: JSON.stringify({
        agent_id: 'cod',
        recipient_phone_number: '+15553334444',
        context: { name: 'Lee Wong', order_id: 'ORD013' },
        carrier: 'sim',
        simulation: { answer: 'human', says: ['Yes, speaking.', 'Can I talk to a real person, please?'], ringSeconds: 0.1 },
      }),
    });
    expect(placed.status).toBe(201);
    const { call_id } = (await placed.json()) as { call_id: string };
    let view: View;
    // Two callee turns spoken by the offline voice; a long-poll answers after 40 s at most.
    for (let poll = 0; poll < 3 && view?.state !== 'completed'; poll++) view = await (await fetch(`${base}/call/${call_id}?wait=40`, { headers: withKey })).json();
    expect(view.outcome?.status).toBe('transferred');
    expect(view.tool_calls.map((tool: { name: string }) => tool.name)).toContain('transfer_to_human');
    // The policy's words beside the tool call announce the transfer (the agent's transfer message when it writes none).
    expect(view.transcript.at(-1)).toMatchObject({ speaker: 'agent', text: expect.stringMatching(/colleague/) });
    const events: string[] = view.timeline.map((entry: { event: string }) => entry.event);
    expect(events).toEqual(expect.arrayContaining(['transfer requested', 'transferred']));
    expect(events).not.toContain('hangup requested');
    expect(JSON.stringify(view.timeline)).not.toContain('9800000000'); // the number is masked
  }, 150_000);
});
