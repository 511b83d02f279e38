import type { Attempt, TurnTimingEntry } from '@codcall/campaign-store';
import { buildCampaignReport } from './campaign-report';
import { percentile, TOTAL_LEG } from './turn-report';

function attempt(rowKey: string, attemptNo: number, status: string, callId?: string): Attempt {
  return { id: 0, rowKey, phone: '+919876543210', attemptNo, state: 'finished', carrier: 'sim', outcome: { status }, createdAt: 0, ref: `${rowKey}-${attemptNo}`, callId };
}

/** A text turn whose legs are the providers' delays of the issue's fakes, plus `overhead` ms of ours before the first frame. */
function textTurn(at: number, overhead: number): TurnTimingEntry {
  return {
    kind: 'text',
    calleeSpeechEndedAtMs: at,
    sttFinalAtMs: at + 100,
    llmRequestAtMs: at + 101,
    llmFirstTokenAtMs: at + 351,
    ttsRequestAtMs: at + 352,
    ttsFirstByteAtMs: at + 502,
    firstFrameSentAtMs: at + 502 + overhead,
    latencyMs: 502 + overhead,
  };
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
      turnLegs: expect.objectContaining({ text: expect.objectContaining({ turns: 0 }) }),
      ttsCharacters: { calls: 0, total: 0, perAnsweredCall: null, perConfirmedOrder: null },
      costEstimate: 0.03,
      outcomesByLanguage: { default: { confirmed: 2, cancelled: 1, no_answer: 1, invalid_number: 1 } },
      outcomesByHourUtc: [{ hour: 0, byStatus: { confirmed: 2, busy: 1, cancelled: 1, no_answer: 1 } }],
      turnLatencyHistogram: [
        { fromMs: 500, turns: 3 },
        { fromMs: 750, turns: 2 },
        { fromMs: 1500, turns: 1 },
      ],
    });
  });

  it('counts outcomes per language and per hour the calls were placed, and puts turn latencies in quarter-second buckets', () => {
    const at = (iso: string) => Date.parse(iso);
    const placed = (rowKey: string, status: string, placedAt: string): Attempt => ({ ...attempt(rowKey, 1, status), createdAt: at(placedAt) - 500, placedAt: at(placedAt) });
    const report = buildCampaignReport({
      statuses: ['confirmed', 'cancelled', 'no_answer', '', 'Confirmed'],
      languages: ['hi', ' HI ', '', 'th', 'th'],
      attempts: [
        placed('0', 'confirmed', '2026-12-01T09:59:59Z'),
        placed('1', 'cancelled', '2026-12-01T10:00:00Z'),
        placed('2', 'no_answer', '2026-12-01T10:30:00Z'),
        // Begun but never placed (the gateway refused the dial): counted at the hour it was begun.
        { ...attempt('4', 1, 'failed'), createdAt: at('2026-12-01T23:10:00Z') },
        // Still in flight: no outcome to count yet.
        { ...attempt('4', 2, 'confirmed'), state: 'placed', outcome: undefined, placedAt: at('2026-12-01T23:20:00Z') },
      ],
      callRecords: [{ callId: '1', turnLatenciesMs: [0, 249, 250, 1999] }, { callId: '2', turnLatenciesMs: [2000] }],
    });
    expect(report.outcomesByLanguage).toEqual({ hi: { confirmed: 1, cancelled: 1 }, default: { no_answer: 1 }, th: { confirmed: 1 } });
    expect(report.outcomesByHourUtc).toEqual([
      { hour: 9, byStatus: { confirmed: 1 } },
      { hour: 10, byStatus: { cancelled: 1, no_answer: 1 } },
      { hour: 23, byStatus: { failed: 1 } },
    ]);
    expect(report.turnLatencyHistogram).toEqual([
      { fromMs: 0, turns: 2 },
      { fromMs: 250, turns: 1 },
      { fromMs: 1750, turns: 1 },
      { fromMs: 2000, turns: 1 },
    ]);
  });

  it('counts a callee who asked for a callback or a person as answered: they spoke with the agent, and did not confirm', () => {
    const report = buildCampaignReport({
      statuses: ['confirmed', 'callback_requested', 'transferred', 'no_answer'],
      attempts: [attempt('a', 1, 'confirmed'), attempt('b', 1, 'callback_requested'), attempt('c', 1, 'transferred'), attempt('d', 1, 'no_answer')],
      callRecords: [],
    });
    expect(report).toMatchObject({ answerRate: 3 / 4, confirmationRate: 1 / 3 });
  });

  it('given calls with turn timings, reports each leg per kind, the barge-ins, and keeps older records in the latency line', () => {
    const report = buildCampaignReport({
      statuses: ['confirmed', 'cancelled'],
      attempts: [attempt('a', 1, 'confirmed', 'c1'), attempt('b', 1, 'cancelled', 'c2')],
      callRecords: [
        {
          callId: 'c1',
          turnLatenciesMs: [504, 360],
          turns: [
            textTurn(1000, 2),
            { kind: 'barge_in', speechStartedAtMs: 2000, clearedAtMs: 2003, latencyMs: 3, resolution: 'resumed' },
            // The goodbye was prepared during the call: the outcome turn has no TTS legs.
            { kind: 'outcome', calleeSpeechEndedAtMs: 3000, sttFinalAtMs: 3100, llmRequestAtMs: 3101, llmFirstTokenAtMs: 3351, firstFrameSentAtMs: 3360, latencyMs: 360 },
          ],
        },
        { callId: 'c2', turnLatenciesMs: [510], turns: [textTurn(500, 8), { kind: 'barge_in', speechStartedAtMs: 900, clearedAtMs: 905, latencyMs: 5, resolution: 'interrupted' }] },
        // Kept before turn timings existed: its latency still counts in the latency line.
        { callId: 'c0', turnLatenciesMs: [800] },
      ],
    });
    const legs = (kind: 'text' | 'outcome') => Object.fromEntries(report.turnLegs[kind].legs.map(({ name, spread }) => [name, spread]));

    expect(report.turnLatencyMs).toEqual({ count: 4, p50: 504, p95: 800 });
    expect(report.turnLegs.text.turns).toBe(2);
    expect(legs('text')).toEqual({
      'speech end -> STT final': { n: 2, p50: 100, p95: 100 },
      'STT final -> LLM request': { n: 2, p50: 1, p95: 1 },
      'LLM request -> first token': { n: 2, p50: 250, p95: 250 },
      'first token -> TTS request': { n: 2, p50: 1, p95: 1 },
      'TTS request -> first byte': { n: 2, p50: 150, p95: 150 },
      'first byte -> first frame sent': { n: 2, p50: 2, p95: 8 },
      'first token -> first frame sent (prepared audio)': { n: 0, p50: null, p95: null },
      'first token -> follow-up LLM request (a tool sent the model back)': { n: 0, p50: null, p95: null },
      'follow-up LLM request -> its first token': { n: 0, p50: null, p95: null },
      [TOTAL_LEG]: { n: 2, p50: 504, p95: 510 },
    });
    expect(legs('outcome')).toMatchObject({
      'LLM request -> first token': { n: 1, p50: 250, p95: 250 },
      'TTS request -> first byte': { n: 0, p50: null, p95: null },
      'first token -> first frame sent (prepared audio)': { n: 1, p50: 9, p95: 9 },
      [TOTAL_LEG]: { n: 1, p50: 360, p95: 360 },
    });
    expect(report.turnLegs.bargeIn).toEqual({ turns: 2, speechStartToClear: { n: 2, p50: 3, p95: 5 }, resumed: 1, interrupted: 1 });
  });

  it('given a turn in which a tool sent the model back, shows the tool and the second round trip as their own legs', () => {
    const report = buildCampaignReport({
      statuses: ['confirmed'],
      attempts: [attempt('a', 1, 'confirmed', 'c1')],
      callRecords: [
        {
          callId: 'c1',
          turns: [
            // A refused date: the first answer (a tool call) at 1351, sent back at 1353, the model's words at 1610.
            { kind: 'text', calleeSpeechEndedAtMs: 1000, sttFinalAtMs: 1100, llmRequestAtMs: 1101, llmFirstTokenAtMs: 1351, followUpLlmRequestAtMs: 1353, followUpLlmFirstTokenAtMs: 1610, ttsRequestAtMs: 1611, ttsFirstByteAtMs: 1761, firstFrameSentAtMs: 1762, latencyMs: 762 },
          ],
        },
      ],
    });
    const legs = Object.fromEntries(report.turnLegs.text.legs.map(({ name, spread }) => [name, spread.p50]));
    expect(legs).toMatchObject({
      'LLM request -> first token': 250,
      'first token -> TTS request': 260,
      'first token -> follow-up LLM request (a tool sent the model back)': 2,
      'follow-up LLM request -> its first token': 257,
      [TOTAL_LEG]: 762,
    });
  });

  it('shows what speech synthesis cost per answered call and per confirmed order, a busy call\'s greeting included', () => {
    const report = buildCampaignReport({
      statuses: ['confirmed', 'cancelled', 'busy'],
      attempts: [attempt('a', 1, 'confirmed', 'c1'), attempt('b', 1, 'cancelled', 'c2'), attempt('c', 1, 'busy', 'c3'), attempt('d', 1, 'no_answer', 'c4')],
      callRecords: [
        { callId: 'c1', ttsCharacters: 300 },
        { callId: 'c2', ttsCharacters: 200 },
        { callId: 'c3', ttsCharacters: 100 }, // a greeting prepared at the dial that nobody heard
        { callId: 'c4', ttsCharacters: 0 },
        { callId: 'c5' }, // kept before the count existed: not in it
      ],
    });
    expect(report.ttsCharacters).toEqual({ calls: 4, total: 600, perAnsweredCall: 300, perConfirmedOrder: 600 });
  });

  it('says null, not zero, where there is nothing to measure', () => {
    expect(buildCampaignReport({ statuses: ['', ''], attempts: [], callRecords: [] })).toMatchObject({
      answerRate: null,
      confirmationRate: null,
      callSeconds: { count: 0, average: null, p95: null },
      turnLatencyMs: { count: 0, p50: null, p95: null },
      turnLegs: { text: expect.objectContaining({ turns: 0 }), outcome: expect.objectContaining({ turns: 0 }), bargeIn: expect.objectContaining({ turns: 0 }) },
      ttsCharacters: { calls: 0, total: 0, perAnsweredCall: null, perConfirmedOrder: null },
      costEstimate: null,
      outcomesByLanguage: {},
      outcomesByHourUtc: [],
      turnLatencyHistogram: [],
    });
  });

  it('takes nearest-rank percentiles', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(hundred, 50), percentile(hundred, 95), percentile([7], 95)]).toEqual([50, 95, 7]);
  });
});
