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

/** The gateway answered, but not with success: bad input (400), unknown agent (404), carrier not configured (503)... */
export class GatewayRequestError extends Error {
  override readonly name = 'GatewayRequestError';

  constructor(
    readonly status: number,
    /** The gateway's own explanation, or a description of the unexpected answer. */
    readonly reason: string,
    readonly url: string,
  ) {
    super(`telephony gateway answered ${status} to ${url}: ${reason}`);
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
    super(`agent-api answered ${status} to ${url}: ${reason}`);
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
