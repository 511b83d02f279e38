import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallListRepository, type CallListRow, type Outcome } from '@codcall/call-list';
import {
  CAMPAIGN_UPLOAD_FILES,
  type CampaignEventView,
  type CampaignState,
  type CampaignView,
} from '@codcall/gateway-api';

/*
 * A small campaign-api (libs/gateway-api campaign-api.ts) on port 0, for the CLI's --server tests:
 * it parses the multipart upload the CLI sends, "calls" every pending row with the outcome the test
 * scripts, streams the events as server-sent events with ids (Last-Event-ID replay), and serves the
 * finished CSV, written by the real CallListRepository (the upload plus the outcome cells).
 */

export interface ReceivedCampaignUpload {
  fields: Record<string, string>;
  files: Record<string, { name: string; bytes: Buffer }>;
}

export interface FakeCampaignApiOptions {
  /** Every route but /health needs `Authorization: Bearer <apiKey>`; 401 otherwise. */
  apiKey?: string;
  /** The outcome each pending row gets; default confirmed. */
  outcome?: (row: CallListRow) => Outcome;
  /** Pause between two events of a campaign (default 5 ms); the first comes once the campaign's events are first asked for. */
  stepMs?: number;
  /** Keep each campaign from finishing until `release(campaignId)`. */
  holdBeforeFinish?: boolean;
  /** Cut the first event-stream connection of each campaign after this many events. */
  dropFirstStreamAfter?: number;
  /** Answer POST /campaigns with this status and message (a refused upload). */
  refuseUpload?: { status: number; message: string | string[] };
  /** Called when an upload has arrived, before it is answered (a test's Ctrl-C mid-upload). */
  onUpload?: (upload: ReceivedCampaignUpload) => void;
  /** End each campaign `failed` with this error (after its rows), as a campaign-wide refusal would. */
  failWith?: string;
  /** Largest upload body (default 5 MB); more answers 413. */
  maxUploadBytes?: number;
}

interface FakeCampaign {
  view: CampaignView;
  log: { seq: number; event: CampaignEventView }[];
  planned: CampaignEventView[];
  result: Buffer;
  listeners: Set<ServerResponse>;
  released: boolean;
  connections: number;
  /** The one timer that drives the campaign, while one is set. */
  timer?: NodeJS.Timeout;
}

export class FakeCampaignApi {
  /** Every upload received, refused ones included. */
  readonly uploads: ReceivedCampaignUpload[] = [];
  /** The Last-Event-ID header of every event-stream request, in order ('' when none was sent). */
  readonly streamRequests: { campaignId: string; lastEventId: string }[] = [];
  url = '';
  private readonly campaigns = new Map<string, FakeCampaign>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private server?: Server;
  private seq = 100;
  private workDir?: string;

  constructor(private readonly options: FakeCampaignApiOptions = {}) {}

  async start(): Promise<this> {
    this.workDir = await mkdtemp(join(tmpdir(), 'fake-campaign-api-'));
    this.server = createServer((req, res) => void this.handle(req, res).catch((error: Error) => send(res, 500, { message: error.message })));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const campaign of this.campaigns.values()) for (const res of campaign.listeners) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    if (this.workDir) await rm(this.workDir, { recursive: true, force: true });
  }

  /** The ids of the campaigns created, in order. */
  campaignIds(): string[] {
    return [...this.campaigns.keys()];
  }

  /** Resolves once `count` campaigns were created. */
  async created(count: number): Promise<string[]> {
    while (this.campaigns.size < count) await new Promise((resolve) => setTimeout(resolve, 5));
    return this.campaignIds();
  }

  /** Lets a held campaign finish. */
  release(campaignId: string): void {
    const campaign = this.campaigns.get(campaignId);
    if (!campaign) throw new Error(`no campaign ${campaignId}`);
    campaign.released = true;
    if (campaign.connections > 0) this.schedule(campaignId, campaign);
  }

  /** The CSV GET /campaigns/:id/csv serves. */
  resultCsv(campaignId: string): Buffer {
    const campaign = this.campaigns.get(campaignId);
    if (!campaign) throw new Error(`no campaign ${campaignId}`);
    return campaign.result;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { status: 'ok' });
    if (this.options.apiKey && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      req.resume();
      return send(res, 401, { statusCode: 401, message: 'Unauthorized' });
    }
    if (req.method === 'POST' && url.pathname === '/campaigns') return this.create(req, res);
    const match = /^\/campaigns\/([^/]+)(\/events|\/csv)?$/.exec(url.pathname);
    const campaign = match ? this.campaigns.get(decodeURIComponent(match[1])) : undefined;
    if (!match || !campaign || req.method !== 'GET') return send(res, 404, { statusCode: 404, message: 'Not Found' });
    if (match[2] === '/events') return this.stream(match[1], campaign, req, res);
    if (match[2] === '/csv') {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': campaign.result.length });
      return void res.end(campaign.result);
    }
    return send(res, 200, campaign.view);
  }

  private async create(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, this.options.maxUploadBytes ?? 5_000_000);
    if (!body) return send(res, 413, { statusCode: 413, message: 'the upload is larger than the service takes' });
    // The WHATWG Request parses multipart/form-data as any server would, boundary and all.
    const form = await new Request('http://fake/campaigns', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body }).formData();
    const upload: ReceivedCampaignUpload = { fields: {}, files: {} };
    for (const [name, value] of form.entries()) {
      if (typeof value === 'string') upload.fields[name] = value;
      else upload.files[name] = { name: value.name, bytes: Buffer.from(await value.arrayBuffer()) };
    }
    this.uploads.push(upload);
    this.options.onUpload?.(upload);
    if (this.options.refuseUpload) return send(res, this.options.refuseUpload.status, { statusCode: this.options.refuseUpload.status, message: this.options.refuseUpload.message });
    const csv = upload.files[CAMPAIGN_UPLOAD_FILES.csv];
    if (!csv) return send(res, 400, { statusCode: 400, message: 'the csv part is required' });
    if (!upload.fields['agent_id']) return send(res, 400, { statusCode: 400, message: 'agent_id is required' });

    const campaignId = `cmp_${this.campaigns.size + 1}`;
    const file = join(this.workDir as string, `${campaignId}.csv`);
    await writeFile(file, csv.bytes);
    const list = await CallListRepository.open(file);
    const pending = list.pendingRows();
    const planned: CampaignEventView[] = [];
    for (const row of pending) {
      const outcome = this.options.outcome?.(row) ?? { status: 'confirmed' };
      await list.record(row.key, outcome);
      const orderId = row.values['order_id'] || undefined;
      planned.push(
        { type: 'row-started', line: row.line, order_id: orderId, attempt: 1 },
        { type: 'call-placed', line: row.line, order_id: orderId, call_id: `call-${row.line}` },
        { type: 'outcome', line: row.line, order_id: orderId, status: outcome.status, reschedule_date: outcome.reschedule_date, reschedule_time: outcome.reschedule_time, call_id: `call-${row.line}`, attempts: 1, final: true },
      );
    }
    await list.close();
    const now = new Date().toISOString();
    const total = list.rows().length;
    const campaign: FakeCampaign = {
      view: {
        campaign_id: campaignId,
        name: upload.fields['name'] ?? csv.name,
        agent_id: upload.fields['agent_id'],
        provider: upload.fields['provider'] ?? (upload.files[CAMPAIGN_UPLOAD_FILES.simulate] ? 'sim' : 'twilio'),
        state: 'running',
        created_at: now,
        updated_at: now,
        file_name: csv.name,
        rows: { total, done: total - pending.length, pending: pending.length, waiting: 0, in_flight: 0 },
        by_status: {},
      },
      log: [],
      planned,
      result: await readFile(file),
      listeners: new Set(),
      released: !this.options.holdBeforeFinish,
      connections: 0,
    };
    this.campaigns.set(campaignId, campaign);
    send(res, 201, campaign.view);
  }

  /** Publishes the campaign's next planned event after `stepMs`, and `finished` after the last (once released). */
  private schedule(campaignId: string, campaign: FakeCampaign): void {
    if (isFinal(campaign.view.state) || campaign.timer) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      campaign.timer = undefined;
      const next = campaign.planned.shift();
      if (next) {
        if (next.type === 'outcome') {
          campaign.view.rows.done++;
          campaign.view.rows.pending--;
          campaign.view.by_status[next.status] = (campaign.view.by_status[next.status] ?? 0) + 1;
        }
        this.publish(campaign, next);
        return this.schedule(campaignId, campaign);
      }
      if (!campaign.released) return;
      campaign.view.state = this.options.failWith ? 'failed' : 'finished';
      if (this.options.failWith) campaign.view.error = this.options.failWith;
      campaign.view.finished_at = campaign.view.updated_at = new Date().toISOString();
      this.publish(campaign, { type: 'finished', campaign: { ...campaign.view } });
      for (const res of campaign.listeners) res.end();
      campaign.listeners.clear();
    }, this.options.stepMs ?? 5);
    campaign.timer = timer;
    this.timers.add(timer);
  }

  private publish(campaign: FakeCampaign, event: CampaignEventView): void {
    const entry = { seq: ++this.seq, event };
    campaign.log.push(entry);
    for (const res of campaign.listeners) this.write(campaign, res, entry);
  }

  private stream(campaignId: string, campaign: FakeCampaign, req: IncomingMessage, res: ServerResponse): void {
    const lastEventId = String(req.headers['last-event-id'] ?? '');
    this.streamRequests.push({ campaignId, lastEventId });
    campaign.connections++;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': connected\n\n');
    const lastSeq = Number(lastEventId);
    const replay = lastEventId !== '' && Number.isInteger(lastSeq) && lastSeq >= (campaign.log[0]?.seq ?? this.seq) - 1;
    if (replay) {
      for (const entry of campaign.log.filter((logged) => logged.seq > lastSeq)) this.write(campaign, res, entry);
    } else {
      const latest = campaign.log.at(-1)?.seq ?? this.seq;
      this.write(campaign, res, { seq: latest, event: { type: 'snapshot', campaign: { ...campaign.view } } });
    }
    if (isFinal(campaign.view.state)) {
      if (!replay) this.write(campaign, res, { seq: campaign.log.at(-1)?.seq ?? this.seq, event: { type: 'finished', campaign: { ...campaign.view } } });
      return void res.end();
    }
    (res as ServerResponse & { sent?: number }).sent = 0;
    campaign.listeners.add(res);
    res.on('close', () => campaign.listeners.delete(res));
    // The calls start once someone follows, so a test sees every event live, whatever the machine's speed.
    if (campaign.connections === 1) this.schedule(campaignId, campaign);
  }

  private write(campaign: FakeCampaign, res: ServerResponse, entry: { seq: number; event: CampaignEventView }): void {
    if (res.destroyed) return;
    res.write(`id: ${entry.seq}\nevent: ${entry.event.type}\ndata: ${JSON.stringify(entry.event)}\n\n`);
    const counted = res as ServerResponse & { sent?: number };
    counted.sent = (counted.sent ?? 0) + 1;
    const drop = this.options.dropFirstStreamAfter;
    if (drop !== undefined && campaign.connections === 1 && counted.sent >= drop && entry.event.type !== 'finished') {
      campaign.listeners.delete(res);
      res.destroy(); // the connection drops mid-campaign, as a proxy's idle timeout or a network blip would
    }
  }
}

function isFinal(state: CampaignState): boolean {
  return state === 'finished' || state === 'cancelled' || state === 'failed';
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The whole body, or undefined past `max` bytes (the rest is drained, not buffered). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= max) chunks.push(chunk);
  }
  return size > max ? undefined : Buffer.concat(chunks);
}
