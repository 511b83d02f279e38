/**
 * The campaign-api's HTTP API (apps/campaign-api), as the CLI's `--server` mode, the dashboard and
 * the tests use it. Snake_case on the wire, like the gateway's API. Every route but /health needs
 * `Authorization: Bearer <key>` (CODCALL_API_KEYS), as on the other services.
 *
 *   POST /campaigns                    multipart/form-data (below) -> 201 CampaignView
 *   GET  /campaigns                    -> CampaignList
 *   GET  /campaigns/:id                -> CampaignView
 *   GET  /campaigns/:id/events         text/event-stream of CampaignEventView (below)
 *   POST /campaigns/:id/pause          -> CampaignView (no new dials; calls in flight finish)
 *   POST /campaigns/:id/resume         -> CampaignView
 *   POST /campaigns/:id/cancel         -> CampaignView (no new dials; calls in flight finish; rows left as they are)
 *   GET  /campaigns/:id/csv            text/csv: the upload byte for byte plus the outcome cells
 *   GET  /campaigns/:id/rows           -> CampaignRowsPage (one page of the rows in file order, numbers masked;
 *                                      ?offset=&limit= (50 by default, 500 at most), ?status=confirmed,pending (by_status's
 *                                      names, `pending` for rows without a status yet), ?q= order id or name, any case)
 *   GET  /campaigns/:id/calls          -> CallRecordList (oldest first; ?offset=&limit= page through, limit 1000 by default, 5000 at most;
 *                                      ?fields=summary leaves out transcript, tool_calls, turns and timeline)
 *   GET  /campaigns/:id/calls/:call_id            -> CallDetailView (the call an outcome webhook's transcript_url names)
 *   GET  /campaigns/:id/calls/:call_id/recording   audio/wav, when the recording is readable here
 *   GET  /campaigns/:id/report         -> CampaignReportView (the CLI's `outbound-cli report`, computed by the service)
 *
 * Refusals answer `{ statusCode, message }` (the message names the field, file or limit at fault),
 * and for a refused upload also `reason`: invalid (400), carrier_not_configured (400), too_large
 * (413), agent_not_found (404), unreachable (502: agent-api or the gateway). 404 for an unknown
 * campaign or call, 409 for a pause, resume or cancel its state does not allow, 503 when too many event
 * streams are open.
 */

/** Where a campaign is. `waiting`: every row left waits for its window, a retry or a callback time. */
export const CAMPAIGN_STATES = ['running', 'waiting', 'paused', 'cancelled', 'finished', 'failed'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];
/** States a campaign never leaves. */
export const FINAL_CAMPAIGN_STATES: readonly CampaignState[] = ['cancelled', 'finished', 'failed'];

/** The multipart file parts of POST /campaigns. `csv` is required. */
export const CAMPAIGN_UPLOAD_FILES = {
  /** The call list, as the CLI reads it (any encoding the CLI takes, kept byte for byte). */
  csv: 'csv',
  /** Scripted callees for the gateway's simulator, keyed by E.164 number (the CLI's --simulate file). */
  simulate: 'simulate',
  /** Numbers never to dial, one per line (the CLI's --dnc file). */
  dnc: 'dnc',
} as const;

/**
 * The multipart text fields of POST /campaigns: the CLI's flags under snake_case names, with the
 * same meanings, defaults and checks. Only agent_id is required.
 */
export interface CampaignUploadFields {
  agent_id: string;
  /** Shown in lists; default: the uploaded file's name. */
  name?: string;
  /** twilio | plivo | sim (default twilio, or sim with a `simulate` part). */
  provider?: string;
  concurrency?: string;
  cps?: string;
  /** HH:MM-HH:MM in each callee's local time. */
  window?: string;
  /** e.g. mon-sat or mon-fri,sun */
  days?: string;
  max_attempts?: string;
  /** Comma-separated outcome statuses. */
  retry_statuses?: string;
  /** Minutes before the first retry. */
  retry_after?: string;
  retry_backoff?: string;
  cost_per_minute?: string;
  /** "true" to treat numbers in unassigned ranges as invalid. */
  strict_numbers?: string;
  /** "true" to dial rows whose status codcall does not know. */
  dial_unknown_statuses?: string;
  /** "true" to skip rows over the gateway's limits instead of refusing the campaign. */
  skip_oversized_rows?: string;
  /** One signed POST per final outcome goes here (overrides OUTCOME_WEBHOOK_URL). */
  outcome_webhook_url?: string;
}

export interface CampaignRowCounts {
  total: number;
  /** Rows with a final status (this run's or already final in the upload). */
  done: number;
  /** Rows still to call now. */
  pending: number;
  /** Rows waiting for their window, a retry or a callback time. */
  waiting: number;
  /** Calls in flight. */
  in_flight: number;
}

export interface CampaignView {
  campaign_id: string;
  name: string;
  agent_id: string;
  provider: string;
  state: CampaignState;
  /** ISO 8601. */
  created_at: string;
  updated_at: string;
  finished_at?: string;
  /** The uploaded file's name. */
  file_name: string;
  rows: CampaignRowCounts;
  /** Rows per CSV status, this campaign's outcomes and the rows that were already final. */
  by_status: Record<string, number>;
  /** When the next waiting row is due (ISO 8601). */
  next_due_at?: string;
  /** Why the campaign failed, or what was refused (a campaign-wide error). */
  error?: string;
  /** What the preflight said of the file before anything was dialled. */
  preflight?: CampaignPreflightView;
}

export interface CampaignPreflightView {
  invalid_numbers: { line: number; reason: string }[];
  unknown_statuses: { line: number; status: string }[];
  duplicates: { lines: number[] }[];
  already_final: number;
  unknown_languages: { line: number; language: string }[];
}

export interface CampaignList {
  campaigns: CampaignView[];
}

/**
 * One server-sent event: `id: <seq>`, `event: <type>`, `data: <JSON of this object>`. The first
 * event of every connection is a `snapshot`; a reconnect with Last-Event-ID gets what it missed
 * when the service still has it, else a fresh snapshot. The stream ends after `finished`.
 */
export type CampaignEventView =
  | { type: 'snapshot'; campaign: CampaignView }
  | { type: 'row-started'; line: number; order_id?: string; attempt: number }
  | { type: 'call-placed'; line: number; order_id?: string; call_id: string }
  /** `final` false: the policy retries the row (or calls back) at `next_due_at`. */
  | {
      type: 'outcome';
      line: number;
      order_id?: string;
      status: string;
      reschedule_date?: string;
      reschedule_time?: string;
      callback_at?: string;
      call_id?: string;
      attempts: number;
      final: boolean;
      next_due_at?: string;
      reason?: string;
    }
  | { type: 'waiting'; rows: number; next_due_at: string; reason: string }
  | { type: 'state'; state: CampaignState }
  | { type: 'finished'; campaign: CampaignView };
export type CampaignEventType = CampaignEventView['type'];

/** GET /campaigns/:id/rows: its page size, by default and at most, and the longest search it takes. */
export const CAMPAIGN_ROWS_LIMITS = { defaultLimit: 50, maxLimit: 500, maxSearchChars: 100, maxStatuses: 20 } as const;

/** One row of the campaign's CSV as it reads now, in the words of CampaignView.by_status. */
export interface CampaignRowView {
  /** The row's line in the file (the header is line 1). */
  line: number;
  name: string;
  /** Masked as the services mask numbers (country code and the last two digits). */
  phone: string;
  order_id: string;
  /** The status by_status counts the row under: an outcome status, `pending` for a row without one yet, or the cell's own text (lower case) when codcall does not know it. */
  status: string;
  reschedule_date: string;
  reschedule_time: string;
  /** Attempts this campaign made at the row. */
  attempts: number;
  /** The call of the row's latest attempt that reached the gateway (`/campaigns/:id/calls/:call_id`). */
  call_id?: string;
}

export interface CampaignRowsPage {
  /** Rows in the CSV. */
  total: number;
  /** Rows matching the status and search asked for. */
  matching: number;
  offset: number;
  limit: number;
  /** At most `limit` of the matching rows from `offset` on, in file order. */
  rows: CampaignRowView[];
}

export interface CallRecordView {
  call_id: string;
  line: number;
  order_id?: string;
  attempt: number;
  status?: string;
  /** Masked as the gateway's settings ask. */
  phone: string;
  started_at?: string;
  duration_seconds?: number;
  transcript?: unknown[];
  tool_calls?: unknown[];
  turns?: unknown[];
  timeline?: unknown[];
  tts_characters?: number;
  /** `/campaigns/:id/calls/:call_id/recording` when the campaign-api can read the recording. */
  recording_url?: string;
}

export interface CallRecordList {
  calls: CallRecordView[];
}

/**
 * One call of a campaign: its record as the list has it, and what the call decided for its row
 * (the attempt's own outcome, which the CSV shows once the row is done).
 */
export interface CallDetailView extends CallRecordView {
  /** The row's `name` cell. */
  name?: string;
  reschedule_date?: string;
  reschedule_time?: string;
  callback_at?: string;
  address_update?: string;
  /** Why the call ended as it did (numbers masked). */
  reason?: string;
}

/** n and nearest-rank p50/p95 of one measure, in ms. */
export interface SpreadView {
  n: number;
  p50: number | null;
  p95: number | null;
}

/** One kind of answered turn (`text` or `outcome`), leg by leg; the last leg is the total. */
export interface TurnKindReportView {
  turns: number;
  legs: { name: string; spread: SpreadView }[];
}

/**
 * A campaign's report, computed by the service from the campaign's CSV and store with the CLI's
 * code (libs/campaign's buildCampaignReport): `outbound-cli report --json` on the same files gives
 * the same figures under camelCase names. Rates are fractions (0-1); null where there is nothing
 * to measure yet.
 */
export interface CampaignReportView {
  campaign_id: string;
  /** Rows in the CSV. */
  rows: number;
  /** Rows per CSV status, rows never called not among them. */
  by_status: Record<string, number>;
  not_called: number;
  /** Calls asked of the gateway. */
  attempts: number;
  retried_rows: number;
  /** Answered attempts ÷ finished attempts. */
  answer_rate: number | null;
  /** Confirmed rows ÷ rows whose status says a person answered. */
  confirmation_rate: number | null;
  call_seconds: { count: number; average: number | null; p95: number | null };
  turn_latency_ms: { count: number; p50: number | null; p95: number | null };
  /** Every answered turn's latency in `bucket_ms` buckets; only buckets with turns, in order. */
  turn_latency_histogram: { bucket_ms: number; buckets: { from_ms: number; turns: number }[] };
  turn_legs: { text: TurnKindReportView; outcome: TurnKindReportView; barge_in: { turns: number; speech_start_to_clear: SpreadView; resumed: number; interrupted: number } };
  /** Rows with a status, per language (the `language` cell, lower case, or `default`) and status. */
  outcomes_by_language: Record<string, Record<string, number>>;
  /** Finished attempts per hour of the day (UTC) they were placed, and outcome; only hours with calls. */
  outcomes_by_hour_utc: { hour: number; by_status: Record<string, number> }[];
  /** Characters sent to speech synthesis: in all, and per answered call and per confirmed order. */
  tts_characters: { calls: number; total: number; per_answered_call: number | null; per_confirmed_order: number | null };
  /** Sum of the calls' cost estimates (the campaign's cost_per_minute); null without one. */
  cost_estimate: number | null;
}
