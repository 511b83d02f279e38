import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignStore } from '@codcall/campaign-store';
import { FakeClock, FakeGateway, InMemoryCallList, InProcessGateway, type FakeRow, type InProcessCallScript } from '@codcall/test-support';
import { parseCallingWindow } from './calling-window';
import { HttpGatewayClient, type PlaceCallRequest } from './gateway-client';
import { DEFAULT_RETRY_POLICY } from './retry-policy';
import { runCampaign, type CampaignEvent, type CampaignOptions, type CampaignSummary } from './run-campaign';

const MIN = 60_000;
const START = '2026-11-25T06:00:00Z'; // a Wednesday: 11:30 in India, 10:00 in Dubai

/** A campaign on fake time: the clock jumps to each wake-up until the campaign resolves. */
async function onFakeTime(clock: FakeClock, options: Partial<CampaignOptions> & Pick<CampaignOptions, 'repository' | 'gateway'>) {
  const events: CampaignEvent[] = [];
  let done = false;
  const run = runCampaign({
    agentId: 'agent-1',
    carrier: 'sim',
    clock,
    callsPerSecond: Infinity,
    onEvent: (event) => events.push(event),
    ...options,
  }).finally(() => (done = true));
  for (let rounds = 0; !done && rounds < 100_000; rounds++) {
    if (!(await clock.advanceToNextWake())) await new Promise((resolve) => setImmediate(resolve));
  }
  const summary: CampaignSummary = await run;
  return { summary, events };
}

function byNumber(scripts: Record<string, (dial: number) => InProcessCallScript>) {
  return (request: PlaceCallRequest, dial: number) => scripts[request.to]?.(dial) ?? { outcome: { status: 'confirmed' as const } };
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('runCampaign on a schedule', () => {
  let clock: FakeClock;
  let store: CampaignStore;

  beforeEach(() => {
    clock = new FakeClock(START);
    store = CampaignStore.open(':memory:', { key: 'spec', csvPath: 'spec.csv' });
  });
  afterEach(() => store.close());

  describe('retries', () => {
    it('given a callee who answers on the third try, dials 30 and 60 minutes apart and writes only the final status', async () => {
      const list = new InMemoryCallList([{ phone: '+919876543210', order_id: 'O1' }]);
      const gateway = new InProcessGateway(byNumber({ '+919876543210': (dial) => ({ outcome: { status: dial === 1 ? 'no_answer' : dial === 2 ? 'busy' : 'confirmed' } }) }), () => clock.now());

      const { summary, events } = await onFakeTime(clock, { repository: list, gateway, store, retryPolicy: DEFAULT_RETRY_POLICY });

      expect(gateway.dials.map((dial) => iso(dial.at))).toEqual(['2026-11-25T06:00:00.000Z', '2026-11-25T06:30:00.000Z', '2026-11-25T07:30:00.000Z']);
      expect(list.recorded).toEqual([{ key: '0', outcome: { status: 'confirmed' } }]);
      expect(events.filter((e) => e.type === 'retry-scheduled').map((e) => e.type === 'retry-scheduled' && [e.attempt, iso(e.nextDueAt)])).toEqual([
        [1, '2026-11-25T06:30:00.000Z'],
        [2, '2026-11-25T07:30:00.000Z'],
      ]);
      expect(store.attempts().map((a) => [a.attemptNo, a.outcome?.status])).toEqual([[1, 'no_answer'], [2, 'busy'], [3, 'confirmed']]);
      expect(summary).toMatchObject({ dialled: 3, retriesScheduled: 2, byStatus: { confirmed: 1 }, waiting: 0, notRecorded: 0 });
    });

    it('after the last attempt the CSV shows the last status, and a later run of the same campaign dials nobody', async () => {
      const list = new InMemoryCallList([{ phone: '+919876543210', order_id: 'O1' }]);
      const gateway = new InProcessGateway(() => ({ outcome: { status: 'no_answer' } }), () => clock.now());
      await onFakeTime(clock, { repository: list, gateway, store, retryPolicy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 2 } });
      expect(gateway.dials).toHaveLength(2);
      expect(list.recorded).toEqual([{ key: '0', outcome: { status: 'no_answer' } }]);

      const again = await onFakeTime(clock, { repository: list, gateway, store });
      expect(gateway.dials).toHaveLength(2);
      expect(again.summary).toMatchObject({ dialled: 0, pending: 1, byStatus: { no_answer: 1 } }); // the CSV already says so: recorded again, same bytes
    });

    it('a row waiting for its retry is not final: with exitWhenWaiting the run ends resumable, and the next run dials it when due', async () => {
      const list = new InMemoryCallList([{ phone: '+919876543210', order_id: 'O1' }]);
      const gateway = new InProcessGateway((_, dial) => ({ outcome: { status: dial === 1 ? 'busy' : 'confirmed' } }), () => clock.now());
      const first = await onFakeTime(clock, { repository: list, gateway, store, exitWhenWaiting: true });
      expect(first.summary).toMatchObject({ exitedWhileWaiting: true, waiting: 1, nextDueAt: new Date(START).getTime() + 30 * MIN, byStatus: {} });
      expect(list.recorded).toEqual([]);
      expect(first.events).toContainEqual({ type: 'waiting', rows: 1, nextDueAt: new Date(START).getTime() + 30 * MIN, reason: 'retry' });

      await clock.advance(10 * MIN); // the operator runs it again too early: it waits the remaining 20 minutes
      const second = await onFakeTime(clock, { repository: list, gateway, store });
      expect(gateway.dials.map((dial) => iso(dial.at))).toEqual(['2026-11-25T06:00:00.000Z', '2026-11-25T06:30:00.000Z']);
      expect(second.summary).toMatchObject({ byStatus: { confirmed: 1 }, exitedWhileWaiting: false });
    });
  });

  describe('calling windows', () => {
    const window = parseCallingWindow('09:00-20:00', 'mon-sat');
    const rows: FakeRow[] = [
      { phone: '+971501234567', order_id: 'DXB' }, // Dubai, UTC+4
      { phone: '+919876543210', order_id: 'BOM' }, // India, UTC+5:30
      { phone: '+6281234567890', order_id: 'JKT', timezone: 'Asia/Jakarta' }, // UTC+7, by the timezone column
      { phone: '+525512345678', order_id: 'MEX' }, // Mexico: all its zones, 17:00Z to 01:00Z
    ];

    it('calls each row when 09:00 comes in its own zone, and says when the next call is due', async () => {
      clock = new FakeClock('2026-11-25T01:00:00Z');
      const list = new InMemoryCallList(rows);
      const gateway = new InProcessGateway(undefined, () => clock.now());
      const { events } = await onFakeTime(clock, { repository: list, gateway, store, callingWindow: window });

      expect(gateway.dials.map((dial) => [dial.orderId, iso(dial.at)])).toEqual([
        ['JKT', '2026-11-25T02:00:00.000Z'],
        ['BOM', '2026-11-25T03:30:00.000Z'],
        ['DXB', '2026-11-25T05:00:00.000Z'],
        ['MEX', '2026-11-25T17:00:00.000Z'],
      ]);
      const waits = events.filter((e) => e.type === 'waiting').map((e) => e.type === 'waiting' && [e.rows, iso(e.nextDueAt), e.reason]);
      expect(waits[0]).toEqual([4, '2026-11-25T02:00:00.000Z', 'calling window']);
    });

    it('with exitWhenWaiting, outside every window it dials nobody and says when the first row is due', async () => {
      clock = new FakeClock('2026-11-25T01:00:00Z');
      const gateway = new InProcessGateway(undefined, () => clock.now());
      const { summary } = await onFakeTime(clock, { repository: new InMemoryCallList(rows), gateway, store, callingWindow: window, exitWhenWaiting: true });
      expect(gateway.dials).toEqual([]);
      expect(summary).toMatchObject({ exitedWhileWaiting: true, waiting: 4, nextDueAt: new Date('2026-11-25T02:00:00Z').getTime() });
    });

    it('a retry that falls after the window closes waits for the next day\'s window', async () => {
      clock = new FakeClock('2026-11-25T14:00:00Z'); // 19:30 in India
      const list = new InMemoryCallList([{ phone: '+919876543210', order_id: 'BOM' }]);
      const gateway = new InProcessGateway((_, dial) => ({ outcome: { status: dial === 1 ? 'no_answer' : 'confirmed' } }), () => clock.now());
      await onFakeTime(clock, { repository: list, gateway, store, callingWindow: window });
      expect(gateway.dials.map((dial) => iso(dial.at))).toEqual(['2026-11-25T14:00:00.000Z', '2026-11-26T03:30:00.000Z']);
    });
  });

  describe('rate limits', () => {
    it('starts at most `callsPerSecond` calls a second across the campaign', async () => {
      const list = new InMemoryCallList(Array.from({ length: 10 }, (_, i) => ({ phone: `+9198765432${String(i).padStart(2, '0')}`, order_id: `O${i}` })));
      const gateway = new InProcessGateway(undefined, () => clock.now());
      await onFakeTime(clock, { repository: list, gateway, store, callsPerSecond: 2, concurrency: 10 });

      const starts = gateway.dials.map((dial) => dial.at - new Date(START).getTime());
      expect(starts).toEqual([0, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500]);
      expect(list.recorded).toHaveLength(10);
    });
  });

  describe('do-not-call', () => {
    it('never dials a number on the list: the row gets do_not_call', async () => {
      store.addDoNotCallList(['+919876543210'], 0);
      const list = new InMemoryCallList([{ phone: '+919876543210', order_id: 'O1' }, { phone: '+971501234567', order_id: 'O2' }]);
      const gateway = new InProcessGateway(undefined, () => clock.now());
      const { summary } = await onFakeTime(clock, { repository: list, gateway, store });
      expect(gateway.dials.map((dial) => dial.to)).toEqual(['+971501234567']);
      expect(list.outcomeOf('O1')).toEqual({ status: 'do_not_call' });
      expect(summary.byStatus).toEqual({ do_not_call: 1, confirmed: 1 });
    });

    it('a callee who asks not to be called again is not dialled by a later campaign sharing the store file', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'dnc-')), 'campaigns.sqlite');
      const gateway = new InProcessGateway(byNumber({ '+919876543210': () => ({ outcome: { status: 'do_not_call', reason: 'asked not to be called' } }) }), () => clock.now());
      const monday = new InMemoryCallList([{ phone: '+919876543210', order_id: 'O1' }]);
      const mondayStore = CampaignStore.open(file, { key: 'monday.csv', csvPath: 'monday.csv' });
      await onFakeTime(clock, { repository: monday, gateway, store: mondayStore });
      mondayStore.close();
      expect(monday.outcomeOf('O1')).toEqual({ status: 'do_not_call' });

      const tuesday = new InMemoryCallList([{ phone: '+919876543210', order_id: 'O7' }]);
      const tuesdayStore = CampaignStore.open(file, { key: 'tuesday.csv', csvPath: 'tuesday.csv' });
      await onFakeTime(clock, { repository: tuesday, gateway, store: tuesdayStore });
      tuesdayStore.close();
      expect(gateway.dials).toHaveLength(1);
      expect(tuesday.outcomeOf('O7')).toEqual({ status: 'do_not_call' });
    });
  });

  describe('the store', () => {
    it('holds each attempt, as dialling, before the gateway is asked to dial it', async () => {
      const list = new InMemoryCallList([{ phone: '+919876543210', order_id: 'O1' }, { phone: '+971501234567', order_id: 'O2' }]);
      const seenByGateway: unknown[] = [];
      const gateway = new InProcessGateway((request) => {
        seenByGateway.push(store.openAttempts().map((a) => [a.phone, a.state, a.attemptNo]));
        return { outcome: { status: request.to === '+919876543210' ? 'busy' : 'confirmed' } };
      }, () => clock.now());
      await onFakeTime(clock, { repository: list, gateway, store, concurrency: 1, retryPolicy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 2 } });
      expect(seenByGateway).toEqual([
        [['+919876543210', 'dialling', 1]],
        [['+971501234567', 'dialling', 1]],
        [['+919876543210', 'dialling', 2]],
      ]);
      expect(store.attempts().every((attempt) => attempt.state === 'finished' && attempt.ref.length === 36)).toBe(true);
    });
  });

  describe('resuming after a crash', () => {
    it('asks the gateway about a call that was placed, instead of dialling it again', async () => {
      const list = new InMemoryCallList([{ phone: '+919876543210', order_id: 'O1' }]);
      const gateway = new InProcessGateway(() => ({ outcome: { status: 'cancelled' }, durationSeconds: 90, turnLatenciesMs: [700] }), () => clock.now());
      // The crashed run: the attempt was written, the gateway placed the call, and then the process died.
      const placed = await gateway.placeCall({ agentId: 'agent-1', to: '+919876543210', context: { order_id: 'O1' }, carrier: 'sim' });
      const attempt = store.beginAttempt({ rowKey: '0', orderId: 'O1', phone: '+919876543210', attemptNo: 1, carrier: 'sim', at: 0 });
      store.attemptPlaced(attempt, placed.callId, 1);

      const { summary, events } = await onFakeTime(clock, { repository: list, gateway, store, costPerMinute: 0.02 });

      expect(gateway.dials).toHaveLength(1);
      expect(events).toContainEqual(expect.objectContaining({ type: 'call-resumed', callId: placed.callId }));
      expect(list.recorded).toEqual([{ key: '0', outcome: { status: 'cancelled' } }]);
      expect(summary).toMatchObject({ resumed: 1, dialled: 0 });
      expect(store.callRecords()).toEqual([expect.objectContaining({ callId: placed.callId, durationSeconds: 90, costEstimate: 0.03, turnLatenciesMs: [700] })]);
    });

    it('counts a dial whose answer never came back as failed and retries it only after the spacing', async () => {
      const list = new InMemoryCallList([{ phone: '+919876543210', order_id: 'O1' }]);
      const gateway = new InProcessGateway(undefined, () => clock.now());
      store.beginAttempt({ rowKey: '0', orderId: 'O1', phone: '+919876543210', attemptNo: 1, carrier: 'sim', at: clock.now() });

      await onFakeTime(clock, { repository: list, gateway, store });

      expect(gateway.dials.map((dial) => iso(dial.at))).toEqual(['2026-11-25T06:30:00.000Z']);
      expect(store.attempts().map((a) => [a.attemptNo, a.outcome?.status])).toEqual([[1, 'failed'], [2, 'confirmed']]);
    });

    describe('a dial in doubt, with a gateway that honours Idempotency-Key', () => {
      let http: FakeGateway;
      afterEach(() => http.stop());

      it.each([
        ['arrived: the gateway answers with the call it placed', true],
        ['never arrived: it is placed now, once', false],
      ])('re-sends it with its key when the first POST %s', async (_story, arrived) => {
        http = await new FakeGateway({ idempotencyKeys: true, script: () => ({ outcome: { status: 'confirmed' }, afterMs: 5 }) }).start();
        const client = new HttpGatewayClient(http.url);
        const list = new InMemoryCallList([{ phone: '+919876543210', order_id: 'O1' }]);
        const attempt = store.beginAttempt({ rowKey: '0', orderId: 'O1', phone: '+919876543210', attemptNo: 1, carrier: 'sim', at: 0, ref: 'ref-1' });
        if (arrived) await client.placeCall({ agentId: 'agent-1', to: '+919876543210', context: { order_id: 'O1' }, carrier: 'sim', idempotencyKey: 'ref-1' });

        const summary = await runCampaign({ repository: list, gateway: client, agentId: 'agent-1', carrier: 'sim', store, idempotentDials: true, callsPerSecond: Infinity, pollSeconds: 1 });

        expect(http.placedCalls()).toHaveLength(1);
        expect(list.recorded).toEqual([{ key: '0', outcome: { status: 'confirmed' } }]);
        expect(store.attempts()).toEqual([expect.objectContaining({ id: attempt, attemptNo: 1, state: 'finished', outcome: { status: 'confirmed' } })]);
        expect(summary.byStatus).toEqual({ confirmed: 1 });
      });
    });

    it('writes to the CSV an outcome the store has but the CSV lost, without dialling', async () => {
      const list = new InMemoryCallList([{ phone: '+919876543210', order_id: 'O1' }]);
      const attempt = store.beginAttempt({ rowKey: '0', orderId: 'O1', phone: '+919876543210', attemptNo: 1, carrier: 'sim', at: 0 });
      store.finishAttempt(attempt, { outcome: { status: 'rescheduled', reschedule_date: '2026-12-01', reschedule_time: '10:00' }, at: 1, row: { state: 'done' } });
      const gateway = new InProcessGateway(undefined, () => clock.now());

      await onFakeTime(clock, { repository: list, gateway, store });

      expect(gateway.dials).toEqual([]);
      expect(list.recorded).toEqual([{ key: '0', outcome: { status: 'rescheduled', reschedule_date: '2026-12-01', reschedule_time: '10:00' } }]);
    });
  });
});
