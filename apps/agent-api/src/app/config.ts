import { ApiKeyConfigError, checkListenAddress, defaultListenHost, parseApiKeys } from '@codcall/service-edge';

export interface AgentApiConfig {
  host: string;
  port: number;
  dataDir: string;
  /** Keys a caller must send as `Authorization: Bearer` (CODCALL_API_KEYS); empty means loopback-only dev mode. */
  apiKeys: string[];
  /** Origins allowed to call the API from a browser (CORS_ORIGINS); empty: no CORS headers at all. */
  corsOrigins: string[];
  /** ALLOW_INSECURE_PROVIDER_URLS=true lets an agent name a plain-http provider on another host. */
  allowInsecureProviderUrls: boolean;
}

export class ConfigError extends Error {}

export function loadAgentApiConfig(env: NodeJS.ProcessEnv = process.env): AgentApiConfig {
  const rawPort = env['AGENT_API_PORT'] ?? env['PORT'] ?? '5001';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`AGENT_API_PORT must be a port number, got "${rawPort}"`);
  try {
    const apiKeys = parseApiKeys(env['CODCALL_API_KEYS']);
    const host = env['AGENT_API_HOST'] || defaultListenHost(apiKeys);
    checkListenAddress({ service: 'agent-api', host, hostVariable: 'AGENT_API_HOST', keys: apiKeys });
    return {
      host,
      port,
      dataDir: env['DATA_DIR'] || 'data',
      apiKeys,
      corsOrigins: (env['CORS_ORIGINS'] ?? '').split(',').map((origin) => origin.trim()).filter(Boolean),
      allowInsecureProviderUrls: boolean(env, 'ALLOW_INSECURE_PROVIDER_URLS'),
    };
  } catch (error) {
    if (error instanceof ApiKeyConfigError) throw new ConfigError(error.message);
    throw error;
  }
}

function boolean(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}
