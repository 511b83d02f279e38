import { randomUUID } from 'node:crypto';
import type { CallView, PlaceCallRequest } from '@codcall/campaign';
import { RedisTestServer } from '@codcall/test-support';
import { CallQueueWorker, type CallQueueWorkerOptions } from './call-queue-worker';
import { QueueGatewayClient } from './queue-gateway-client';
import { redisUrlFrom } from './redis-connection';

/**
 * A gateway's call side as the worker sees it: each idempotency key dials once (as the
 * orchestrator's key store makes it), and each call ends when the test says, or after `callMs`.
 */
class FakeGatewayCalls {
  readonly dials: { key: string; at: number }[] = [];
  private readonly byKey = new Map<string, string>();
  private readonly endings = new Map<string, (view: CallView) => void>();
  live = 0;
  mostLive = 0;

  constructor(private readonly callMs: number | 'never' = 50) {}

  placeCall = async (request: PlaceCallRequest): Promise<{ callId: string }> => {
    const key = request.idempotencyKey as string;
    const known = this.byKey.get(key);
    if (known) return { callId: known };
    const callId = randomUUID();
    this.byKey.set(key, callId);
    this.dials.push({ key, at: Date.now() });
    return { callId };
  };

  waitForCompletion = (callId: string): Promise<CallView> =>
    new Promise((resolve) => {
      this.live++;
      this.mostLive = Math.max(this.mostLive, this.live);
      const end = (view: CallView) => {
        this.live--;
        resolve(view);
      };
      this.endings.set(callId, end);
      if (this.callMs !== 'never') setTimeout(() => end({ callId, state: 'completed', outcome: { status: 'confirmed' }, durationSeconds: 1 }), this.callMs);
    });
}

const request = (n: number, key = randomUUID()): PlaceCallRequest => ({ agentId: 'agent-1', to: `+1415555${String(n).padStart(4, '0')}`, context: { order_id: `A${n}` }, carrier: 'sim', idempotencyKey: key });

async function finalView(client: QueueGatewayClient, callId: string): Promise<CallView> {
  for (;;) {
    const view = await client.waitForCall(callId, 5);
    if (view.state === 'completed') return view;
  }
}

describe('calls as BullMQ jobs shared by gateways', () => {
  let redis: RedisTestServer;
  const closing: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    redis = await new RedisTestServer().start();
  });
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    await redis.stop();
  });

  const client = (campaignId: string, callsPerSecond = Infinity) => {
    const one = new QueueGatewayClient({ redisUrl: redis.url, campaignId, callsPerSecond });
    closing.push(() => one.close());
    return one;
  };
  const gateway = async (id: string, calls: FakeGatewayCalls, options: Partial<CallQueueWorkerOptions> = {}) => {
    const worker = new CallQueueWorker({
      redisUrl: redis.url,
      gatewayId: id,
      publicBaseUrl: `http://${id}.test`,
      carriers: ['sim'],
      maxCalls: 10,
      placeCall: calls.placeCall,
      waitForCompletion: calls.waitForCompletion,
      discoveryMs: 100,
      lockMs: 1000,
      ...options,
    });
    await worker.start();
    closing.push(() => worker.stop({ force: true }));
    return worker;
  };

  it('answers health from the gateways registered in Redis', async () => {
    const campaign = client('health');
    await expect(campaign.health()).rejects.toThrow(/no gateway is registered in Redis/);
    await gateway('gw-a', new FakeGatewayCalls(), { limits: { maxBodyBytes: 1000 } });
    await gateway('gw-b', new FakeGatewayCalls(), { carriers: ['sim', 'twilio'], limits: { maxBodyBytes: 800 } });
    const health = await campaign.health();
    expect(health).toEqual({ status: 'ok', carriers: ['sim', 'twilio'], idempotencyKeys: true, limits: { maxBodyBytes: 800 } });
  });

  it('a placeCall sent again with the same key is the same job and one dial, answered with the gateway call', async () => {
    const campaign = client('same-key');
    const calls = new FakeGatewayCalls();
    await gateway('gw-a', calls);
    const key = randomUUID();
    const first = await campaign.placeCall(request(1, key));
    const again = await campaign.placeCall(request(1, key));
    expect(again).toEqual(first);
    expect(first).toEqual({ callId: key, state: 'queued' });
    const view = await finalView(campaign, first.callId);
    expect(view.outcome).toEqual({ status: 'confirmed' });
    expect(view.callId).not.toBe(key);
    // Sent once more after the call ended: still that job, still one dial.
    await campaign.placeCall(request(1, key));
    expect((await finalView(campaign, key)).callId).toBe(view.callId);
    expect(calls.dials).toHaveLength(1);
  });

  it('a gateway holds at most its GATEWAY_MAX_CALLS at once', async () => {
    const campaign = client('capped');
    const calls = new FakeGatewayCalls(300);
    await gateway('gw-a', calls, { maxCalls: 3 });
    const placed = await Promise.all(Array.from({ length: 9 }, (_, n) => campaign.placeCall(request(n))));
    const views = await Promise.all(placed.map((call) => finalView(campaign, call.callId)));
    expect(views.every((view) => view.outcome?.status === 'confirmed')).toBe(true);
    expect(calls.dials).toHaveLength(9);
    expect(calls.mostLive).toBe(3);
  });

  it("two gateways together start no more than the campaign's calls per second", async () => {
    const campaign = client('paced', 4);
    const a = new FakeGatewayCalls(20);
    const b = new FakeGatewayCalls(20);
    await gateway('gw-a', a);
    await gateway('gw-b', b);
    const placed = await Promise.all(Array.from({ length: 12 }, (_, n) => campaign.placeCall(request(n))));
    await Promise.all(placed.map((call) => finalView(campaign, call.callId)));
    const starts = [...a.dials, ...b.dials].map((dial) => dial.at).sort((x, y) => x - y);
    expect(starts).toHaveLength(12);
    expect(a.dials.length).toBeGreaterThan(0);
    expect(b.dials.length).toBeGreaterThan(0);
    // 12 calls at 4 per second are three windows of a second: each gateway alone at 4 CPS would be done in two.
    expect(starts[11] - starts[0]).toBeGreaterThanOrEqual(1900);
    for (let i = 0; i + 8 < starts.length; i++) expect(starts[i + 8] - starts[i]).toBeGreaterThanOrEqual(900);
  });

  it('a call whose gateway died mid-call is not dialled again: it ends failed with the reason', async () => {
    const campaign = client('dead-gateway');
    const doomed = new FakeGatewayCalls('never');
    const dying = await gateway('gw-doomed', doomed);
    const placed = await campaign.placeCall(request(7));
    while (doomed.dials.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await campaign.waitForCall(placed.callId, 0)).state).toBe('in_progress');
    await dying.stop({ force: true });
    const survivor = new FakeGatewayCalls();
    await gateway('gw-survivor', survivor);
    const view = await finalView(campaign, placed.callId);
    expect(view.outcome).toEqual({ status: 'failed', reason: 'the gateway that dialled this call stopped before it ended (gateway gw-doomed)' });
    expect(survivor.dials).toHaveLength(0);
  });

  it('jobs go on when Redis restarts mid-run, each key dialled once', async () => {
    const campaign = client('redis-restart');
    const calls = new FakeGatewayCalls(400);
    await gateway('gw-a', calls, { lockMs: 5000 });
    const placed = await Promise.all(Array.from({ length: 6 }, (_, n) => campaign.placeCall(request(n))));
    while (calls.dials.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    await redis.restart(300);
    const more = await Promise.all(Array.from({ length: 4 }, (_, n) => campaign.placeCall(request(10 + n))));
    const views = await Promise.all([...placed, ...more].map((call) => finalView(campaign, call.callId)));
    expect(views.map((view) => view.outcome?.status)).toEqual(Array(10).fill('confirmed'));
    expect(new Set(calls.dials.map((dial) => dial.key)).size).toBe(10);
    expect(calls.dials).toHaveLength(10);
  });
});

describe('REDIS_URL', () => {
  it('is the embedded mode when unset, and named in the error when it is not a Redis URL', () => {
    expect(redisUrlFrom({})).toBeUndefined();
    expect(redisUrlFrom({ REDIS_URL: 'redis://redis:6379/2' })).toBe('redis://redis:6379/2');
    expect(() => redisUrlFrom({ REDIS_URL: 'http://redis:6379' })).toThrow('REDIS_URL must use redis:// or rediss://, got "http://redis:6379"');
    expect(() => redisUrlFrom({ REDIS_URL: 'redis:/nohost' })).toThrow(/REDIS_URL/);
    expect(() => redisUrlFrom({ REDIS_URL: 'redis://:s3cret@redis:6379/db' })).toThrow('REDIS_URL\'s path is the database number (0-15), got "redis://:***@redis:6379/db"');
  });
});
