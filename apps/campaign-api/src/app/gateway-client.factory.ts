import { QueueGatewayClient, redisUrlFrom } from '@codcall/call-queue';
import { HttpGatewayClient } from '@codcall/campaign';
import type { GatewayClientFactory } from '@codcall/campaign-service';
import type { Logger } from '@codcall/logging';
import type { CampaignApiConfig } from './config';

/**
 * Which gateway each campaign dials through. Embedded mode (no REDIS_URL): HTTP to the one
 * gateway at GATEWAY_URL. Distributed mode (REDIS_URL): the campaign's calls are BullMQ jobs on its
 * own queue, taken by every gateway registered in that Redis, at most the campaign's CPS across
 * them all; the host closes the client when the campaign's run ends.
 */
export function gatewayClientFactory(
  config: Pick<CampaignApiConfig, 'gatewayUrl' | 'clientApiKey'> & { redisUrl?: string },
  env: NodeJS.ProcessEnv = process.env,
  logger?: Logger,
): GatewayClientFactory {
  // Read (and validated, naming REDIS_URL) once at start-up, not per campaign.
  const redisUrl = config.redisUrl ?? redisUrlFrom(env);
  if (redisUrl) return ({ campaignId, callsPerSecond, concurrency }) => new QueueGatewayClient({ redisUrl, campaignId, callsPerSecond, concurrency, logger });
  return () => new HttpGatewayClient(config.gatewayUrl, { apiKey: config.clientApiKey });
}
