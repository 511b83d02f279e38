import { join } from 'node:path';
import type { CampaignEventView, CampaignView } from '@codcall/gateway-api';
import { startService, withApiKey, WORKSPACE, type RunningService } from './processes';

export const CAMPAIGN_API_MAIN = join(WORKSPACE, 'dist/apps/campaign-api/apps/campaign-api/src/main.js');

export interface RunningCampaignApi extends RunningService {
  /** SIGKILL: no drain, no last write; resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * The built campaign-api as its own process on `port`, keeping its campaigns in `dataDir` (which
 * outlives the process, so a second start over it resumes them), with this run's API key.
 */
export async function startCampaignApi(options: { port: number; dataDir: string; agentApiUrl: string; gatewayUrl: string; env?: Record<string, string> }): Promise<RunningCampaignApi> {
  const service = await startService(
    CAMPAIGN_API_MAIN,
    {
      CAMPAIGN_API_PORT: String(options.port),
      CAMPAIGN_API_HOST: '127.0.0.1',
      DATA_DIR: options.dataDir,
      AGENT_API_URL: options.agentApiUrl,
      GATEWAY_URL: options.gatewayUrl,
      LOG_LEVEL: 'warn',
      // Stopping at the end of a story waits this long at most for calls still in flight.
      CAMPAIGN_DRAIN_TIMEOUT_SECONDS: '5',
      ...options.env,
    },
    options.port,
  );
  return {
    ...service,
    kill: async () => {
      if (service.process.exitCode !== null || service.process.signalCode !== null) return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the campaign-api did not exit within 10 s of SIGKILL')), 10_000);
        service.process.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        service.process.kill('SIGKILL');
      });
      await service.stop(); // removes its temporary folder; the process is already gone
    },
  };
}

/** POST /campaigns as a browser or the CLI's --server mode sends it: multipart, with this run's key. */
export async function uploadCampaign(url: string, fields: Record<string, string>, files: { csv: Buffer; fileName?: string; simulate?: Buffer }): Promise<CampaignView> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('csv', new Blob([files.csv], { type: 'text/csv' }), files.fileName ?? 'call_list.csv');
  if (files.simulate) form.append('simulate', new Blob([files.simulate], { type: 'application/json' }), 'callees.json');
  const response = await fetch(`${url}/campaigns`, { method: 'POST', headers: withApiKey(), body: form });
  if (response.status !== 201) throw new Error(`POST /campaigns answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as CampaignView;
}

export interface ReceivedEvent {
  id: string;
  event: CampaignEventView;
}

/**
 * Follows GET /campaigns/:id/events until the stream ends (after `finished`), `stopAfter` says
 * so, or the connection drops (a killed service): resolves with what came, in order.
 */
export async function followCampaignEvents(
  url: string,
  campaignId: string,
  options: { lastEventId?: string; stopAfter?: (event: CampaignEventView) => boolean; timeoutMs?: number } = {},
): Promise<ReceivedEvent[]> {
  const headers = withApiKey(options.lastEventId ? { 'last-event-id': options.lastEventId } : {});
  // A campaign that never ends fails the story with what came, rather than hanging it.
  const response = await fetch(`${url}/campaigns/${campaignId}/events`, { headers, signal: AbortSignal.timeout(options.timeoutMs ?? 45_000) });
  if (response.status !== 200) throw new Error(`GET /campaigns/${campaignId}/events answered ${response.status}: ${await response.text()}`);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: ReceivedEvent[] = [];
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return events;
      text += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (id === undefined || data === undefined) continue; // a heartbeat
        const event = JSON.parse(data) as CampaignEventView;
        events.push({ id, event });
        if (options.stopAfter?.(event)) {
          await reader.cancel();
          return events;
        }
      }
    }
  } catch {
    return events; // the service went away mid-stream
  }
}
