import { CAMPAIGN_UPLOAD_FILES } from '@codcall/gateway-api';

/** What multer's disk storage tells of each file part. */
export interface StoredPart {
  path: string;
  originalname: string;
}
export type UploadedParts = Partial<Record<keyof typeof CAMPAIGN_UPLOAD_FILES, StoredPart[]>>;

/** The file parts POST /campaigns (and its preflight) take, one of each. */
export const UPLOAD_PARTS = Object.values(CAMPAIGN_UPLOAD_FILES).map((name) => ({ name, maxCount: 1 }));
