import { maskNumbersInText } from '@codcall/logging';

/** The services a campaign talks to, named the way an operator knows them. */
export type ServiceName = 'telephony gateway' | 'agent-api';

/**
 * A service could not be reached: connection refused, DNS failure, timeout, or the connection
 * dropped. `requestMayHaveArrived` is false only when the request surely never reached the
 * server (nothing was sent), which is the one case where re-sending a POST /call is safe.
 */
export class ServiceUnreachableError extends Error {
  override readonly name = 'ServiceUnreachableError';

  constructor(
    readonly service: ServiceName,
    readonly url: string,
    readonly detail: string,
    readonly requestMayHaveArrived: boolean,
    options?: { cause?: unknown },
  ) {
    super(`${service} is unreachable at ${url} (${detail})`, options);
  }
}

/**
 * The gateway answered, but not with success: bad input (400), unknown agent (404), carrier not
 * configured (503)... Numbers in the gateway's explanation are masked: it may echo the row.
 */
export class GatewayRequestError extends Error {
  override readonly name: string = 'GatewayRequestError';
  /** The gateway's own explanation, or a description of the unexpected answer. */
  readonly reason: string;

  constructor(
    readonly status: number,
    reason: string,
    readonly url: string,
  ) {
    const masked = maskNumbersInText(reason);
    super(`telephony gateway answered ${status} to ${url}: ${masked}`);
    this.reason = masked;
  }
}

/** agent-api answered, but with something other than the agent or a 404. */
export class AgentApiRequestError extends Error {
  override readonly name = 'AgentApiRequestError';

  constructor(
    readonly status: number,
    readonly reason: string,
    readonly url: string,
  ) {
    super(`agent-api answered ${status} to ${url}: ${maskNumbersInText(reason)}`);
  }
}

export class AgentNotFoundError extends Error {
  override readonly name = 'AgentNotFoundError';

  constructor(
    readonly agentId: string,
    readonly agentApiUrl: string,
    detail?: string,
  ) {
    super(`agent ${agentId} not found at ${agentApiUrl}${detail ? ` (${detail})` : ''}`);
  }
}

/** The gateway is up but cannot dial through the requested carrier. */
export class CarrierNotConfiguredError extends Error {
  override readonly name = 'CarrierNotConfiguredError';

  constructor(
    readonly carrier: string,
    readonly gatewayUrl: string,
    readonly configuredCarriers: readonly string[],
  ) {
    const configured = configuredCarriers.length ? configuredCarriers.join(', ') : 'none';
    super(`carrier ${carrier} is not configured on the gateway at ${gatewayUrl} (configured: ${configured})`);
  }
}

/** The simulated-callee file (`--simulate`) is unreadable or malformed; the message names the number and field. */
export class SimulatedCalleesError extends Error {
  override readonly name = 'SimulatedCalleesError';
}

/** runCampaign was called with options it cannot honour (e.g. concurrency out of range). */
export class CampaignOptionsError extends Error {
  override readonly name = 'CampaignOptionsError';
}

/**
 * A service answered 401: the API key is missing or not one it accepts. Campaign-wide: every
 * request would get the same answer, so the campaign stops before (or instead of) dialling.
 */
export class ApiKeyRefusedError extends Error {
  override readonly name = 'ApiKeyRefusedError';

  constructor(
    readonly service: ServiceName,
    readonly url: string,
    /** False when the client had no key to send. */
    readonly keyWasSent: boolean,
  ) {
    const who = service === 'telephony gateway' ? 'the gateway' : 'agent-api';
    const whose = service === 'telephony gateway' ? "the gateway's" : "agent-api's";
    super(
      keyWasSent
        ? `${who} at ${url} refused the API key: set CODCALL_API_KEY to one of ${whose} CODCALL_API_KEYS`
        : `${who} at ${url} requires an API key: set CODCALL_API_KEY to one of ${whose} CODCALL_API_KEYS`,
    );
  }
}

/**
 * The gateway answered POST /call with 503 and a Retry-After: it is at its limit of live calls
 * (the gateway's GatewayAtCapacityError). Nothing was dialled; the same dial, with the same
 * Idempotency-Key, may be sent again after `retryAfterSeconds`.
 */
export class GatewayCapacityError extends GatewayRequestError {
  override readonly name = 'GatewayCapacityError';

  constructor(
    readonly retryAfterSeconds: number,
    reason: string,
    url: string,
  ) {
    super(503, reason, url);
  }
}

/** Rows that would not fit what the gateway accepts (its /health `limits`), found before any dial. */
export class RowsOverGatewayLimitsError extends Error {
  override readonly name = 'RowsOverGatewayLimitsError';

  constructor(
    message: string,
    readonly lines: readonly number[],
  ) {
    super(message);
  }
}
