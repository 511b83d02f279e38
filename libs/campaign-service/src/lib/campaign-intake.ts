import { readFile, stat } from 'node:fs/promises';
import { CallListError, CallListRepository, type CallListRow } from '@codcall/call-list';
import {
  AGENT_RETRY_SETTING_NAMES,
  AgentNotFoundError,
  ApiKeyRefusedError,
  assertRowsFit,
  CampaignOptionsError,
  CarrierNotConfiguredError,
  GatewayRequestError,
  loadDoNotCallList,
  parseSimulatedCallees,
  retrySettingsFromAgentConfig,
  reviewCallList,
  RowsOverGatewayLimitsError,
  ServiceUnreachableError,
  SimulatedCalleesError,
  tallyRowStatuses,
  type CallListReview,
  type GatewayClient,
  type GatewayHealth,
  type RetryPolicy,
} from '@codcall/campaign';
import type { CampaignPreflightView, CampaignRowCounts } from '@codcall/gateway-api';
import { maskNumbersInText, type Logger } from '@codcall/logging';
import { CampaignRefusedError } from './campaign-errors';
import { parseCampaignSettings, resolveRetry, type CampaignSettings } from './campaign-settings';

/** What agent-api must answer for a campaign: its agent's config (AgentNotFoundError when there is none). */
export interface CampaignAgents {
  fetchAgentConfig(agentId: string): Promise<Record<string, unknown>>;
}

/** An uploaded file, already on disk (the app's upload folder, under DATA_DIR): the service moves it into the campaign. */
export interface UploadedFile {
  path: string;
  /** The name the uploader gave it. */
  fileName?: string;
}

/** POST /campaigns as the service takes it: the text fields and the files. */
export interface CampaignUpload {
  fields: Partial<Record<string, string>>;
  csv?: UploadedFile;
  simulate?: UploadedFile;
  dnc?: UploadedFile;
}

export interface UploadLimits {
  /** Bytes of the CSV (default 50 MB); the callee and do-not-call files get the same bound. */
  maxUploadBytes: number;
  /** Rows of the CSV (default 200,000). */
  maxRows: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxUploadBytes: 50 * 1024 * 1024, maxRows: 200_000 };
/** Entries per list in the preflight view: enough to fix a file, bounded for a 200,000-row one. */
const PREFLIGHT_LIST_MAX = 100;

/** What the checks found: the campaign may be created with these. */
export interface AcceptedUpload {
  settings: CampaignSettings;
  retryPolicy: RetryPolicy;
  health: GatewayHealth;
  preflight: CampaignPreflightView;
  csvColumns: string[];
  rows: number;
  /** The file's counts before anything is dialled. */
  counts: { rows: CampaignRowCounts; byStatus: Record<string, number> };
}

/**
 * Checks an upload as the CLI checks a campaign before dialling: the fields, the callee and
 * do-not-call files, the CSV (encoding, columns, size, rows), the gateway and its carrier, the
 * agent, and the rows against the gateway's limits. `csvPath` is the CSV where it now lies (the
 * campaign's staging folder). Throws CampaignRefusedError naming what is wrong.
 */
export async function checkUpload(input: {
  upload: CampaignUpload;
  csvPath: string;
  limits: UploadLimits;
  gateway: GatewayClient;
  agents: CampaignAgents;
  logger: Logger;
}): Promise<AcceptedUpload> {
  const { upload, csvPath, limits } = input;
  const fileName = upload.csv?.fileName || 'call_list.csv';
  try {
    const settings = parseCampaignSettings(upload.fields, upload.simulate !== undefined);
    for (const part of ['simulate', 'dnc'] as const) {
      const file = upload[part];
      if (file && (await stat(file.path)).size > limits.maxUploadBytes) throw new CampaignRefusedError('too_large', `${part} is larger than the limit of ${limits.maxUploadBytes} bytes`);
    }
    if (upload.simulate) parseSimulatedCallees(parseJson(await readFile(upload.simulate.path, 'utf8')), 'simulate');
    if (upload.dnc) await loadDoNotCallList(upload.dnc.path).catch((error: Error) => Promise.reject(renamePath(error, upload.dnc!.path, 'dnc')));
    if ((await stat(csvPath)).size > limits.maxUploadBytes) throw new CampaignRefusedError('too_large', `${fileName} is larger than the limit of ${limits.maxUploadBytes} bytes`);

    const list = await CallListRepository.open(csvPath, { strictNumbers: settings.strictNumbers, readOnly: true }).catch((error: Error) => Promise.reject(renamePath(error, csvPath, fileName)));
    try {
      const rows = list.rows();
      if (rows.length > limits.maxRows) throw new CampaignRefusedError('too_large', `${fileName} has ${rows.length} rows, more than the limit of ${limits.maxRows}: split the call list`);
      if (rows.length === 0) throw new CampaignRefusedError('invalid', `${fileName} has no rows to call`);

      const health = await input.gateway.health();
      if (!health.carriers.includes(settings.carrier)) throw new CarrierNotConfiguredError(settings.carrier, input.gateway.baseUrl, health.carriers);
      const agentConfig = await input.agents.fetchAgentConfig(settings.agentId);
      const retryPolicy = resolveRetry(settings.retry, retrySettingsFromAgentConfig(agentConfig), AGENT_RETRY_SETTING_NAMES);

      const review = reviewCallList({
        pending: list.pendingRows(),
        unknown: list.unknownStatusRows(),
        dialUnknownStatuses: settings.dialUnknownStatuses,
        skipRowsOverLimits: settings.skipOversizedRows,
        limits: health.limits,
        requestFor: (row, e164) => ({ agentId: settings.agentId, to: e164, context: { ...row.values }, carrier: settings.carrier }),
      });
      assertRowsFit(review, fileName);
      const preflight = preflightView(rows, review);
      const byStatus = tallyRowStatuses(rows);
      if ('' in byStatus) {
        byStatus['pending'] = (byStatus['pending'] ?? 0) + byStatus[''];
        delete byStatus[''];
      }
      const counts = { rows: { total: rows.length, done: preflight.already_final, pending: review.toProcess.length, waiting: 0, in_flight: 0 }, byStatus };
      return { settings, retryPolicy, health, preflight, csvColumns: [...list.headers], rows: rows.length, counts };
    } finally {
      await list.close();
    }
  } catch (error) {
    throw refusalFrom(error);
  }
}

/** The preflight of the contract: what the user should know of the file before anything is dialled. */
function preflightView(rows: readonly CallListRow[], review: CallListReview): CampaignPreflightView {
  const processed = new Set(review.toProcess.map((row) => row.key));
  return {
    invalid_numbers: review.toProcess
      .filter((row) => !row.phone.ok)
      .slice(0, PREFLIGHT_LIST_MAX)
      .map((row) => ({ line: row.line, reason: row.phone.ok ? '' : maskNumbersInText(row.phone.reason) })),
    unknown_statuses: review.unknownStatuses.slice(0, PREFLIGHT_LIST_MAX).map(({ row, text }) => ({ line: row.line, status: text })),
    duplicates: review.duplicates.slice(0, PREFLIGHT_LIST_MAX).map((group) => ({ lines: group.map((row) => row.line) })),
    already_final: rows.filter((row) => row.statusKind === 'final' && !processed.has(row.key)).length,
    unknown_languages: review.unknownLanguages.slice(0, PREFLIGHT_LIST_MAX).map(({ row, text }) => ({ line: row.line, language: text })),
  };
}

/** The campaign lib's errors as refusals; anything else (a bug, a disk error) goes on as it is. */
export function refusalFrom(error: unknown): unknown {
  if (error instanceof CampaignRefusedError) return error;
  if (error instanceof AgentNotFoundError) return new CampaignRefusedError('agent_not_found', `${error.message}: create it with POST /agent on agent-api and pass the agent_id it returns`);
  if (error instanceof CarrierNotConfiguredError) return new CampaignRefusedError('carrier_not_configured', error.message);
  if (error instanceof ServiceUnreachableError || error instanceof ApiKeyRefusedError || error instanceof GatewayRequestError) {
    return new CampaignRefusedError('unreachable', error.message);
  }
  if (error instanceof CallListError || error instanceof SimulatedCalleesError || error instanceof CampaignOptionsError || error instanceof RowsOverGatewayLimitsError) {
    return new CampaignRefusedError('invalid', error.message);
  }
  return error;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new SimulatedCalleesError(`simulate: not valid JSON (${(error as Error).message})`);
  }
}

/** Messages name the part as uploaded, never the service's own folders. */
function renamePath(error: Error, path: string, shown: string): Error {
  error.message = error.message.split(path).join(shown);
  return error;
}
