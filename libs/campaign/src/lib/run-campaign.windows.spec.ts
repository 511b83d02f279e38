import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallListRepository } from '@codcall/call-list';
import { CampaignStore } from '@codcall/campaign-store';
import { FakeClock, InMemoryCallList, InProcessGateway } from '@codcall/test-support';
import { parseCallingWindow } from './calling-window';
import type { CallView, GatewayClient, GatewayHealth, PlaceCallRequest, PlacedCall } from './gateway-client';
import { NO_RETRIES } from './retry-policy';
import { runCampaign, type CampaignEvent, type CampaignOptions, type CampaignSummary } from './run-campaign';

const DEMO_CSV = join(__dirname, '../../../../demo/call_list.csv');
const AFTERNOON = parseCallingWindow('13:00-16:00', 'mon-sun');
const DAYTIME = parseCallingWindow('09:00-20:00', 'mon-sun');
const iso = (ms: number) => new Date(ms).toISOString();
/** Dials as [order id, time], by time, then order id (rows due at the same moment start in no promised order). */
const dialsOf = (dials: readonly { orderId: string; at: number }[]) =>
  dials.map((dial) => [dial.orderId, iso(dial.at)]).sort(([a, at], [b, bt]) => at.localeCompare(bt) || a.localeCompare(b));

/** A campaign on fake time: the clock jumps to each wake-up until the campaign resolves. */
async function onFakeTime(clock: FakeClock, options: Partial<CampaignOptions> & Pick<CampaignOptions, 'repository' | 'gateway'>) {
  const events: CampaignEvent[] = [];
  let done = false;
  // Enough room that a call still writing its CSV cell (real I/O, while fake time runs on) never holds back a row whose window opened.
  const run = runCampaign({ agentId: 'agent-1', carrier: 'sim', clock, callsPerSecond: Infinity, concurrency: 20, retryPolicy: NO_RETRIES, onEvent: (event) => events.push(event), ...options }).finally(
    () => (done = true),
  );
  for (let rounds = 0; !done && rounds < 100_000; rounds++) {
    if (!(await clock.advanceToNextWake())) await new Promise((resolve) => setImmediate(resolve));
  }
  const summary: CampaignSummary = await run;
  return { summary, events };
}

function finished(events: CampaignEvent[]): Record<string, { status: string; reason?: string }> {
  return Object.fromEntries(events.flatMap((e) => (e.type === 'row-finished' ? [[e.row.values['order_id'], { status: e.outcome.status, reason: e.outcome.reason }]] : [])));
}

/** The demo file with these status cells filled in, every other byte as it was. */
function demoWith(statuses: Record<string, string>): string {
  let text = readFileSync(DEMO_CSV, 'utf8');
  for (const [orderId, status] of Object.entries(statuses)) text = text.replace(`,${orderId},,`, `,${orderId},${status},`);
  return text;
}

describe('calling windows that never block the rest', () => {
  let dir: string;
  let csv: string;
  let store: CampaignStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'campaign-windows-'));
    csv = join(dir, 'call_list.csv');
    copyFileSync(DEMO_CSV, csv);
    store = CampaignStore.open(join(dir, 'store.sqlite'), { key: 'demo', csvPath: csv });
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the demo CSV with 13:00-16:00: Thai, Indonesian, Indian and Emirati rows are called in their afternoon; US and Mexican rows end outside_window, zones named; a later run with a daytime window calls them', async () => {
    const clock = new FakeClock('2026-11-25T06:00:00Z'); // 13:00 in Bangkok and Jakarta, 11:30 in Mumbai, 10:00 in Dubai
    const gateway = new InProcessGateway(undefined, () => clock.now());
    const repository = await CallListRepository.open(csv);
    const { summary, events } = await onFakeTime(clock, { repository, gateway, store, callingWindow: AFTERNOON });
    await repository.close();

    expect(dialsOf(gateway.dials)).toEqual([
      ['ORD006', '2026-11-25T06:00:00.000Z'], // Indonesia: 13:00 in Jakarta is 15:00 in Jayapura, open in all its zones until 07:00Z
      ['ORD007', '2026-11-25T06:00:00.000Z'],
      ['ORD003', '2026-11-25T07:30:00.000Z'],
      ['ORD009', '2026-11-25T07:30:00.000Z'],
      ['ORD010', '2026-11-25T07:30:00.000Z'],
      ['ORD004', '2026-11-25T09:00:00.000Z'],
      ['ORD011', '2026-11-25T09:00:00.000Z'],
    ]);
    const rows = finished(events);
    for (const orderId of ['ORD001', 'ORD002', 'ORD012', 'ORD013']) {
      expect(rows[orderId].status).toBe('outside_window');
      expect(rows[orderId].reason).toMatch(/^the calling window \(13:00-16:00 local time, every day\) is never open in all of America\/Adak, .*America\/New_York, .*Pacific\/Honolulu at once \(by its calling code US\)/);
    }
    expect(rows['ORD005']).toEqual({ status: 'outside_window', reason: expect.stringMatching(/never open in all of America\/Bahia_Banderas, .*America\/Tijuana at once \(by its country MX\)/) });
    expect(rows['ORD008'].status).toBe('invalid_number');
    expect(summary).toMatchObject({ dialled: 7, outsideWindow: 5, invalidNumbers: 1, notRecorded: 0, byStatus: { confirmed: 7, outside_window: 5, invalid_number: 1 } });
    expect(events.find((e) => e.type === 'campaign-started')).toMatchObject({ pending: 13, outsideWindow: 5 });
    expect(events.filter((e) => e.type === 'row-error' || e.type === 'stopping')).toEqual([]);
    const outside = { ORD001: 'outside_window', ORD002: 'outside_window', ORD005: 'outside_window', ORD012: 'outside_window', ORD013: 'outside_window' };
    const called = { ORD003: 'confirmed', ORD004: 'confirmed', ORD006: 'confirmed', ORD007: 'confirmed', ORD009: 'confirmed', ORD010: 'confirmed', ORD011: 'confirmed' };
    expect(readFileSync(csv, 'utf8')).toBe(demoWith({ ...outside, ...called, ORD008: 'invalid_number' }));

    // outside_window is not final: that evening the operator runs the same file again with a window that opens in those zones.
    await clock.advance(new Date('2026-11-25T16:30:00Z').getTime() - clock.now());
    const later = await CallListRepository.open(csv);
    const again = await onFakeTime(clock, { repository: later, gateway, store, callingWindow: DAYTIME });
    await later.close();
    expect(dialsOf(gateway.dials.slice(7))).toEqual([
      ['ORD005', '2026-11-25T17:00:00.000Z'], // 09:00 in Tijuana, Mexico's last zone to open
      ['ORD001', '2026-11-25T19:00:00.000Z'], // 09:00 in Honolulu and Adak, the US's last zones to open
      ['ORD002', '2026-11-25T19:00:00.000Z'],
      ['ORD012', '2026-11-25T19:00:00.000Z'],
      ['ORD013', '2026-11-25T19:00:00.000Z'],
    ]);
    expect(again.summary).toMatchObject({ pending: 5, dialled: 5, outsideWindow: 0, byStatus: { confirmed: 5 } });
    expect(readFileSync(csv, 'utf8')).toBe(demoWith({ ORD001: 'confirmed', ORD002: 'confirmed', ORD005: 'confirmed', ORD012: 'confirmed', ORD013: 'confirmed', ...called, ORD008: 'invalid_number' }));
  }, 20_000); // two runs over a day of fake time, each wake-up a real CSV write

  it('a +1 number is called in its area code\'s afternoon, and a timezone cell wins over the area code', async () => {
    const clock = new FakeClock('2026-11-25T06:00:00Z');
    const gateway = new InProcessGateway(undefined, () => clock.now());
    const list = new InMemoryCallList([
      { phone: '+13104561234', order_id: 'LA' },
      { phone: '+12127365000', order_id: 'NYC' },
      { phone: '+12127365001', order_id: 'NYC-IN-MUMBAI', timezone: 'Asia/Kolkata' },
    ]);
    await onFakeTime(clock, { repository: list, gateway, store, callingWindow: AFTERNOON });
    expect(gateway.dials.map((dial) => [dial.orderId, iso(dial.at)])).toEqual([
      ['NYC-IN-MUMBAI', '2026-11-25T07:30:00.000Z'],
      ['NYC', '2026-11-25T18:00:00.000Z'],
      ['LA', '2026-11-25T21:00:00.000Z'],
    ]);
  });

  it('a row whose timezone cell names no zone ends outside_window with the reason; the rows after it are called', async () => {
    const clock = new FakeClock('2026-11-25T08:00:00Z');
    const gateway = new InProcessGateway(undefined, () => clock.now());
    const list = new InMemoryCallList([
      { phone: '+919876543210', order_id: 'TYPO', timezone: 'India Standard' },
      { phone: '+919876543211', order_id: 'BOM' },
    ]);
    const { events, summary } = await onFakeTime(clock, { repository: list, gateway, store, callingWindow: AFTERNOON });
    expect(finished(events)).toEqual({
      TYPO: { status: 'outside_window', reason: 'its calling window cannot be known: unknown timezone "India Standard" in the timezone column (use an IANA name such as Asia/Kolkata)' },
      BOM: { status: 'confirmed' },
    });
    expect(list.recorded).toEqual([{ key: '0', outcome: { status: 'outside_window' } }, { key: '1', outcome: { status: 'confirmed' } }]);
    expect(summary).toMatchObject({ outsideWindow: 1, dialled: 1 });
    expect(store.rows().has('0')).toBe(false); // nothing in the store: a later run plans the row afresh
  });

  it('the store outlives every row that started: a campaign settles only after the call in flight is recorded, so closing the store then loses nothing', async () => {
    // Before, the US row's "never open in all" was thrown from the queue while the Indian call was
    // in flight; the CLI closed the store, and that row was "left as it was: The database connection is not open".
    const clock = new FakeClock('2026-11-25T08:00:00Z'); // 13:30 in Mumbai
    const gateway = new HeldGateway();
    const list = new InMemoryCallList([
      { phone: '+919876543210', order_id: 'BOM' },
      { phone: '+15551234567', order_id: 'US' },
    ]);
    const events: CampaignEvent[] = [];
    let settled = false;
    const run = runCampaign({ repository: list, gateway, store, agentId: 'agent-1', carrier: 'sim', clock, callsPerSecond: Infinity, callingWindow: AFTERNOON, onEvent: (e) => events.push(e) }).finally(() => {
      settled = true;
      store.close(); // as the CLI does as soon as the campaign settles
    });
    await gateway.placed;
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);

    gateway.answer({ status: 'confirmed' });
    const summary = await run;
    expect(summary).toMatchObject({ dialled: 1, outsideWindow: 1, byStatus: { confirmed: 1, outside_window: 1 }, notRecorded: 0 });
    expect(events.filter((e) => e.type === 'row-error')).toEqual([]);
    const reopened = CampaignStore.open(join(dir, 'store.sqlite'), { key: 'demo', csvPath: csv });
    expect(reopened.attempts().map((a) => [a.state, a.outcome?.status])).toEqual([['finished', 'confirmed']]);
    reopened.close();
  });
});

/** A gateway whose one call lasts until the test answers it. */
class HeldGateway implements GatewayClient {
  readonly baseUrl = 'in-process://held';
  private onPlaced!: () => void;
  readonly placed = new Promise<void>((resolve) => (this.onPlaced = resolve));
  private ended!: (view: CallView) => void;
  private readonly end = new Promise<CallView>((resolve) => (this.ended = resolve));

  async health(): Promise<GatewayHealth> {
    return { status: 'ok', carriers: ['sim'], idempotencyKeys: false };
  }

  async placeCall(_request: PlaceCallRequest): Promise<PlacedCall> {
    this.onPlaced();
    return { callId: 'held-1', state: 'queued' };
  }

  waitForCall(): Promise<CallView> {
    return this.end;
  }

  answer(outcome: NonNullable<CallView['outcome']>): void {
    this.ended({ callId: 'held-1', state: 'completed', outcome });
  }
}
