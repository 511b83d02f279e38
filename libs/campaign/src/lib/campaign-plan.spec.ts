import { CampaignStore } from '@codcall/campaign-store';
import { InMemoryCallList } from '@codcall/test-support';
import { parseCallingWindow } from './calling-window';
import { planCampaign, type PlanInput } from './campaign-plan';
import { RecipientZoneLookup } from './recipient-zone-lookup';
import { DEFAULT_RETRY_POLICY } from './retry-policy';
import { RowQueue } from './row-queue';

const NOW = new Date('2026-11-25T08:00:00Z').getTime(); // 13:30 in Mumbai
const AFTERNOON = parseCallingWindow('13:00-16:00', 'mon-sun');

describe('planning a campaign decides without doing', () => {
  it('given a dial in doubt, a row done in the store, a bad number and a US row the window never reaches, it returns each in its list and writes nothing', async () => {
    const list = new InMemoryCallList([
      { phone: '+919876543210', order_id: 'DOUBT' },
      { phone: '+919876543211', order_id: 'DONE' },
      { phone: '12345', order_id: 'BAD' },
      { phone: '+15551234567', order_id: 'US' },
      { phone: '+919876543212', order_id: 'NEW' },
    ]);
    const store = CampaignStore.open(':memory:', { key: 'plan', csvPath: 'plan.csv' });
    store.beginAttempt({ rowKey: '0', orderId: 'DOUBT', phone: '+919876543210', attemptNo: 1, carrier: 'sim', at: NOW - 60_000, ref: 'ref-0' });
    const done = store.beginAttempt({ rowKey: '1', orderId: 'DONE', phone: '+919876543211', attemptNo: 1, carrier: 'sim', at: NOW - 60_000, ref: 'ref-1' });
    store.finishAttempt(done, { outcome: { status: 'confirmed' }, at: NOW - 30_000, row: { state: 'done' } });
    const before = JSON.stringify([[...store.rows()], store.attempts()]);

    const input: PlanInput = {
      rows: list.rows(),
      duplicateGroups: [],
      stored: store.rows(),
      openAttempts: store.openAttempts(),
      isDoNotCall: (e164) => store.isDoNotCall(e164),
      policy: DEFAULT_RETRY_POLICY,
      now: NOW,
      idempotentDials: false,
      callingWindow: AFTERNOON,
      zones: await new RecipientZoneLookup().zonesFor(list.rows(), { timezoneColumn: 'timezone', fallbackZone: 'UTC' }),
    };
    const plan = planCampaign(input);

    expect(JSON.stringify([[...store.rows()], store.attempts()])).toBe(before);
    const ids = (rows: { row: { values: Record<string, string> } }[]) => rows.map(({ row }) => row.values['order_id']);
    expect(plan.interrupted.map((each) => [each.row.values['order_id'], each.outcome.status, each.after.state])).toEqual([['DOUBT', 'failed', 'waiting']]);
    expect(ids(plan.later)).toEqual(['DOUBT']); // after the retry's spacing, never an immediate second dial
    expect(plan.settled.map((each) => [each.row.values['order_id'], each.outcome.status, each.fromStore])).toEqual([['DONE', 'confirmed', true], ['BAD', 'invalid_number', false]]);
    expect(plan.outsideWindow.map((each) => [each.row.values['order_id'], each.reason])).toEqual([['US', expect.stringContaining('is never open in all of America/Adak')]]);
    expect(ids(plan.ready)).toEqual(['NEW']);
    expect(planCampaign(input)).toEqual(plan); // the same input, the same plan
    store.close();
  });
});

describe('the row queue', () => {
  it('sets aside a row whose window never opens in its zones (a retry after a clock change) instead of throwing', () => {
    const queue = new RowQueue(AFTERNOON);
    const row = new InMemoryCallList([{ phone: '+81312345678', order_id: 'TYO' }]).rows()[0];
    const entry = { row, duplicates: [], e164: '+81312345678', zones: ['Asia/Tokyo', 'Pacific/Honolulu'], attempts: 1, dueAt: NOW };
    queue.pushReady([entry]);
    expect(queue.takeNext(NOW, new Set())).toBeUndefined();
    expect(queue.takeOutsideWindow()).toEqual([entry]);
    expect(queue.size).toBe(0);
  });
});
