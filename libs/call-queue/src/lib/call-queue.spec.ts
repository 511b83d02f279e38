import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { CampaignStore } from '@codcall/campaign-store';
import { runCampaign, type CallView, type CampaignOptions, type PlaceCallRequest, type RetryPolicy } from '@codcall/campaign';
import { InMemoryCallList, RedisTestServer } from '@codcall/test-support';
import { CallQueueWorker, type CallQueueWorkerOptions } from './call-queue-worker';
import { QueueGatewayClient } from './queue-gateway-client';
import { jobIdFor, KEY_PREFIX, queueNameFor } from './queue-layout';
import { closeRedis, openRedis, redisUrlFrom } from './redis-connection';

/**
 * A gateway's call side as the worker sees it: each idempotency key dials once (as the
 * orchestrator's key store makes it), and each call ends when the test says, or after `callMs`.
 */
type Status = NonNullable<CallView['outcome']>['status'];

class FakeGatewayCalls {
  readonly dials: { key: string; to: string; at: number }[] = [];
  private readonly byKey = new Map<string, string>();
  private readonly statusById = new Map<string, Status>();
  private readonly endings = new Map<string, (view: CallView) => void>();
  live = 0;
  mostLive = 0;

  /** `statusOf`: how the nth dial to a number ends; `together`: live calls counted across several gateways. */
  constructor(
    private readonly callMs: number | 'never' = 50,
    private readonly statusOf: (dialToNumber: number) => Status = () => 'confirmed',
    private readonly together?: { live: number; most: number },
  ) {}

  placeCall = async (request: PlaceCallRequest): Promise<{ callId: string }> => {
    const key = request.idempotencyKey as string;
    const known = this.byKey.get(key);
    if (known) return { callId: known };
    const callId = randomUUID();
    this.byKey.set(key, callId);
    this.dials.push({ key, to: request.to, at: Date.now() });
    this.statusById.set(callId, this.statusOf(this.dials.filter((dial) => dial.to === request.to).length));
    return { callId };
  };

  waitForCompletion = (callId: string): Promise<CallView> =>
    new Promise((resolve) => {
      this.live++;
      this.mostLive = Math.max(this.mostLive, this.live);
      if (this.together) this.together.most = Math.max(this.together.most, ++this.together.live);
      const end = (view: CallView) => {
        this.live--;
        if (this.together) this.together.live--;
        resolve(view);
      };
      this.endings.set(callId, end);
      const status = this.statusById.get(callId) ?? 'confirmed';
      if (this.callMs !== 'never') setTimeout(() => end({ callId, state: 'completed', outcome: { status }, durationSeconds: 1 }), this.callMs);
    });
}

const request = (n: number, key: string = randomUUID()): PlaceCallRequest => ({ agentId: 'agent-1', to: `+1415555${String(n).padStart(4, '0')}`, context: { order_id: `A${n}` }, carrier: 'sim', idempotencyKey: key });

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => Promise<boolean> | boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

/** Busy is retried once, 2 s later: short enough for a test, long enough to stop the campaign-api meanwhile. */
const RETRY_BUSY_AFTER_2S: RetryPolicy = { statuses: new Set(['busy']), maxAttempts: 2, firstDelayMs: 2000, backoffFactor: 1 };
const busyThenConfirmed = (dial: number): Status => (dial === 1 ? 'busy' : 'confirmed');

describe('retries and calling windows as delayed jobs', () => {
  let redis: RedisTestServer;
  let dir: string;
  const closing: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    redis = await new RedisTestServer().start();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'codcall-scheduled-'));
  });
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await redis.stop();
  });

  /** A campaign-api's side of one campaign; `close` is the campaign-api going away. */
  const campaignApi = (campaignId: string, options: { concurrency?: number } = {}) => {
    const client = new QueueGatewayClient({ redisUrl: redis.url, campaignId, callsPerSecond: Infinity, ...options });
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await client.close();
    };
    closing.push(close);
    return { client, close };
  };
  const gateway = async (id: string, calls: FakeGatewayCalls, maxCalls = 10) => {
    const worker = new CallQueueWorker({
      redisUrl: redis.url, gatewayId: id, publicBaseUrl: `http://${id}.test`, carriers: ['sim'], maxCalls,
      placeCall: calls.placeCall, waitForCompletion: calls.waitForCompletion, discoveryMs: 100, lockMs: 1000,
    });
    await worker.start();
    closing.push(() => worker.stop({ force: true }));
    return worker;
  };
  /** What Redis holds of a campaign's jobs, read as an operator would. */
  const jobStateIn = (campaignId: string) => {
    const connection = openRedis(redis.url);
    const queue = new Queue(queueNameFor(campaignId), { connection, prefix: KEY_PREFIX });
    closing.push(async () => {
      await queue.close();
      await closeRedis(connection);
    });
    return (key: string) => queue.getJobState(jobIdFor(key));
  };
  const storeFor = (campaignId: string) => {
    const store = CampaignStore.open(join(dir, `${campaignId}.sqlite`), { key: campaignId, csvPath: `${campaignId}.csv` });
    closing.push(() => store.close());
    return store;
  };
  const run = (options: Partial<CampaignOptions> & Pick<CampaignOptions, 'repository' | 'gateway' | 'store'>) =>
    runCampaign({ agentId: 'agent-1', carrier: 'sim', callsPerSecond: Infinity, retryPolicy: RETRY_BUSY_AFTER_2S, idempotentDials: true, pollSeconds: 1, ...options });

  it('a busy row\'s retry is a delayed job at once; a gateway dials it at its time while the campaign-api is down, and the next run follows it by its key: two dials in all', async () => {
    const calls = new FakeGatewayCalls(50, busyThenConfirmed);
    await gateway('gw-a', calls);
    const list = new InMemoryCallList([{ phone: '+14155550101', order_id: 'R1' }]);
    const store = storeFor('retry-while-down');
    const jobState = jobStateIn('retry-while-down');
    const first = campaignApi('retry-while-down');

    const waiting = await run({ repository: list, gateway: first.client, store, exitWhenWaiting: true });
    expect(waiting).toMatchObject({ dialled: 1, retriesScheduled: 1, waiting: 1 });
    const retryKey = first.client.scheduling.attemptKey('0', 2);
    expect(await jobState(retryKey)).toBe('delayed');
    await first.close(); // the campaign-api is down from here until the next run

    await until('a gateway dials the retry', () => calls.dials.length === 2);
    expect(calls.dials.map((dial) => dial.key)).toEqual([first.client.scheduling.attemptKey('0', 1), retryKey]);
    expect(calls.dials[1].at - calls.dials[0].at).toBeGreaterThanOrEqual(1900);
    await until('the retry ends', async () => (await jobState(retryKey)) === 'completed');

    const next = campaignApi('retry-while-down');
    const done = await run({ repository: list, gateway: next.client, store });
    expect(done).toMatchObject({ byStatus: { confirmed: 1 }, waiting: 0, notRecorded: 0 });
    expect(list.recorded).toEqual([{ key: '0', outcome: { status: 'confirmed' } }]);
    expect(store.attempts().map((attempt) => [attempt.attemptNo, attempt.ref, attempt.outcome?.status])).toEqual([
      [1, first.client.scheduling.attemptKey('0', 1), 'busy'],
      [2, retryKey, 'confirmed'],
    ]);
    expect(calls.dials).toHaveLength(2);
  });

  it('a paused campaign\'s queued retry is not dialled while paused and is after resume; a cancelled one never is', async () => {
    const calls = new FakeGatewayCalls(50, busyThenConfirmed);
    await gateway('gw-a', calls);
    const campaigns = ['paused', 'cancelled'].map((id, n) => {
      const list = new InMemoryCallList([{ phone: `+1415555020${n}`, order_id: id }]);
      const stop = new AbortController();
      const api = campaignApi(id);
      const store = storeFor(id);
      // A pause and a cancel both stop the run without keeping its queued dials (only a shutdown keeps them).
      const running = run({ repository: list, gateway: api.client, store, signal: stop.signal, keepScheduledCalls: () => false });
      return { id, list, stop, api, store, running, jobState: jobStateIn(id), retryKey: api.client.scheduling.attemptKey('0', 2) };
    });
    for (const campaign of campaigns) await until(`${campaign.id}'s retry is queued`, async () => (await campaign.jobState(campaign.retryKey)) === 'delayed');
    for (const campaign of campaigns) campaign.stop.abort();
    for (const campaign of campaigns) {
      expect(await campaign.running).toMatchObject({ interrupted: true, waiting: 1 });
      expect(await campaign.jobState(campaign.retryKey)).toBe('unknown');
      await campaign.api.close();
    }

    await sleep(2500); // past the retries' time
    expect(calls.dials).toHaveLength(2);

    const [paused, cancelled] = campaigns;
    const resumed = campaignApi(paused.id);
    const done = await run({ repository: paused.list, gateway: resumed.client, store: paused.store });
    expect(done).toMatchObject({ byStatus: { confirmed: 1 }, dialled: 1 });
    expect(calls.dials.map((dial) => dial.key)).toEqual([
      expect.any(String), expect.any(String), paused.retryKey,
    ]);
    expect(calls.dials.filter((dial) => dial.key === cancelled.retryKey)).toEqual([]);
    expect(cancelled.list.recorded).toEqual([]);
  });

  it('a queued dial a gateway takes after its window closed is not dialled; taken back, its key queues a new dial that is', async () => {
    const calls = new FakeGatewayCalls();
    await gateway('gw-a', calls);
    const { client } = campaignApi('late');
    const key = client.scheduling.attemptKey('0', 1);
    const now = Date.now();
    await client.scheduling.scheduleCalls([{ request: request(1, key), dueAt: now + 300, notAfter: now + 100 }]);

    const missed = await finalView(client, key);
    expect(missed.outcome).toEqual({ status: 'outside_window', reason: `not dialled: its calling window closed at ${new Date(now + 100).toISOString()} before a gateway took it` });
    expect(calls.dials).toHaveLength(0);

    expect(await client.scheduling.withdrawCalls([key])).toBe(1);
    await client.scheduling.scheduleCalls([{ request: request(1, key), dueAt: Date.now() + 200, notAfter: Date.now() + 60_000 }]);
    expect((await finalView(client, key)).outcome).toEqual({ status: 'confirmed' });
    expect(calls.dials.map((dial) => dial.key)).toEqual([key]);
    // Dialled now: taking it back leaves the call and its outcome as they are.
    expect(await client.scheduling.withdrawCalls([key])).toBe(0);
    expect((await finalView(client, key)).outcome).toEqual({ status: 'confirmed' });
  });

  it("a dial placed now that no gateway can start before its window's end is not dialled either", async () => {
    const calls = new FakeGatewayCalls(400);
    await gateway('gw-a', calls, 1);
    const { client } = campaignApi('full-until-late');
    const busyLine = await client.placeCall(request(1));
    await until('the gateway holds its one call', () => calls.live === 1);
    const late = await client.placeCall(request(2), { notAfter: Date.now() + 150 });

    expect((await finalView(client, late.callId)).outcome?.status).toBe('outside_window');
    expect((await finalView(client, busyLine.callId)).outcome?.status).toBe('confirmed');
    expect(calls.dials.map((dial) => dial.key)).toEqual([busyLine.callId]);
  });

  it("queued dials that fall due together never exceed the campaign's concurrency across gateways", async () => {
    const together = { live: 0, most: 0 };
    const a = new FakeGatewayCalls(250, undefined, together);
    const b = new FakeGatewayCalls(250, undefined, together);
    await gateway('gw-a', a);
    await gateway('gw-b', b);
    const { client } = campaignApi('together', { concurrency: 2 });
    const dueAt = Date.now() + 300;
    const keys = Array.from({ length: 6 }, (_, n) => client.scheduling.attemptKey(String(n), 1));
    await client.scheduling.scheduleCalls(keys.map((key, n) => ({ request: request(n, key), dueAt })));

    const views = await Promise.all(keys.map((key) => finalView(client, key)));
    expect(views.map((view) => view.outcome?.status)).toEqual(Array(6).fill('confirmed'));
    expect(Math.min(...[...a.dials, ...b.dials].map((dial) => dial.at))).toBeGreaterThanOrEqual(dueAt - 50);
    expect(together.most).toBe(2);
    expect(a.dials.length + b.dials.length).toBe(6);
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
