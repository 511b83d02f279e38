import type { CallRecordView, CampaignReportView, CampaignView } from '@codcall/gateway-api';
import { applyCampaignEvent, emptyProgress, timelineFromCalls } from './campaign-progress';
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
