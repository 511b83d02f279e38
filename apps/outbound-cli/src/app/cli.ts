import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CallListError, CallListRepository, isFinalStatus } from '@codcall/call-list';
import {
  AgentNotFoundError, HttpAgentApiClient, HttpGatewayClient, runCampaign, ServiceRequestError, ServiceUnreachableError, type CalleeScript, type GatewayClient,
} from '@codcall/campaign';
import { createLogger } from '@codcall/logging';
import { CliError, EXIT } from './exit-codes';
import { ProgressView, summaryTable, type Output } from './progress-view';

const CARRIERS = ['twilio', 'plivo', 'sim'];
const ANSWERS = ['human', 'voicemail', 'no_answer', 'busy', 'failed'];

export interface CliDeps extends Output {
  env: NodeJS.ProcessEnv;
  /** Ctrl-C / SIGTERM: the CLI subscribes and gets told which signal. */
  onSignal: (handler: (signal: 'SIGINT' | 'SIGTERM') => void) => void;
  gateway?: (url: string) => GatewayClient;
  exit?: (code: number) => void;
}

interface StartOptions {
  agentId: string;
  csv: string;
  provider: string;
  simulate?: string;
  concurrency: number;
  gatewayUrl: string;
  agentApiUrl: string;
  strictNumbers: boolean;
  progress: boolean;
}

/** Runs the CLI and resolves with its exit code; never calls process.exit itself. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(deps, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CliError) {
      deps.stderr.write(`outbound-cli: ${error.message}\n`);
      return error.exitCode;
    }
    if (error && typeof error === 'object' && 'exitCode' in error && 'code' in error && String(error.code).startsWith('commander.')) {
      const code = Number(error.exitCode);
      return code === 0 ? EXIT.ok : EXIT.badInput;
    }
    deps.stderr.write(`outbound-cli: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  }
  return exitCode;
}

function buildProgram(deps: CliDeps, setExit: (code: number) => void): Command {
  const program = new Command('outbound-cli')
    .description('Calls every pending row of a COD call list and writes each outcome back into it.')
    .exitOverride()
    .configureOutput({ writeOut: (text) => deps.stdout.write(text), writeErr: (text) => deps.stderr.write(text) });

  program
    .command('start', { isDefault: true })
    .description('run a campaign over the CSV')
    .option('--agentId <id>', 'the agent to call with (from POST /agent)')
    .addOption(new Option('--agent-id <id>').hideHelp())
    .option('--csv <path>', 'the call list', './call_list.csv')
    .addOption(new Option('--provider <carrier>', 'carrier: twilio, plivo or sim').choices(CARRIERS).default('twilio'))
    .addOption(new Option('--carrier <carrier>').choices(CARRIERS).hideHelp())
    .option('--simulate <callees.json>', 'scripted callees for the built-in simulator (implies --provider sim)')
    .option('--concurrency <n>', 'calls in flight at once', integer(1, 100), 4)
    .option('--gateway-url <url>', 'telephony gateway', deps.env['GATEWAY_URL'] || 'http://127.0.0.1:5002')
    .option('--agent-api-url <url>', 'agent API', deps.env['AGENT_API_URL'] || 'http://127.0.0.1:5001')
    .option('--strict-numbers', 'also refuse numbers in unassigned ranges', false)
    .option('--no-progress', 'plain lines instead of a progress bar')
    .action(async (raw: StartOptions & { agentId?: string; carrier?: string }) => {
      const options = { ...raw, agentId: raw.agentId ?? (raw as { agentId?: string })['agentId'], provider: raw.carrier ?? raw.provider };
      setExit(await start(options, deps));
    });

  program
    .command('report')
    .description('counts per status in the CSV')
    .option('--csv <path>', 'the call list', './call_list.csv')
    .option('--json', 'machine-readable output', false)
    .action(async (options: { csv: string; json: boolean }) => {
      const list = await openList(options.csv, false);
      const byStatus: Record<string, number> = {};
      for (const row of list.rows()) byStatus[row.status || 'pending'] = (byStatus[row.status || 'pending'] ?? 0) + 1;
      await list.close();
      deps.stdout.write(options.json ? `${JSON.stringify({ csv: options.csv, rows: list.rows().length, byStatus })}\n` : `${summaryTable(byStatus)}\n`);
    });
  return program;
}

async function start(options: StartOptions, deps: CliDeps): Promise<number> {
  const agentId = options.agentId ?? (options as unknown as { agentId?: string })['agentId'];
  if (!agentId) throw new CliError('--agentId is required (the agent_id that POST /agent returned)', EXIT.badInput);
  const carrier = options.simulate ? 'sim' : options.provider;
  const simulation = options.simulate ? await loadCallees(options.simulate) : undefined;
  const logger = createLogger({ name: 'outbound-cli', level: deps.env['LOG_LEVEL'] ?? 'warn', destination: deps.stderr });

  const gateway = (deps.gateway ?? ((url: string) => new HttpGatewayClient(url)))(options.gatewayUrl);
  await preflight(new HttpAgentApiClient(options.agentApiUrl), gateway, agentId, carrier);
  const list = await openList(options.csv, options.strictNumbers);

  const controller = new AbortController();
  let signalled: 'SIGINT' | 'SIGTERM' | undefined;
  deps.onSignal((signal) => {
    if (signalled) {
      // Second signal: leave now. Accepted outcomes are already in the journal.
      deps.stderr.write('outbound-cli: leaving now; outcomes already received are kept.\n');
      (deps.exit ?? process.exit)(signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated);
      return;
    }
    signalled = signal;
    controller.abort();
  });

  const view = new ProgressView(deps, options.progress && deps.stderr.isTTY === true);
  try {
    const summary = await runCampaign({
      callList: list,
      gateway,
      agentId,
      carrier,
      simulation,
      concurrency: options.concurrency,
      signal: controller.signal,
      onEvent: (event) => view.handle(event),
      logger,
    });
    view.stop();
    await list.close();
    const pendingLeft = list.rows().filter((row) => !isFinalStatus(row.status) && !row.status).length;
    deps.stdout.write(`\n${summaryTable(summary.byStatus as Record<string, number>)}\n\n`);
    deps.stdout.write(`Outcomes written to ${options.csv}${summary.interrupted ? ` (interrupted: ${pendingLeft} row(s) not called)` : ''}.\n`);
    if (summary.interrupted) return signalled === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
    return EXIT.ok;
  } catch (error) {
    view.stop();
    await list.close().catch(() => undefined);
    if (error instanceof ServiceUnreachableError) throw new CliError(`${error.message}; calls in flight keep their rows unchanged. Is the ${error.service} running?`, EXIT.unreachable);
    throw error;
  }
}

async function preflight(agents: HttpAgentApiClient, gateway: GatewayClient, agentId: string, carrier: string): Promise<void> {
  try {
    await agents.assertAgentExists(agentId);
    const { carriers } = await gateway.health();
    if (!carriers.includes(carrier)) {
      throw new CliError(
        carrier === 'sim'
          ? 'the gateway has its simulator turned off (SIMULATOR_ENABLED=false)'
          : `carrier ${carrier} is not configured on the gateway (configured: ${carriers.join(', ') || 'none'}): set its credentials there, or use --provider sim / --simulate <callees.json>`,
        EXIT.badInput,
      );
    }
  } catch (error) {
    if (error instanceof ServiceUnreachableError) throw new CliError(`${error.message}. Start it (bash start.sh serve) or pass its URL.`, EXIT.unreachable);
    if (error instanceof AgentNotFoundError) throw new CliError(error.message, EXIT.badInput);
    if (error instanceof ServiceRequestError) throw new CliError(error.message, EXIT.failure);
    throw error;
  }
}

async function openList(path: string, strictNumbers: boolean): Promise<CallListRepository> {
  try {
    return await CallListRepository.open(path, { strictNumbers });
  } catch (error) {
    if (error instanceof CallListError) throw new CliError(error.message, EXIT.badInput);
    throw error;
  }
}

async function loadCallees(path: string): Promise<Record<string, CalleeScript>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new CliError(`${path}: cannot read the callee file (${(error as Error).message})`, EXIT.badInput);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CliError(`${path}: must be a JSON object keyed by E.164 number`, EXIT.badInput);
  for (const [number, script] of Object.entries(json as Record<string, unknown>)) {
    if (!/^\+[1-9]\d{7,14}$/.test(number)) throw new CliError(`${path}: "${number}" is not an E.164 number such as +15551234567`, EXIT.badInput);
    const { answer, says } = (script ?? {}) as { answer?: unknown; says?: unknown };
    if (typeof answer !== 'string' || !ANSWERS.includes(answer)) throw new CliError(`${path}: ${number}: answer must be one of ${ANSWERS.join(', ')}`, EXIT.badInput);
    if (says !== undefined && (!Array.isArray(says) || says.some((line) => typeof line !== 'string' || !line.trim()))) {
      throw new CliError(`${path}: ${number}: says must be an array of non-empty strings`, EXIT.badInput);
    }
  }
  return json as Record<string, CalleeScript>;
}

function integer(min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    return n;
  };
}
