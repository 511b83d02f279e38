import { CampaignStore } from '@codcall/campaign-store';
import { FakeClock, InMemoryCallList, InProcessGateway, type InProcessCallScript } from '@codcall/test-support';
import { parseCallingWindow } from './calling-window';
import type { CallOutcome } from './gateway-client';
import { DEFAULT_RETRY_POLICY } from './retry-policy';
import { runCampaign, type CampaignEvent, type CampaignOptions, type CampaignSummary } from './run-campaign';

const START = '2026-11-25T06:00:00Z'; // a Wednesday, 11:30 in India
const INDIA = '+919876543210';
const iso = (ms: number) => new Date(ms).toISOString();

async function onFakeTime(clock: FakeClock, options: Partial<CampaignOptions> & Pick<CampaignOptions, 'repository' | 'gateway'>) {
  const events: CampaignEvent[] = [];
  let done = false;
  const run = runCampaign({ agentId: 'agent-1', carrier: 'sim', clock, callsPerSecond: Infinity, onEvent: (event) => events.push(event), ...options }).finally(() => (done = true));
  for (let rounds = 0; !done && rounds < 100_000; rounds++) {
    if (!(await clock.advanceToNextWake())) await new Promise((resolve) => setImmediate(resolve));
  }
  const summary: CampaignSummary = await run;
  return { summary, events };
}

/** The callee's answers, one per dial to them. */
function answers(...outcomes: CallOutcome[]): (request: unknown, dial: number) => InProcessCallScript {
  return (_request, dial) => ({ outcome: outcomes[Math.min(dial, outcomes.length) - 1] });
}

describe('runCampaign: a callee who asks to be called back', () => {
  let clock: FakeClock;
  let store: CampaignStore;
  beforeEach(() => {
    clock = new FakeClock(START);
    store = CampaignStore.open(':memory:', { key: 'spec', csvPath: 'spec.csv' });
  });
  afterEach(() => store.close());

  it('given "call me after 6", the CSV says callback_requested with the time at once, and the row is dialled again at 18:00 their time', async () => {
    const list = new InMemoryCallList([{ phone: INDIA, order_id: 'O1' }]);
    const callback: CallOutcome = { status: 'callback_requested', callback_at: '2026-11-25T18:00+05:30' };
    const gateway = new InProcessGateway(answers(callback, { status: 'confirmed' }), () => clock.now());

    const { summary, events } = await onFakeTime(clock, { repository: list, gateway, store, retryPolicy: DEFAULT_RETRY_POLICY, callingWindow: parseCallingWindow('09:00-20:00', 'mon-sun') });

    expect(gateway.dials.map((dial) => iso(dial.at))).toEqual(['2026-11-25T06:00:00.000Z', '2026-11-25T12:30:00.000Z']);
    expect(list.recorded).toEqual([
      { key: '0', outcome: { status: 'callback_requested', callback_at: '2026-11-25T18:00+05:30' } },
      { key: '0', outcome: { status: 'confirmed' } },
    ]);
    expect(events).toContainEqual({ type: 'waiting', rows: 1, nextDueAt: Date.parse('2026-11-25T12:30:00Z'), reason: 'callback' });
    expect(store.attempts().map((attempt) => [attempt.attemptNo, attempt.outcome?.status])).toEqual([[1, 'callback_requested'], [2, 'confirmed']]);
    expect(summary).toMatchObject({ dialled: 2, callbacksScheduled: 1, retriesScheduled: 0, byStatus: { confirmed: 1 }, waiting: 0 });
  });

  it('given a callback asked for after the calling window closes, the row is dialled when the window opens next', async () => {
    const list = new InMemoryCallList([{ phone: INDIA, order_id: 'O1' }]);
    const gateway = new InProcessGateway(answers({ status: 'callback_requested', callback_at: '2026-11-25T22:00+05:30' }, { status: 'confirmed' }), () => clock.now());
    await onFakeTime(clock, { repository: list, gateway, store, callingWindow: parseCallingWindow('09:00-20:00', 'mon-sun') });
    expect(gateway.dials.map((dial) => iso(dial.at))).toEqual(['2026-11-25T06:00:00.000Z', '2026-11-26T03:30:00.000Z']); // 09:00 IST the next day
  });

  it('calls back even when the retry statuses do not name it, spends an attempt each time, and past the last one the row stays callback_requested', async () => {
    const list = new InMemoryCallList([{ phone: INDIA, order_id: 'O1' }]);
    const gateway = new InProcessGateway(
      answers({ status: 'callback_requested', callback_at: '2026-11-25T07:00Z' }, { status: 'callback_requested', callback_at: '2026-11-25T09:00Z' }),
      () => clock.now(),
    );
    const { summary } = await onFakeTime(clock, { repository: list, gateway, store, retryPolicy: { ...DEFAULT_RETRY_POLICY, statuses: new Set(), maxAttempts: 2 } });

    expect(gateway.dials.map((dial) => iso(dial.at))).toEqual(['2026-11-25T06:00:00.000Z', '2026-11-25T07:00:00.000Z']);
    expect(list.recorded.at(-1)).toEqual({ key: '0', outcome: { status: 'callback_requested', callback_at: '2026-11-25T09:00Z' } });
    expect(store.rows().get('0')).toMatchObject({ state: 'done', attempts: 2 });
    expect(summary).toMatchObject({ byStatus: { callback_requested: 1 }, callbacksScheduled: 1, waiting: 0 });
  });

  it('given a CSV row that already asked for a callback and a store that does not know it, waits for the callback_at cell before dialling', async () => {
    const list = new InMemoryCallList([{ phone: INDIA, order_id: 'O1', status: 'callback_requested', callback_at: '2026-11-25T17:30+05:30' }]);
    const gateway = new InProcessGateway(undefined, () => clock.now());
    const { summary } = await onFakeTime(clock, { repository: list, gateway, store, exitWhenWaiting: true });
    expect(gateway.dials).toEqual([]);
    expect(summary).toMatchObject({ exitedWhileWaiting: true, waiting: 1, nextDueAt: Date.parse('2026-11-25T12:00:00Z') });
  });

  it('a transfer to a person is final: recorded once, never dialled again', async () => {
    const list = new InMemoryCallList([{ phone: INDIA, order_id: 'O1' }]);
    const gateway = new InProcessGateway(answers({ status: 'transferred', reason: 'asked for a person' }), () => clock.now());
    const { summary } = await onFakeTime(clock, { repository: list, gateway, store, retryPolicy: DEFAULT_RETRY_POLICY });
    expect(gateway.dials).toHaveLength(1);
    expect(list.recorded).toEqual([{ key: '0', outcome: { status: 'transferred' } }]);
    expect(summary.byStatus).toEqual({ transferred: 1 });
  });

  it("writes the callee's address correction with the outcome, clipped to what an address can be", async () => {
    const list = new InMemoryCallList([
      { phone: INDIA, order_id: 'O1' },
      { phone: '+971501234567', order_id: 'O2' },
    ]);
    const gateway = new InProcessGateway(
      (request) => ({ outcome: { status: 'confirmed', address_update: request.to === INDIA ? 'Flat 4B, MG Road, Jaipur' : 'x'.repeat(2000) } }),
      () => clock.now(),
    );
    await onFakeTime(clock, { repository: list, gateway, store });
    expect(list.recorded.find((entry) => entry.key === '0')?.outcome).toEqual({ status: 'confirmed', address_update: 'Flat 4B, MG Road, Jaipur' });
    expect(list.recorded.find((entry) => entry.key === '1')?.outcome.address_update).toHaveLength(500);
    expect(store.rows().get('0')?.finalOutcome).toEqual({ status: 'confirmed', address_update: 'Flat 4B, MG Road, Jaipur' });
  });
});

describe('runCampaign: the language column', () => {
  it('given rows in languages codcall knows and two it does not, lists the two with their text and dials only the others', async () => {
    const clock = new FakeClock(START);
    const list = new InMemoryCallList([
      { phone: '+919812345678', order_id: 'HI', language: 'hi' },
      { phone: '+919811122233', order_id: 'HINGLISH', language: 'Hinglish' },
      { phone: '+971509876543', order_id: 'KLINGON', language: 'Klingon' },
      { phone: '+15551234567', order_id: 'DEFAULT', language: '' },
      { phone: '+33612345678', order_id: 'FR', language: ' fr ' },
    ]);
    const gateway = new InProcessGateway(undefined, () => clock.now());
    const { summary, events } = await onFakeTime(clock, { repository: list, gateway });

    const review = events.find((event) => event.type === 'call-list-reviewed');
    expect(review?.type === 'call-list-reviewed' && review.review.unknownLanguages.map(({ row, text }) => [row.line, text])).toEqual([
      [4, 'Klingon'],
      [6, 'fr'],
    ]);
    expect(gateway.dials.map((dial) => dial.orderId)).toEqual(['HI', 'HINGLISH', 'DEFAULT']);
    expect(list.recorded.map((entry) => entry.key)).toEqual(['0', '1', '3']);
    expect(summary).toMatchObject({ total: 5, pending: 3, skippedUnknownLanguage: 2, skippedOverLimits: 0, notRecorded: 0 });
  });
});
