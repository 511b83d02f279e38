import { CallListRepository } from '@codcall/call-list';
import { buildCampaignReport, LATENCY_BUCKET_MS, type AnsweredTurnsReport, type CampaignReport } from '@codcall/campaign';
import { CampaignStore } from '@codcall/campaign-store';
import type { CallDetailView, CampaignReportView, TurnKindReportView } from '@codcall/gateway-api';
import { maskNumbersInText } from '@codcall/logging';
import type { CallRecordFile } from './campaign-counts';
import type { CampaignFolder } from './campaign-folder';

/**
 * The CLI's report (`outbound-cli report`) of one hosted campaign, from its CSV as it now reads and
 * its store: the same call to buildCampaignReport with the same inputs (the call records without
 * the transcripts, tool calls and timelines it never reads). Uses the run's store and call list
 * while it runs; otherwise opens them for reading.
 */
export async function reportCampaign(
  folder: CampaignFolder,
  campaignId: string,
  open: { store?: CampaignStore; repository?: CallListRepository } | undefined,
): Promise<CampaignReportView> {
  // Taken once: the run may set or clear its own while the file is being read.
  const ownRepository = !open?.repository;
  const repository = open?.repository ?? (await CallListRepository.open(folder.callList, { readOnly: true }));
  try {
    const rows = repository.rows();
    const runStore = open?.store;
    const store = runStore ?? CampaignStore.openForReading(folder.store, { key: campaignId });
    try {
      const report = buildCampaignReport({
        statuses: rows.map((row) => row.status),
        languages: rows.map((row) => row.values['language'] ?? ''),
        attempts: store?.attempts() ?? [],
        callRecords: store?.callRecordMeasures() ?? [],
      });
      return reportView(campaignId, report);
    } finally {
      if (!runStore) store?.close();
    }
  } finally {
    if (ownRepository) await repository.close();
  }
}

/** The report under the wire's snake_case names. */
export function reportView(campaignId: string, report: CampaignReport): CampaignReportView {
  const { '': notCalled = 0, ...byStatus } = report.byStatus;
  const kind = (turns: AnsweredTurnsReport): TurnKindReportView => ({ turns: turns.turns, legs: turns.legs.map(({ name, spread }) => ({ name, spread: { ...spread } })) });
  const { bargeIn } = report.turnLegs;
  return {
    campaign_id: campaignId,
    rows: report.rows,
    by_status: byStatus,
    not_called: notCalled,
    attempts: report.attempts,
    retried_rows: report.retriedRows,
    answer_rate: report.answerRate,
    confirmation_rate: report.confirmationRate,
    call_seconds: { ...report.callSeconds },
    turn_latency_ms: { ...report.turnLatencyMs },
    turn_latency_histogram: { bucket_ms: LATENCY_BUCKET_MS, buckets: report.turnLatencyHistogram.map(({ fromMs, turns }) => ({ from_ms: fromMs, turns })) },
    turn_legs: {
      text: kind(report.turnLegs.text),
      outcome: kind(report.turnLegs.outcome),
      barge_in: { turns: bargeIn.turns, speech_start_to_clear: { ...bargeIn.speechStartToClear }, resumed: bargeIn.resumed, interrupted: bargeIn.interrupted },
    },
    outcomes_by_language: report.outcomesByLanguage,
    outcomes_by_hour_utc: report.outcomesByHourUtc.map(({ hour, byStatus: counts }) => ({ hour, by_status: counts })),
    tts_characters: {
      calls: report.ttsCharacters.calls,
      total: report.ttsCharacters.total,
      per_answered_call: report.ttsCharacters.perAnsweredCall,
      per_confirmed_order: report.ttsCharacters.perConfirmedOrder,
    },
    cost_estimate: report.costEstimate,
  };
}

/** One call as GET /campaigns/:id/calls/:call_id answers it: the list's record and what the call decided for its row. */
export function callDetailView(file: CallRecordFile): CallDetailView {
  const outcome = file.outcome;
  return {
    ...file.view,
    ...(file.name ? { name: file.name } : {}),
    ...(outcome?.reschedule_date ? { reschedule_date: outcome.reschedule_date } : {}),
    ...(outcome?.reschedule_time ? { reschedule_time: outcome.reschedule_time } : {}),
    ...(outcome?.callback_at ? { callback_at: outcome.callback_at } : {}),
    ...(outcome?.address_update ? { address_update: outcome.address_update } : {}),
    ...(outcome?.reason ? { reason: maskNumbersInText(outcome.reason) } : {}),
  };
}

/** How long a running campaign's report is reused: computing it reads every row and call record. */
export const REPORT_REUSE_MS = 5000;

/**
 * At most one report computed per campaign at a time, and the last one reused for a while (a
 * campaign that is not running, until it changes): a page left open polling a 100,000-row
 * campaign, or many tabs, cost one computation, not one each.
 */
export class CampaignReportCache {
  private readonly entries = new Map<string, { version: string; at: number; settled: boolean; report: Promise<CampaignReportView> }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** `version` changes whenever a campaign that is not running may have (its updated_at and state). */
  get(campaignId: string, version: string, running: boolean, compute: () => Promise<CampaignReportView>): Promise<CampaignReportView> {
    const entry = this.entries.get(campaignId);
    const now = this.now();
    if (entry && (!entry.settled || (running ? now - entry.at < REPORT_REUSE_MS : entry.version === version))) return entry.report;
    const fresh = { version, at: now, settled: false, report: compute() };
    this.entries.set(campaignId, fresh);
    fresh.report.then(
      () => (fresh.settled = true),
      // A failed computation is not kept: the next request tries again.
      () => this.entries.get(campaignId) === fresh && this.entries.delete(campaignId),
    );
    return fresh.report;
  }
}
