import { createHash } from 'node:crypto';
import type { CampaignEvent } from '@codcall/campaign';
import { maskNumbersInText } from '@codcall/logging';

export type RowFinishedEvent = Extract<CampaignEvent, { type: 'row-finished' }>;

/** The JSON body of one outcome webhook (snake_case, like the services' HTTP APIs). */
export interface OutcomeWebhookPayload {
  /** Stable for this row's outcome: a receiver dedupes on it (also sent as X-Codcall-Event-Id). */
  event_id: string;
  type: 'call.outcome';
  campaign_id: string;
  /** Every CSV cell of the row by column name, as the file had them before this outcome. */
  row: Record<string, string>;
  /** The row's line in the CSV (the header is line 1). */
  row_line: number;
  status: string;
  reschedule_date?: string;
  reschedule_time?: string;
  callback_at?: string;
  address_update?: string;
  /** Why a call failed or was cut off, numbers masked. */
  reason?: string;
  /** Absent for rows never dialled (invalid number, do-not-call). */
  call_id?: string;
  attempts: number;
  duration_seconds?: number;
  transcript_url?: string;
  /** When codcall accepted the outcome, ISO 8601 UTC. */
  occurred_at: string;
}

export interface OutcomeCampaign {
  campaignId: string;
  /** The CSV's header, in order. */
  csvColumns: string[];
  /** This campaign's own receiver (the campaign-api's per-campaign outcome_webhook_url); default the outbox's. */
  url?: string;
  /** Where the call's transcript can be read (the campaign-api's /campaigns/:id/calls/:call_id); none in the CLI. */
  transcriptUrl?: (callId: string) => string | undefined;
}

/**
 * `evt_` and 32 hex digits of the campaign, the row and the status: one id per row outcome. Not
 * the call or the attempt: a later run re-records a final outcome the store has but the CSV lacks
 * (no call, attempts 0), and that is the same outcome, sent once.
 */
export function outcomeEventId(campaignId: string, event: RowFinishedEvent): string {
  const identity = [campaignId, event.row.key, event.outcome.status].join('\n');
  return `evt_${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`;
}

export function outcomePayload(campaign: OutcomeCampaign, event: RowFinishedEvent, now: number): OutcomeWebhookPayload {
  const { outcome } = event;
  const row = Object.fromEntries(campaign.csvColumns.map((column) => [column, event.row.values[column] ?? '']));
  const transcriptUrl = event.callId ? campaign.transcriptUrl?.(event.callId) : undefined;
  const payload: OutcomeWebhookPayload = {
    event_id: outcomeEventId(campaign.campaignId, event),
    type: 'call.outcome',
    campaign_id: campaign.campaignId,
    row,
    row_line: event.row.line,
    status: outcome.status,
    attempts: event.attempts,
    occurred_at: new Date(now).toISOString(),
  };
  if (outcome.reschedule_date) payload.reschedule_date = outcome.reschedule_date;
  if (outcome.reschedule_time) payload.reschedule_time = outcome.reschedule_time;
  if (outcome.callback_at) payload.callback_at = outcome.callback_at;
  if (outcome.address_update) payload.address_update = outcome.address_update;
  if (outcome.reason) payload.reason = maskNumbersInText(outcome.reason);
  if (event.callId) payload.call_id = event.callId;
  if (event.durationSeconds !== undefined) payload.duration_seconds = event.durationSeconds;
  if (transcriptUrl) payload.transcript_url = transcriptUrl;
  return payload;
}
