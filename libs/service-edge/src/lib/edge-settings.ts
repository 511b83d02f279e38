import { checkListenAddress, defaultListenHost } from './access-policy';
import { API_KEYS_VARIABLE, parseApiKeys } from './api-keys';

/** What every codcall service reads about its edge from the environment, checked at start-up. */
export interface EdgeSettings {
  /** The interface to listen on: the host variable, else everywhere with keys and loopback without. */
  host: string;
  /** Keys a caller must send as `Authorization: Bearer` (CODCALL_API_KEYS); empty means loopback-only dev mode. */
  apiKeys: string[];
  /** Origins allowed to call the API from a browser (CORS_ORIGINS); empty: no CORS headers at all. */
  corsOrigins: string[];
  /** ALLOW_INSECURE_PROVIDER_URLS=true lets an agent name a plain-http provider on another host. */
  allowInsecureProviderUrls: boolean;
}

/** An edge setting that cannot be used; the message names the variable. */
export class EdgeSettingsError extends Error {}

/**
 * Reads the edge settings shared by every service (throws EdgeSettingsError or ApiKeyConfigError,
 * whose messages name the variable), refusing a host beyond loopback without a key.
 */
export function edgeSettingsFromEnv(env: NodeJS.ProcessEnv, service: { name: string; hostVariable: string }): EdgeSettings {
  const apiKeys = parseApiKeys(env[API_KEYS_VARIABLE]);
  const host = env[service.hostVariable] || defaultListenHost(apiKeys);
  checkListenAddress({ service: service.name, host, hostVariable: service.hostVariable, keys: apiKeys });
  return {
    host,
    apiKeys,
    corsOrigins: (env['CORS_ORIGINS'] ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    allowInsecureProviderUrls: flag(env, 'ALLOW_INSECURE_PROVIDER_URLS'),
  };
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new EdgeSettingsError(`${name} must be true or false, got "${raw}"`);
}
