import { providerUrlProblem } from '@codcall/service-edge';

export interface OutcomeWebhookSettings {
  /** Where every final outcome is POSTed (OUTCOME_WEBHOOK_URL); '' when only campaigns' own URLs are used. */
  url: string;
  /** OUTCOME_WEBHOOK_SECRET: keys the HMAC of every delivery; never logged. */
  secret: string;
}

/** A webhook setting that cannot be used; the message names the variable or option. */
export class OutcomeWebhookSettingsError extends Error {
  override readonly name = 'OutcomeWebhookSettingsError';
}

/** Shorter secrets are guessable from signed bodies offline. */
const MIN_SECRET_LENGTH = 16;

/**
 * OUTCOME_WEBHOOK_URL (or `overrideUrl`, e.g. the CLI's --outcome-webhook-url) with
 * OUTCOME_WEBHOOK_SECRET; undefined when no URL is set. Throws OutcomeWebhookSettingsError for a
 * URL without a secret, a short secret, or a URL that is not https (plain http only to loopback,
 * or with ALLOW_INSECURE_PROVIDER_URLS=true), as the services check their provider URLs.
 */
export function outcomeWebhookSettingsFrom(env: NodeJS.ProcessEnv, overrideUrl?: string): OutcomeWebhookSettings | undefined {
  const source = overrideUrl !== undefined ? '--outcome-webhook-url' : 'OUTCOME_WEBHOOK_URL';
  const url = (overrideUrl ?? env['OUTCOME_WEBHOOK_URL'] ?? '').trim();
  if (!url) return undefined;
  const secret = outcomeWebhookSecretFrom(env);
  if (!secret) throw new OutcomeWebhookSettingsError(`${source} is set but OUTCOME_WEBHOOK_SECRET is not: every outcome webhook is signed, so set a secret your receiver shares`);
  return { url: checkOutcomeWebhookUrl(url, source, env), secret };
}

/** OUTCOME_WEBHOOK_SECRET, checked, or undefined when unset (a service taking campaigns' own URLs needs it without a global URL). */
export function outcomeWebhookSecretFrom(env: NodeJS.ProcessEnv): string | undefined {
  const secret = env['OUTCOME_WEBHOOK_SECRET'] ?? '';
  if (!secret.trim()) return undefined;
  if (secret.length < MIN_SECRET_LENGTH) throw new OutcomeWebhookSettingsError(`OUTCOME_WEBHOOK_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  return secret;
}

/** The URL as given, or OutcomeWebhookSettingsError naming `source` (also for a campaign's own outcome_webhook_url). */
export function checkOutcomeWebhookUrl(url: string, source: string, env: NodeJS.ProcessEnv): string {
  const allowInsecure = /^(1|true|yes|on)$/i.test(env['ALLOW_INSECURE_PROVIDER_URLS'] ?? '');
  // The rule the services apply to agents' provider URLs: a campaign's URL comes through the API too.
  const problem = providerUrlProblem(url, { allowInsecure });
  if (problem) throw new OutcomeWebhookSettingsError(`${source} ${problem}, got "${redactUrl(url)}"`);
  return url;
}

/** A URL fit for a message: its query (which may carry a token) left out. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return url.length > 80 ? `${url.slice(0, 80)}…` : url;
  }
}
