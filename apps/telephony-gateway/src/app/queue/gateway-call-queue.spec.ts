import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { toRuntimeConfig, validateAgentJson } from '@codcall/agent-config';
import { QueueGatewayClient } from '@codcall/call-queue';
import type { CallView } from '@codcall/campaign';
import { silentLogger } from '@codcall/logging';
import { freePort, RedisTestServer } from '@codcall/test-support';
import { createGatewayApp } from '../bootstrap';
import { loadGatewayConfig } from '../config';

const seed = validateAgentJson(JSON.parse(readFileSync(join(__dirname, '../../../../../agent_data/cod_confirmation_agent.json'), 'utf8')));
const agent = seed.ok ? toRuntimeConfig(seed.agent) : undefined;
const API_KEY = 'gateway-queue-spec-api-key-0123456789';

describe('the gateway with REDIS_URL', () => {
  let redis: RedisTestServer;
  let app: INestApplication | undefined;
  let client: QueueGatewayClient | undefined;
  const dirs: string[] = [];
  let base: string;

  beforeAll(async () => {
    redis = await new RedisTestServer().start();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const dir = (prefix: string) => {
      const made = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(made);
      return made;
    };
    const config = loadGatewayConfig({
      GATEWAY_PORT: String(port),
      PUBLIC_BASE_URL: base,
      RECORDS_DIR: dir('gateway-queue-records-'),
      GATEWAY_DATA_DIR: dir('gateway-queue-data-'),
      CODCALL_API_KEYS: API_KEY,
      SIMULATOR_ENABLED: 'true',
      GATEWAY_WORKERS: '1',
      REDIS_URL: redis.url,
      GATEWAY_ID: 'gw-spec',
    });
    app = await createGatewayApp(config, { logger: silentLogger(), agents: { getRuntimeConfig: async () => agent! } });
    await app.listen(port, '127.0.0.1');
    client = new QueueGatewayClient({ redisUrl: redis.url, campaignId: 'gateway-spec', callsPerSecond: 10 });
  });

  afterAll(async () => {
    await client?.close();
    await app?.close();
    await redis.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const finalView = async (jobId: string): Promise<CallView> => {
    for (;;) {
      const view = await client!.waitForCall(jobId, 10);
      if (view.state === 'completed') return view;
    }
  };

  it('reads REDIS_URL and GATEWAY_ID, naming the variable that is wrong', () => {
    expect(loadGatewayConfig({ GATEWAY_PORT: '5100', REDIS_URL: 'redis://redis:6379' }).queue).toEqual({ redisUrl: 'redis://redis:6379', gatewayId: `${hostname()}-5100`, lockSeconds: 30 });
    expect(loadGatewayConfig({}).queue).toBeUndefined();
    expect(() => loadGatewayConfig({ REDIS_URL: 'redis.internal:6379' })).toThrow(/REDIS_URL/);
    expect(() => loadGatewayConfig({ REDIS_URL: 'redis://redis:6379', GATEWAY_ID: 'gw a' })).toThrow(/GATEWAY_ID must be/);
    expect(() => loadGatewayConfig({ REDIS_URL: 'redis://redis:6379', QUEUE_LOCK_SECONDS: '1' })).toThrow(/QUEUE_LOCK_SECONDS must be an integer between 2 and 600/);
  });

  it('registers itself and dials a queued call through its carrier simulator; the view is the one GET /call/:id gives', async () => {
    const health = await client!.health();
    expect(health.carriers).toContain('sim');
    expect(health.idempotencyKeys).toBe(true);
    const placed = await client!.placeCall({ agentId: 'cod', to: '+919876543210', context: { name: 'Asha', order_id: 'Q1' }, carrier: 'sim', simulation: { answer: 'busy', ringSeconds: 0.2 }, idempotencyKey: 'gateway-spec-row-1' });
    const view = await finalView(placed.callId);
    expect(view.outcome?.status).toBe('busy');
    const direct = (await (await fetch(`${base}/call/${view.callId}`, { headers: { authorization: `Bearer ${API_KEY}` } })).json()) as { call_id: string; outcome: { status: string } };
    expect(direct).toMatchObject({ call_id: view.callId, outcome: { status: 'busy' } });
  });

  it('on shutdown stops taking jobs but lets the call it holds finish and records it', async () => {
    const placed = await client!.placeCall({ agentId: 'cod', to: '+919876543211', context: { name: 'Ravi', order_id: 'Q2' }, carrier: 'sim', simulation: { answer: 'no_answer', ringSeconds: 1.5 }, idempotencyKey: 'gateway-spec-row-2' });
    while ((await client!.waitForCall(placed.callId, 0)).state !== 'in_progress') await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = app!.close();
    app = undefined;
    await closing;
    expect((await finalView(placed.callId)).outcome?.status).toBe('no_answer');
    // Nobody takes calls any more: a new one waits in the queue.
    await expect(client!.health()).rejects.toThrow(/no gateway is registered/);
    const waiting = await client!.placeCall({ agentId: 'cod', to: '+919876543212', context: { name: 'Meera', order_id: 'Q3' }, carrier: 'sim', simulation: { answer: 'busy' }, idempotencyKey: 'gateway-spec-row-3' });
    expect((await client!.waitForCall(waiting.callId, 1)).state).toBe('queued');
  }, 20_000);
});
