import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { copyFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CallListRepository } from '@codcall/call-list';
import { CampaignLock, CampaignStore, CampaignStoreError } from '@codcall/campaign-store';
import {
  CampaignStoppedError,
  CarrierNotConfiguredError,
  GatewayCapacityError,
  loadDoNotCallList,
  loadSimulatedCallees,
  parseCallingWindow,
  runCampaign,
  ServiceUnreachableError,
  type CampaignEvent,
  type GatewayClient,
  type GatewayHealth,
  type RetryPolicy,
} from '@codcall/campaign';
import {
  FINAL_CAMPAIGN_STATES,
  type CallDetailView,
  type CallRecordView,
  type CampaignEventView,
  type CampaignReportView,
  type CampaignRowsPage,
  type CampaignState,
  type CampaignView,
} from '@codcall/gateway-api';
import { maskNumbersInText, silentLogger, type Logger } from '@codcall/logging';
import { callRecords, countRows, type RowTracker } from './campaign-counts';
import { CallNotFoundError, CampaignNotFoundError, CampaignRefusedError, CampaignStateError } from './campaign-errors';
import { campaignEvent, CampaignEventFeed, DEFAULT_EVENT_BUFFER, eventView, type FeedEntry, type FeedListener } from './campaign-event-feed';
import { CampaignFolder, isCampaignId, listCampaignFolders, type CampaignRecord } from './campaign-folder';
import { checkUpload, DEFAULT_UPLOAD_LIMITS, refusalFrom, type CampaignAgents, type CampaignUpload, type UploadLimits } from './campaign-intake';
import { callDetailView, CampaignReportCache, reportCampaign } from './campaign-report-view';
import { CampaignRowsCache, type CampaignRowsQuery } from './campaign-rows-view';
import type { CampaignSettings } from './campaign-settings';

/** Which gateway a campaign dials through: HTTP to one gateway, or (distributed mode) a queue. */
export type GatewayClientFactory = (campaign: { campaignId: string; callsPerSecond: number; concurrency?: number }) => GatewayClient & { close?: () => Promise<void> };

export interface CampaignHostOptions {
  /** Campaigns live under `<dataDir>/campaigns/<campaign_id>/`. */
  dataDir: string;
  agents: CampaignAgents;
  gatewayFor: GatewayClientFactory;
  limits?: Partial<UploadLimits>;
  /** Every run event of every campaign, as runCampaign emits it (outcome webhooks plug in here). */
  onCampaignEvent?: (campaignId: string, event: CampaignEvent) => void;
  logger?: Logger;
  /** Long-poll length for GET /call/:id (default runCampaign's). */
  pollSeconds?: number;
  /** After a pause or a shutdown, how long calls in flight are waited for (default runCampaign's). */
  drainTimeoutMs?: number;
  /** Events kept per campaign for Last-Event-ID replay (default 2,000). */
  eventBufferSize?: number;
  /** While the gateway is unreachable, how often a running campaign looks again (default 2 s). */
  gatewayRetryMs?: number;
}

/** Why a run was told to stop: its state then says what comes next. */
type StopReason = 'pause' | 'cancel' | 'shutdown';

interface ActiveRun {
  controller: AbortController;
  stopReason?: StopReason;
  done: Promise<void>;
  repository?: CallListRepository;
  store?: CampaignStore;
}

class HostedCampaign implements RowTracker {
  readonly feed: CampaignEventFeed;
  readonly inFlight = new Set<string>();
  /** Rows waiting for a retry or a callback time, with when they are due. */
  readonly waitingRows = new Map<string, number>();
  lastWaiting?: { rows: number; nextDueAt: number };
  run?: ActiveRun;
  private writes: Promise<void> = Promise.resolve();
  private cachedView?: { at: number; view: CampaignView };

  constructor(
    readonly folder: CampaignFolder,
    public record: CampaignRecord,
    bufferSize: number,
  ) {
    this.feed = new CampaignEventFeed(bufferSize);
  }

  get id(): string {
    return this.record.campaignId;
  }

  /** campaign.json is written in order, one write at a time. */
  persist(logger: Logger): Promise<void> {
    this.record.updatedAt = new Date().toISOString();
    const snapshot = structuredClone(this.record);
    this.writes = this.writes.then(() => this.folder.write(snapshot)).catch((error: unknown) => logger.error({ err: error, campaign: this.id }, 'could not write campaign.json'));
    this.cachedView = undefined;
    return this.writes;
  }

  /** A view at most a second old while it runs: counting 200,000 rows on every poll would be the service's main cost. */
  view(): CampaignView {
    const now = Date.now();
    if (this.cachedView && now - this.cachedView.at < 1000) return this.cachedView.view;
    const live = this.run?.repository && this.run.store ? countRows(this.run.repository, this.run.store, this, this.record, now) : undefined;
    if (live) Object.assign(this.record, live);
    const view = toView(this.record);
    if (live) this.cachedView = { at: now, view };
    return view;
  }

  forgetView(): void {
    this.cachedView = undefined;
  }
}

/**
 * Hosts the campaigns of one campaign-api: each uploaded CSV is its campaign's call list, of which
 * this is the one writer (through CallListRepository, journalled), with campaign.json (options,
 * state, times) and store.sqlite beside it. Runs each campaign with runCampaign, several at once;
 * pause and cancel abort the run (calls in flight drain and are recorded), resume runs it again
 * over the same store, and a campaign that was running when the service stopped, SIGKILL
 * included, is resumed when it starts again.
 */
export class CampaignHost {
  private readonly campaigns = new Map<string, HostedCampaign>();
  private readonly root: string;
  private readonly logger: Logger;
  private readonly limits: UploadLimits;
  private readonly reports = new CampaignReportCache();
  private readonly rowViews = new CampaignRowsCache();
  private closing = false;

  private constructor(
    private readonly options: CampaignHostOptions,
    private readonly lock: CampaignLock,
  ) {
    this.root = join(options.dataDir, 'campaigns');
    this.logger = (options.logger ?? silentLogger()).child({ component: 'campaign-host' });
    this.limits = { ...DEFAULT_UPLOAD_LIMITS, ...options.limits };
  }

  /** Takes the data folder (one service per folder) and resumes every campaign that was running or waiting. */
  static async open(options: CampaignHostOptions): Promise<CampaignHost> {
    const root = join(options.dataDir, 'campaigns');
    mkdirSync(root, { recursive: true });
    const host = new CampaignHost(options, takeDataFolder(root));
    for (const { folder, record } of listCampaignFolders(root)) {
      const campaign = new HostedCampaign(folder, record, options.eventBufferSize ?? DEFAULT_EVENT_BUFFER);
      host.campaigns.set(record.campaignId, campaign);
      if (record.state === 'running' || record.state === 'waiting') {
        host.logger.info({ campaign: record.campaignId, state: record.state }, 'resuming a campaign that was running when the service stopped');
        host.startRun(campaign);
      }
    }
    removeStaleStaging(root);
    return host;
  }

  /** Checks the upload as the CLI would and, when it passes, creates the campaign and starts it. */
  async create(upload: CampaignUpload): Promise<CampaignView> {
    if (this.closing) throw new CampaignStateError('the service is shutting down');
    if (!upload.csv) throw new CampaignRefusedError('invalid', 'the csv file part is required (multipart field "csv")');
    const campaignId = randomUUID();
    const staging = new CampaignFolder(join(this.root, `.incoming-${campaignId}`));
    mkdirSync(staging.dir, { recursive: true });
    try {
      await moveFile(upload.csv.path, staging.callList);
      const gateway = this.options.gatewayFor({ campaignId, callsPerSecond: 1 });
      let accepted;
      try {
        accepted = await checkUpload({ upload, csvPath: staging.callList, limits: this.limits, gateway, agents: this.options.agents, logger: this.logger });
      } finally {
        await gateway.close?.();
      }
      if (upload.simulate) await moveFile(upload.simulate.path, staging.callees);
      if (upload.dnc) await moveFile(upload.dnc.path, staging.doNotCall);
      const now = new Date().toISOString();
      const fileName = safeFileName(upload.csv.fileName);
      const record: CampaignRecord = {
        campaignId,
        name: upload.fields['name']?.trim().slice(0, 200) || fileName,
        fileName,
        state: 'running',
        createdAt: now,
        updatedAt: now,
        settings: accepted.settings,
        retryPolicy: serialisePolicy(accepted.retryPolicy),
        preflight: accepted.preflight,
        csvColumns: accepted.csvColumns,
        rows: accepted.counts.rows,
        byStatus: accepted.counts.byStatus,
      };
      await staging.write(record);
      const folder = new CampaignFolder(join(this.root, campaignId));
      await rename(staging.dir, folder.dir); // the campaign exists, whole, from this rename on
      const campaign = new HostedCampaign(folder, record, this.options.eventBufferSize ?? DEFAULT_EVENT_BUFFER);
      this.campaigns.set(campaignId, campaign);
      this.logger.info({ campaign: campaignId, rows: accepted.rows, carrier: accepted.settings.carrier }, 'campaign created');
      this.startRun(campaign, accepted.health);
      return campaign.view();
    } catch (error) {
      rmSync(staging.dir, { recursive: true, force: true });
      throw refusalFrom(error);
    } finally {
      for (const file of [upload.csv, upload.simulate, upload.dnc]) if (file) await unlink(file.path).catch(() => undefined);
    }
  }

  list(): CampaignView[] {
    return [...this.campaigns.values()].map((campaign) => campaign.view());
  }

  get(campaignId: string): CampaignView {
    return this.campaign(campaignId).view();
  }

  /** The campaign's column names, for listeners that send rows on (outcome webhooks). */
  csvColumns(campaignId: string): string[] {
    return [...(this.campaign(campaignId).record.csvColumns ?? [])];
  }

  /** The campaign's own outcome webhook URL (its upload's outcome_webhook_url), when it gave one. */
  outcomeWebhookUrl(campaignId: string): string | undefined {
    return this.campaign(campaignId).record.settings.outcomeWebhookUrl;
  }

  /** The options the campaign was uploaded with (its own outcome_webhook_url among them). */
  settings(campaignId: string): CampaignSettings {
    return structuredClone(this.campaign(campaignId).record.settings);
  }

  /** No new dials; calls in flight finish and are recorded. */
  async pause(campaignId: string): Promise<CampaignView> {
    const campaign = this.campaign(campaignId);
    if (campaign.record.state === 'paused') return campaign.view();
    this.assertNotFinal(campaign, 'paused');
    await this.setState(campaign, 'paused');
    this.stopRun(campaign, 'pause');
    return campaign.view();
  }

  /** Runs a paused campaign again over its store: it carries on where it stopped, nothing dialled twice. */
  async resume(campaignId: string): Promise<CampaignView> {
    const campaign = this.campaign(campaignId);
    if (this.closing) throw new CampaignStateError('the service is shutting down');
    this.assertNotFinal(campaign, 'resumed');
    if (campaign.run && !campaign.run.stopReason) return campaign.view();
    await campaign.run?.done; // a pause still draining its calls
    if (FINAL_CAMPAIGN_STATES.includes(campaign.record.state)) return campaign.view(); // cancelled meanwhile
    await this.setState(campaign, 'running');
    this.startRun(campaign);
    return campaign.view();
  }

  /** No new dials; calls in flight finish and are recorded; rows not called are left as they are. */
  async cancel(campaignId: string): Promise<CampaignView> {
    const campaign = this.campaign(campaignId);
    if (campaign.record.state === 'cancelled') return campaign.view();
    this.assertNotFinal(campaign, 'cancelled');
    this.stopRun(campaign, 'cancel');
    if (!campaign.run) await this.finish(campaign, 'cancelled');
    else await this.setState(campaign, 'cancelled');
    return campaign.view();
  }

  /** Resolves once the campaign has no run going on (a pause or cancel has drained). */
  async idle(campaignId: string): Promise<void> {
    await this.campaign(campaignId).run?.done;
  }

  /** The CSV with every outcome recorded so far written into it; read it at once (a later rewrite renames a new file over it). */
  async csvFile(campaignId: string): Promise<string> {
    const campaign = this.campaign(campaignId);
    await campaign.run?.repository?.flush();
    return campaign.folder.callList;
  }

  /** One page of the campaign's rows as its CSV now reads, with their attempts and latest call (numbers masked). */
  rows(campaignId: string, query: CampaignRowsQuery): Promise<CampaignRowsPage> {
    const campaign = this.campaign(campaignId);
    // Taken now: the run may open or close its files while a stopped campaign's file is read.
    const open = { repository: campaign.run?.repository, store: campaign.run?.store };
    return this.rowViews.of(campaign.id, campaign.folder).page(open, query);
  }

  /** The call records, oldest first (`offset`, `limit` page through them; `summary` without transcripts, turns, tool calls and timelines). */
  async calls(campaignId: string, page: { offset?: number; limit?: number; summary?: boolean } = {}): Promise<CallRecordView[]> {
    const campaign = this.campaign(campaignId);
    return (await callRecords(campaign.folder, campaign.id, campaign.run, page)).map((call) => call.view);
  }

  /** One call, found by the id an outcome webhook's transcript_url carries. */
  async call(campaignId: string, callId: string): Promise<CallDetailView> {
    const campaign = this.campaign(campaignId);
    const [found] = await callRecords(campaign.folder, campaign.id, campaign.run, { callId });
    if (!found) throw new CallNotFoundError(campaign.id, callId.slice(0, 100));
    return callDetailView(found);
  }

  /** The CLI's report of the campaign, computed here (reused for a few seconds while it runs). */
  report(campaignId: string): Promise<CampaignReportView> {
    const campaign = this.campaign(campaignId);
    const { state, updatedAt } = campaign.record;
    return this.reports.get(campaign.id, `${state} ${updatedAt}`, !!campaign.run, () => reportCampaign(campaign.folder, campaign.id, campaign.run));
  }

  /** The recording's path when this service can read it; undefined otherwise. */
  async recordingPath(campaignId: string, callId: string): Promise<string | undefined> {
    const campaign = this.campaign(campaignId);
    const calls = await callRecords(campaign.folder, campaign.id, campaign.run, { callId });
    return calls[0]?.recordingPath;
  }

  /**
   * The events a client should get first: the ones it missed after `lastSeq` when still kept, else a
   * snapshot; then `listener` gets each new one. Returns the first events and the unsubscribe.
   */
  follow(campaignId: string, lastSeq: number | undefined, listener: FeedListener): { initial: FeedEntry[]; unsubscribe: () => void } {
    const campaign = this.campaign(campaignId);
    const missed = campaign.feed.missedSince(lastSeq);
    const initial = missed ?? [{ seq: campaign.feed.latestSeq, event: campaignEvent('snapshot', campaign.view()) }];
    if (FINAL_CAMPAIGN_STATES.includes(campaign.record.state) && !initial.some((entry) => entry.event.type === 'finished')) {
      initial.push({ seq: campaign.feed.latestSeq, event: campaignEvent('finished', campaign.view()) });
    }
    return { initial, unsubscribe: campaign.feed.subscribe(listener) };
  }

  /**
   * Stops every run as a pause would (calls in flight drain and are recorded) but keeps each
   * campaign's state as it was, so the next start resumes them; then releases the data folder.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const campaign of this.campaigns.values()) this.stopRun(campaign, 'shutdown');
    await Promise.all([...this.campaigns.values()].map((campaign) => campaign.run?.done));
    this.lock.release();
  }

  // ---- runs ----

  private startRun(campaign: HostedCampaign, health?: GatewayHealth): void {
    const run: ActiveRun = { controller: new AbortController(), done: Promise.resolve() };
    campaign.run = run;
    run.done = this.runUntilStopped(campaign, run, health)
      .catch((error: unknown) => this.logger.error({ err: error, campaign: campaign.id }, 'campaign run failed unexpectedly'))
      .finally(() => {
        if (campaign.run === run) campaign.run = undefined;
        campaign.inFlight.clear();
        campaign.forgetView();
        this.rowViews.runEnded(campaign.id);
      });
  }

  private stopRun(campaign: HostedCampaign, reason: StopReason): void {
    const run = campaign.run;
    if (!run) return;
    run.stopReason ??= reason;
    if (reason === 'cancel') run.stopReason = 'cancel';
    run.controller.abort();
  }

  private async runUntilStopped(campaign: HostedCampaign, run: ActiveRun, health?: GatewayHealth): Promise<void> {
    const { settings } = campaign.record;
    const signal = run.controller.signal;
    const gateway = this.options.gatewayFor({ campaignId: campaign.id, callsPerSecond: settings.callsPerSecond, concurrency: settings.concurrency });
    try {
      for (;;) {
        if (signal.aborted) return await this.afterStop(campaign, run);
        try {
          health ??= await gateway.health();
          if (!health.carriers.includes(settings.carrier)) throw new CarrierNotConfiguredError(settings.carrier, gateway.baseUrl, health.carriers);
          await this.runOnce(campaign, run, gateway, health);
          if (signal.aborted) return await this.afterStop(campaign, run);
          return await this.finish(campaign, 'finished');
        } catch (error) {
          const cause = error instanceof CampaignStoppedError ? error.cause : error;
          if (signal.aborted && !(error instanceof CampaignStoppedError)) return await this.afterStop(campaign, run);
          if (cause instanceof ServiceUnreachableError || cause instanceof GatewayCapacityError) {
            // The gateway restarting (or not up yet after ours): the campaign waits for it, as it is.
            this.logger.warn({ campaign: campaign.id, err: cause }, 'the gateway is unreachable; trying again shortly');
            health = undefined;
            await sleep(this.options.gatewayRetryMs ?? 2000, signal);
            continue;
          }
          if (signal.aborted) return await this.afterStop(campaign, run);
          campaign.record.error = maskNumbersInText((cause as Error).message ?? String(cause));
          this.logger.error({ campaign: campaign.id, err: cause }, 'campaign failed');
          return await this.finish(campaign, 'failed');
        }
      }
    } finally {
      await gateway.close?.().catch((error: unknown) => this.logger.warn({ err: error }, 'closing the gateway client failed'));
    }
  }

  /** One runCampaign over the campaign's CSV and store; the repository and store are open only meanwhile. */
  private async runOnce(campaign: HostedCampaign, run: ActiveRun, gateway: GatewayClient, health: GatewayHealth): Promise<void> {
    const { settings, retryPolicy } = campaign.record;
    const { folder } = campaign;
    const repository = await CallListRepository.open(folder.callList, { strictNumbers: settings.strictNumbers, logger: this.logger });
    let store: CampaignStore | undefined;
    try {
      store = CampaignStore.open(folder.store, { key: campaign.id, csvPath: folder.callList });
      if (existsSync(folder.doNotCall)) store.addDoNotCallList(await loadDoNotCallList(folder.doNotCall), Date.now());
      const simulation = existsSync(folder.callees) ? await loadSimulatedCallees(folder.callees) : undefined;
      const now = Date.now();
      campaign.waitingRows.clear();
      for (const row of store.rows().values()) if (row.state === 'waiting' && row.nextDueAt !== undefined && row.nextDueAt > now) campaign.waitingRows.set(row.rowKey, row.nextDueAt);
      run.repository = repository;
      run.store = store;
      campaign.forgetView();
      await runCampaign({
        repository,
        gateway,
        agentId: settings.agentId,
        carrier: settings.carrier,
        store,
        idempotentDials: health.idempotencyKeys,
        gatewayLimits: health.limits,
        dialUnknownStatuses: settings.dialUnknownStatuses,
        skipRowsOverLimits: settings.skipOversizedRows,
        simulation,
        concurrency: settings.concurrency,
        callsPerSecond: settings.callsPerSecond,
        retryPolicy: policyFrom(retryPolicy),
        callingWindow: parseCallingWindow(settings.window, settings.days),
        drainTimeoutMs: this.options.drainTimeoutMs,
        costPerMinute: settings.costPerMinute,
        signal: run.controller.signal,
        // A shutdown leaves the rows' dials queued ahead of time to the gateways; a pause or a cancel takes them back (resume queues them again).
        keepScheduledCalls: () => run.stopReason === 'shutdown',
        onEvent: (event) => this.onRunEvent(campaign, event),
        pollSeconds: this.options.pollSeconds,
        logger: this.logger.child({ campaign: campaign.id }),
      });
    } finally {
      // The last counts go into campaign.json, so a stopped campaign is listed without reading its CSV.
      campaign.forgetView();
      campaign.view();
      run.repository = undefined;
      run.store = undefined;
      await repository.close().catch((error: unknown) => this.logger.error({ err: error, campaign: campaign.id }, 'closing the call list failed'));
      store?.close();
    }
  }

  private onRunEvent(campaign: HostedCampaign, event: CampaignEvent): void {
    switch (event.type) {
      case 'row-started':
      case 'call-resumed':
        campaign.inFlight.add(event.row.key);
        campaign.waitingRows.delete(event.row.key);
        campaign.lastWaiting = undefined;
        if (campaign.record.state === 'waiting') void this.setState(campaign, 'running');
        break;
      case 'row-finished':
        campaign.inFlight.delete(event.row.key);
        campaign.waitingRows.delete(event.row.key);
        break;
      case 'retry-scheduled':
        campaign.inFlight.delete(event.row.key);
        campaign.waitingRows.set(event.row.key, event.nextDueAt);
        break;
      case 'row-error':
        if (!event.recordedAs) campaign.inFlight.delete(event.row.key);
        break;
      case 'waiting':
        campaign.lastWaiting = { rows: event.rows, nextDueAt: event.nextDueAt };
        if (campaign.record.state === 'running' && campaign.inFlight.size === 0) void this.setState(campaign, 'waiting');
        break;
    }
    campaign.forgetView();
    this.rowViews.apply(campaign.id, event);
    const view = eventView(event);
    if (view) campaign.feed.publish(view);
    try {
      this.options.onCampaignEvent?.(campaign.id, event);
    } catch (error) {
      this.logger.error({ err: error, campaign: campaign.id, event: event.type }, 'campaign event listener failed');
    }
  }

  /** After an abort: the state set by pause or cancel stays; a shutdown keeps it running for the next start. */
  private async afterStop(campaign: HostedCampaign, run: ActiveRun): Promise<void> {
    if (run.stopReason === 'cancel') return this.finish(campaign, 'cancelled');
    await campaign.persist(this.logger); // the last counts
  }

  private async finish(campaign: HostedCampaign, state: CampaignState): Promise<void> {
    campaign.record.finishedAt = new Date().toISOString();
    campaign.lastWaiting = undefined;
    campaign.waitingRows.clear();
    const written = this.setState(campaign, state);
    campaign.feed.publish(campaignEvent('finished', campaign.view()));
    await written;
    this.logger.info({ campaign: campaign.id, state, byStatus: campaign.record.byStatus }, 'campaign ended');
  }

  /** Changes the state at once (views and the feed show it); the promise says campaign.json has it. */
  private setState(campaign: HostedCampaign, state: CampaignState): Promise<void> {
    if (campaign.record.state === state) return Promise.resolve();
    campaign.record.state = state;
    if (state === 'running') campaign.record.error = undefined;
    const written = campaign.persist(this.logger);
    campaign.feed.publish({ type: 'state', state } satisfies CampaignEventView);
    return written;
  }

  private assertNotFinal(campaign: HostedCampaign, verb: string): void {
    if (FINAL_CAMPAIGN_STATES.includes(campaign.record.state)) throw new CampaignStateError(`campaign ${campaign.id} is ${campaign.record.state}: it cannot be ${verb}`);
  }

  private campaign(campaignId: string): HostedCampaign {
    const campaign = isCampaignId(campaignId) ? this.campaigns.get(campaignId) : undefined;
    if (!campaign) throw new CampaignNotFoundError(campaignId.slice(0, 100));
    return campaign;
  }
}

/** One host per data folder: two would both write each campaign's CSV and dial its rows. */
function takeDataFolder(root: string): CampaignLock {
  try {
    return CampaignLock.acquire(join(root, 'service.lock'));
  } catch (error) {
    if (!(error instanceof CampaignStoreError) || error.code !== 'LOCKED') throw error;
    const holder = /\(pid \d+ on [^,]+/.exec(error.message)?.[0].slice(1) ?? 'another process';
    throw new CampaignStoreError('LOCKED', `${root} is in use by another campaign-api (${holder}): stop it, or give each campaign-api its own DATA_DIR`);
  }
}

function toView(record: CampaignRecord): CampaignView {
  return {
    campaign_id: record.campaignId,
    name: record.name,
    agent_id: record.settings.agentId,
    provider: record.settings.carrier,
    state: record.state,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    ...(record.finishedAt ? { finished_at: record.finishedAt } : {}),
    file_name: record.fileName,
    rows: record.rows ?? { total: 0, done: 0, pending: 0, waiting: 0, in_flight: 0 },
    by_status: record.byStatus ?? {},
    ...(record.nextDueAt ? { next_due_at: record.nextDueAt } : {}),
    ...(record.error ? { error: record.error } : {}),
    ...(record.preflight ? { preflight: record.preflight } : {}),
  };
}

function serialisePolicy(policy: RetryPolicy): CampaignRecord['retryPolicy'] {
  return { statuses: [...policy.statuses], maxAttempts: policy.maxAttempts, firstDelayMs: policy.firstDelayMs, backoffFactor: policy.backoffFactor };
}

function policyFrom(stored: CampaignRecord['retryPolicy']): RetryPolicy {
  return { ...stored, statuses: new Set(stored.statuses) };
}

/** Rename within DATA_DIR; a copy when the upload folder is on another file system. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(from, to);
    await unlink(from);
  }
}

function safeFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop()?.replace(/\p{Cc}/gu, '').trim().slice(0, 200);
  return base || 'call_list.csv';
}

/** Uploads cut short by a crash, between their checks and their rename into place. */
function removeStaleStaging(root: string): void {
  for (const entry of readdirSync(root)) if (entry.startsWith('.incoming-')) rmSync(join(root, entry), { recursive: true, force: true });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
