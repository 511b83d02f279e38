import { access, readFile, realpath } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { CallListRepository, type CallListRow } from '@codcall/call-list';
import { loadDoNotCallList, loadSimulatedCallees } from '@codcall/campaign';
import { CampaignLock } from '@codcall/campaign-store';
import { FINAL_CAMPAIGN_STATES, type CampaignEventView, type CampaignUploadFields, type CampaignView } from '@codcall/gateway-api';
import type { CliDeps, Signal } from './cli-deps';
import { ExitCode, SIGNAL_EXIT_CODES, UsageError } from './exit-codes';
import { createProgressDisplay } from './progress';
import { CampaignApiClient, CampaignApiError, type UploadFile } from './server-mode-client';
import { loadUploadRecord, removeUploadRecord, saveUploadRecord, sha256, writeBackCsv } from './server-mode-csv';
import { ServerProgressBridge } from './server-mode-progress';
import { readEventStream, SseParser } from './sse-reader';
import { resolveStartOptions, type RawStartOptions } from './start-command';
import { renderStatusTable } from './status-table';

/** The start command's options for a campaign run on the campaign-api. */
export interface RawServerOptions extends RawStartOptions {
  server?: string;
  follow?: string;
}

/** Local-run settings the campaign-api keeps for itself. */
const LOCAL_ONLY_OPTIONS: [keyof RawStartOptions, string][] = [
  ['store', '--store'],
  ['campaign', '--campaign'],
  ['gatewayUrl', '--gateway-url'],
  ['agentApiUrl', '--agent-api-url'],
  ['drainTimeout', '--drain-timeout'],
];

/** Campaign settings, fixed at upload: `--follow` cannot change them. */
const UPLOAD_OPTIONS: [keyof RawServerOptions, string][] = [
  ['agentId', '--agentId'], ['provider', '--provider'], ['carrier', '--carrier'], ['simulate', '--simulate'], ['concurrency', '--concurrency'],
  ['cps', '--cps'], ['window', '--window'], ['days', '--days'], ['maxAttempts', '--max-attempts'], ['retryStatuses', '--retry-statuses'],
  ['retryAfter', '--retry-after'], ['retryBackoff', '--retry-backoff'], ['costPerMinute', '--cost-per-minute'], ['dnc', '--dnc'],
  ['strictNumbers', '--strict-numbers'], ['dialUnknownStatuses', '--dial-unknown-statuses'], ['skipOversizedRows', '--skip-oversized-rows'],
  ['outcomeWebhookUrl', '--outcome-webhook-url'],
];

export interface ServerModeTuning {
  /** Pauses before each reconnect of the event stream; their count bounds the reconnects in a row. */
  reconnectDelaysMs?: readonly number[];
}

const DEFAULT_RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000];
const MAX_RECONNECT_DELAY_MS = 30_000;
/** The campaign-api sends a keep-alive comment every 15 s: four missed is a dead connection. */
const STREAM_IDLE_MS = 60_000;

/** `--server`, `--follow` or CAMPAIGN_API_URL: the campaign runs on the campaign-api, not here. */
export function wantsServerMode(raw: RawServerOptions, env: CliDeps['env']): boolean {
  return raw.server !== undefined || raw.follow !== undefined || Boolean(env['CAMPAIGN_API_URL']?.trim());
}

/**
 * `start --server <url>`: uploads the CSV and the options, follows the campaign with the local
 * run's progress display, and writes the finished CSV back over the file if it is unchanged.
 * Ctrl-C detaches: the campaign goes on on the service.
 */
export async function runServerStartCommand(raw: RawServerOptions, deps: CliDeps, tuning: ServerModeTuning = {}): Promise<number> {
  const server = serverUrl(raw, deps.env);
  for (const [key, flag] of LOCAL_ONLY_OPTIONS) {
    if (raw[key] !== undefined) throw new UsageError(`${flag} is a local run's setting; with --server the campaign-api keeps its own`);
  }
  const follow = raw.follow?.trim();
  if (raw.follow !== undefined && !follow) throw new UsageError('--follow needs the campaign_id the upload printed');
  if (follow) {
    const given = UPLOAD_OPTIONS.find(([key]) => raw[key] !== undefined);
    if (given) throw new UsageError(`${given[1]} was fixed when the campaign was uploaded; --follow takes only --csv, --server and --no-progress`);
  }
  // Checked as a local run would check them, bar the webhook: its secret is the service's, not ours.
  const options = follow ? undefined : resolveStartOptions({ ...raw, outcomeWebhookUrl: undefined }, { cwd: deps.cwd, env: withoutWebhookSettings(deps.env) });
  if (raw.outcomeWebhookUrl !== undefined && !/^https?:\/\/\S+$/.test(raw.outcomeWebhookUrl)) {
    throw new UsageError(`--outcome-webhook-url must be an http(s) URL, got "${raw.outcomeWebhookUrl}"`);
  }
  const csv = resolve(deps.cwd, raw.csv ?? 'call_list.csv');
  const apiKey = deps.env['CODCALL_API_KEY']?.trim() || deps.env['CODCALL_API_KEYS']?.split(',')[0]?.trim() || undefined;
  const client = new CampaignApiClient(server, { fetch: deps.fetch, apiKey });

  // While this CLI follows the campaign no local run writes the file (the write-back checks it anyway).
  const target = await realpath(csv).catch(() => csv);
  const lock = CampaignLock.acquire(`${target}.lock`);
  // Subscribed before the upload: a Ctrl-C while it is sent still gets the campaign's id printed.
  const detachment = new Detachment(deps);
  try {
    let campaign: CampaignView;
    let uploadedSha256: string | undefined;
    if (options) {
      await refuseUnwrittenJournal(csv, target);
      const bytes = await readFile(csv).catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(error.code === 'ENOENT' ? `${csv}: no such file` : `${csv}: cannot read (${error.code ?? error.message})`);
      });
      uploadedSha256 = sha256(bytes);
      const rows = await localRows(csv, options.strictNumbers, true);
      const simulate = options.simulate ? await fileFor(options.simulate, () => loadSimulatedCallees(options.simulate as string)) : undefined;
      const dnc = options.dnc ? await fileFor(options.dnc, () => loadDoNotCallList(options.dnc as string)) : undefined;
      campaign = await client.createCampaign({ fields: uploadFields(raw), csv: { name: basename(csv), bytes }, simulate, dnc });
      await saveUploadRecord(csv, { campaign_id: campaign.campaign_id, server, sha256: uploadedSha256, uploaded_at: new Date().toISOString() });
      deps.stderr.write(`Campaign ${campaign.campaign_id} created on ${server}; following it (Ctrl-C detaches: the campaign goes on on the server).\n`);
      return await followAndWriteBack(client, campaign, csv, uploadedSha256, rows, raw, deps, detachment, tuning);
    }
    campaign = await client.campaign(follow as string);
    uploadedSha256 = (await loadUploadRecord(csv, campaign.campaign_id))?.sha256;
    const rows = await localRows(csv, false, false);
    return await followAndWriteBack(client, campaign, csv, uploadedSha256, rows, raw, deps, detachment, tuning);
  } catch (error) {
    if (!(error instanceof CampaignApiError)) throw error;
    deps.stderr.write(`outbound-cli: ${error.message}\n`);
    return error.exitCode;
  } finally {
    detachment.dispose();
    lock.release();
  }
}

/** Ctrl-C or SIGTERM: the first detaches (the campaign goes on on the service), the second leaves at once. */
class Detachment {
  private readonly controller = new AbortController();
  private readonly unsubscribe: () => void;
  private first?: Signal;

  constructor(deps: Pick<CliDeps, 'onSignal' | 'exitNow'>) {
    this.unsubscribe = deps.onSignal((received) => {
      if (this.first) return deps.exitNow(SIGNAL_EXIT_CODES[received]);
      this.first = received;
      this.controller.abort();
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** 130 after SIGINT, 143 after SIGTERM. */
  get exitCode(): number {
    return SIGNAL_EXIT_CODES[this.first ?? 'SIGINT'];
  }

  dispose(): void {
    this.unsubscribe();
  }
}

async function followAndWriteBack(
  client: CampaignApiClient,
  campaign: CampaignView,
  csv: string,
  uploadedSha256: string | undefined,
  rows: ReadonlyMap<number, CallListRow>,
  raw: RawServerOptions,
  deps: CliDeps,
  detachment: Detachment,
  tuning: ServerModeTuning,
): Promise<number> {
  const progress = createProgressDisplay(deps.stderr, { bar: raw.progress !== false });
  const bridge = new ServerProgressBridge(progress, rows);
  let ending: FollowEnd;
  try {
    ending = await followEvents(client, campaign.campaign_id, (event) => bridge.handle(event), {
      signal: detachment.signal,
      stopWhenWaiting: raw.exitWhenWaiting === true,
      reconnectDelaysMs: tuning.reconnectDelaysMs ?? DEFAULT_RECONNECT_DELAYS_MS,
      onReconnect: (attempt, reason) => progress.note(`Lost the campaign's event stream (${reason}); reconnecting (${attempt})...`),
    });
  } finally {
    progress.stop();
  }
  const again = `outbound-cli start --server ${client.baseUrl} --follow ${campaign.campaign_id} --csv ${csv}`;
  if (ending.kind === 'detached' || ending.kind === 'waiting') {
    const why = ending.kind === 'waiting' ? 'Every row left waits for its window, a retry or a callback time' : 'Detached';
    deps.stdout.write(`\n${why}: campaign ${campaign.campaign_id} goes on on ${client.baseUrl}. Follow it again (and get the CSV back) with:\n  ${again}\n`);
    return ending.kind === 'waiting' ? ExitCode.waiting : detachment.exitCode;
  }

  const finished = ending.campaign;
  const failure = finished.state === 'failed' ? `campaign ${finished.campaign_id} failed on the server: ${finished.error ?? 'no reason given'}` : undefined;
  let downloaded: Buffer;
  try {
    downloaded = await client.downloadCsv(finished.campaign_id);
  } catch (error) {
    // A campaign refused before its file was kept has no CSV to give back: the failure is the news.
    if (!failure) throw error;
    deps.stderr.write(`outbound-cli: ${failure}; ${csv} is unchanged\n`);
    return ExitCode.failure;
  }
  const written = await writeBackCsv(csv, downloaded, uploadedSha256);
  if (written.writtenTo === 'original') await removeUploadRecord(csv);
  const headline =
    finished.state === 'finished'
      ? `Campaign ${finished.campaign_id} finished on the server.`
      : finished.state === 'cancelled'
        ? `Campaign ${finished.campaign_id} was cancelled on the server; rows not called are left as they were.`
        : `Campaign ${finished.campaign_id} failed on the server: ${finished.error ?? 'no reason given'}.`;
  const table = Object.keys(finished.by_status).length ? renderStatusTable(finished.by_status) : 'No outcome was recorded.';
  deps.stdout.write(`\n${headline}\n\n${table}\n\nCSV: ${written.path}\n`);
  if (written.writtenTo === 'beside') {
    deps.stderr.write(`outbound-cli: ${written.why}, so it was not overwritten; the campaign's CSV is ${written.path}\n`);
    return ExitCode.badInput;
  }
  if (failure) {
    deps.stderr.write(`outbound-cli: ${failure}\n`);
    return ExitCode.failure;
  }
  return ExitCode.ok;
}

type FollowEnd = { kind: 'finished'; campaign: CampaignView } | { kind: 'detached' } | { kind: 'waiting' };

interface FollowOptions {
  signal: AbortSignal;
  stopWhenWaiting: boolean;
  reconnectDelaysMs: readonly number[];
  onReconnect(attempt: number, reason: string): void;
}

/**
 * Follows the event stream to the campaign's end. A dropped connection is opened again with
 * Last-Event-ID (the service replays what was missed, or sends a fresh snapshot); events already
 * seen are skipped by their sequence number. Refusals end the follow at once.
 */
export async function followEvents(
  client: CampaignApiClient,
  campaignId: string,
  onEvent: (event: CampaignEventView) => void,
  options: FollowOptions,
): Promise<FollowEnd> {
  let lastEventId = '';
  let lastSeq = -1;
  let failures = 0;
  for (;;) {
    if (options.signal.aborted) return { kind: 'detached' }; // Ctrl-C came during the upload
    let reason: string;
    const parser = new SseParser();
    let end: FollowEnd | undefined;
    try {
      const body = await client.openEvents(campaignId, lastEventId, options.signal);
      const result = await readEventStream(body, parser, (message) => {
        failures = 0;
        const event = parseEvent(message.data);
        const seq = Number(message.lastEventId);
        if (message.lastEventId !== '' && Number.isInteger(seq)) {
          // A snapshot starts the count afresh (a service that restarted may number anew); anything else seen already is a replay.
          if (seq <= lastSeq && event?.type !== 'snapshot') return undefined;
          lastSeq = seq;
        }
        if (message.lastEventId !== '') lastEventId = message.lastEventId;
        if (!event) return undefined;
        onEvent(event);
        if (event.type === 'finished') end = { kind: 'finished', campaign: event.campaign };
        else if (event.type === 'snapshot' && FINAL_CAMPAIGN_STATES.includes(event.campaign.state)) end = { kind: 'finished', campaign: event.campaign };
        else if (options.stopWhenWaiting && ((event.type === 'state' && event.state === 'waiting') || (event.type === 'snapshot' && event.campaign.state === 'waiting'))) {
          end = { kind: 'waiting' };
        }
        return end ? 'stop' : undefined;
      }, { idleMs: STREAM_IDLE_MS });
      if (end) return end;
      reason = result === 'idle' ? `nothing came for ${STREAM_IDLE_MS / 1000} s` : 'the service closed it before the campaign finished';
    } catch (error) {
      if (options.signal.aborted) return { kind: 'detached' };
      if (error instanceof CampaignApiError && !error.retryable) throw error;
      reason = error instanceof CampaignApiError ? error.message : (error as Error).message;
    }
    if (failures >= options.reconnectDelaysMs.length) {
      throw new CampaignApiError(
        `lost the event stream of campaign ${campaignId} at ${client.baseUrl} ${failures + 1} times in a row (${reason}); it goes on on the server: follow it again with --follow ${campaignId}`,
        ExitCode.unreachable,
      );
    }
    // The service's `retry:` is taken, within reason.
    const delay = Math.min(parser.retryMs ?? options.reconnectDelaysMs[failures], MAX_RECONNECT_DELAY_MS);
    failures++;
    options.onReconnect(failures, reason);
    if (!(await sleep(delay, options.signal))) return { kind: 'detached' };
  }
}

function parseEvent(data: string): CampaignEventView | undefined {
  try {
    const event = JSON.parse(data) as CampaignEventView;
    return event && typeof event === 'object' && typeof event.type === 'string' ? event : undefined;
  } catch {
    return undefined; // not ours to show; the stream goes on
  }
}

/** Resolves false if the signal fired first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((done) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      done(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      done(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function serverUrl(raw: RawServerOptions, env: CliDeps['env']): string {
  const [value, source] = raw.server !== undefined ? [raw.server, '--server'] : [env['CAMPAIGN_API_URL']?.trim() ?? '', 'CAMPAIGN_API_URL'];
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`${source} must be the campaign-api's http(s) URL such as http://127.0.0.1:5003, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

/** The flags given, under the campaign-api's snake_case names; what was not given is left to the service's defaults. */
export function uploadFields(raw: RawServerOptions): CampaignUploadFields {
  const flag = (value: boolean | undefined) => (value ? 'true' : undefined);
  const fields: CampaignUploadFields = {
    agent_id: (raw.agentId ?? '').trim(),
    provider: raw.provider ?? raw.carrier,
    concurrency: raw.concurrency,
    cps: raw.cps,
    window: raw.window,
    days: raw.days,
    max_attempts: raw.maxAttempts,
    retry_statuses: raw.retryStatuses,
    retry_after: raw.retryAfter,
    retry_backoff: raw.retryBackoff,
    cost_per_minute: raw.costPerMinute,
    strict_numbers: flag(raw.strictNumbers),
    dial_unknown_statuses: flag(raw.dialUnknownStatuses),
    skip_oversized_rows: flag(raw.skipOversizedRows),
    outcome_webhook_url: raw.outcomeWebhookUrl,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as unknown as CampaignUploadFields;
}

function withoutWebhookSettings(env: CliDeps['env']): CliDeps['env'] {
  const { OUTCOME_WEBHOOK_URL: _url, OUTCOME_WEBHOOK_SECRET: _secret, ...rest } = env;
  return rest;
}

/** A local run that stopped before writing its journalled outcomes into the file: uploading now would leave them out. */
async function refuseUnwrittenJournal(csv: string, target: string): Promise<void> {
  const journal = `${target}.journal`;
  const exists = await access(journal).then(() => true, () => false);
  if (exists) {
    throw new UsageError(`${csv} has outcomes of a local run not yet written into it (${journal}): run the local campaign again to write them, then upload`);
  }
}

/** The local file's rows by line, for the progress lines; `required` says whether an unreadable file is the user's error. */
async function localRows(csv: string, strictNumbers: boolean, required: boolean): Promise<Map<number, CallListRow>> {
  try {
    const list = await CallListRepository.open(csv, { readOnly: true, strictNumbers });
    const rows = new Map(list.rows().map((row) => [row.line, row]));
    await list.close();
    return rows;
  } catch (error) {
    if (required) throw error;
    return new Map();
  }
}

/** Checks a side file as a local run would, then hands over its bytes unchanged. */
async function fileFor(path: string, check: () => Promise<unknown>): Promise<UploadFile> {
  await check();
  return { name: basename(path), bytes: await readFile(path) };
}
