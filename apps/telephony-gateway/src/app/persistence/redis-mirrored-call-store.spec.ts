import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { StoredCall } from '@codcall/call-orchestration';
import { callStateKey, dialKey, gatewayCallsKey } from '@codcall/call-queue';
import { createLogger } from '@codcall/logging';
import { RedisTestServer } from '@codcall/test-support';
import { RedisMirroredCallStore } from './redis-mirrored-call-store';
import { SqliteCallStore } from './sqlite-call-store';

function call(callId: string, overrides: Partial<StoredCall> = {}): StoredCall {
  return {
    callId,
    agentId: 'agent-1',
    to: '+919876543210',
    carrier: 'sim',
    phase: 'queued',
    createdAt: '2026-12-01T10:00:00.000Z',
    answerServed: false,
    streamTokenUsed: false,
    view: { call_id: callId, state: 'queued', carrier: 'sim', transcript: [], timeline: [], tool_calls: [], turn_latencies_ms: [] },
    ...overrides,
  };
}

const ringing = (callId: string, key?: string): StoredCall =>
  call(callId, { phase: 'ringing', carrierCallId: `SIM-${callId}`, ...(key ? { idempotencyKey: key } : {}), view: { ...call(callId).view, state: 'in_progress', carrier_call_id: `SIM-${callId}` } });

const settled = (callId: string, key?: string): StoredCall => ({
  ...ringing(callId, key),
  phase: 'settled',
  outcome: { status: 'busy' },
  endedAt: '2026-12-01T10:00:05.000Z',
  view: { ...ringing(callId).view, state: 'completed', outcome: { status: 'busy' }, carrier_status: 'busy' },
});

describe('the call store mirrored to Redis', () => {
  let redis: RedisTestServer;
  let client: Redis;
  const dirs: string[] = [];
  const stores: RedisMirroredCallStore[] = [];
  const disk = () => {
    const dir = mkdtempSync(join(tmpdir(), 'mirrored-call-store-'));
    dirs.push(dir);
    return dir;
  };
  const open = async (gatewayId: string, dir = disk(), options: { maxPending?: number; logger?: ReturnType<typeof createLogger> } = {}) => {
    const store = await RedisMirroredCallStore.open(SqliteCallStore.openIn(dir), { redisUrl: redis.url, gatewayId, ...options });
    stores.push(store);
    return store;
  };
  const stateInRedis = async (callId: string) => {
    const json = await client.get(callStateKey(callId));
    return json ? (JSON.parse(json) as StoredCall) : undefined;
  };

  beforeAll(async () => {
    redis = await new RedisTestServer().start();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('writes each save to SQLite at once and to Redis behind it: the whole call, its latest state, listed as unsettled until it settles', async () => {
    const store = await open('gw-mirror');
    const id = 'b3a1c0de-0000-4000-8000-000000000001';
    // The dial record of a key this gateway claimed before dialling (as its queue worker or POST /call does).
    await client.hset(dialKey('row-1'), 'gateway', 'gw-mirror');

    store.save(call(id, { idempotencyKey: 'row-1' }));
    expect(store.load(id)?.phase).toBe('queued'); // the SQLite write-ahead, before any Redis round trip
    store.save(ringing(id, 'row-1'));
    await store.flush();
    expect(await stateInRedis(id)).toEqual(ringing(id, 'row-1'));
    expect(await client.smembers(gatewayCallsKey('gw-mirror'))).toEqual([id]);
    expect(await client.hget(dialKey('row-1'), 'callId')).toBe(id);

    store.save(settled(id, 'row-1'));
    await store.flush();
    expect(await stateInRedis(id)).toEqual(settled(id, 'row-1'));
    expect(await client.smembers(gatewayCallsKey('gw-mirror'))).toEqual([]);
    // Whoever waits on this key (a job come back, another gateway) reads how the call ended.
    expect(JSON.parse((await client.hget(dialKey('row-1'), 'outcome'))!)).toMatchObject({ callId: id, state: 'completed', outcome: { status: 'busy' }, carrierStatus: 'busy' });
  });

  it('keeps the order of the saves: after many quick changes Redis holds the last one of each call', async () => {
    const store = await open('gw-order');
    const ids = Array.from({ length: 20 }, (_, i) => `b3a1c0de-0000-4000-8000-0000000001${String(i).padStart(2, '0')}`);
    for (const id of ids) {
      store.save(call(id));
      store.save(ringing(id));
    }
    for (const id of ids.slice(0, 10)) store.save(settled(id));
    await store.flush();
    for (const id of ids.slice(0, 10)) expect((await stateInRedis(id))?.phase).toBe('settled');
    for (const id of ids.slice(10)) expect((await stateInRedis(id))?.phase).toBe('ringing');
    expect((await client.smembers(gatewayCallsKey('gw-order'))).sort()).toEqual(ids.slice(10));
  });

  it('gives a gateway whose disk is gone its unsettled calls back from Redis, and nobody else\'s', async () => {
    const first = await open('gw-lost-disk');
    const live = 'b3a1c0de-0000-4000-8000-000000000201';
    const over = 'b3a1c0de-0000-4000-8000-000000000202';
    first.save(ringing(live, 'row-live'));
    first.save(settled(over, 'row-over'));
    await first.close();

    const fresh = await open('gw-lost-disk', disk());
    expect(fresh.unsettled()).toEqual([ringing(live, 'row-live')]);
    expect(fresh.findByIdempotencyKey('row-live')?.callId).toBe(live);
    expect((await open('gw-other')).unsettled()).toEqual([]);
  });

  it('lets the calls go on while Redis is down and catches up once it is back; beyond its bound it drops the oldest waiting state, with a warning', async () => {
    const lines: string[] = [];
    const logger = createLogger({ name: 'spec', level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    const store = await open('gw-outage', disk(), { maxPending: 2, logger });
    const ids = [1, 2, 3, 4].map((i) => `b3a1c0de-0000-4000-8000-00000000030${i}`);
    await redis.kill();
    // The first state goes out at once and waits for Redis; the next ones wait here, two at most.
    for (const id of ids) store.save(ringing(id));
    for (const id of ids) expect(store.load(id)?.phase).toBe('ringing');
    expect(store.pendingWrites).toBe(2);
    expect(lines.join('')).toMatch(/the oldest waiting call states were dropped from the mirror/);

    await redis.start();
    await store.flush();
    expect((await stateInRedis(ids[0]))?.phase).toBe('ringing');
    expect(await stateInRedis(ids[1])).toBeUndefined();
    expect((await stateInRedis(ids[2]))?.phase).toBe('ringing');
    expect((await stateInRedis(ids[3]))?.phase).toBe('ringing');
  }, 20_000);
});
