import { CampaignStore } from '@codcall/campaign-store';
import { FakeClock, InMemoryCallList, InProcessGateway } from '@codcall/test-support';
import { parseCallingWindow } from './calling-window';
import type { CallOutcome, CallScheduling, CallView, GatewayClient, GatewayHealth, PlaceCallRequest, PlacedCall } from './gateway-client';
import { DEFAULT_RETRY_POLICY } from './retry-policy';
import { runCampaign, type CampaignOptions } from './run-campaign';

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A gateway that takes dials ahead of time, in memory (the Redis side is call-queue's spec): it
 * notes what is queued and withdrawn, and each placed key ends as `outcomeOf` says, or not dialled.
 */
class QueueingGateway implements GatewayClient {
  readonly baseUrl = 'in-memory://queue';
  readonly queued: { key: string; dueAt: string; notAfter?: string }[] = [];
  readonly withdrawn: string[] = [];
  readonly placed: { key: string; at: string; notAfter?: string }[] = [];
  private readonly views = new Map<string, CallView>();

  /** `lateByMs`: how long after the dial was placed a gateway got to a dial it did not make (the clock moves on meanwhile). */
  constructor(
    private readonly clock: FakeClock,
    private readonly outcomeOf: (key: string, timesPlaced: number) => CallOutcome | 'not dialled' = () => ({ status: 'confirmed' }),
    private readonly lateByMs = 0,
  ) {}

  readonly scheduling: CallScheduling = {
    attemptKey: (rowKey, attemptNo) => `campaign-1.${rowKey}.${attemptNo}`,
    scheduleCalls: async (dials) => {
      for (const { request, dueAt, notAfter } of dials) this.queued.push({ key: request.idempotencyKey ?? '', dueAt: iso(dueAt), ...(notAfter !== undefined ? { notAfter: iso(notAfter) } : {}) });
    },
    withdrawCalls: async (keys) => {
      this.withdrawn.push(...keys);
      return keys.length;
    },
  };

  async health(): Promise<GatewayHealth> {
    return { status: 'ok', carriers: ['sim'], idempotencyKeys: true };
  }

  async placeCall(request: PlaceCallRequest, dial?: { notAfter?: number }): Promise<PlacedCall> {
    const key = request.idempotencyKey ?? '';
    this.placed.push({ key, at: iso(this.clock.now()), ...(dial?.notAfter !== undefined ? { notAfter: iso(dial.notAfter) } : {}) });
    const outcome = this.outcomeOf(key, this.placed.filter((one) => one.key === key).length);
    this.views.set(key, {
      callId: key,
      state: 'completed',
      outcome: outcome === 'not dialled' ? { status: 'outside_window', reason: 'not dialled: its calling window closed before a gateway took it' } : outcome,
    });
    return { callId: key, state: 'queued' };
  }

  async waitForCall(callId: string): Promise<CallView> {
    const view = this.views.get(callId);
    if (!view) throw new Error(`no call ${callId}`);
    if (view.outcome?.status === 'outside_window' && this.lateByMs) await this.clock.advance(this.lateByMs);
    return view;
  }
}

/** A campaign on fake time: the clock jumps to each wake-up until the campaign resolves. */
async function onFakeTime(clock: FakeClock, options: Partial<CampaignOptions> & Pick<CampaignOptions, 'repository' | 'gateway'>) {
  let done = false;
  const run = runCampaign({ agentId: 'agent-1', carrier: 'sim', clock, callsPerSecond: Infinity, idempotentDials: true, ...options }).finally(() => (done = true));
  for (let rounds = 0; !done && rounds < 100_000; rounds++) {
    if (!(await clock.advanceToNextWake())) await new Promise((resolve) => setImmediate(resolve));
  }
  return run;
}

describe('runCampaign with a gateway that takes dials ahead of time', () => {
  let store: CampaignStore;
  beforeEach(() => {
    store = CampaignStore.open(':memory:', { key: 'spec', csvPath: 'spec.csv' });
  });
  afterEach(() => store.close());

  it("queues a busy row's retry at its time with the key the retry then dials with; a gateway without the capability gets the same dials, keyed at random", async () => {
    const clock = new FakeClock('2026-11-25T06:00:00Z');
    const list = new InMemoryCallList([{ phone: '+919876543210', order_id: 'O1' }]);
    const gateway = new QueueingGateway(clock, (key) => ({ status: key === 'campaign-1.0.1' ? 'busy' : 'confirmed' }));

    const summary = await onFakeTime(clock, { repository: list, gateway, store, retryPolicy: DEFAULT_RETRY_POLICY });

    expect(gateway.queued).toEqual([{ key: 'campaign-1.0.2', dueAt: '2026-11-25T06:30:00.000Z' }]);
    expect(gateway.placed).toEqual([
      { key: 'campaign-1.0.1', at: '2026-11-25T06:00:00.000Z' },
      { key: 'campaign-1.0.2', at: '2026-11-25T06:30:00.000Z' },
    ]);
    expect(store.attempts().map((attempt) => attempt.ref)).toEqual(['campaign-1.0.1', 'campaign-1.0.2']);
    expect(summary).toMatchObject({ byStatus: { confirmed: 1 }, retriesScheduled: 1, waiting: 0 });

    const plainStore = CampaignStore.open(':memory:', { key: 'plain', csvPath: 'plain.csv' });
    try {
      const plainClock = new FakeClock('2026-11-25T06:00:00Z');
      const plain = new InProcessGateway((_, dial) => ({ outcome: { status: dial === 1 ? 'busy' : 'confirmed' } }), () => plainClock.now());
      expect('scheduling' in plain).toBe(false);
      await onFakeTime(plainClock, { repository: new InMemoryCallList([{ phone: '+919876543210', order_id: 'O1' }]), gateway: plain, store: plainStore, retryPolicy: DEFAULT_RETRY_POLICY });
      expect(plain.dials.map((dial) => iso(dial.at))).toEqual(['2026-11-25T06:00:00.000Z', '2026-11-25T06:30:00.000Z']);
      expect(plainStore.attempts().map((attempt) => attempt.ref)).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    } finally {
      plainStore.close();
    }
  });

  it("queues a row whose window opens later at the opening, not after the window's end, and a retry that falls outside the window at the next opening", async () => {
    const clock = new FakeClock('2026-11-25T01:00:00Z'); // 06:30 in India: its 09:00-20:00 window opens at 03:30Z
    const list = new InMemoryCallList([{ phone: '+919876543210', order_id: 'BOM' }]);
    const gateway = new QueueingGateway(clock, (key) => ({ status: key === 'campaign-1.0.1' ? 'no_answer' : 'confirmed' }));
    const retryAt16h = { ...DEFAULT_RETRY_POLICY, firstDelayMs: 16 * 60 * MIN }; // 19:30Z: 01:00 in India, after the window

    await onFakeTime(clock, { repository: list, gateway, store, callingWindow: parseCallingWindow('09:00-20:00'), retryPolicy: retryAt16h });

    expect(gateway.queued).toEqual([
      { key: 'campaign-1.0.1', dueAt: '2026-11-25T03:30:00.000Z', notAfter: '2026-11-25T14:30:00.000Z' },
      { key: 'campaign-1.0.2', dueAt: '2026-11-26T03:30:00.000Z', notAfter: '2026-11-26T14:30:00.000Z' },
      // When the retry comes due and waits for its window: the same dial again, which the queue already holds.
      { key: 'campaign-1.0.2', dueAt: '2026-11-26T03:30:00.000Z', notAfter: '2026-11-26T14:30:00.000Z' },
    ]);
    // Placed at its time with its window's end too: a queue that cannot start it before then does not dial it.
    expect(gateway.placed).toEqual([
      { key: 'campaign-1.0.1', at: '2026-11-25T03:30:00.000Z', notAfter: '2026-11-25T14:30:00.000Z' },
      { key: 'campaign-1.0.2', at: '2026-11-26T03:30:00.000Z', notAfter: '2026-11-26T14:30:00.000Z' },
    ]);
  });

  it('a queued dial no gateway made before its window closed is taken back: the row waits for its next window and dials with the same key then', async () => {
    const clock = new FakeClock('2026-11-25T14:00:00Z'); // 19:30 in India: its window closes at 14:30Z
    const list = new InMemoryCallList([{ phone: '+919876543210', order_id: 'BOM' }]);
    // The gateways were full until 14:45Z: the one that took the dial then did not make it.
    const gateway = new QueueingGateway(clock, (_, n) => (n === 1 ? 'not dialled' : { status: 'confirmed' }), 45 * MIN);
    const events: string[] = [];

    const summary = await onFakeTime(clock, {
      repository: list, gateway, store, callingWindow: parseCallingWindow('09:00-20:00'),
      onEvent: (event) => {
        if (event.type === 'row-error') events.push(event.error.message);
      },
    });

    expect(gateway.placed).toEqual([
      { key: 'campaign-1.0.1', at: '2026-11-25T14:00:00.000Z', notAfter: '2026-11-25T14:30:00.000Z' },
      { key: 'campaign-1.0.1', at: '2026-11-26T03:30:00.000Z', notAfter: '2026-11-26T14:30:00.000Z' },
    ]);
    // Withdrawn first, so the same key queues a new dial at the next opening instead of finding the one not made.
    expect(gateway.withdrawn).toEqual(['campaign-1.0.1']);
    expect(gateway.queued).toEqual([{ key: 'campaign-1.0.1', dueAt: '2026-11-26T03:30:00.000Z', notAfter: '2026-11-26T14:30:00.000Z' }]);
    expect(events).toEqual(['not dialled: its calling window closed before a gateway took it']);
    expect(store.attempts().map((attempt) => [attempt.attemptNo, attempt.ref, attempt.outcome?.status])).toEqual([[1, 'campaign-1.0.1', 'confirmed']]);
    expect(summary).toMatchObject({ byStatus: { confirmed: 1 }, dialled: 1, notRecorded: 0 });
  });

  it("a dial refused as late while the window is still open by the campaign's clock (a gateway's clock runs ahead) is tried again a minute later, not at once", async () => {
    const clock = new FakeClock('2026-11-25T10:00:00Z'); // 15:30 in India: open until 14:30Z
    const list = new InMemoryCallList([{ phone: '+919876543210', order_id: 'BOM' }]);
    const gateway = new QueueingGateway(clock, (_, n) => (n === 1 ? 'not dialled' : { status: 'confirmed' }));

    await onFakeTime(clock, { repository: list, gateway, store, callingWindow: parseCallingWindow('09:00-20:00') });

    expect(gateway.placed.map((one) => one.at)).toEqual(['2026-11-25T10:00:00.000Z', '2026-11-25T10:01:00.000Z']);
    expect(gateway.queued).toEqual([{ key: 'campaign-1.0.1', dueAt: '2026-11-25T10:01:00.000Z', notAfter: '2026-11-25T14:30:00.000Z' }]);
  });

  it('two orders to one number are not queued ahead of time (the queue could dial both at once): the run dials them one after the other', async () => {
    const clock = new FakeClock('2026-11-25T06:00:00Z');
    const list = new InMemoryCallList([
      { phone: '+919876543210', order_id: 'A' },
      { phone: '+919876543210', order_id: 'B' },
      { phone: '+971501234567', order_id: 'C' },
    ]);
    const gateway = new QueueingGateway(clock, (key) => ({ status: key.endsWith('.1') ? 'busy' : 'confirmed' }));

    const summary = await onFakeTime(clock, { repository: list, gateway, store, retryPolicy: DEFAULT_RETRY_POLICY });

    expect(gateway.queued.map((one) => one.key)).toEqual(['campaign-1.2.2']);
    expect(gateway.placed.map((one) => one.key).sort()).toEqual(['campaign-1.0.1', 'campaign-1.0.2', 'campaign-1.1.1', 'campaign-1.1.2', 'campaign-1.2.1', 'campaign-1.2.2']);
    expect(summary).toMatchObject({ byStatus: { confirmed: 3 }, retriesScheduled: 3 });
  });

  it('a pause withdraws the dials queued ahead of time; a shutdown that keeps them does not', async () => {
    for (const keep of [false, true]) {
      const clock = new FakeClock('2026-11-25T06:00:00Z');
      const gateway = new QueueingGateway(clock, () => ({ status: 'busy' }));
      const stop = new AbortController();
      const own = CampaignStore.open(':memory:', { key: `keep-${keep}`, csvPath: 'x.csv' });
      try {
        const running = runCampaign({
          repository: new InMemoryCallList([{ phone: '+919876543210', order_id: 'O1' }, { phone: '+971501234567', order_id: 'O2' }]),
          gateway, store: own, agentId: 'agent-1', carrier: 'sim', clock, callsPerSecond: Infinity, retryPolicy: DEFAULT_RETRY_POLICY,
          signal: stop.signal, keepScheduledCalls: () => keep,
          onEvent: (event) => {
            if (event.type === 'waiting') stop.abort();
          },
        });
        for (let i = 0; i < 50 && !stop.signal.aborted; i++) await new Promise((resolve) => setImmediate(resolve));
        expect(await running).toMatchObject({ interrupted: true, waiting: 2 });
        expect(gateway.queued.map((one) => one.key)).toEqual(['campaign-1.0.2', 'campaign-1.1.2']);
        expect(gateway.withdrawn).toEqual(keep ? [] : ['campaign-1.0.2', 'campaign-1.1.2']);
      } finally {
        own.close();
      }
    }
  });
});
