export type CampaignStoreErrorCode = 'UNREADABLE' | 'NOT_A_STORE' | 'NEWER_SCHEMA' | 'UNKNOWN_ATTEMPT' | 'LOCKED' | 'LOCK_FAILED';

export class CampaignStoreError extends Error {
  override readonly name = 'CampaignStoreError';

  constructor(
    readonly code: CampaignStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}
