import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { toRuntimeConfig, validateAgentJson } from '@codcall/agent-config';
import { CallOrchestrator } from '@codcall/call-orchestration';
import { dialKey, gatewayCallsKey, QueueGatewayClient } from '@codcall/call-queue';
import type { CallView } from '@codcall/campaign';
import { silentLogger } from '@codcall/logging';
import { freePort, RedisTestServer } from '@codcall/test-support';
import { createGatewayApp } from '../bootstrap';
import { loadGatewayConfig } from '../config';
import { RedisMirroredCallStore } from '../persistence/redis-mirrored-call-store';
import { SqliteCallStore } from '../persistence/sqlite-call-store';

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

describe('gateways sharing Redis: call state and idempotency keys', () => {
  let redis: RedisTestServer;
  let peek: Redis;
  const dirs: string[] = [];
  const apps: INestApplication[] = [];
  const dir = (prefix: string) => {
    const made = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(made);
    return made;
  };
  const startGateway = async (gatewayId: string, dataDir = dir('gateway-state-data-')) => {
    const port = await freePort();
    const config = loadGatewayConfig({
      GATEWAY_PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      RECORDS_DIR: dir('gateway-state-records-'),
      GATEWAY_DATA_DIR: dataDir,
      CODCALL_API_KEYS: API_KEY,
      SIMULATOR_ENABLED: 'true',
      GATEWAY_WORKERS: '1',
      REDIS_URL: redis.url,
      GATEWAY_ID: gatewayId,
    });
    const app = await createGatewayApp(config, { logger: silentLogger(), agents: { getRuntimeConfig: async () => agent! } });
    await app.listen(port, '127.0.0.1');
    apps.push(app);
    return { app, base: `http://127.0.0.1:${port}`, liveCalls: () => app.get(CallOrchestrator).callsInProgress };
  };
  const dial = (base: string, key: string, simulation: object) =>
    fetch(`${base}/call`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ agent_id: 'cod', recipient_phone_number: '+919876543220', carrier: 'sim', simulation, context: { name: 'Asha', order_id: 'K1' } }),
    });
  const viewOf = async (base: string, callId: string, wait = 0) => (await fetch(`${base}/call/${callId}?wait=${wait}`, { headers: { authorization: `Bearer ${API_KEY}` } })).json() as Promise<{ state: string; outcome?: { status: string; reason?: string } }>;

  beforeAll(async () => {
    redis = await new RedisTestServer().start();
    peek = new Redis(redis.url, { maxRetriesPerRequest: null });
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    peek.disconnect();
    await redis.stop();
    for (const made of dirs) rmSync(made, { recursive: true, force: true });
  }, 30_000);

  let a: Awaited<ReturnType<typeof startGateway>>;
  let b: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    [a, b] = [await startGateway('gw-a'), await startGateway('gw-b')];
  }, 30_000);

  it('a key dialled through gateway A is refused by gateway B, which dials nothing; A and the queue answer with the one call', async () => {
    const first = await dial(a.base, 'state-spec-row-1', { answer: 'busy', ringSeconds: 1 });
    expect(first.status).toBe(201);
    const { call_id: callId } = (await first.json()) as { call_id: string };

    const elsewhere = await dial(b.base, 'state-spec-row-1', { answer: 'busy', ringSeconds: 1 });
    expect(elsewhere.status).toBe(409);
    expect(await elsewhere.json()).toMatchObject({ gateway_id: 'gw-a', call_id: callId, message: expect.stringContaining('already dialled by gateway gw-a') });
    expect(b.liveCalls()).toBe(0);

    const again = await dial(a.base, 'state-spec-row-1', { answer: 'busy', ringSeconds: 1 });
    expect(((await again.json()) as { call_id: string }).call_id).toBe(callId);
    // The same key as a queued job, whichever gateway takes it: the call A placed, with its outcome.
    const queue = new QueueGatewayClient({ redisUrl: redis.url, campaignId: 'state-spec', callsPerSecond: 10 });
    try {
      const job = await queue.placeCall({ agentId: 'cod', to: '+919876543220', context: { name: 'Asha', order_id: 'K1' }, carrier: 'sim', simulation: { answer: 'busy', ringSeconds: 1 }, idempotencyKey: 'state-spec-row-1' });
      let view = await queue.waitForCall(job.callId, 10);
      while (view.state !== 'completed') view = await queue.waitForCall(job.callId, 10);
      expect({ callId: view.callId, status: view.outcome?.status }).toEqual({ callId, status: 'busy' });
    } finally {
      await queue.close();
    }
    expect(b.liveCalls()).toBe(0);
  }, 30_000);

  it('a gateway whose disk is gone settles the calls it had in flight from Redis: failed, gateway restarted, and their keys are not dialled again', async () => {
    // The last run of gw-c, on a disk that is gone now: a call ringing, its key claimed in Redis.
    const lostDisk = dir('gateway-state-lost-');
    const callId = '7d1f0a52-3c4b-4e8f-9a6d-2b5c8e1f4a07';
    await peek.hset(dialKey('state-spec-row-2'), 'gateway', 'gw-c');
    const lastRun = await RedisMirroredCallStore.open(SqliteCallStore.openIn(lostDisk), { redisUrl: redis.url, gatewayId: 'gw-c' });
    lastRun.save({
      callId,
      agentId: 'cod',
      to: '+919876543220',
      carrier: 'sim',
      carrierCallId: 'SIM-lost-1',
      phase: 'ringing',
      idempotencyKey: 'state-spec-row-2',
      createdAt: new Date().toISOString(),
      answerServed: false,
      streamTokenUsed: false,
      view: { call_id: callId, state: 'in_progress', carrier: 'sim', carrier_call_id: 'SIM-lost-1', transcript: [], timeline: [], tool_calls: [], turn_latencies_ms: [] },
    });
    // And a call of that run that had ended: not in flight, so only its key brings it back.
    const endedId = '7d1f0a52-3c4b-4e8f-9a6d-2b5c8e1f4a08';
    await peek.hset(dialKey('state-spec-row-2b'), 'gateway', 'gw-c');
    const endedView = { call_id: endedId, state: 'completed' as const, carrier: 'sim' as const, outcome: { status: 'busy' as const }, transcript: [], timeline: [], tool_calls: [], turn_latencies_ms: [] };
    lastRun.save({ callId: endedId, agentId: 'cod', to: '+919876543220', carrier: 'sim', phase: 'settled', outcome: { status: 'busy' }, idempotencyKey: 'state-spec-row-2b', createdAt: new Date().toISOString(), endedAt: new Date().toISOString(), answerServed: false, streamTokenUsed: false, view: endedView });
    await lastRun.close();
    rmSync(lostDisk, { recursive: true, force: true });

    const c = await startGateway('gw-c');
    expect(await viewOf(c.base, callId)).toMatchObject({ state: 'completed', outcome: { status: 'failed', reason: 'gateway restarted' } });
    const resent = await dial(c.base, 'state-spec-row-2', { answer: 'human' });
    expect(((await resent.json()) as { call_id: string }).call_id).toBe(callId);
    const resentEnded = await dial(c.base, 'state-spec-row-2b', { answer: 'human' });
    expect(((await resentEnded.json()) as { call_id: string }).call_id).toBe(endedId);
    expect(await viewOf(c.base, endedId)).toMatchObject({ state: 'completed', outcome: { status: 'busy' } });
    expect(c.liveCalls()).toBe(0);
    // Redis learns it too: nothing left unsettled, and whoever waits on the key reads the outcome.
    for (let i = 0; i < 50 && (await peek.scard(gatewayCallsKey('gw-c'))) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await peek.smembers(gatewayCallsKey('gw-c'))).toEqual([]);
    expect(JSON.parse((await peek.hget(dialKey('state-spec-row-2'), 'outcome'))!)).toMatchObject({ callId, outcome: { status: 'failed', reason: 'gateway restarted' } });
  }, 30_000);

  it('a queued key claimed by an earlier run of a gateway that has restarted since ends failed at once, not dialled and not waited on', async () => {
    // gw-d claimed the key, then restarted: its heartbeat lives on, but names another run.
    await peek.hset(dialKey('state-spec-row-3'), { gateway: 'gw-d', instance: 'the-run-before', at: new Date().toISOString() });
    await peek.set('codcall:gateway:gw-d', JSON.stringify({ id: 'gw-d', publicBaseUrl: 'http://127.0.0.1:9', carriers: ['sim'], maxCalls: 1, instance: 'the-run-now' }), 'PX', 30_000);
    const queue = new QueueGatewayClient({ redisUrl: redis.url, campaignId: 'state-spec-restarted', callsPerSecond: 10 });
    try {
      const job = await queue.placeCall({ agentId: 'cod', to: '+919876543222', context: { name: 'Ravi', order_id: 'K3' }, carrier: 'sim', simulation: { answer: 'human' }, idempotencyKey: 'state-spec-row-3' });
      let view = await queue.waitForCall(job.callId, 10);
      while (view.state !== 'completed') view = await queue.waitForCall(job.callId, 10);
      expect(view.outcome).toEqual({ status: 'failed', reason: 'the gateway that dialled this call stopped before it ended (gateway gw-d)' });
    } finally {
      await queue.close();
    }
    expect(a.liveCalls() + b.liveCalls()).toBe(0);
  }, 30_000);
});
