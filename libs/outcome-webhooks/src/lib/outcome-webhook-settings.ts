import { isIP } from 'node:net';
import { isLoopbackHost } from '@codcall/service-edge';

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
  const problem = webhookUrlProblem(url, allowInsecure);
  if (problem) throw new OutcomeWebhookSettingsError(`${source} ${problem}, got "${redactUrl(url)}"`);
  return url;
}

/** Cloud metadata services, by name and address: they hand out the machine's credentials to whoever asks. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.com', '169.254.169.254', 'fd00:ec2::254', '100.100.100.200', '192.0.0.192']);

/**
 * The rules the services apply to agents' provider URLs (agent-config's providerUrlProblem, which
 * cannot be imported here: its DTOs need reflect-metadata at load, which the CLI does not load).
 * A campaign's URL comes through the API, so it must not reach the metadata service or the
 * link-local network, nor send outcomes in the clear beyond this machine.
 */
function webhookUrlProblem(raw: string, allowInsecure: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute https URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be an https URL, not ${url.protocol.replace(/:$/, '')}`;
  if (url.username || url.password) return 'must not carry a user name or password';
  const name = url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const host = ipv4Within(name) ?? name;
  if ((isIP(host) === 4 && host.startsWith('0.')) || (isIP(host) === 6 && /^[0:]+$/.test(host))) return 'must not point at an unspecified address (0.0.0.0 or ::)';
  if (METADATA_HOSTS.has(host)) return 'must not point at a cloud metadata service';
  if ((isIP(host) === 4 && host.startsWith('169.254.')) || (isIP(host) === 6 && /^fe[89ab][0-9a-f]:/i.test(host))) return 'must not point at a link-local address (169.254.0.0/16, fe80::/10)';
  if (url.protocol === 'http:' && !allowInsecure && !isLoopbackHost(host)) {
    return 'must use https (plain http is allowed only to localhost, or everywhere with ALLOW_INSECURE_PROVIDER_URLS=true)';
  }
  return undefined;
}

/** The IPv4 address inside an IPv4-mapped IPv6 one (URL() writes ::ffff:169.254.169.254 as ::ffff:a9fe:a9fe). */
function ipv4Within(host: string): string | undefined {
  const mapped = /^::ffff:(?:([0-9a-f]{1,4}):([0-9a-f]{1,4})|(\d+\.\d+\.\d+\.\d+))$/i.exec(host);
  if (!mapped) return undefined;
  if (mapped[3]) return mapped[3];
  const high = parseInt(mapped[1], 16);
  const low = parseInt(mapped[2], 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
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
