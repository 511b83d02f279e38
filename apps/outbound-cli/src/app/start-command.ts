import { realpath } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CampaignLock, CampaignStore } from '@codcall/campaign-store';
import {
  AGENT_RETRY_SETTING_NAMES,
  AgentApiClient,
  campaignKey,
  DEFAULT_CALLS_PER_SECOND,
  DEFAULT_DAYS_TEXT,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_WINDOW_TEXT,
  loadDoNotCallList,
  parseCallingWindow,
  resolveRetryPolicy,
  retrySettingsFromAgentConfig,
  type CallingWindow,
  type RetryPolicySettings,
  CampaignStoppedError,
  CARRIER_NAMES,
  DEFAULT_CONCURRENCY,
  HttpGatewayClient,
  loadSimulatedCallees,
  MAX_CONCURRENCY,
  preflightCampaign,
  runCampaign,
  type CampaignEvent,
  type CampaignSummary,
  type SimulatedCallees,
  type CarrierName,
} from '@codcall/campaign';
import { silentLogger, type Logger } from '@codcall/logging';
import { OutcomeWebhookOutbox, outcomeWebhookSettingsFrom, OutcomeWebhookSettingsError, type OutcomeWebhookSettings } from '@codcall/outcome-webhooks';
import { openCsv, type CliDeps, type OpenCallList } from './cli-deps';
import { ExitCode, UsageError } from './exit-codes';
import { CampaignInterruption } from './interruption';
import { formatDue } from './due-time';
import { createProgressDisplay } from './progress';
import { renderStatusTable } from './status-table';

/** The start command's options as commander hands them over (strings, unchecked). */
export interface RawStartOptions {
  agentId?: string;
  csv?: string;
  provider?: string;
  carrier?: string;
  simulate?: string;
  concurrency?: string;
  gatewayUrl?: string;
  agentApiUrl?: string;
  strictNumbers?: boolean;
  progress?: boolean;
  store?: string;
  campaign?: string;
  dnc?: string;
  window?: string;
  days?: string;
  cps?: string;
  maxAttempts?: string;
  retryStatuses?: string;
  retryAfter?: string;
  retryBackoff?: string;
  exitWhenWaiting?: boolean;
  drainTimeout?: string;
  costPerMinute?: string;
  dialUnknownStatuses?: boolean;
  skipOversizedRows?: boolean;
  outcomeWebhookUrl?: string;
}

/** The file holding every campaign's attempts and the shared do-not-call list, beside the CSV unless told otherwise. */
export const DEFAULT_STORE_NAME = 'codcall-campaigns.sqlite';

export interface StartOptions {
  agentId: string;
  /** Absolute. */
  csv: string;
  carrier: CarrierName;
  simulate?: string;
  concurrency: number;
  gatewayUrl: string;
  agentApiUrl: string;
  strictNumbers: boolean;
  progress: boolean;
  /** Absolute. */
  store: string;
  campaign?: string;
  dnc?: string;
  callingWindow: CallingWindow;
  callsPerSecond: number;
  /** Retry settings given on the command line; the agent config fills the rest. */
  retry: RetryPolicySettings;
  exitWhenWaiting: boolean;
  drainTimeoutMs: number;
  costPerMinute?: number;
  /** CODCALL_API_KEY: sent to the gateway and agent-api as a bearer token; never printed. */
  apiKey?: string;
  dialUnknownStatuses: boolean;
  skipOversizedRows: boolean;
  /** OUTCOME_WEBHOOK_URL (or --outcome-webhook-url) with OUTCOME_WEBHOOK_SECRET: one signed POST per final outcome. */
  outcomeWebhooks?: OutcomeWebhookSettings;
  /** OUTCOME_WEBHOOK_EXIT_WAIT_SECONDS: how long the CLI waits at exit for deliveries; the rest go out on the next run. */
  outcomeWebhookExitWaitMs: number;
}

export const DEFAULT_OUTCOME_WEBHOOK_EXIT_WAIT_SECONDS = 10;

export const RETRY_OPTION_NAMES = { statuses: '--retry-statuses', maxAttempts: '--max-attempts', spacing: '--retry-after', backoff: '--retry-backoff' };

export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:5002';
export const DEFAULT_AGENT_API_URL = 'http://127.0.0.1:5001';

/** Checks and completes the options; UsageError names the option at fault. */
export function resolveStartOptions(raw: RawStartOptions, deps: Pick<CliDeps, 'env' | 'cwd'>): StartOptions {
  const agentId = raw.agentId?.trim();
  if (!agentId) throw new UsageError('missing --agentId <id>: the agent_id that POST /agent returned');

  if (raw.provider && raw.carrier && raw.provider !== raw.carrier) {
    throw new UsageError(`--provider ${raw.provider} and --carrier ${raw.carrier} disagree: give one of them`);
  }
  const requested = raw.provider ?? raw.carrier;
  if (requested !== undefined && !(CARRIER_NAMES as readonly string[]).includes(requested)) {
    throw new UsageError(`--provider must be one of ${CARRIER_NAMES.join(', ')}, got "${requested}"`);
  }
  if (raw.simulate !== undefined && requested !== undefined && requested !== 'sim') {
    throw new UsageError(`--simulate dials through the gateway's simulator, so it cannot be combined with --provider ${requested}`);
  }
  const carrier = (raw.simulate !== undefined ? 'sim' : (requested ?? 'twilio')) as CarrierName;

  const csv = resolve(deps.cwd, raw.csv ?? 'call_list.csv');
  const store = raw.store ?? deps.env['CAMPAIGN_STORE'];
  let callingWindow: CallingWindow;
  try {
    callingWindow = parseCallingWindow(raw.window ?? DEFAULT_WINDOW_TEXT, raw.days ?? DEFAULT_DAYS_TEXT);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const retry = { statuses: raw.retryStatuses, maxAttempts: raw.maxAttempts, spacing: raw.retryAfter, backoff: raw.retryBackoff };
  try {
    resolveRetryPolicy([{ settings: retry, names: RETRY_OPTION_NAMES }]); // checked now; the agent config fills the gaps later
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  return {
    agentId,
    csv,
    store: store ? resolve(deps.cwd, store) : join(dirname(csv), DEFAULT_STORE_NAME),
    campaign: raw.campaign?.trim() || undefined,
    dnc: raw.dnc === undefined ? undefined : resolve(deps.cwd, raw.dnc),
    callingWindow,
    callsPerSecond: positiveNumber('--cps', raw.cps, DEFAULT_CALLS_PER_SECOND, 1000),
    retry,
    exitWhenWaiting: raw.exitWhenWaiting === true,
    drainTimeoutMs: positiveNumber('--drain-timeout', raw.drainTimeout, DEFAULT_DRAIN_TIMEOUT_MS / 1000, 3600) * 1000,
    costPerMinute: raw.costPerMinute === undefined ? undefined : positiveNumber('--cost-per-minute', raw.costPerMinute, 0, 100),
    carrier,
    simulate: raw.simulate === undefined ? undefined : resolve(deps.cwd, raw.simulate),
    concurrency: parseConcurrency(raw.concurrency),
    gatewayUrl: serviceUrl('--gateway-url', 'GATEWAY_URL', raw.gatewayUrl, deps.env, DEFAULT_GATEWAY_URL),
    agentApiUrl: serviceUrl('--agent-api-url', 'AGENT_API_URL', raw.agentApiUrl, deps.env, DEFAULT_AGENT_API_URL),
    strictNumbers: raw.strictNumbers === true,
    progress: raw.progress !== false,
    // On a machine that runs the services too, their own first key serves.
    apiKey: deps.env['CODCALL_API_KEY']?.trim() || deps.env['CODCALL_API_KEYS']?.split(',')[0]?.trim() || undefined,
    dialUnknownStatuses: raw.dialUnknownStatuses === true,
    skipOversizedRows: raw.skipOversizedRows === true,
    outcomeWebhooks: outcomeWebhooks(raw.outcomeWebhookUrl, deps.env),
    outcomeWebhookExitWaitMs: exitWaitSeconds(deps.env['OUTCOME_WEBHOOK_EXIT_WAIT_SECONDS']) * 1000,
  };
}

function exitWaitSeconds(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_OUTCOME_WEBHOOK_EXIT_WAIT_SECONDS;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || value > 600) throw new UsageError(`OUTCOME_WEBHOOK_EXIT_WAIT_SECONDS must be a whole number from 0 to 600, got "${raw}"`);
  return value;
}

function outcomeWebhooks(optionUrl: string | undefined, env: CliDeps['env']): OutcomeWebhookSettings | undefined {
  try {
    return outcomeWebhookSettingsFrom(env, optionUrl);
  } catch (error) {
    if (error instanceof OutcomeWebhookSettingsError) throw new UsageError(error.message);
    throw error;
  }
}

function parseConcurrency(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_CONCURRENCY;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || value < 1 || value > MAX_CONCURRENCY) {
    throw new UsageError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got "${raw}"`);
  }
  return value;
}

function positiveNumber(option: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(raw) || !(value > 0) || value > max) throw new UsageError(`${option} must be a number above 0 and at most ${max}, got "${raw}"`);
  return value;
}

function serviceUrl(option: string, variable: string, given: string | undefined, env: CliDeps['env'], fallback: string): string {
  const [value, source] = given !== undefined ? [given, option] : env[variable] ? [env[variable], variable] : [fallback, 'default'];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${source} must be an http(s) URL such as ${fallback}, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${source} must be an http(s) URL such as ${fallback}, got "${value}"`);
  return value.replace(/\/+$/, '');
}

/**
 * `start`: checks everything that would fail every row (options, callee file, CSV, services,
 * carrier, agent), then runs the campaign with progress on stderr and the summary on stdout.
 */
export async function runStartCommand(raw: RawStartOptions, deps: CliDeps): Promise<number> {
  const options = resolveStartOptions(raw, deps);
  const simulation = options.simulate ? await loadSimulatedCallees(options.simulate) : undefined;
  const doNotCall = options.dnc ? await loadDoNotCallList(options.dnc) : undefined;
  const logger = deps.logger ?? silentLogger();
  // Taken before the CSV is opened, so a second CLI never replays the journal or writes the file.
  // Beside the file itself (a symlink resolved), like its journal: two links to one file share it.
  const target = await realpath(options.csv).catch(() => options.csv);
  const lock = CampaignLock.acquire(`${target}.lock`);
  try {
    const callList = await openCallList(options, deps, logger);
    let store: CampaignStore | undefined;
    let outbox: OutcomeWebhookOutbox | undefined;
    let exitCode: number;
    try {
      const key = options.campaign ?? campaignKey(callList.targetPath ?? options.csv, callList.rows());
      store = CampaignStore.open(options.store, { key, csvPath: options.csv });
      if (doNotCall) store.addDoNotCallList(doNotCall, Date.now());
      // Beside the store: deliveries a run could not finish are resumed by the next one.
      if (options.outcomeWebhooks) outbox = OutcomeWebhookOutbox.open(`${options.store}.webhooks.sqlite`, options.outcomeWebhooks, { logger });
      const onOutcome = outbox?.listener({ campaignId: key, csvColumns: csvColumns(callList) });
      exitCode = await dial(options, callList, store, simulation, deps, logger, onOutcome);
    } catch (error) {
      await callList.close().catch((closeError: unknown) => logger.error({ err: closeError }, 'closing the call list failed'));
      throw error;
    } finally {
      store?.close();
      if (outbox) await closeOutbox(outbox, options.outcomeWebhookExitWaitMs, deps);
    }
    await callList.close();
    return exitCode;
  } finally {
    lock.release();
  }
}

/** The CSV's header in order: the file's own when it says, else the first row's columns (read in header order). */
function csvColumns(callList: OpenCallList): string[] {
  const headers = (callList as { headers?: readonly string[] }).headers;
  return headers ? [...headers] : Object.keys(callList.rows()[0]?.values ?? {});
}

async function closeOutbox(outbox: OutcomeWebhookOutbox, waitMs: number, deps: CliDeps): Promise<void> {
  const left = await outbox.settle(waitMs);
  await outbox.close();
  if (left > 0) deps.stderr.write(`${left} outcome ${left === 1 ? 'webhook is' : 'webhooks are'} still queued (the receiver did not take ${left === 1 ? 'it' : 'them'} yet); the next run sends ${left === 1 ? 'it' : 'them'}.\n`);
}

function openCallList(options: StartOptions, deps: CliDeps, logger: Logger): Promise<OpenCallList> {
  const open = deps.openCallList ?? openCsv;
  return open(options.csv, { strictNumbers: options.strictNumbers, logger });
}

async function dial(
  options: StartOptions,
  callList: OpenCallList,
  store: CampaignStore,
  simulation: SimulatedCallees | undefined,
  deps: CliDeps,
  logger: Logger,
  onOutcome?: (event: CampaignEvent) => void,
): Promise<number> {
  const gateway = new HttpGatewayClient(options.gatewayUrl, { fetch: deps.fetch, apiKey: options.apiKey, ...deps.gatewayClientOptions });
  const agents = new AgentApiClient(options.agentApiUrl, { fetch: deps.fetch, apiKey: options.apiKey });
  const health = await preflightCampaign({ gateway, agents, agentId: options.agentId, carrier: options.carrier });
  const agentConfig = await agents.fetchAgentConfig(options.agentId);
  const retryPolicy = resolveRetryPolicy([
    { settings: options.retry, names: RETRY_OPTION_NAMES },
    { settings: retrySettingsFromAgentConfig(agentConfig), names: AGENT_RETRY_SETTING_NAMES },
  ]);

  const progress = createProgressDisplay(deps.stderr, { bar: options.progress });
  const interruption = new CampaignInterruption(deps, progress);

  let summary: CampaignSummary;
  try {
    summary = await runCampaign({
      repository: callList,
      gateway,
      agentId: options.agentId,
      carrier: options.carrier,
      store,
      idempotentDials: health.idempotencyKeys,
      gatewayLimits: health.limits,
      dialUnknownStatuses: options.dialUnknownStatuses,
      skipRowsOverLimits: options.skipOversizedRows,
      simulation,
      concurrency: options.concurrency,
      callsPerSecond: options.callsPerSecond,
      retryPolicy,
      callingWindow: options.callingWindow,
      exitWhenWaiting: options.exitWhenWaiting,
      drainTimeoutMs: options.drainTimeoutMs,
      costPerMinute: options.costPerMinute,
      signal: interruption.signal,
      onEvent: (event) => {
        // First, so an outcome is in the webhook outbox before anything else sees it.
        onOutcome?.(event);
        interruption.track(event);
        progress.handle(event);
      },
      pollSeconds: deps.pollSeconds,
      logger,
    });
  } catch (error) {
    progress.stop();
    // Whatever stopped the campaign, what was recorded before it is worth showing.
    if (error instanceof CampaignStoppedError) {
      writeSummary(deps, callList, error.summary, `Campaign stopped early after ${(error.summary.durationMs / 1000).toFixed(1)} s (the reason follows on stderr).`);
    }
    throw error;
  } finally {
    interruption.dispose();
  }
  progress.stop();
  const seconds = (summary.durationMs / 1000).toFixed(1);
  const headline = summary.interrupted
    ? `Campaign interrupted after ${seconds} s.`
    : summary.exitedWhileWaiting
      ? `Campaign paused after ${seconds} s: every row left is waiting.`
      : `Campaign finished in ${seconds} s.`;
  writeSummary(deps, callList, summary, headline);
  if (summary.interrupted) return interruption.exitCode;
  return summary.exitedWhileWaiting ? ExitCode.waiting : ExitCode.ok;
}

function writeSummary(deps: CliDeps, callList: OpenCallList, summary: CampaignSummary, headline: string): void {
  const facts = [
    `${summary.dialled} ${summary.dialled === 1 ? 'call' : 'calls'} placed`,
    summary.invalidNumbers ? `${summary.invalidNumbers} invalid ${summary.invalidNumbers === 1 ? 'number' : 'numbers'}` : '',
    summary.outsideWindow ? `${summary.outsideWindow} outside their calling window, not dialled (outside_window; a run with a window open in their zones calls them)` : '',
    summary.skippedFinal ? `${summary.skippedFinal} already final, skipped` : '',
    summary.skippedUnknownStatus ? `${summary.skippedUnknownStatus} with a status codcall does not know, left as they are` : '',
    summary.skippedUnknownLanguage ? `${summary.skippedUnknownLanguage} with a language codcall does not know, left as they are` : '',
    summary.skippedOverLimits ? `${summary.skippedOverLimits} over the gateway's limits, skipped` : '',
    summary.duplicateRows ? `${summary.duplicateRows} duplicate ${summary.duplicateRows === 1 ? 'row' : 'rows'} given the outcome of the same order's call` : '',
    summary.capacityRefusals ? `${summary.capacityRefusals} ${summary.capacityRefusals === 1 ? 'dial' : 'dials'} refused while the gateway was at capacity, sent again` : '',
    summary.resumed ? `${summary.resumed} ${summary.resumed === 1 ? 'call' : 'calls'} from an earlier run asked after` : '',
    summary.retriesScheduled ? `${summary.retriesScheduled} ${summary.retriesScheduled === 1 ? 'retry' : 'retries'} scheduled` : '',
    summary.callbacksScheduled ? `${summary.callbacksScheduled} ${summary.callbacksScheduled === 1 ? 'callback' : 'callbacks'} scheduled at the time the callee asked for` : '',
    summary.abandonedInFlight ? `${summary.abandonedInFlight} still in flight, resumed by the next run` : '',
    summary.notRecorded ? `${summary.notRecorded} left as they were` : '',
  ].filter(Boolean);
  const waiting = summary.waiting && summary.nextDueAt !== undefined
    ? `\n${summary.waiting} ${summary.waiting === 1 ? 'row waits' : 'rows wait'} for a calling window, a retry or a callback time; the next call is due at ${formatDue(summary.nextDueAt)}. Run the same command again to go on.`
    : '';
  const table = Object.keys(summary.byStatus).length ? renderStatusTable(summary.byStatus) : 'No outcome was recorded.';
  deps.stdout.write(`\n${headline} ${facts.join(', ')}.${waiting}\n\n${table}\n\nCSV: ${callList.path}\n`);
}
