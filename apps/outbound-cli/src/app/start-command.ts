import { resolve } from 'node:path';
import {
  AgentApiClient,
  CampaignStoppedError,
  CARRIER_NAMES,
  DEFAULT_CONCURRENCY,
  HttpGatewayClient,
  loadSimulatedCallees,
  MAX_CONCURRENCY,
  preflightCampaign,
  runCampaign,
  type CampaignSummary,
  type SimulatedCallees,
  type CarrierName,
} from '@codcall/campaign';
import { silentLogger, type Logger } from '@codcall/logging';
import { openCsv, type CliDeps, type OpenCallList } from './cli-deps';
import { ExitCode, UsageError } from './exit-codes';
import { CampaignInterruption } from './interruption';
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
}

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
}

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

  return {
    agentId,
    csv: resolve(deps.cwd, raw.csv ?? 'call_list.csv'),
    carrier,
    simulate: raw.simulate === undefined ? undefined : resolve(deps.cwd, raw.simulate),
    concurrency: parseConcurrency(raw.concurrency),
    gatewayUrl: serviceUrl('--gateway-url', 'GATEWAY_URL', raw.gatewayUrl, deps.env, DEFAULT_GATEWAY_URL),
    agentApiUrl: serviceUrl('--agent-api-url', 'AGENT_API_URL', raw.agentApiUrl, deps.env, DEFAULT_AGENT_API_URL),
    strictNumbers: raw.strictNumbers === true,
    progress: raw.progress !== false,
  };
}

function parseConcurrency(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_CONCURRENCY;
  const value = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || value < 1 || value > MAX_CONCURRENCY) {
    throw new UsageError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got "${raw}"`);
  }
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
  const logger = deps.logger ?? silentLogger();
  const callList = await openCallList(options, deps, logger);

  let exitCode: number;
  try {
    exitCode = await dial(options, callList, simulation, deps, logger);
  } catch (error) {
    await callList.close().catch((closeError: unknown) => logger.error({ err: closeError }, 'closing the call list failed'));
    throw error;
  }
  await callList.close();
  return exitCode;
}

function openCallList(options: StartOptions, deps: CliDeps, logger: Logger): Promise<OpenCallList> {
  const open = deps.openCallList ?? openCsv;
  return open(options.csv, { strictNumbers: options.strictNumbers, logger });
}

async function dial(
  options: StartOptions,
  callList: OpenCallList,
  simulation: SimulatedCallees | undefined,
  deps: CliDeps,
  logger: Logger,
): Promise<number> {
  const gateway = new HttpGatewayClient(options.gatewayUrl, { fetch: deps.fetch, ...deps.gatewayClientOptions });
  const agents = new AgentApiClient(options.agentApiUrl, { fetch: deps.fetch });
  await preflightCampaign({ gateway, agents, agentId: options.agentId, carrier: options.carrier });

  const progress = createProgressDisplay(deps.stderr, { bar: options.progress });
  const interruption = new CampaignInterruption(deps, progress);

  let summary: CampaignSummary;
  try {
    summary = await runCampaign({
      repository: callList,
      gateway,
      agentId: options.agentId,
      carrier: options.carrier,
      simulation,
      concurrency: options.concurrency,
      signal: interruption.signal,
      onEvent: (event) => {
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
  const headline = summary.interrupted ? `Campaign interrupted after ${seconds} s.` : `Campaign finished in ${seconds} s.`;
  writeSummary(deps, callList, summary, headline);
  return summary.interrupted ? interruption.exitCode : ExitCode.ok;
}

function writeSummary(deps: CliDeps, callList: OpenCallList, summary: CampaignSummary, headline: string): void {
  const facts = [
    `${summary.dialled} ${summary.dialled === 1 ? 'call' : 'calls'} placed`,
    summary.invalidNumbers ? `${summary.invalidNumbers} invalid ${summary.invalidNumbers === 1 ? 'number' : 'numbers'}` : '',
    summary.skippedFinal ? `${summary.skippedFinal} already final, skipped` : '',
    summary.notRecorded ? `${summary.notRecorded} left as they were` : '',
  ].filter(Boolean);
  const table = Object.keys(summary.byStatus).length ? renderStatusTable(summary.byStatus) : 'No outcome was recorded.';
  deps.stdout.write(`\n${headline} ${facts.join(', ')}.\n\n${table}\n\nCSV: ${callList.path}\n`);
}
