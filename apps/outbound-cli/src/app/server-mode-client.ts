import type { CampaignUploadFields, CampaignView } from '@codcall/gateway-api';
import { CAMPAIGN_UPLOAD_FILES } from '@codcall/gateway-api';
import type { FetchLike } from '@codcall/campaign';
import { maskNumbersInText } from '@codcall/logging';
import { ExitCode } from './exit-codes';

/** A refusal or failure of the campaign-api, with the CLI's exit code for it. */
export class CampaignApiError extends Error {
  override readonly name = 'CampaignApiError';

  constructor(
    message: string,
    readonly exitCode: number,
    /** Worth another try (the connection dropped, the service restarts); a refusal is not. */
    readonly retryable = false,
  ) {
    super(message);
  }
}

export interface UploadFile {
  name: string;
  bytes: Buffer;
}

export interface CampaignUpload {
  fields: CampaignUploadFields;
  csv: UploadFile;
  simulate?: UploadFile;
  dnc?: UploadFile;
}

export interface CampaignApiClientOptions {
  fetch?: FetchLike;
  /** CODCALL_API_KEY, sent as a bearer token; never printed. */
  apiKey?: string;
  /** For the upload and the download (the event stream has none: a campaign may wait for hours). */
  requestTimeoutMs?: number;
}

/** Network failures that mean the service is not there (or went away) rather than refused. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** The part of the campaign-api's HTTP API (libs/gateway-api campaign-api.ts) the CLI speaks. */
export class CampaignApiClient {
  readonly baseUrl: string;
  private readonly fetch: FetchLike;
  private readonly apiKey?: string;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, options: CampaignApiClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
    this.apiKey = options.apiKey || undefined;
    this.timeoutMs = options.requestTimeoutMs ?? 120_000;
  }

  async createCampaign(upload: CampaignUpload): Promise<CampaignView> {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) if (value !== undefined) form.append(name, value);
    form.append(CAMPAIGN_UPLOAD_FILES.csv, new Blob([upload.csv.bytes], { type: 'text/csv' }), upload.csv.name);
    if (upload.simulate) form.append(CAMPAIGN_UPLOAD_FILES.simulate, new Blob([upload.simulate.bytes], { type: 'application/json' }), upload.simulate.name);
    if (upload.dnc) form.append(CAMPAIGN_UPLOAD_FILES.dnc, new Blob([upload.dnc.bytes], { type: 'text/plain' }), upload.dnc.name);
    const response = await this.send('/campaigns', { method: 'POST', body: form, signal: AbortSignal.timeout(this.timeoutMs) });
    if (response.status !== 201 && response.status !== 200) throw await this.refusal(response);
    return (await response.json()) as CampaignView;
  }

  async campaign(campaignId: string): Promise<CampaignView> {
    const response = await this.send(`/campaigns/${encodeURIComponent(campaignId)}`, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (response.status !== 200) throw await this.refusal(response, campaignId);
    return (await response.json()) as CampaignView;
  }

  /** Opens the campaign's event stream, resuming after `lastEventId` when given. */
  async openEvents(campaignId: string, lastEventId: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    const response = await this.send(`/campaigns/${encodeURIComponent(campaignId)}/events`, { headers, signal });
    if (response.status !== 200) throw await this.refusal(response, campaignId);
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream') || !response.body) {
      await response.body?.cancel();
      throw new CampaignApiError(`${this.baseUrl} answered the event stream with ${type || 'no content type'}, not text/event-stream: is --server the campaign-api?`, ExitCode.failure);
    }
    return response.body;
  }

  /** The campaign's CSV: the upload byte for byte plus the outcome cells. */
  async downloadCsv(campaignId: string): Promise<Buffer> {
    const response = await this.send(`/campaigns/${encodeURIComponent(campaignId)}/csv`, { signal: AbortSignal.timeout(this.timeoutMs) });
    if (response.status !== 200) throw await this.refusal(response, campaignId);
    return Buffer.from(await response.arrayBuffer());
  }

  private async send(path: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.apiKey) headers['authorization'] = `Bearer ${this.apiKey}`;
    try {
      return await this.fetch(`${this.baseUrl}${path}`, { ...init, headers });
    } catch (error) {
      // The caller let go (Ctrl-C): not the service's fault. A timeout's error is a TimeoutError instead.
      if ((error as Error).name === 'AbortError') throw error;
      throw this.unreachable(error);
    }
  }

  private unreachable(error: unknown): CampaignApiError {
    const cause = (error as { cause?: { code?: string } }).cause;
    const code = cause?.code ?? ((error as Error).name === 'TimeoutError' ? 'no answer in time' : (error as Error).message);
    const known = typeof code === 'string' && (UNREACHABLE_CODES.has(code) || code === 'no answer in time');
    return new CampaignApiError(
      `the campaign-api is unreachable at ${this.baseUrl} (${known ? code : maskNumbersInText(String(code))}): start it (docker compose up -d campaign-api), or point --server or CAMPAIGN_API_URL at it`,
      ExitCode.unreachable,
      true,
    );
  }

  private async refusal(response: Response, campaignId?: string): Promise<CampaignApiError> {
    const message = await messageOf(response);
    if (response.status === 401 || response.status === 403) {
      const what = this.apiKey ? 'refused the API key' : 'requires an API key';
      return new CampaignApiError(`the campaign-api at ${this.baseUrl} ${what}: set CODCALL_API_KEY to one of the campaign-api's CODCALL_API_KEYS`, ExitCode.badInput);
    }
    if (response.status === 404 && campaignId !== undefined) {
      return new CampaignApiError(`the campaign-api at ${this.baseUrl} has no campaign ${campaignId}${message ? ` (${message})` : ''}`, ExitCode.badInput);
    }
    if (response.status >= 400 && response.status < 500) {
      return new CampaignApiError(`the campaign-api refused the campaign: ${message || `HTTP ${response.status}`}`, ExitCode.badInput);
    }
    // 502/503/504: the service or a proxy in front of it is (re)starting.
    const retryable = response.status === 502 || response.status === 503 || response.status === 504;
    return new CampaignApiError(`the campaign-api at ${this.baseUrl} answered HTTP ${response.status}${message ? `: ${message}` : ''}`, retryable ? ExitCode.unreachable : ExitCode.failure, retryable);
  }
}

/** The message of an error answer: NestJS's `{ message: string | string[] }`, or the text itself, masked and bounded. */
async function messageOf(response: Response): Promise<string> {
  const text = (await response.text().catch(() => '')).slice(0, 2000);
  let message = text.trim();
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (Array.isArray(body.message)) message = body.message.map(String).join('; ');
    else if (typeof body.message === 'string') message = body.message;
  } catch {
    // not JSON: the text as it came
  }
  return maskNumbersInText(message);
}
