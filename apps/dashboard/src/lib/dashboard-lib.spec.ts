import type { CallRecordView, CampaignView } from '@codcall/gateway-api';
import { buildDashboardReport } from './call-report';
import { applyCampaignEvent, emptyProgress, timelineFromCalls } from './campaign-progress';
import { missingCallListColumns, parseCsvText } from './csv-text';
import { EventStreamParser } from './event-stream';
import { maskPhone } from './phone-mask';
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
  it('counts answered calls, confirmations among people reached, outcomes per language and latency buckets', () => {
    const call = (status: string, latencies: number[], tts: number): CallRecordView =>
      ({ call_id: status, line: 2, attempt: 1, status, phone: '', started_at: '2026-12-01T17:05:00Z', turns: latencies.map((latencyMs) => ({ latencyMs })), tts_characters: tts }) as CallRecordView;
    const report = buildDashboardReport(
      [
        { status: 'confirmed', language: 'hi' },
        { status: 'cancelled', language: '' },
        { status: 'no_answer', language: '' },
      ],
      [call('confirmed', [600, 700], 300), call('cancelled', [1300], 200), call('no_answer', [], 100)],
    );
    expect(report.answerRate).toBeCloseTo(2 / 3);
    expect(report.confirmationRate).toBe(0.5);
    expect(report.outcomesByLanguage).toEqual({ hi: { confirmed: 1 }, default: { cancelled: 1, no_answer: 1 } });
    expect(report.outcomesByHour[17]).toEqual({ confirmed: 1, cancelled: 1, no_answer: 1 });
    expect(report.latencyHistogram).toEqual([[500, 2], [1250, 1]]);
    expect(report.ttsCharactersPerConfirmedOrder).toBe(600);
  });
});

describe('the dashboard’s addresses', () => {
  it('round-trips every page through the hash', () => {
    for (const route of [{ page: 'campaigns' }, { page: 'new-campaign' }, { page: 'campaign', campaignId: 'c 1' }, { page: 'call', campaignId: 'c1', callId: 'x/y' }, { page: 'agents' }, { page: 'report', campaignId: 'c1' }] as const) {
      expect(parseRoute(hrefOf(route))).toEqual(route);
    }
  });
});
