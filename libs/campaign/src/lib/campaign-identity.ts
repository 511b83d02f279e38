import { createHash } from 'node:crypto';
import type { CallListRow } from '@codcall/call-list';
import { CampaignOptionsError } from './errors';
import type { RetryPolicySettings } from './retry-policy';

/**
 * Names a campaign in the store: the CSV's absolute path and a fingerprint of its rows (order id
 * and number, not the status cells the campaign writes). The same file run again resumes; a new
 * list saved under the same name (tomorrow's call_list.csv) is a new campaign.
 */
export function campaignKey(csvPath: string, rows: readonly CallListRow[]): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${row.values['order_id'] ?? ''}\u0000${row.values['recipient_phone_number'] ?? ''}\n`);
  return `${csvPath}#${hash.digest('hex').slice(0, 16)}`;
}

/** The agent config's optional `retry_policy`: {statuses, max_attempts, spacing_minutes, backoff}. */
export function retrySettingsFromAgentConfig(config: Record<string, unknown>): RetryPolicySettings {
  const policy = config['retry_policy'];
  if (policy === undefined || policy === null) return {};
  if (typeof policy !== 'object' || Array.isArray(policy)) throw new CampaignOptionsError(`agent config retry_policy must be an object, got ${JSON.stringify(policy)}`);
  const p = policy as Record<string, unknown>;
  return {
    statuses: p['statuses'] as string[] | undefined,
    maxAttempts: p['max_attempts'] as number | undefined,
    spacing: p['spacing_minutes'] as number | undefined,
    backoff: p['backoff'] as number | undefined,
  };
}

export const AGENT_RETRY_SETTING_NAMES = {
  statuses: 'agent config retry_policy.statuses',
  maxAttempts: 'agent config retry_policy.max_attempts',
  spacing: 'agent config retry_policy.spacing_minutes',
  backoff: 'agent config retry_policy.backoff',
};
