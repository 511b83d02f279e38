import { existsSync } from 'node:fs';
import { CallListRepository, type CallListRow } from '@codcall/call-list';
import { CampaignStore, type StoredOutcome } from '@codcall/campaign-store';
import { tallyRowStatuses } from '@codcall/campaign';
import type { CallRecordView } from '@codcall/gateway-api';
import { maskPhone } from '@codcall/logging';
import type { CampaignFolder, CampaignRecord } from './campaign-folder';

/** What a host follows of a run from its events: calls in flight, rows waiting, the last waiting note. */
export interface RowTracker {
  inFlight: ReadonlySet<string>;
  waitingRows: ReadonlyMap<string, number>;
  lastWaiting?: { rows: number; nextDueAt: number };
}

/** Rows per status, from the CSV as it now reads and the store's schedule. */
export function countRows(repository: CallListRepository, store: CampaignStore, tracker: RowTracker, record: CampaignRecord, now: number): Pick<CampaignRecord, 'rows' | 'byStatus' | 'nextDueAt'> {
  const rows = repository.rows();
  const stored = store.rows();
  const dialUnknown = record.settings.dialUnknownStatuses;
  let done = 0;
  let leftAlone = 0;
  for (const row of rows) {
    const memory = stored.get(row.key);
    if (memory ? memory.state === 'done' : row.statusKind === 'final') done++;
    else if (!memory && row.statusKind === 'unknown' && !dialUnknown) leftAlone++;
  }
  const dueTimes = [...tracker.waitingRows.values()].filter((at) => at > now);
  let waiting = dueTimes.length;
  let nextDue = dueTimes.length ? Math.min(...dueTimes) : undefined;
  // Rows waiting for their calling window are known only from the run's waiting note.
  if (tracker.lastWaiting && tracker.inFlight.size === 0) {
    waiting = Math.max(waiting, tracker.lastWaiting.rows);
    nextDue = Math.min(nextDue ?? Infinity, tracker.lastWaiting.nextDueAt);
  }
  const inFlight = tracker.inFlight.size;
  const byStatus = tallyRowStatuses(rows);
  if ('' in byStatus) {
    // An empty status cell is a row still to call.
    byStatus['pending'] = (byStatus['pending'] ?? 0) + byStatus[''];
    delete byStatus[''];
  }
  return {
    rows: { total: rows.length, done, pending: Math.max(0, rows.length - done - leftAlone - waiting - inFlight), waiting, in_flight: inFlight },
    byStatus,
    nextDueAt: nextDue !== undefined && Number.isFinite(nextDue) ? new Date(nextDue).toISOString() : undefined,
  };
}

export interface CallRecordFile {
  view: CallRecordView;
  /** Where the gateway wrote the recording, when this service can read it. */
  recordingPath?: string;
  /** What the attempt decided, once it finished. */
  outcome?: StoredOutcome;
  /** The row's `name` cell. */
  name?: string;
}

const DEFAULT_PAGE = 1000;
const MAX_PAGE = 5000;

/**
 * The campaign's call records joined with their attempts, oldest first. Uses the run's store and
 * call list while it runs; otherwise opens them for reading (no write, no journal replayed to disk).
 */
export async function callRecords(
  folder: CampaignFolder,
  campaignId: string,
  open: { store?: CampaignStore; repository?: CallListRepository } | undefined,
  page: { offset?: number; limit?: number; callId?: string; summary?: boolean },
): Promise<CallRecordFile[]> {
  const store = open?.store ?? CampaignStore.openForReading(folder.store, { key: campaignId });
  if (!store) return [];
  let repository = open?.repository;
  const ownRepository = !repository;
  try {
    const orderIds = new Map([...store.rows().values()].map((row) => [row.rowKey, row.orderId]));
    const ofCall = page.callId === undefined ? undefined : store.attemptOfCall(page.callId);
    const attempts = page.callId === undefined ? store.attempts().filter((attempt) => attempt.callId !== undefined) : ofCall ? [ofCall] : [];
    const offset = Math.max(0, page.offset ?? 0);
    const limit = Math.min(Math.max(1, page.limit ?? DEFAULT_PAGE), MAX_PAGE);
    const chosen = attempts.slice(offset, offset + limit);
    if (!chosen.length) return [];
    repository ??= await CallListRepository.open(folder.callList, { readOnly: true });
    const rowsByKey = new Map<string, CallListRow>(repository.rows().map((row) => [row.key, row]));
    return chosen.map((attempt) => {
      // Only the page's records are read: a campaign's records, transcripts and all, may be hundreds of megabytes.
      const record = store.callRecordOfAttempt(attempt.id);
      const row = rowsByKey.get(attempt.rowKey);
      const orderId = orderIds.get(attempt.rowKey) || row?.values['order_id'];
      const readable = record?.recording && existsSync(record.recording) ? record.recording : undefined;
      const view: CallRecordView = {
        call_id: attempt.callId!,
        line: row?.line ?? 0,
        ...(orderId ? { order_id: orderId } : {}),
        attempt: attempt.attemptNo,
        ...(attempt.outcome ? { status: attempt.outcome.status } : {}),
        phone: maskPhone(attempt.phone),
        ...(attempt.placedAt ? { started_at: new Date(attempt.placedAt).toISOString() } : {}),
        ...(record?.durationSeconds !== undefined ? { duration_seconds: record.durationSeconds } : {}),
        // A summary (a campaign's page, listing every call) leaves out what only the call's own page shows.
        ...(record?.transcript && !page.summary ? { transcript: record.transcript } : {}),
        ...(record?.toolCalls && !page.summary ? { tool_calls: record.toolCalls } : {}),
        ...(record?.turns && !page.summary ? { turns: record.turns } : {}),
        ...(record?.timeline && !page.summary ? { timeline: record.timeline } : {}),
        ...(record?.ttsCharacters !== undefined ? { tts_characters: record.ttsCharacters } : {}),
        ...(readable ? { recording_url: `/campaigns/${campaignId}/calls/${encodeURIComponent(attempt.callId!)}/recording` } : {}),
      };
      return { view, recordingPath: readable, outcome: attempt.outcome, name: row?.values['name'] };
    });
  } finally {
    if (!open?.store) store.close();
    if (ownRepository) await repository?.close();
  }
}
