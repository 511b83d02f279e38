import {
  CARRIER_NAMES,
  DEFAULT_CALLS_PER_SECOND,
  DEFAULT_CONCURRENCY,
  DEFAULT_DAYS_TEXT,
  DEFAULT_WINDOW_TEXT,
  MAX_CONCURRENCY,
  parseCallingWindow,
  resolveRetryPolicy,
  type CarrierName,
  type RetryPolicy,
  type RetryPolicySettings,
} from '@codcall/campaign';
import type { CampaignUploadFields } from '@codcall/gateway-api';
import { CampaignRefusedError } from './campaign-errors';

/** A campaign's options as checked at upload and kept in campaign.json: every run of it uses the same. */
export interface CampaignSettings {
  agentId: string;
  carrier: CarrierName;
  concurrency: number;
  callsPerSecond: number;
  window: string;
  days: string;
  /** As given; the agent config fills the gaps when the policy is resolved. */
  retry: { statuses?: string; maxAttempts?: string; spacing?: string; backoff?: string };
  costPerMinute?: number;
  strictNumbers: boolean;
  dialUnknownStatuses: boolean;
  skipOversizedRows: boolean;
  outcomeWebhookUrl?: string;
}

/** The upload fields under the CLI's flag names, so a message says what the CLI user knows too. */
export const RETRY_FIELD_NAMES = { statuses: 'retry_statuses', maxAttempts: 'max_attempts', spacing: 'retry_after', backoff: 'retry_backoff' };

const KNOWN_FIELDS = new Set([
  'agent_id', 'name', 'provider', 'concurrency', 'cps', 'window', 'days', 'max_attempts', 'retry_statuses', 'retry_after', 'retry_backoff',
  'cost_per_minute', 'strict_numbers', 'dial_unknown_statuses', 'skip_oversized_rows', 'outcome_webhook_url',
]);
const AGENT_ID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Checks the text fields of POST /campaigns as the CLI checks its flags (same defaults, same
 * bounds); CampaignRefusedError('invalid') names the field. `simulated`: a callee file came with
 * the upload, so the campaign dials the gateway's simulator.
 */
export function parseCampaignSettings(fields: Partial<Record<string, string>>, simulated: boolean): CampaignSettings {
  const unknown = Object.keys(fields).filter((name) => !KNOWN_FIELDS.has(name));
  if (unknown.length) throw invalid(`unknown field ${unknown.map((name) => `"${name}"`).join(', ')} (allowed: ${[...KNOWN_FIELDS].join(', ')})`);
  const f = fields as Partial<CampaignUploadFields>;
  const agentId = f.agent_id?.trim();
  if (!agentId) throw invalid('agent_id is required: the agent_id that POST /agent returned');
  if (!AGENT_ID.test(agentId)) throw invalid(`agent_id must be an agent id such as the one POST /agent returned, got "${agentId.slice(0, 100)}"`);

  const provider = f.provider?.trim() || undefined;
  if (provider !== undefined && !(CARRIER_NAMES as readonly string[]).includes(provider)) {
    throw invalid(`provider must be one of ${CARRIER_NAMES.join(', ')}, got "${provider}"`);
  }
  if (simulated && provider !== undefined && provider !== 'sim') {
    throw invalid(`a simulate file dials through the gateway's simulator, so it cannot be combined with provider ${provider}`);
  }
  const carrier = (simulated ? 'sim' : (provider ?? 'twilio')) as CarrierName;

  const window = f.window?.trim() || DEFAULT_WINDOW_TEXT;
  const days = f.days?.trim() || DEFAULT_DAYS_TEXT;
  try {
    parseCallingWindow(window, days);
  } catch (error) {
    throw invalid(`window/days: ${(error as Error).message}`);
  }
  const retry = { statuses: f.retry_statuses, maxAttempts: f.max_attempts, spacing: f.retry_after, backoff: f.retry_backoff };
  resolveRetry(retry, {}); // checked now; the agent config fills the gaps when the campaign starts

  return {
    agentId,
    carrier,
    concurrency: wholeNumber('concurrency', f.concurrency, DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY),
    callsPerSecond: positiveNumber('cps', f.cps, DEFAULT_CALLS_PER_SECOND, 1000),
    window,
    days,
    retry,
    costPerMinute: f.cost_per_minute === undefined ? undefined : positiveNumber('cost_per_minute', f.cost_per_minute, 0, 100),
    strictNumbers: flag('strict_numbers', f.strict_numbers),
    dialUnknownStatuses: flag('dial_unknown_statuses', f.dial_unknown_statuses),
    skipOversizedRows: flag('skip_oversized_rows', f.skip_oversized_rows),
    outcomeWebhookUrl: webhookUrl(f.outcome_webhook_url),
  };
}

/** The campaign's retry policy: its own fields first, then the agent config's retry_policy, then the defaults. */
export function resolveRetry(retry: CampaignSettings['retry'], agentSettings: RetryPolicySettings, agentNames?: Record<keyof RetryPolicySettings, string>): RetryPolicy {
  try {
    return resolveRetryPolicy([
      { settings: retry, names: RETRY_FIELD_NAMES },
      ...(agentNames ? [{ settings: agentSettings, names: agentNames }] : []),
    ]);
  } catch (error) {
    throw invalid((error as Error).message);
  }
}

function wholeNumber(field: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || value < min || value > max) throw invalid(`${field} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

function positiveNumber(field: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(raw) || !(value > 0) || value > max) throw invalid(`${field} must be a number above 0 and at most ${max}, got "${raw}"`);
  return value;
}

function flag(field: string, raw: string | undefined): boolean {
  if (raw === undefined || raw.trim() === '') return false;
  if (/^(true|1|yes)$/i.test(raw.trim())) return true;
  if (/^(false|0|no)$/i.test(raw.trim())) return false;
  throw invalid(`${field} must be true or false, got "${raw}"`);
}

function webhookUrl(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`outcome_webhook_url must be an http(s) URL, got "${value.slice(0, 200)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`outcome_webhook_url must be an http(s) URL, got "${value.slice(0, 200)}"`);
  return value;
}

function invalid(message: string): CampaignRefusedError {
  return new CampaignRefusedError('invalid', message);
}
