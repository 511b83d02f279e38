import { randomBytes } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { checkProviderEnvironment } from '@codcall/conversation-engine';
import { redisUrlFrom, RedisUrlError } from '@codcall/call-queue';
import { API_KEY_VARIABLE, ApiKeyConfigError, edgeSettingsFromEnv, EdgeSettingsError, parseApiKeys, type EdgeSettings } from '@codcall/service-edge';

/** The gateway's whole configuration, read from the environment once at start-up. */
export interface GatewayConfig extends EdgeSettings {
  port: number;
  /** Every URL handed to a carrier is built from this; never from a request's Host header. */
  publicBaseUrl: string;
  agentApiUrl: string;
  /** The key the gateway sends to agent-api (CODCALL_API_KEY, else the first of apiKeys). */
  apiKey?: string;
  /** Live calls beyond which `POST /call` answers 503 with Retry-After (GATEWAY_MAX_CALLS). */
  maxCalls: number;
  /** Where the gateway keeps its own state, the call store among it (GATEWAY_DATA_DIR). */
  dataDir: string;
  /** JSON call records and WAV recordings (RECORDS_DIR). */
  recordsDir: string;
  /** Records keep callees' numbers whole instead of masked (RECORDS_KEEP_FULL_NUMBERS). */
  keepFullNumbers: boolean;
  ringTimeoutSeconds: number;
  streamTokenSecret: string;
  simulator: { enabled: boolean; webhookSecret: string; calleesFile?: string };
  /**
   * The speech and language vendors' variables (DEEPGRAM_*, OPENAI_*, ELEVENLABS_*), checked at
   * start-up; each call's agent picks from them.
   */
  providerEnv: NodeJS.ProcessEnv;
  /** Present when Twilio credentials are set: the gateway can then dial real phones. */
  twilio?: { accountSid: string; authToken: string; phoneNumber: string; apiBaseUrl?: string };
  /**
   * Where a callee who asks for a person is transferred (TRANSFER_NUMBER, E.164); unset, the agent
   * offers no transfer.
   */
  transferNumber?: string;
  /** Present when Plivo credentials are set: `--provider plivo` then dials through Plivo. */
  plivo?: { authId: string; authToken: string; phoneNumber: string; apiBaseUrl?: string };
  /** Gateway processes, one per core by default (GATEWAY_WORKERS); 1 is a single process with no primary. */
  workers: number;
  /** Set in a worker the primary started: which one it is (1-based, GATEWAY_WORKER_INDEX, set by the primary). */
  worker?: { index: number; count: number };
  /**
   * Distributed mode (REDIS_URL set): the gateway takes calls from the campaigns' BullMQ queues as
   * `gatewayId` (GATEWAY_ID, default hostname-port); a job it holds is found stalled `lockSeconds`
   * after it stops renewing it (QUEUE_LOCK_SECONDS, default 30).
   */
  queue?: { redisUrl: string; gatewayId: string; lockSeconds: number };
}

export class ConfigError extends Error {}

/** Live calls per core when GATEWAY_MAX_CALLS is unset: each call holds buffers, sockets and vendor streams. */
const CALLS_PER_CORE = 50;
const MAX_CALLS_LIMIT = 2000;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const port = integer(env, 'GATEWAY_PORT', 5002, 0, 65535);
  const publicBaseUrl = url(env, 'PUBLIC_BASE_URL', `http://127.0.0.1:${port}`);
  const edge = authConfig(() => edgeSettingsFromEnv(env, { name: 'telephony-gateway', hostVariable: 'GATEWAY_HOST' }));
  const outgoingKey = authConfig(() => parseApiKeys(env[API_KEY_VARIABLE], API_KEY_VARIABLE));
  if (outgoingKey.length > 1) throw new ConfigError(`${API_KEY_VARIABLE} is the one key the gateway sends to agent-api: give one key, not a list`);
  const maxCalls = integer(env, 'GATEWAY_MAX_CALLS', Math.min(MAX_CALLS_LIMIT, CALLS_PER_CORE * availableParallelism()), 1, MAX_CALLS_LIMIT);
  return {
    ...edge,
    ...workersConfig(env, maxCalls),
    port,
    publicBaseUrl,
    agentApiUrl: url(env, 'AGENT_API_URL', 'http://127.0.0.1:5001'),
    apiKey: outgoingKey[0] ?? edge.apiKeys[0],
    maxCalls,
    dataDir: env['GATEWAY_DATA_DIR'] || 'data/gateway',
    recordsDir: env['RECORDS_DIR'] || 'data/calls',
    keepFullNumbers: boolean(env, 'RECORDS_KEEP_FULL_NUMBERS', false),
    ringTimeoutSeconds: integer(env, 'RING_TIMEOUT_SECONDS', 30, 5, 600),
    // Tokens only have to outlive one call on this process, so a per-process secret is safe.
    streamTokenSecret: secret(env, 'STREAM_TOKEN_SECRET'),
    simulator: {
      // Off by default: the simulator answers any number, so a deployment must ask for it.
      enabled: boolean(env, 'SIMULATOR_ENABLED', false),
      webhookSecret: secret(env, 'SIMULATOR_WEBHOOK_SECRET'),
      calleesFile: env['SIMULATOR_CALLEES_FILE'] || undefined,
    },
    providerEnv: providerEnvironment(env),
    twilio: twilioConfig(env),
    plivo: plivoConfig(env),
    transferNumber: transferNumber(env),
    ...queueConfig(env, port),
  };
}

function queueConfig(env: NodeJS.ProcessEnv, port: number): Pick<GatewayConfig, 'queue'> {
  let redisUrl: string | undefined;
  try {
    redisUrl = redisUrlFrom(env);
  } catch (error) {
    if (error instanceof RedisUrlError) throw new ConfigError(error.message);
    throw error;
  }
  if (!redisUrl) return {};
  const gatewayId = env['GATEWAY_ID']?.trim() || `${hostname()}-${port}`;
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(gatewayId)) throw new ConfigError(`GATEWAY_ID must be 1 to 100 letters, digits, '.', '_' or '-', got "${gatewayId}"`);
  return { queue: { redisUrl, gatewayId, lockSeconds: integer(env, 'QUEUE_LOCK_SECONDS', 30, 2, 600) } };
}

/** Worker indexes live in one byte of the call id (see call-ownership.ts). */
const MAX_WORKERS = 64;

function workersConfig(env: NodeJS.ProcessEnv, maxCalls: number): Pick<GatewayConfig, 'workers' | 'worker'> {
  // By default one per core, but never more workers than calls to share among them.
  const workers = integer(env, 'GATEWAY_WORKERS', Math.min(MAX_WORKERS, availableParallelism(), maxCalls), 1, MAX_WORKERS);
  if (maxCalls < workers) throw new ConfigError(`GATEWAY_MAX_CALLS (${maxCalls}) is split across GATEWAY_WORKERS (${workers}): give at least one call per worker`);
  if (!env['GATEWAY_WORKER_INDEX']) return { workers };
  return { workers, worker: { index: integer(env, 'GATEWAY_WORKER_INDEX', 1, 1, workers), count: workers } };
}

/**
 * What one worker of a multi-process gateway runs with: its share of GATEWAY_MAX_CALLS (split
 * evenly, the first ones taking the remainder) and its own folder for the call store, so each
 * worker remembers its own calls and idempotency keys across restarts.
 */
export function workerShare(config: GatewayConfig, index: number): GatewayConfig {
  const base = Math.floor(config.maxCalls / config.workers);
  const maxCalls = base + (index <= config.maxCalls % config.workers ? 1 : 0);
  return { ...config, maxCalls, dataDir: join(config.dataDir, `worker-${index}`), worker: { index, count: config.workers } };
}

function providerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const picked = Object.fromEntries(Object.entries(env).filter(([name]) => /^(DEEPGRAM|OPENAI|ELEVENLABS)_/.test(name)));
  try {
    checkProviderEnvironment(picked);
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  return picked;
}

const TWILIO_VARIABLES = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_PHONE_NUMBER'] as const;

/** All three or none: half a Twilio configuration is a mistake to report, not to ignore. */
function twilioConfig(env: NodeJS.ProcessEnv): GatewayConfig['twilio'] {
  const missing = TWILIO_VARIABLES.filter((name) => !env[name]);
  if (missing.length === TWILIO_VARIABLES.length) return undefined;
  if (missing.length) throw new ConfigError(`Twilio is half configured: set ${missing.join(', ')} too (or unset the other TWILIO_ variables)`);
  if (!env['PUBLIC_BASE_URL']) {
    throw new ConfigError('PUBLIC_BASE_URL must be set when Twilio is configured: it is the https address Twilio reaches this gateway at');
  }
  const accountSid = env['TWILIO_ACCOUNT_SID'] as string;
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) throw new ConfigError('TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits');
  const phoneNumber = env['TWILIO_PHONE_NUMBER'] as string;
  if (!/^\+[1-9]\d{7,14}$/.test(phoneNumber)) throw new ConfigError(`TWILIO_PHONE_NUMBER must be an E.164 number, got "${phoneNumber}"`);
  const apiBaseUrl = env['TWILIO_API_BASE_URL'] ? url(env, 'TWILIO_API_BASE_URL', '') : undefined;
  return { accountSid, authToken: env['TWILIO_AUTH_TOKEN'] as string, phoneNumber, apiBaseUrl };
}

const PLIVO_VARIABLES = ['PLIVO_AUTH_ID', 'PLIVO_AUTH_TOKEN', 'PLIVO_PHONE_NUMBER'] as const;

/** All three or none, like Twilio's. */
function plivoConfig(env: NodeJS.ProcessEnv): GatewayConfig['plivo'] {
  const missing = PLIVO_VARIABLES.filter((name) => !env[name]);
  if (missing.length === PLIVO_VARIABLES.length) return undefined;
  if (missing.length) throw new ConfigError(`Plivo is half configured: set ${missing.join(', ')} too (or unset the other PLIVO_ variables)`);
  if (!env['PUBLIC_BASE_URL']) {
    throw new ConfigError('PUBLIC_BASE_URL must be set when Plivo is configured: it is the https address Plivo reaches this gateway at');
  }
  const authId = env['PLIVO_AUTH_ID'] as string;
  if (!/^[A-Z0-9]{20}$/.test(authId)) throw new ConfigError('PLIVO_AUTH_ID must be 20 capital letters and digits, as Plivo shows it (MA... or SA...)');
  const phoneNumber = env['PLIVO_PHONE_NUMBER'] as string;
  if (!/^\+[1-9]\d{7,14}$/.test(phoneNumber)) throw new ConfigError(`PLIVO_PHONE_NUMBER must be an E.164 number, got "${phoneNumber}"`);
  const apiBaseUrl = env['PLIVO_API_BASE_URL'] ? url(env, 'PLIVO_API_BASE_URL', '') : undefined;
  return { authId, authToken: env['PLIVO_AUTH_TOKEN'] as string, phoneNumber, apiBaseUrl };
}

/** A number a carrier can dial: E.164 and, by libphonenumber's metadata, a real number of its country. */
function transferNumber(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env['TRANSFER_NUMBER']?.trim();
  if (!raw) return undefined;
  const parsed = /^\+[1-9]\d{6,14}$/.test(raw) ? parsePhoneNumberFromString(raw) : undefined;
  if (!parsed?.isValid()) {
    throw new ConfigError(`TRANSFER_NUMBER must be a valid phone number in E.164 form (+ then country code and number, no spaces), got "${raw}"`);
  }
  return parsed.number;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

function url(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL, got "${raw}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${name} must use http or https, got "${raw}"`);
  }
  if (parsed.search) throw new ConfigError(`${name} must not carry a query string, got "${raw}"`);
  return raw.replace(/\/$/, '');
}

function authConfig<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ApiKeyConfigError || error instanceof EdgeSettingsError) throw new ConfigError(error.message);
    throw error;
  }
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function secret(env: NodeJS.ProcessEnv, name: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return randomBytes(32).toString('base64url');
  if (raw.length < 16) throw new ConfigError(`${name} must be at least 16 characters long`);
  return raw;
}
