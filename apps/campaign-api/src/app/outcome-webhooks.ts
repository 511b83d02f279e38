import { join } from 'node:path';
import type { CampaignEvent } from '@codcall/campaign';
import type { CampaignHost } from '@codcall/campaign-service';
import type { Logger } from '@codcall/logging';
import { checkOutcomeWebhookUrl, OutcomeWebhookOutbox, outcomeWebhookSecretFrom, outcomeWebhookSettingsFrom, type OutcomeWebhookSettings } from '@codcall/outcome-webhooks';

/** The campaign-api's outcome webhook settings, read with the rest of its config. */
export interface CampaignWebhookConfig {
  /** OUTCOME_WEBHOOK_URL ('' when only campaigns' own outcome_webhook_url are used) and OUTCOME_WEBHOOK_SECRET. */
  settings: OutcomeWebhookSettings;
  /** CAMPAIGN_API_PUBLIC_URL: where receivers reach this API, for each outcome's transcript_url; none without it. */
  publicUrl?: string;
  /** REDIS_URL: deliveries become BullMQ jobs (distributed mode). */
  redisUrl?: string;
  /** ALLOW_INSECURE_PROVIDER_URLS, for campaigns' own URLs. */
  allowInsecureUrls: boolean;
}

/** The outbox beside the campaigns under DATA_DIR, for every campaign. */
export const OUTCOME_WEBHOOK_OUTBOX_FILE = 'outcome-webhooks.sqlite';

/**
 * Undefined when neither OUTCOME_WEBHOOK_URL nor OUTCOME_WEBHOOK_SECRET is set (webhooks off);
 * throws OutcomeWebhookSettingsError (naming the variable) for a URL without a secret, a short
 * secret or a URL that is not https beyond loopback.
 */
export function campaignWebhookConfigFrom(env: NodeJS.ProcessEnv): CampaignWebhookConfig | undefined {
  const global = outcomeWebhookSettingsFrom(env);
  const secret = global?.secret ?? outcomeWebhookSecretFrom(env);
  if (!secret) return undefined;
  const publicUrl = env['CAMPAIGN_API_PUBLIC_URL']?.trim().replace(/\/+$/, '') || undefined;
  if (publicUrl) checkOutcomeWebhookUrl(publicUrl, 'CAMPAIGN_API_PUBLIC_URL', env);
  return {
    settings: global ?? { url: '', secret },
    publicUrl,
    redisUrl: env['REDIS_URL']?.trim() || undefined,
    allowInsecureUrls: /^(1|true|yes|on)$/i.test(env['ALLOW_INSECURE_PROVIDER_URLS'] ?? ''),
  };
}

/**
 * Feeds every hosted campaign's final outcomes into one durable outbox; a campaign's own
 * outcome_webhook_url wins over OUTCOME_WEBHOOK_URL. `attach` is given the host once it exists
 * (the host is built with this listener).
 */
export class CampaignOutcomeWebhooks {
  private host?: CampaignHost;
  /** Outcomes of campaigns the host resumed while it was opening, before `attach`. */
  private early: [string, CampaignEvent][] = [];

  private constructor(
    private readonly outbox: OutcomeWebhookOutbox,
    private readonly config: CampaignWebhookConfig,
    private readonly logger?: Logger,
  ) {}

  static open(dataDir: string, config: CampaignWebhookConfig, logger?: Logger): CampaignOutcomeWebhooks {
    const outbox = OutcomeWebhookOutbox.open(join(dataDir, OUTCOME_WEBHOOK_OUTBOX_FILE), config.settings, { logger, redisUrl: config.redisUrl, allowInsecureUrls: config.allowInsecureUrls });
    return new CampaignOutcomeWebhooks(outbox, config, logger);
  }

  attach(host: CampaignHost): void {
    this.host = host;
    for (const [campaignId, event] of this.early.splice(0)) this.onCampaignEvent(campaignId, event);
  }

  readonly onCampaignEvent = (campaignId: string, event: CampaignEvent): void => {
    if (event.type !== 'row-finished') return;
    if (!this.host) {
      this.early.push([campaignId, event]);
      return;
    }
    const publicUrl = this.config.publicUrl;
    const campaign = {
      campaignId,
      csvColumns: this.host.csvColumns(campaignId),
      url: this.host.outcomeWebhookUrl(campaignId),
      transcriptUrl: publicUrl ? (callId: string) => `${publicUrl}/campaigns/${encodeURIComponent(campaignId)}/calls/${encodeURIComponent(callId)}` : undefined,
    };
    try {
      this.outbox.listener(campaign)(event);
    } catch (error) {
      // A campaign URL refused here was accepted at upload by a looser check: said once per outcome, never silently.
      this.logger?.error({ err: error, campaign: campaignId }, 'outcome webhook not queued');
    }
  };

  /** Pending deliveries stay in the outbox (or Redis) for the next start. */
  close(): Promise<void> {
    return this.outbox.close();
  }
}
