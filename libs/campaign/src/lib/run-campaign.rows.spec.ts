import { CampaignStore } from '@codcall/campaign-store';
import { FakeClock, InMemoryCallList, InProcessGateway, type FakeRow } from '@codcall/test-support';
import { RowsOverGatewayLimitsError } from './errors';
import { NO_RETRIES } from './retry-policy';
import { runCampaign, type CampaignEvent, type CampaignOptions } from './run-campaign';

/** The rows a campaign is handed: duplicates, statuses it does not know, rows too big for the gateway. */
describe('runCampaign and the rows it is handed', () => {
  let store: CampaignStore;
  let clock: FakeClock;
  beforeEach(() => {
    store = CampaignStore.open(':memory:', { key: 'spec', csvPath: 'spec.csv' });
    clock = new FakeClock('2026-11-25T06:00:00Z');
  });
  afterEach(() => store.close());

  async function campaign(rows: FakeRow[], options: Partial<CampaignOptions> = {}, gateway = new InProcessGateway(undefined, () => clock.now())) {
    const list = new InMemoryCallList(rows);
    const events: CampaignEvent[] = [];
    const summary = await runCampaign({
      repository: list, gateway, agentId: 'agent-1', carrier: 'sim', store, clock, retryPolicy: NO_RETRIES, callsPerSecond: Infinity,
      onEvent: (event) => events.push(event), ...options,
    });
    return { list, events, summary, gateway };
  }

  it("keeps the gateway's turn timings and TTS characters with the call record", async () => {
    const turns = [
      { kind: 'outcome' as const, calleeSpeechEndedAtMs: 3000, sttFinalAtMs: 3100, firstFrameSentAtMs: 3352, latencyMs: 352 },
      { kind: 'barge_in' as const, speechStartedAtMs: 2000, clearedAtMs: 2002, latencyMs: 2, resolution: 'resumed' as const },
    ];
    const gateway = new InProcessGateway(() => ({ outcome: { status: 'confirmed' }, turnLatenciesMs: [352], turns, ttsCharacters: 187 }), () => clock.now());
    await campaign([{ phone: '+919876543210', order_id: 'O1' }], {}, gateway);
    expect(store.callRecords()).toEqual([expect.objectContaining({ turnLatenciesMs: [352], turns, ttsCharacters: 187 })]);
  });

  describe('duplicate rows (same order, same number)', () => {
    const rows: FakeRow[] = [
      { phone: '+919876543210', order_id: 'O1', name: 'Priya' },
      { phone: '+15551234567', order_id: 'O2' },
      { phone: '+91 98765 43210', order_id: 'O1', name: 'Priya (again)' },
    ];

    it('given the same order twice, calls once and records the outcome in both rows', async () => {
      const { list, events, summary, gateway } = await campaign(rows);

      expect(gateway.dials.map((dial) => dial.orderId)).toEqual(['O1', 'O2']);
      expect(list.recorded).toEqual([
        { key: '0', outcome: { status: 'confirmed' } },
        { key: '2', outcome: { status: 'confirmed' } },
        { key: '1', outcome: { status: 'confirmed' } },
      ]);
      expect(summary).toMatchObject({ pending: 3, dialled: 2, duplicateRows: 1, notRecorded: 0, byStatus: { confirmed: 3 } });
      const finished = events.filter((e) => e.type === 'row-finished');
      expect(finished.map((e) => e.type === 'row-finished' && [e.row.key, e.sameCallAs?.key])).toEqual([['0', undefined], ['2', '0'], ['1', undefined]]);
      expect(events.find((e) => e.type === 'call-list-reviewed')).toMatchObject({ review: { duplicates: [[expect.objectContaining({ key: '0' }), expect.objectContaining({ key: '2' })]] } });
      // The store has both rows done, so a crash before the CSV write cannot split them.
      expect([...store.rows().values()].map((row) => [row.rowKey, row.state])).toEqual([['0', 'done'], ['1', 'done'], ['2', 'done']]);
    });

    it('after a crash between the store and the CSV, both rows get the outcome with no new call', async () => {
      const attempt = store.beginAttempt({ rowKey: '0', orderId: 'O1', phone: '+919876543210', attemptNo: 1, carrier: 'sim', at: 0 });
      store.attemptPlaced(attempt, 'c-1', 1);
      store.finishAttempt(attempt, { outcome: { status: 'cancelled' }, at: 2, row: { state: 'done' }, sameOutcomeFor: [{ rowKey: '2', orderId: 'O1' }] });

      const { list, gateway } = await campaign(rows);
      expect(gateway.dials.map((dial) => dial.orderId)).toEqual(['O2']);
      expect(list.outcomesOf('O1')).toEqual([{ status: 'cancelled' }, { status: 'cancelled' }]);
    });
  });

  describe('statuses codcall does not know', () => {
    const rows: FakeRow[] = [
      { phone: '+919876543210', order_id: 'O1', status: 'called twice - ask Raj' },
      { phone: '+15551234567', order_id: 'O2', status: 'Do Not Call' },
      { phone: '+15559876543', order_id: 'O3', status: 'Confirmed.' },
      { phone: '+15550001111', order_id: 'O4', status: 'pending' },
    ];

    it('are listed with their text before dialling, and neither dialled nor overwritten', async () => {
      const { list, events, summary, gateway } = await campaign(rows);

      expect(gateway.dials.map((dial) => dial.orderId)).toEqual(['O4']);
      expect(list.recorded.map((entry) => entry.key)).toEqual(['3']);
      expect(events[0]).toMatchObject({ type: 'call-list-reviewed', review: { unknownStatuses: [{ row: expect.objectContaining({ key: '0' }), text: 'called twice - ask Raj' }], dialUnknownStatuses: false } });
      expect(events[1]).toMatchObject({ type: 'campaign-started', total: 4, pending: 1, skippedFinal: 2, skippedUnknownStatus: 1 });
      expect(summary).toMatchObject({ pending: 1, skippedFinal: 2, skippedUnknownStatus: 1, notRecorded: 0 });
    });

    it('are dialled, and then written, when the campaign is told to', async () => {
      const { list, summary, gateway } = await campaign(rows, { dialUnknownStatuses: true });
      expect(gateway.dials.map((dial) => dial.orderId)).toEqual(['O1', 'O4']);
      expect(list.outcomeOf('O1')).toEqual({ status: 'confirmed' });
      expect(summary).toMatchObject({ pending: 2, skippedUnknownStatus: 0, skippedFinal: 2 });
    });
  });

  describe("rows that do not fit what the gateway accepts", () => {
    const rows: FakeRow[] = [
      { phone: '+919876543210', order_id: 'O1', notes: 'short' },
      { phone: '+15551234567', order_id: 'O2', notes: 'x'.repeat(2001) },
      { phone: '+15559876543', order_id: 'O3', notes: 'y'.repeat(1500), address: 'z'.repeat(1500) },
      { phone: '12345', order_id: 'O4', notes: 'x'.repeat(5000) },
    ];
    const gatewayLimits = { maxBodyBytes: 3000, maxContextValueChars: 2000, maxContextColumns: 100 };

    it('refuse the run before any dial, naming each line and what is over', async () => {
      const error = await campaign(rows, { gatewayLimits }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(RowsOverGatewayLimitsError);
      expect((error as RowsOverGatewayLimitsError).lines).toEqual([3, 4]);
      expect((error as Error).message).toBe(
        '2 rows do not fit what the gateway accepts, so nothing was dialled: ' +
          'line 3 (+15*******67): column notes has 2,001 characters (the gateway takes at most 2,000); ' +
          'line 4 (+15*******43): its dial would be 3,244 bytes (the gateway takes at most 3,000); ' +
          'shorten them, or run with --skip-oversized-rows to dial the others',
      );
      expect(store.attempts()).toEqual([]);
      expect(store.rows().size).toBe(0);
    });

    it('are skipped and listed when the campaign is told to skip them; the others are dialled', async () => {
      const { list, events, summary, gateway } = await campaign(rows, { gatewayLimits, skipRowsOverLimits: true });
      expect(gateway.dials.map((dial) => dial.orderId)).toEqual(['O1']);
      expect(list.recorded.map((entry) => [entry.key, entry.outcome.status])).toEqual([['3', 'invalid_number'], ['0', 'confirmed']]);
      expect(summary).toMatchObject({ pending: 2, skippedOverLimits: 2, notRecorded: 0 });
      expect(events[0]).toMatchObject({ type: 'call-list-reviewed', review: { overLimitRows: 'skip', overLimits: [{ row: expect.objectContaining({ key: '1' }) }, { row: expect.objectContaining({ key: '2' }) }] } });
    });

    it('a call list with more columns than a call may carry is refused whatever the option', async () => {
      const wide = [{ phone: '+919876543210', order_id: 'O1', ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`c${i}`, 'v'])) }];
      await expect(campaign(wide, { gatewayLimits, skipRowsOverLimits: true })).rejects.toThrow(
        "the call list has 106 columns; the gateway takes at most 100 in a call's context: remove the columns the agent does not need and run again",
      );
    });
  });
});
