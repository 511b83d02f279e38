import type { CallRecordView } from '@codcall/gateway-api';

/** Outcomes that mean a person picked up and the agent spoke with them (libs/campaign's ANSWERED_STATUSES). */
export const ANSWERED_STATUSES: ReadonlySet<string> = new Set([
  'confirmed', 'cancelled', 'rescheduled', 'wrong_person', 'no_response', 'do_not_call', 'callback_requested', 'transferred',
]);

export interface RowForReport {
  status: string;
  language: string;
}

export interface DashboardReport {
  calls: number;
  /** Answered calls ÷ calls with an outcome; null before any. */
  answerRate: number | null;
  /** Confirmed rows ÷ rows a person answered; null when nobody did. */
  confirmationRate: number | null;
  /** Rows per language (the CSV's `language` cell, '' as "default") and status. */
  outcomesByLanguage: Record<string, Record<string, number>>;
  /** Calls per hour of the day they started (UTC, 0-23) and outcome. */
  outcomesByHour: Record<number, Record<string, number>>;
  /** Turn latencies in 250 ms buckets: [from ms, count]. */
  latencyHistogram: [number, number][];
  latencyP50: number | null;
  latencyP95: number | null;
  ttsCharacters: number;
  confirmedOrders: number;
  ttsCharactersPerConfirmedOrder: number | null;
}

const BUCKET_MS = 250;

export function buildDashboardReport(rows: readonly RowForReport[], calls: readonly CallRecordView[]): DashboardReport {
  const withOutcome = calls.filter((call) => call.status);
  const answered = withOutcome.filter((call) => ANSWERED_STATUSES.has(call.status!)).length;
  const reachedRows = rows.filter((row) => ANSWERED_STATUSES.has(row.status)).length;
  const confirmedOrders = rows.filter((row) => row.status === 'confirmed').length;
  const outcomesByLanguage: Record<string, Record<string, number>> = {};
  for (const row of rows) {
    if (!row.status) continue;
    const language = row.language.trim() || 'default';
    const counts = (outcomesByLanguage[language] ??= {});
    counts[row.status] = (counts[row.status] ?? 0) + 1;
  }
  const outcomesByHour: Record<number, Record<string, number>> = {};
  for (const call of withOutcome) {
    if (!call.started_at) continue;
    const hour = new Date(call.started_at).getUTCHours();
    if (Number.isNaN(hour)) continue;
    const counts = (outcomesByHour[hour] ??= {});
    counts[call.status!] = (counts[call.status!] ?? 0) + 1;
  }
  const latencies = calls.flatMap((call) => turnLatencies(call)).sort((a, b) => a - b);
  const buckets = new Map<number, number>();
  for (const latency of latencies) {
    const from = Math.floor(latency / BUCKET_MS) * BUCKET_MS;
    buckets.set(from, (buckets.get(from) ?? 0) + 1);
  }
  const ttsCharacters = calls.reduce((sum, call) => sum + (call.tts_characters ?? 0), 0);
  return {
    calls: calls.length,
    answerRate: withOutcome.length ? answered / withOutcome.length : null,
    confirmationRate: reachedRows ? confirmedOrders / reachedRows : null,
    outcomesByLanguage,
    outcomesByHour,
    latencyHistogram: [...buckets.entries()].sort((a, b) => a[0] - b[0]),
    latencyP50: percentile(latencies, 50),
    latencyP95: percentile(latencies, 95),
    ttsCharacters,
    confirmedOrders,
    ttsCharactersPerConfirmedOrder: confirmedOrders ? Math.round(ttsCharacters / confirmedOrders) : null,
  };
}

/** A call's turn latencies from its turns (latencyMs or latency_ms). */
export function turnLatencies(call: CallRecordView): number[] {
  return (call.turns ?? [])
    .map((turn) => (turn && typeof turn === 'object' ? ((turn as Record<string, unknown>)['latencyMs'] ?? (turn as Record<string, unknown>)['latency_ms']) : undefined))
    .filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
