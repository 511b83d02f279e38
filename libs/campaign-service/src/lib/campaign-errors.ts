/**
 * Why an upload was refused: `invalid` (a field, the CSV, the callee or do-not-call file, rows over
 * the gateway's limits), `too_large` (bytes or rows over the service's limits), `agent_not_found`,
 * `carrier_not_configured`, `unreachable` (agent-api or the gateway is down). The app maps each to
 * an HTTP status; the message names the field or file at fault and never a full phone number.
 */
export type CampaignRefusalKind = 'invalid' | 'too_large' | 'agent_not_found' | 'carrier_not_configured' | 'unreachable';

export class CampaignRefusedError extends Error {
  override readonly name = 'CampaignRefusedError';

  constructor(
    readonly kind: CampaignRefusalKind,
    message: string,
  ) {
    super(message);
  }
}

export class CampaignNotFoundError extends Error {
  override readonly name = 'CampaignNotFoundError';

  constructor(readonly campaignId: string) {
    super(`campaign ${campaignId} not found`);
  }
}

/** A pause, resume or cancel the campaign's state does not allow (resuming a finished campaign). */
export class CampaignStateError extends Error {
  override readonly name = 'CampaignStateError';
}

/** A call id the campaign has no call of (a transcript_url of another campaign, or a typo). */
export class CallNotFoundError extends Error {
  override readonly name = 'CallNotFoundError';

  constructor(
    readonly campaignId: string,
    readonly callId: string,
  ) {
    super(`campaign ${campaignId} has no call ${callId}`);
  }
}
