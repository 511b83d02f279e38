import { OUTCOME_STATUSES } from '@codcall/call-list';
import { CampaignOptionsError } from './errors';

/** Which outcomes are tried again, how often, and how far apart. */
export interface RetryPolicy {
  statuses: ReadonlySet<string>;
  /** Attempts in all, the first call included (1 = never retried). */
  maxAttempts: number;
  /** Pause after the first attempt. */
  firstDelayMs: number;
  /** Each later pause is this many times the one before (1 = even spacing). */
  backoffFactor: number;
}

/** Statuses an attempt can end with; outside_window is given to rows never dialled, so nothing retries it. */
const ATTEMPT_STATUSES: readonly string[] = OUTCOME_STATUSES.filter((status) => status !== 'outside_window');

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  statuses: new Set(['no_answer', 'busy', 'failed']),
  maxAttempts: 3,
  firstDelayMs: 30 * 60_000,
  backoffFactor: 2,
};

/** One call per row, whatever happens. */
export const NO_RETRIES: RetryPolicy = { ...DEFAULT_RETRY_POLICY, statuses: new Set(), maxAttempts: 1 };

/** Where a policy's settings come from, in order of precedence: the CLI, the agent config, the defaults. */
export interface RetryPolicySettings {
  statuses?: string | string[];
  maxAttempts?: number | string;
  /** Minutes. */
  spacing?: number | string;
  backoff?: number | string;
}

/** Builds a policy; `source` names where the settings came from in errors ("--max-attempts", "agent config retry_policy.max_attempts"). */
export function resolveRetryPolicy(layers: { settings: RetryPolicySettings; names: Record<keyof RetryPolicySettings, string> }[]): RetryPolicy {
  const pick = <K extends keyof RetryPolicySettings>(key: K) => {
    for (const layer of layers) if (layer.settings[key] !== undefined) return { value: layer.settings[key], name: layer.names[key] };
    return undefined;
  };
  const policy = { ...DEFAULT_RETRY_POLICY };
  const statuses = pick('statuses');
  if (statuses) {
    const list = (Array.isArray(statuses.value) ? statuses.value : String(statuses.value).split(',')).map((s) => String(s).trim()).filter(Boolean);
    const unknown = list.filter((status) => !ATTEMPT_STATUSES.includes(status));
    if (unknown.length) throw new CampaignOptionsError(`${statuses.name}: unknown status ${unknown.join(', ')} (one of ${ATTEMPT_STATUSES.join(', ')})`);
    policy.statuses = new Set(list);
  }
  const attempts = pick('maxAttempts');
  if (attempts) policy.maxAttempts = number(attempts.name, attempts.value, 1, 20, true);
  const spacing = pick('spacing');
  if (spacing) policy.firstDelayMs = number(spacing.name, spacing.value, 0, 7 * 24 * 60, false) * 60_000;
  const backoff = pick('backoff');
  if (backoff) policy.backoffFactor = number(backoff.name, backoff.value, 1, 10, false);
  return policy;
}

function number(name: string, raw: unknown, min: number, max: number, integer: boolean): number {
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new CampaignOptionsError(`${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * Whether a row that ended with `status` is called again (attempts allowing): the policy's
 * statuses, and always a callback the callee asked for.
 */
export function isRetried(policy: RetryPolicy, status: string): boolean {
  return status === 'callback_requested' || policy.statuses.has(status);
}

/**
 * After attempt `attemptNo` ended with `status` at `at`: the row is done, or waits until
 * `nextDueAt`. A callback waits for the time the callee gave (`callbackAt`, ISO 8601; now if it
 * has passed), or the policy's spacing when there is none; it spends an attempt like any retry,
 * and past the last attempt the row is done, its status callback_requested.
 */
export function rowAfterAttempt(
  policy: RetryPolicy,
  status: string,
  attemptNo: number,
  at: number,
  callbackAt?: string,
): { state: 'done' } | { state: 'waiting'; nextDueAt: number } {
  if (!isRetried(policy, status) || attemptNo >= policy.maxAttempts) return { state: 'done' };
  const asked = status === 'callback_requested' && callbackAt ? Date.parse(callbackAt) : NaN;
  if (Number.isFinite(asked)) return { state: 'waiting', nextDueAt: Math.max(asked, at) };
  return { state: 'waiting', nextDueAt: at + Math.round(policy.firstDelayMs * policy.backoffFactor ** (attemptNo - 1)) };
}
