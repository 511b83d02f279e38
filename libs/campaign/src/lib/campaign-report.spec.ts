import type { Attempt } from '@codcall/campaign-store';
import { buildCampaignReport, percentile } from './campaign-report';

function attempt(rowKey: string, attemptNo: number, status: string): Attempt {
  return { id: 0, rowKey, phone: '+919876543210', attemptNo, state: 'finished', carrier: 'sim', outcome: { status }, createdAt: 0, ref: `${rowKey}-${attemptNo}` };
}

describe('campaign report', () => {
  it('given three calls answered of five attempts, two confirmed, reports the rates, call lengths and turn latencies', () => {
    const report = buildCampaignReport({
      statuses: ['confirmed', 'Confirmed', 'cancelled', 'no_answer', 'invalid_number', ''],
      attempts: [attempt('a', 1, 'confirmed'), attempt('b', 1, 'busy'), attempt('b', 2, 'confirmed'), attempt('c', 1, 'cancelled'), attempt('d', 1, 'no_answer')],
      callRecords: [
        { callId: '1', durationSeconds: 30, turnLatenciesMs: [500, 700], costEstimate: 0.01 },
        { callId: '2', durationSeconds: 60, turnLatenciesMs: [900], costEstimate: 0.02 },
        { callId: '3', durationSeconds: 90, turnLatenciesMs: [600, 800, 1500] },
      ],
    });
    expect(report).toEqual({
      rows: 6,
      byStatus: { confirmed: 2, cancelled: 1, no_answer: 1, invalid_number: 1, '': 1 },
      attempts: 5,
      retriedRows: 1,
      answerRate: 3 / 5,
      confirmationRate: 2 / 3,
      callSeconds: { count: 3, average: 60, p95: 90 },
      turnLatencyMs: { count: 6, p50: 700, p95: 1500 },
      costEstimate: 0.03,
    });
  });

  it('says null, not zero, where there is nothing to measure', () => {
    expect(buildCampaignReport({ statuses: ['', ''], attempts: [], callRecords: [] })).toMatchObject({
      answerRate: null,
      confirmationRate: null,
      callSeconds: { count: 0, average: null, p95: null },
      turnLatencyMs: { count: 0, p50: null, p95: null },
      costEstimate: null,
    });
  });

  it('takes nearest-rank percentiles', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(hundred, 50), percentile(hundred, 95), percentile([7], 95)]).toEqual([50, 95, 7]);
  });
});
