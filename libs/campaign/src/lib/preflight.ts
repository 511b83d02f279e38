import { CarrierNotConfiguredError } from './errors';
import type { CarrierName, GatewayClient, GatewayHealth } from './gateway-client';

export interface AgentDirectory {
  assertAgentExists(agentId: string): Promise<void>;
}

export interface PreflightInput {
  gateway: Pick<GatewayClient, 'baseUrl' | 'health'>;
  agents: AgentDirectory;
  agentId: string;
  carrier: CarrierName;
}

/**
 * Checks, before any row is touched, what would otherwise fail on every row: the gateway is up
 * and can dial through the carrier, and the agent exists. Throws ServiceUnreachableError,
 * ApiKeyRefusedError, CarrierNotConfiguredError or AgentNotFoundError. The health it returns
 * carries the gateway's `limits`: runCampaign (gatewayLimits) checks every row against them
 * before its first dial (see reviewCallList).
 */
export async function preflightCampaign(input: PreflightInput): Promise<GatewayHealth> {
  const health = await input.gateway.health();
  if (!health.carriers.includes(input.carrier)) {
    throw new CarrierNotConfiguredError(input.carrier, input.gateway.baseUrl, health.carriers);
  }
  await input.agents.assertAgentExists(input.agentId);
  return health;
}
