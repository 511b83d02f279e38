import type { CallRecordView, CampaignReportView, CampaignRowView, CampaignView } from '@codcall/gateway-api';
import { applyCampaignEvent, emptyProgress, timelineFromCalls, type LiveRow } from './campaign-progress';
import { FIRST_ROWS_PAGE, pageOffset, rowsQueryString, Throttle, withLiveRows, type Timers } from './campaign-rows-page';
import { missingCallListColumns, parseCsvText } from './csv-text';
import { EventStreamParser } from './event-stream';
import { maskPhone } from './phone-mask';
import { reportChartsData, speechCostPerOrder } from './report-charts-data';
import { parseRoute, hrefOf } from './routes';

describe('the dashboard reading a call list for its preview', () => {
  it('keeps quoted commas, doubled quotes and line breaks inside a cell, and numbers rows by the line they start on', () => {
    const table = parseCsvText('\uFEFFname,recipient_phone_number,order_id\r\n"Doe, John",+15551234567,ORD001\r\n"Say ""hi""\nthere",+15559876543,ORD002\r\n');
    expect(table.headers).toEqual(['name', 'recipient_phone_number', 'order_id']);
    expect(table.rows).toEqual([
      { line: 2, cells: ['Doe, John', '+15551234567', 'ORD001'] },
      { line: 3, cells: ['Say "hi"\nthere', '+15559876543', 'ORD002'] },
    ]);
  });

  it('names the required columns a file lacks', () => {
    expect(missingCallListColumns(['name', 'recipient_phone_number', 'order_id', 'status'])).toEqual(['reschedule_date', 'reschedule_time']);
  });

  it('stops at the rows it was asked to show and says so', () => {
    const table = parseCsvText(`name\n${'x\n'.repeat(10)}`, 3);
    expect(table.rows.map((row) => row.line)).toEqual([2, 3, 4]);
    expect(table.truncated).toBe(true);
  });

  it('masks a number as the services do', () => {
    expect(maskPhone('+919876543210')).toBe('+91********10');
    expect(maskPhone('98765 43210')).toBe('98******10');
    expect(maskPhone('+91********10')).toBe('+91********10');
  });
});

describe('the dashboard following a campaign’s events', () => {
  it('parses server-sent events split anywhere, with ids, comments and multi-line data', () => {
    const parser = new EventStreamParser();
    expect(parser.push(': heartbeat\nid: 7\nevent: outc')).toEqual([]);
    expect(parser.push('ome\ndata: {"a":\ndata: 1}\r\n\r\nid: 8\ndata: x\n\n')).toEqual([
      { id: '7', event: 'outcome', data: '{"a":\n1}' },
      { id: '8', event: 'message', data: 'x' },
    ]);
  });

  it('refuses an event larger than any the campaign-api sends', () => {
    expect(() => new EventStreamParser().push(`data: ${'x'.repeat(1_000_001)}`)).toThrow(/larger than/);
  });

  it('keeps each row’s latest status and call, the rows in flight and a point per outcome', () => {
    const campaign = { rows: { total: 2, done: 0, pending: 2, waiting: 0, in_flight: 0 }, by_status: { pending: 2 }, state: 'running' } as unknown as CampaignView;
    let progress = applyCampaignEvent(emptyProgress(), { type: 'snapshot', campaign }, 0);
    progress = applyCampaignEvent(progress, { type: 'row-started', line: 2, order_id: 'ORD001', attempt: 1 }, 10);
    progress = applyCampaignEvent(progress, { type: 'call-placed', line: 2, call_id: 'call-1' }, 20);
    expect([...progress.calling]).toEqual([2]);
    progress = applyCampaignEvent(progress, { type: 'outcome', line: 2, status: 'rescheduled', reschedule_date: '2026-12-02', reschedule_time: '15:00', attempts: 1, final: true }, 30);
    expect(progress.rows.get(2)).toMatchObject({ orderId: 'ORD001', callId: 'call-1', status: 'rescheduled', rescheduleDate: '2026-12-02', final: true });
    expect(progress.calling.size).toBe(0);
    expect(progress.view?.rows.done).toBe(1);
    expect(progress.timeline.map((point) => point.counts)).toEqual([{}, { rescheduled: 1 }]);
  });
});

describe('the campaign page’s rows, a page at a time from the service', () => {
  it('asks only for what differs from the first page, the search trimmed and cut to what the service takes', () => {
    expect(rowsQueryString(FIRST_ROWS_PAGE)).toBe('');
    expect(rowsQueryString({ offset: 100, limit: 50, status: 'pending', search: '  अनीता ' })).toBe(`?offset=100&status=pending&q=${encodeURIComponent('अनीता')}`);
    expect(new URLSearchParams(rowsQueryString({ ...FIRST_ROWS_PAGE, limit: 500, search: 'x'.repeat(150) })).get('q')).toHaveLength(100);
    expect(rowsQueryString({ ...FIRST_ROWS_PAGE, limit: 500, search: '   ' })).toBe('?limit=500');
  });

  it('pages forward and back within the matching rows', () => {
    const query = { ...FIRST_ROWS_PAGE, limit: 50 };
    expect(pageOffset(query, 120, 1)).toBe(50);
    expect(pageOffset({ ...query, offset: 100 }, 120, 1)).toBe(100);
    expect(pageOffset({ ...query, offset: 50 }, 120, -1)).toBe(0);
    expect(pageOffset(query, 0, 1)).toBe(0);
    // The rows matching fell under the page asked for (a filter that now matches fewer): back to the last page.
    expect(pageOffset({ ...query, offset: 200 }, 60, -1)).toBe(50);
  });

  it('shows calls in flight and outcomes heard after the page was fetched, and leaves older news to the page', () => {
    const row = (line: number, status: string): CampaignRowView => ({ line, name: '', phone: '+91********10', order_id: `ORD${line}`, status, reschedule_date: '', reschedule_time: '', attempts: 0 });
    const live = new Map<number, LiveRow>([
      [2, { line: 2, status: 'rescheduled', attempts: 1, final: true, callId: 'call-2', rescheduleDate: '2026-12-03', rescheduleTime: '15:00', atMs: 2000 }],
      [3, { line: 3, status: 'confirmed', attempts: 1, final: true, callId: 'call-3', atMs: 500 }],
    ]);
    const shown = withLiveRows([row(2, 'pending'), row(3, 'pending'), row(4, 'pending')], 1000, live, new Set([4]));
    expect(shown.map((each) => [each.status, each.attempts, each.call_id, each.reschedule_date])).toEqual([
      ['rescheduled', 1, 'call-2', '2026-12-03'],
      ['pending', 0, undefined, ''],
      ['calling', 0, undefined, ''],
    ]);
  });

  it('refreshes at once on the first change, once at the interval’s end for the changes meanwhile, and never without one', () => {
    let now = 0;
    const due: { at: number; run: () => void }[] = [];
    const timers: Timers = { now: () => now, setTimeout: (run, ms) => due.push({ at: now + ms, run }), clearTimeout: () => due.splice(0) };
    const advance = (to: number) => {
      now = to;
      for (const timer of due.filter((each) => each.at <= now)) {
        due.splice(due.indexOf(timer), 1);
        timer.run();
      }
    };
    let runs = 0;
    const throttle = new Throttle(() => runs++, 1000, timers);
    advance(5000);
    expect(runs).toBe(0);
    throttle.changed();
    advance(5000);
    expect(runs).toBe(1);
    for (const at of [5100, 5200, 5900]) {
      advance(at);
      throttle.changed();
    }
    advance(5999);
    expect(runs).toBe(1);
    advance(6000);
    expect(runs).toBe(2);
    advance(20_000);
    expect(runs).toBe(2);
    throttle.changed();
    throttle.cancel();
    advance(30_000);
    expect(runs).toBe(2);
  });
});

describe('the chart of a campaign opened after its calls', () => {
  it('places each outcome at its call’s end, counted up in order', () => {
    const call = (status: string, started: string, seconds: number) => ({ call_id: status, line: 2, attempt: 1, status, phone: '', started_at: started, duration_seconds: seconds }) as CallRecordView;
    const points = timelineFromCalls('2026-12-01T10:00:00Z', [call('confirmed', '2026-12-01T10:00:01Z', 20), call('busy', '2026-12-01T10:00:01Z', 2)]);
    expect(points.map((point) => [point.atMs - Date.parse('2026-12-01T10:00:00Z'), point.counts])).toEqual([
      [0, {}],
      [3000, { busy: 1 }],
      [21000, { busy: 1, confirmed: 1 }],
    ]);
  });
});

describe('the dashboard’s report of a campaign', () => {
  /** A report as GET /campaigns/:id/report answers it, with only the figures the charts read. */
  const report = {
    by_status: { confirmed: 2, cancelled: 1 },
    outcomes_by_language: { hi: { confirmed: 1 }, default: { cancelled: 1, confirmed: 1 } },
    outcomes_by_hour_utc: [
      { hour: 9, by_status: { confirmed: 2 } },
      { hour: 17, by_status: { cancelled: 1, no_answer: 1 } },
    ],
    turn_latency_histogram: { bucket_ms: 250, buckets: [{ from_ms: 500, turns: 2 }, { from_ms: 1250, turns: 1 }] },
    tts_characters: { calls: 3, total: 600, per_answered_call: 300, per_confirmed_order: 300 },
  } as unknown as CampaignReportView;

  it('lays the service’s counts out as bars: a series per status across languages and hours, a bar per latency bucket', () => {
    expect(reportChartsData(report)).toEqual({
      languages: ['default', 'hi'],
      byLanguage: [
        { label: 'cancelled', values: [1, 0] },
        { label: 'confirmed', values: [1, 1] },
        { label: 'no_answer', values: [0, 0] },
      ],
      hours: ['09:00', '17:00'],
      byHour: [
        { label: 'cancelled', values: [0, 1] },
        { label: 'confirmed', values: [2, 0] },
        { label: 'no_answer', values: [0, 1] },
      ],
      latencyLabels: ['500–749 ms', '1250–1499 ms'],
      latency: [{ label: 'turns', values: [2, 1] }],
    });
  });

  it('prices speech per confirmed order from what the operator types, and says nothing for a price it cannot read', () => {
    expect(speechCostPerOrder(report, '0.05')).toBe('0.0150');
    expect(['', 'abc', '-1'].map((price) => speechCostPerOrder(report, price))).toEqual([undefined, undefined, undefined]);
    expect(speechCostPerOrder({ ...report, tts_characters: { ...report.tts_characters, per_confirmed_order: null } }, '0.05')).toBeUndefined();
  });
});

describe('the dashboard’s addresses', () => {
  it('round-trips every page through the hash', () => {
    for (const route of [{ page: 'campaigns' }, { page: 'new-campaign' }, { page: 'campaign', campaignId: 'c 1' }, { page: 'call', campaignId: 'c1', callId: 'x/y' }, { page: 'agents' }, { page: 'report', campaignId: 'c1' }] as const) {
      expect(parseRoute(hrefOf(route))).toEqual(route);
    }
  });
});
