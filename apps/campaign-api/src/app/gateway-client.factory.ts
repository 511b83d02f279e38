import { HttpGatewayClient } from '@codcall/campaign';
import type { GatewayClientFactory } from '@codcall/campaign-service';
import type { CampaignApiConfig } from './config';

/**
 * Which gateway each campaign dials through. Embedded mode (today, no REDIS_URL): HTTP to the one
 * gateway at GATEWAY_URL. Distributed mode plugs its queue client in here.
 */
export function gatewayClientFactory(config: Pick<CampaignApiConfig, 'gatewayUrl' | 'clientApiKey'>): GatewayClientFactory {
  return () => new HttpGatewayClient(config.gatewayUrl, { apiKey: config.clientApiKey });
}
