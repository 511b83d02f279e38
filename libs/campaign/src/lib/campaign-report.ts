import type { Attempt, CallRecordEntry } from '@codcall/campaign-store';
import { buildTurnLegReport, percentile, type TurnLegReport } from './turn-report';

/** Outcomes that mean a person picked up and the agent spoke with them. */
export const ANSWERED_STATUSES: ReadonlySet<string> = new Set([
  'confirmed', 'cancelled', 'rescheduled', 'wrong_person', 'no_response', 'do_not_call', 'callback_requested', 'transferred',
]);

export interface CampaignReport {
  rows: number;
  /** Rows per CSV status; '' for rows never called. */
  byStatus: Record<string, number>;
  /** Attempts made (calls asked of the gateway), from the store. */
  attempts: number;
  /** Rows that needed more than one attempt. */
  retriedRows: number;
  /** Answered attempts ÷ finished attempts; null before any attempt finished. */
  answerRate: number | null;
  /** Confirmed rows ÷ rows whose final status says a person answered; null when nobody did. */
  confirmationRate: number | null;
  callSeconds: { count: number; average: number | null; p95: number | null };
  /** Every answered turn's latency, older records' (without turns) included. */
  turnLatencyMs: { count: number; p50: number | null; p95: number | null };
  /** Per turn kind, leg by leg, from the records that have turns. */
  turnLegs: TurnLegReport;
  /**
   * Characters sent to speech synthesis, from the records that count them: in all (calls nobody
   * answered included, which is what a greeting prepared at the dial costs), and per answered
   * call and per confirmed order; null where there are none.
   */
  ttsCharacters: { calls: number; total: number; perAnsweredCall: number | null; perConfirmedOrder: number | null };
  /** Sum of the calls' cost estimates; null when no rate was given. */
  costEstimate: number | null;
  /** Rows with a status, per language (the row's `language` cell, lower case; '' as `default`) and status. */
  outcomesByLanguage: Record<string, Record<string, number>>;
  /** Finished attempts per hour of the day (UTC) the gateway placed them (or they were begun), and outcome; only hours with calls, in order. */
  outcomesByHourUtc: { hour: number; byStatus: Record<string, number> }[];
  /** The latencies of `turnLatencyMs` in LATENCY_BUCKET_MS buckets; only buckets with turns, in order. */
  turnLatencyHistogram: { fromMs: number; turns: number }[];
}

/** Width of a turn-latency histogram bucket: a quarter second is what a callee can tell apart. */
export const LATENCY_BUCKET_MS = 250;

/** The numbers an operator reads after a campaign: from the CSV's status cells and the store's attempts and call records. */
export function buildCampaignReport(input: {
  statuses: readonly string[];
  /** Each row's `language` cell, in the order of `statuses`; without it every row is `default`. */
  languages?: readonly string[];
  attempts: readonly Attempt[];
  callRecords: readonly CallRecordEntry[];
}): CampaignReport {
  const byStatus: Record<string, number> = {};
  for (const raw of input.statuses) {
    const status = raw.trim().toLowerCase();
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }
  const finished = input.attempts.filter((attempt) => attempt.state === 'finished' && attempt.outcome);
  const answered = finished.filter((attempt) => ANSWERED_STATUSES.has(attempt.outcome!.status)).length;
  const reachedRows = Object.entries(byStatus).filter(([status]) => ANSWERED_STATUSES.has(status)).reduce((sum, [, count]) => sum + count, 0);
  const attemptsPerRow = new Map<string, number>();
  for (const attempt of input.attempts) attemptsPerRow.set(attempt.rowKey, Math.max(attemptsPerRow.get(attempt.rowKey) ?? 0, attempt.attemptNo));
  const durations = input.callRecords.map((record) => record.durationSeconds).filter((s): s is number => typeof s === 'number');
  const latencies = input.callRecords.flatMap((record) => record.turnLatenciesMs ?? []);
  const costs = input.callRecords.map((record) => record.costEstimate).filter((c): c is number => typeof c === 'number');
  const statusOfCall = new Map(finished.filter((attempt) => attempt.callId).map((attempt) => [attempt.callId!, attempt.outcome!.status]));
  const counted = input.callRecords.filter((record) => typeof record.ttsCharacters === 'number');
  const ttsTotal = counted.reduce((sum, record) => sum + record.ttsCharacters!, 0);
  const countedWith = (statuses: (status: string) => boolean) => counted.filter((record) => statuses(statusOfCall.get(record.callId) ?? '')).length;
  const per = (calls: number) => (calls ? Math.round(ttsTotal / calls) : null);
  return {
    rows: input.statuses.length,
    byStatus,
    attempts: input.attempts.length,
    retriedRows: [...attemptsPerRow.values()].filter((count) => count > 1).length,
    answerRate: finished.length ? answered / finished.length : null,
    confirmationRate: reachedRows ? (byStatus['confirmed'] ?? 0) / reachedRows : null,
    callSeconds: { count: durations.length, average: durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : null, p95: percentile(durations, 95) },
    turnLatencyMs: { count: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    turnLegs: buildTurnLegReport(input.callRecords.flatMap((record) => record.turns ?? [])),
    ttsCharacters: {
      calls: counted.length,
      total: ttsTotal,
      perAnsweredCall: per(countedWith((status) => ANSWERED_STATUSES.has(status))),
      perConfirmedOrder: per(countedWith((status) => status === 'confirmed')),
    },
    costEstimate: costs.length ? Math.round(costs.reduce((a, b) => a + b, 0) * 10_000) / 10_000 : null,
    outcomesByLanguage: outcomesByLanguage(input.statuses, input.languages),
    outcomesByHourUtc: outcomesByHour(finished),
    turnLatencyHistogram: histogram(latencies),
  };
}

function outcomesByLanguage(statuses: readonly string[], languages: readonly string[] | undefined): Record<string, Record<string, number>> {
  const byLanguage: Record<string, Record<string, number>> = {};
  statuses.forEach((raw, index) => {
    const status = raw.trim().toLowerCase();
    if (!status) return;
    const language = languages?.[index]?.trim().toLowerCase() || 'default';
    const counts = (byLanguage[language] ??= {});
    counts[status] = (counts[status] ?? 0) + 1;
  });
  return byLanguage;
}

function outcomesByHour(finished: readonly Attempt[]): { hour: number; byStatus: Record<string, number> }[] {
  const byHour = new Map<number, Record<string, number>>();
  for (const attempt of finished) {
    const hour = new Date(attempt.placedAt ?? attempt.createdAt).getUTCHours();
    const counts = byHour.get(hour) ?? {};
    counts[attempt.outcome!.status] = (counts[attempt.outcome!.status] ?? 0) + 1;
    byHour.set(hour, counts);
  }
  return [...byHour.entries()].sort(([a], [b]) => a - b).map(([hour, byStatus]) => ({ hour, byStatus }));
}

function histogram(latencies: readonly number[]): { fromMs: number; turns: number }[] {
  const buckets = new Map<number, number>();
  for (const latency of latencies) {
    const from = Math.floor(Math.max(0, latency) / LATENCY_BUCKET_MS) * LATENCY_BUCKET_MS;
    buckets.set(from, (buckets.get(from) ?? 0) + 1);
  }
  return [...buckets.entries()].sort(([a], [b]) => a - b).map(([fromMs, turns]) => ({ fromMs, turns }));
}
