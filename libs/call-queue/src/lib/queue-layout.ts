import { createHash } from 'node:crypto';
import type { CallView, GatewayLimits, PlaceCallRequest } from '@codcall/campaign';

/**
 * Where everything lives in Redis (see README). BullMQ's own keys are `codcall:calls-<campaign>:*`
 * (a queue name may not hold ':'); codcall's are `codcall:<kind>:<id>`.
 */
export const KEY_PREFIX = 'codcall';
export const ACTIVE_CAMPAIGNS_KEY = `${KEY_PREFIX}:campaigns`;
export const GATEWAYS_KEY = `${KEY_PREFIX}:gateways`;

export const campaignKey = (campaignId: string) => `${KEY_PREFIX}:campaign:${campaignId}`;
export const gatewayKey = (gatewayId: string) => `${KEY_PREFIX}:gateway:${gatewayId}`;
/** The dial record of one idempotency key: which gateway asked its carrier to dial, the call's id, its outcome. */
export const dialKey = (idempotencyKey: string) => `${KEY_PREFIX}:dial:${idempotencyKey}`;
/** A call's latest view by the gateway's call id, so any gateway or the campaign-api can answer for it. */
export const callKey = (callId: string) => `${KEY_PREFIX}:call:${callId}`;
/** A gateway's whole state of one call (its CallStore row, JSON), mirrored so that a gateway whose disk is gone still knows it. */
export const callStateKey = (callId: string) => `${KEY_PREFIX}:call-state:${callId}`;
/** The ids of the calls a gateway holds unsettled (a set): what it settles at its next start, whatever its disk kept. */
export const gatewayCallsKey = (gatewayId: string) => `${KEY_PREFIX}:gateway:${gatewayId}:calls`;

export const queueNameFor = (campaignId: string) => `calls-${campaignId}`;

/** Dial records and call views outlive the campaign by this long (a resumed campaign asks about its calls). */
export const RECORD_TTL_SECONDS = 30 * 24 * 3600;

export const JOB_NAME = 'call';

/** What a job carries: the request the campaign would have POSTed to one gateway. */
export interface CallJobData {
  request: PlaceCallRequest;
  /** A dial added ahead of its time: when it was due (epoch ms). */
  dueAt?: number;
  /** Its calling window's end (epoch ms): a gateway that takes it later finishes it not dialled (notDialledView). */
  notAfter?: number;
}

/** A live gateway as its heartbeat key describes it. */
export interface GatewayRegistration {
  id: string;
  publicBaseUrl: string;
  carriers: string[];
  maxCalls: number;
  limits?: GatewayLimits;
  /** This run of the gateway (new at every start): a claim made by an earlier run is no longer followed by anyone. */
  instance?: string;
}

/** The dial record's fields as stored (a Redis hash). */
export interface DialRecord {
  gateway?: string;
  /** The run of the gateway that claimed the key (GatewayRegistration.instance). */
  instance?: string;
  /** When the key was claimed (ISO). */
  at?: string;
  callId?: string;
  /** The final CallView, JSON. */
  outcome?: string;
}

const CAMPAIGN_ID = /^[A-Za-z0-9_-]{1,100}$/;

export function assertCampaignId(campaignId: string): void {
  if (!CAMPAIGN_ID.test(campaignId)) throw new Error(`campaign id must be 1 to 100 letters, digits, '_' or '-', got ${JSON.stringify(campaignId)}`);
}

/**
 * The job id for an idempotency key: the key itself when BullMQ accepts it as an id (no ':', not
 * all digits), else its SHA-256, so the same key is always the same job.
 */
export function jobIdFor(idempotencyKey: string): string {
  if (/^[A-Za-z0-9_.-]{1,200}$/.test(idempotencyKey) && !/^\d+$/.test(idempotencyKey)) return idempotencyKey;
  return 'k-' + createHash('sha256').update(idempotencyKey).digest('hex');
}

/**
 * BullMQ's rate limit (`max` jobs per `duration` ms) for a campaign's calls per second, never above
 * it: 2.5 CPS is 2 per second, 0.2 CPS one per 5 s. Undefined for no limit (Infinity).
 */
export function rateLimitFor(callsPerSecond: number): { max: number; duration: number } | undefined {
  if (callsPerSecond === Infinity) return undefined;
  if (!(callsPerSecond > 0) || !Number.isFinite(callsPerSecond)) throw new Error(`callsPerSecond must be a positive number or Infinity, got ${callsPerSecond}`);
  if (callsPerSecond >= 1) return { max: Math.floor(callsPerSecond), duration: 1000 };
  return { max: 1, duration: Math.ceil(1000 / callsPerSecond) };
}

/** A completed view with a failed outcome, for calls that ended without a gateway's word on them. */
export function failedView(callId: string, reason: string): CallView {
  return { callId, state: 'completed', outcome: { status: 'failed', reason } };
}
