import { CampaignStore } from '@codcall/campaign-store';
import { FakeGateway, InMemoryCallList, type FakeCallScript, type FakeGatewayOptions } from '@codcall/test-support';
import { ApiKeyRefusedError, GatewayRequestError } from './errors';
import { HttpGatewayClient } from './gateway-client';
import { DEFAULT_RETRY_POLICY, NO_RETRIES } from './retry-policy';
import { CampaignStoppedError, runCampaign, type CampaignEvent, type CampaignOptions } from './run-campaign';

const KEY = 'campaign-key-0123456789';

function customers(count: number): InMemoryCallList {
  return new InMemoryCallList(Array.from({ length: count }, (_, i) => ({ phone: `+1555000${String(i).padStart(4, '0')}`, order_id: `ORD${String(i + 1).padStart(3, '0')}` })));
}

describe('runCampaign and what the gateway answers', () => {
  let gateway: FakeGateway;
  let store: CampaignStore;
  beforeEach(() => (store = CampaignStore.open(':memory:', { key: 'spec', csvPath: 'spec.csv' })));
  afterEach(async () => {
    store.close();
    await gateway?.stop();
  });

  async function campaign(list: InMemoryCallList, gatewayOptions: FakeGatewayOptions, options: Partial<CampaignOptions> = {}) {
    gateway = await new FakeGateway(gatewayOptions).start();
    const events: CampaignEvent[] = [];
    const run = runCampaign({
      repository: list,
      gateway: new HttpGatewayClient(gateway.url, { apiKey: KEY, pollRetryDelaysMs: [10], connectRetryDelaysMs: [10] }),
      agentId: 'agent-1',
      carrier: 'sim',
      store,
      pollSeconds: 5,
      retryPolicy: NO_RETRIES,
      callsPerSecond: Infinity,
      onEvent: (event) => events.push(event),
      ...options,
    });
    return { run, events };
  }

  describe('a gateway at capacity (503 with Retry-After)', () => {
    it('waits, re-sends the same dial with the same Idempotency-Key, and spends no attempt', async () => {
      const list = customers(2);
      const { run, events } = await campaign(list, { atCapacity: { dials: 2, retryAfterSeconds: 1 } }, { concurrency: 1 });

      const summary = await run;

      expect(list.recorded.map((entry) => entry.outcome.status)).toEqual(['confirmed', 'confirmed']);
      expect(gateway.placedCalls().map((call) => call.context['order_id'])).toEqual(['ORD001', 'ORD002']);
      // ORD001 was refused twice, then placed: three POSTs, one key.
      expect(gateway.received.map((call) => call.context['order_id'])).toEqual(['ORD001', 'ORD001', 'ORD001', 'ORD002']);
      expect(new Set(gateway.receivedKeys.slice(0, 3)).size).toBe(1);
      expect(gateway.receivedKeys[3]).not.toBe(gateway.receivedKeys[0]);
      expect(store.attempts().map((attempt) => [attempt.rowKey, attempt.attemptNo, attempt.state])).toEqual([
        ['0', 1, 'finished'],
        ['1', 1, 'finished'],
      ]);
      expect(summary).toMatchObject({ dialled: 2, capacityRefusals: 2, notRecorded: 0 });
      expect(events.filter((e) => e.type === 'gateway-at-capacity')).toEqual([
        { type: 'gateway-at-capacity', waitMs: 1000, message: 'gateway at capacity: 0 calls in progress' },
        { type: 'gateway-at-capacity', waitMs: 1000, message: 'gateway at capacity: 0 calls in progress' },
      ]);
    });

    it('starts no new call while the gateway is at capacity: the refused dial goes first', async () => {
      const list = customers(6);
      const { run } = await campaign(list, { atCapacity: { dials: 1, retryAfterSeconds: 1 } }, { concurrency: 5 });
      await run;

      const orders = gateway.received.map((call) => call.context['order_id']);
      const refused = orders[0];
      const resent = gateway.receivedKeys.indexOf(gateway.receivedKeys[0], 1);
      expect(orders[resent]).toBe(refused);
      // The five first dials went out together; the sixth row waited for the refused one's re-send.
      expect(orders.indexOf('ORD006')).toBeGreaterThan(resent);
      expect(list.recorded).toHaveLength(6);
      expect(gateway.placedCalls()).toHaveLength(6);
    });

    it('a 503 without Retry-After still stops the campaign', async () => {
      const list = customers(3);
      const { run } = await campaign(list, { script: () => ({ reject: { status: 503, message: 'carrier sim is not configured' } }) }, { concurrency: 1 });
      const error = (await run.catch((e: unknown) => e)) as CampaignStoppedError;
      expect(error).toBeInstanceOf(CampaignStoppedError);
      expect(error.cause).toMatchObject({ name: 'GatewayRequestError', status: 503 });
      expect(list.recorded).toEqual([]);
    });

    it('interrupted while waiting for capacity, takes the attempt back and leaves the row as it was', async () => {
      const list = customers(1);
      const abort = new AbortController();
      const { run } = await campaign(list, { atCapacity: { dials: 100, retryAfterSeconds: 30 } }, { signal: abort.signal });
      while (gateway.capacityRefusals === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      abort.abort();
      await expect(run).resolves.toMatchObject({ interrupted: true, dialled: 0, notRecorded: 1 });
      expect(store.attempts()).toEqual([]);
      expect(list.recorded).toEqual([]);
    });
  });

  describe('the API key', () => {
    it('is sent as a bearer token on every request', async () => {
      const list = customers(2);
      const { run } = await campaign(list, { apiKey: KEY });
      await expect(run).resolves.toMatchObject({ dialled: 2, byStatus: { confirmed: 2 } });
      expect(gateway.unauthorized).toBe(0);
    });

    it('refused, stops the campaign before a second dial and takes the attempt back', async () => {
      const list = customers(3);
      const { run } = await campaign(list, { apiKey: 'another-key-0123456789' }, { concurrency: 1 });
      const error = (await run.catch((e: unknown) => e)) as CampaignStoppedError;
      expect(error.cause).toBeInstanceOf(ApiKeyRefusedError);
      expect(error.cause.message).toBe(`the gateway at ${gateway.url} refused the API key: set CODCALL_API_KEY to one of the gateway's CODCALL_API_KEYS`);
      expect(gateway.unauthorized).toBe(1);
      expect(store.attempts()).toEqual([]);
      expect(list.recorded).toEqual([]);
    });
  });

  describe('a 404 for a call the campaign placed (a gateway that lost it)', () => {
    it('is a failed attempt the retry policy decides about, never an immediate second dial', async () => {
      const list = customers(1);
      const retryPolicy = { ...DEFAULT_RETRY_POLICY, statuses: new Set(['failed']), maxAttempts: 2, firstDelayMs: 60 * 60_000 };
      const { run, events } = await campaign(list, { script: () => ({ hold: true }) }, { retryPolicy, exitWhenWaiting: true });
      await gateway.placed(1);
      gateway.forgetCalls();

      const summary = await run;
      expect(summary).toMatchObject({ dialled: 1, retriesScheduled: 1, exitedWhileWaiting: true, notRecorded: 1 });
      expect(gateway.placedCalls()).toHaveLength(1);
      expect(events.find((e) => e.type === 'row-error')).toMatchObject({ recordedAs: 'failed', error: expect.any(GatewayRequestError) });
      expect(store.attempts()[0]).toMatchObject({ attemptNo: 1, state: 'finished', outcome: { status: 'failed', reason: expect.stringContaining('not found') } });
      expect(store.rows().get('0')).toMatchObject({ state: 'waiting', attempts: 1 });
    });

    it('for a call placed by an earlier run, too: with no retries left the row is recorded failed', async () => {
      const list = customers(1);
      const attempt = store.beginAttempt({ rowKey: '0', orderId: 'ORD001', phone: '+15550000000', attemptNo: 1, carrier: 'sim', at: Date.now() });
      store.attemptPlaced(attempt, 'call-before-restart', Date.now());
      const { run, events } = await campaign(list, {});

      await expect(run).resolves.toMatchObject({ resumed: 1, dialled: 0, byStatus: { failed: 1 } });
      expect(gateway.received).toEqual([]);
      expect(list.outcomeOf('ORD001')).toEqual({ status: 'failed' });
      expect(events).toContainEqual(expect.objectContaining({ type: 'call-resumed', callId: 'call-before-restart' }));
    });
  });

  it('masks a number the gateway echoes in its error', async () => {
    const list = customers(1);
    const script = (): FakeCallScript => ({ reject: { status: 400, message: 'recipient_phone_number +15550000000 is not allowed' } });
    const { run, events } = await campaign(list, { script });
    await run;
    const error = events.find((e) => e.type === 'row-error');
    expect(error?.type === 'row-error' && error.error.message).toContain('+15*******00 is not allowed');
    expect(JSON.stringify(events.map((e) => (e.type === 'row-error' ? e.error.message : '')))).not.toContain('+15550000000');
  });
});
