import { resolve } from 'node:path';
import { OutcomeWebhookSettingsError } from '@codcall/outcome-webhooks';
import { ApiKeyConfigError, edgeSettingsFromEnv, EdgeSettingsError, type EdgeSettings } from '@codcall/service-edge';
import { dashboardDirFrom } from './dashboard/dashboard-site';
import { campaignWebhookConfigFrom, type CampaignWebhookConfig } from './outcome-webhooks';

export interface CampaignApiConfig extends EdgeSettings {
  port: number;
  /** Campaigns live under `<dataDir>/campaigns/`, uploads land in `<dataDir>/uploads/` first. */
  dataDir: string;
  agentApiUrl: string;
  gatewayUrl: string;
  /** Sent to agent-api and the gateway as a bearer token (CODCALL_API_KEY, else the first of CODCALL_API_KEYS); never logged. */
  clientApiKey?: string;
  /** CAMPAIGN_MAX_UPLOAD_BYTES: each uploaded file, in bytes. */
  maxUploadBytes: number;
  /** CAMPAIGN_MAX_ROWS: rows of one call list. */
  maxRows: number;
  /** CAMPAIGN_MAX_SSE_CONNECTIONS: event streams open at once, all campaigns together. */
  maxEventStreams: number;
  /** CAMPAIGN_DRAIN_TIMEOUT_SECONDS: on pause or shutdown, how long calls in flight are waited for. */
  drainTimeoutMs: number;
  /** DASHBOARD_DIR, else dist/apps/dashboard when it is built: the operations dashboard, served at `/`. */
  dashboardDir?: string;
  /** OUTCOME_WEBHOOK_URL / OUTCOME_WEBHOOK_SECRET (+ CAMPAIGN_API_PUBLIC_URL for transcript links); undefined: no webhooks. */
  outcomeWebhooks?: CampaignWebhookConfig;
}

export class ConfigError extends Error {}

export const DEFAULT_CAMPAIGN_API_PORT = 5003;
const DEFAULT_AGENT_API_URL = 'http://127.0.0.1:5001';
const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:5002';

/** The campaign-api's settings from the environment, checked once at start-up; a bad value names its variable. */
export function loadCampaignApiConfig(env: NodeJS.ProcessEnv = process.env): CampaignApiConfig {
  const rawPort = env['CAMPAIGN_API_PORT'] ?? env['PORT'] ?? String(DEFAULT_CAMPAIGN_API_PORT);
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) throw new ConfigError(`CAMPAIGN_API_PORT must be a port number, got "${rawPort}"`);
  let edge: EdgeSettings;
  try {
    edge = edgeSettingsFromEnv(env, { name: 'campaign-api', hostVariable: 'CAMPAIGN_API_HOST' });
  } catch (error) {
    if (error instanceof ApiKeyConfigError || error instanceof EdgeSettingsError) throw new ConfigError(error.message);
    throw error;
  }
  return {
    ...edge,
    port,
    dataDir: resolve(env['DATA_DIR'] || 'data'),
    agentApiUrl: serviceUrl('AGENT_API_URL', env, DEFAULT_AGENT_API_URL),
    gatewayUrl: serviceUrl('GATEWAY_URL', env, DEFAULT_GATEWAY_URL),
    clientApiKey: env['CODCALL_API_KEY']?.trim() || edge.apiKeys[0] || undefined,
    maxUploadBytes: whole(env, 'CAMPAIGN_MAX_UPLOAD_BYTES', 50 * 1024 * 1024, 1024, 2 ** 31 - 1),
    maxRows: whole(env, 'CAMPAIGN_MAX_ROWS', 200_000, 1, 2_000_000),
    maxEventStreams: whole(env, 'CAMPAIGN_MAX_SSE_CONNECTIONS', 100, 1, 10_000),
    drainTimeoutMs: whole(env, 'CAMPAIGN_DRAIN_TIMEOUT_SECONDS', 120, 1, 3600) * 1000,
    dashboardDir: dashboardDirFrom(env),
    outcomeWebhooks: webhookConfig(env),
  };
}

function webhookConfig(env: NodeJS.ProcessEnv): CampaignWebhookConfig | undefined {
  try {
    return campaignWebhookConfigFrom(env);
  } catch (error) {
    if (error instanceof OutcomeWebhookSettingsError) throw new ConfigError(error.message);
    throw error;
  }
}

function serviceUrl(variable: string, env: NodeJS.ProcessEnv, fallback: string): string {
  const value = env[variable] || fallback;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${variable} must be an http(s) URL such as ${fallback}, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${variable} must be an http(s) URL such as ${fallback}, got "${value}"`);
  return value.replace(/\/+$/, '');
}

function whole(env: NodeJS.ProcessEnv, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || value < min || value > max) throw new ConfigError(`${variable} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}
