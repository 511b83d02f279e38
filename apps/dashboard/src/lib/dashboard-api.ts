import type { CallDetailView, CallRecordList, CampaignEventView, CampaignList, CampaignPreflightView, CampaignReportView, CampaignRowsPage, CampaignView } from '@codcall/gateway-api';
import { rowsQueryString, type RowsQuery } from './campaign-rows-page';
import { EventStreamParser } from './event-stream';

/** The key was refused (401): the dashboard goes back to sign-in and says so. */
export class KeyRefusedError extends Error {
  constructor() {
    super('The API key was refused. Sign in again with a key from CODCALL_API_KEYS.');
  }
}

/** A field of a request the service refused, as agent-api's validation names it. */
export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
  }
}

/** What POST /campaigns/preflight answers: the file checked as POST /campaigns would, nothing created. */
export interface PreflightAnswer {
  preflight: CampaignPreflightView;
  rows: number;
  csv_columns: string[];
}

export interface AgentSummary {
  agent_id: string;
  agent_name: string;
  created_at?: string;
  updated_at?: string;
}

/** The agent-api's routes, under this prefix of the dashboard's origin (the campaign-api forwards them). */
export const AGENT_API_PREFIX = '/agent-api';

export type CampaignAction = 'pause' | 'resume' | 'cancel';

/**
 * The campaign-api and agent-api as the dashboard speaks to them: same origin, every request with
 * `Authorization: Bearer <key>`; a 401 calls `onKeyRefused` and throws KeyRefusedError.
 */
export class DashboardApi {
  constructor(
    private readonly key: string,
    private readonly onKeyRefused: () => void = () => undefined,
    private readonly origin = '',
  ) {}

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.key}`);
    const response = await fetch(`${this.origin}${path}`, { ...init, headers });
    if (response.status === 401) {
      this.onKeyRefused();
      throw new KeyRefusedError();
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await this.request(path, init)).json()) as T;
  }

  /** Checks the key against the campaign-api (GET /campaigns). */
  async signIn(): Promise<void> {
    await this.campaigns();
  }

  campaigns(): Promise<CampaignList> {
    return this.json('/campaigns');
  }

  campaign(id: string): Promise<CampaignView> {
    return this.json(`/campaigns/${encodeURIComponent(id)}`);
  }

  createCampaign(form: FormData): Promise<CampaignView> {
    return this.json('/campaigns', { method: 'POST', body: form });
  }

  /** The server's preflight of an upload; undefined when this campaign-api has no preflight route. */
  async preflight(form: FormData, signal?: AbortSignal): Promise<PreflightAnswer | undefined> {
    try {
      return await this.json<PreflightAnswer>('/campaigns/preflight', { method: 'POST', body: form, signal });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return undefined;
      throw error;
    }
  }

  control(id: string, action: CampaignAction): Promise<CampaignView> {
    return this.json(`/campaigns/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
  }

  /** The campaign's CSV as the service has it, bytes untouched. */
  async csv(id: string): Promise<ArrayBuffer> {
    return (await this.request(`/campaigns/${encodeURIComponent(id)}/csv`)).arrayBuffer();
  }

  /** One page of the campaign's rows, filtered and searched by the service, numbers masked. */
  rows(id: string, query: RowsQuery, signal?: AbortSignal): Promise<CampaignRowsPage> {
    return this.json(`/campaigns/${encodeURIComponent(id)}/rows${rowsQueryString(query)}`, { signal });
  }

  /** The first `limit` calls without transcripts, turns, tool calls and timelines (one bounded page; a call's page loads its own). */
  callSummaries(id: string, limit: number): Promise<CallRecordList> {
    return this.json(`/campaigns/${encodeURIComponent(id)}/calls?fields=summary&limit=${limit}`);
  }

  /** One call, from its own URL (the one outcome webhooks link to). */
  call(campaignId: string, callId: string): Promise<CallDetailView> {
    return this.json(`/campaigns/${encodeURIComponent(campaignId)}/calls/${encodeURIComponent(callId)}`);
  }

  /** The campaign's report, computed by the service (the CLI's `report`). */
  report(campaignId: string): Promise<CampaignReportView> {
    return this.json(`/campaigns/${encodeURIComponent(campaignId)}/report`);
  }

  /** A recording's bytes (an <audio> element cannot send the key itself). */
  async recording(url: string): Promise<Blob> {
    return (await this.request(url)).blob();
  }

  agents(): Promise<{ agents: AgentSummary[] }> {
    return this.json(`${AGENT_API_PREFIX}/agents`);
  }

  agent(id: string): Promise<Record<string, unknown>> {
    return this.json(`${AGENT_API_PREFIX}/agent/${encodeURIComponent(id)}`);
  }

  createAgent(agentJson: unknown): Promise<{ agent_id: string; state: string }> {
    return this.json(`${AGENT_API_PREFIX}/agent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(agentJson) });
  }

  /**
   * Follows GET /campaigns/:id/events until the stream ends after `finished` or `signal` aborts;
   * a dropped connection is taken up again with Last-Event-ID (the service replays or snapshots).
   */
  async followEvents(id: string, onEvent: (event: CampaignEventView) => void, signal: AbortSignal): Promise<void> {
    let lastEventId: string | undefined;
    let finished = false;
    while (!finished && !signal.aborted) {
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        if (lastEventId) headers['last-event-id'] = lastEventId;
        const response = await this.request(`/campaigns/${encodeURIComponent(id)}/events`, { headers, signal });
        if (!response.body) throw new Error('the event stream has no body');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        const parser = new EventStreamParser();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const streamed of parser.push(value)) {
            if (streamed.id) lastEventId = streamed.id;
            const event = JSON.parse(streamed.data) as CampaignEventView;
            onEvent(event);
            if (event.type === 'finished') finished = true;
          }
        }
        // The service ends the stream after `finished`; an end before it is a dropped connection.
      } catch (error) {
        if (signal.aborted || error instanceof KeyRefusedError) return;
        if (error instanceof ApiError && error.status < 500) throw error;
      }
      if (!finished && !signal.aborted) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown; errors?: FieldError[] };
    const message = Array.isArray(body.message) ? body.message.join('; ') : String(body.message ?? body.error ?? response.statusText);
    return new ApiError(response.status, message, Array.isArray(body.errors) ? body.errors : []);
  } catch {
    return new ApiError(response.status, text.slice(0, 300) || `${response.status} ${response.statusText}`);
  }
}
