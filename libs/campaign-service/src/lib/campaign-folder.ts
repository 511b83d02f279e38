import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CampaignPreflightView, CampaignRowCounts, CampaignState } from '@codcall/gateway-api';
import type { CampaignSettings } from './campaign-settings';

/** campaign.json: what the service knows of a campaign besides its CSV and store. */
export interface CampaignRecord {
  campaignId: string;
  name: string;
  fileName: string;
  state: CampaignState;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  error?: string;
  settings: CampaignSettings;
  /** The resolved retry policy, so a resumed run retries as the first did even if the agent changed. */
  retryPolicy: { statuses: string[]; maxAttempts: number; firstDelayMs: number; backoffFactor: number };
  preflight?: CampaignPreflightView;
  /** The last counts taken, so a list of stopped campaigns reads no CSV. */
  rows?: CampaignRowCounts;
  byStatus?: Record<string, number>;
  nextDueAt?: string;
  csvColumns?: string[];
}

export const CALL_LIST_FILE = 'call_list.csv';
export const RECORD_FILE = 'campaign.json';
export const STORE_FILE = 'store.sqlite';
export const CALLEES_FILE = 'callees.json';
export const DO_NOT_CALL_FILE = 'dnc.txt';
const CAMPAIGN_ID = /^[a-z0-9][a-z0-9-]{7,63}$/;

/** `<DATA_DIR>/campaigns/<campaign_id>/`: the call list, campaign.json, store.sqlite, callees.json, dnc.txt. */
export class CampaignFolder {
  constructor(readonly dir: string) {}

  get callList(): string {
    return join(this.dir, CALL_LIST_FILE);
  }
  get store(): string {
    return join(this.dir, STORE_FILE);
  }
  get callees(): string {
    return join(this.dir, CALLEES_FILE);
  }
  get doNotCall(): string {
    return join(this.dir, DO_NOT_CALL_FILE);
  }

  read(): CampaignRecord {
    return JSON.parse(readFileSync(join(this.dir, RECORD_FILE), 'utf8')) as CampaignRecord;
  }

  /** Temp file, fsync, rename: a crash leaves the old record or the new one, never half of one. */
  async write(record: CampaignRecord): Promise<void> {
    const target = join(this.dir, RECORD_FILE);
    const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(JSON.stringify(record, null, 2));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }
}

/** The campaigns under `root`, oldest first; folders without a readable campaign.json (an upload cut short) are skipped. */
export function listCampaignFolders(root: string): { folder: CampaignFolder; record: CampaignRecord }[] {
  mkdirSync(root, { recursive: true });
  const found: { folder: CampaignFolder; record: CampaignRecord }[] = [];
  for (const name of readdirSync(root)) {
    if (!CAMPAIGN_ID.test(name)) continue;
    const folder = new CampaignFolder(join(root, name));
    if (!existsSync(join(folder.dir, RECORD_FILE))) continue;
    try {
      found.push({ folder, record: folder.read() });
    } catch {
      continue; // unreadable: left for an operator to look at, never overwritten
    }
  }
  return found.sort((a, b) => a.record.createdAt.localeCompare(b.record.createdAt) || a.record.campaignId.localeCompare(b.record.campaignId));
}

export function isCampaignId(value: string): boolean {
  return CAMPAIGN_ID.test(value);
}
