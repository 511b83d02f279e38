import { Command, CommanderError, Option } from 'commander';
import { CARRIER_NAMES, DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from '@codcall/campaign';
import { createLogger } from '@codcall/logging';
import type { CliDeps } from './cli-deps';
import { describeFailure, ExitCode } from './exit-codes';
import { runReportCommand, type ReportOptions } from './report-command';
import { DEFAULT_AGENT_API_URL, DEFAULT_GATEWAY_URL, runStartCommand, type RawStartOptions } from './start-command';

/** Runs the CLI in-process and resolves with its exit code; it never exits the process itself (bar the second Ctrl-C). */
export async function runCli(argv: readonly string[], cliDeps: CliDeps): Promise<number> {
  // Logs go to stderr as JSON; by default only errors, so they do not drown the progress lines (LOG_LEVEL=info for detail).
  const deps = { ...cliDeps, logger: cliDeps.logger ?? createLogger({ name: 'outbound-cli', level: cliDeps.env['LOG_LEVEL'] || 'error' }) };
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(deps, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    // commander has already printed its own message (usage errors) or the help text.
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    const failure = describeFailure(error);
    deps.stderr.write(`outbound-cli: ${failure.message}\n`);
    if (failure.exitCode === ExitCode.failure) deps.logger.error({ err: error }, 'unexpected failure');
    return failure.exitCode;
  }
}

export function buildProgram(deps: CliDeps, setExitCode: (code: number) => void): Command {
  const program = new Command('outbound-cli')
    .description('Phones every pending row of a cash-on-delivery call list through the telephony gateway and writes each outcome back.')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.stdout.write(text),
      writeErr: (text) => deps.stderr.write(text),
      outputError: (text, write) => write(`outbound-cli: ${text.replace(/^error: /, '')}`),
    });

  program
    .command('start', { isDefault: true })
    .description('run a campaign over the CSV (the default command)')
    .option('--agentId <id>', 'the agent to call with: the agent_id that POST /agent returned (required)')
    .addOption(new Option('--agent-id <id>').hideHelp())
    .option('--csv <path>', 'the call list', './call_list.csv')
    .option('--provider <carrier>', `carrier: ${CARRIER_NAMES.join(', ')} (default: twilio, or sim with --simulate)`)
    .addOption(new Option('--carrier <carrier>').hideHelp())
    .option('--simulate <callees.json>', 'scripted callees for the gateway\'s simulator, keyed by E.164 number (implies --provider sim)')
    .option('--concurrency <n>', `calls in flight at once, 1 to ${MAX_CONCURRENCY} (default: ${DEFAULT_CONCURRENCY})`)
    .option('--gateway-url <url>', `telephony gateway (default: GATEWAY_URL or ${DEFAULT_GATEWAY_URL})`)
    .option('--agent-api-url <url>', `agent API (default: AGENT_API_URL or ${DEFAULT_AGENT_API_URL})`)
    .option('--strict-numbers', 'treat numbers in unassigned ranges as invalid too')
    .option('--no-progress', 'plain lines instead of the progress bar')
    .action(async (options: RawStartOptions) => setExitCode(await runStartCommand(options, deps)));

  program
    .command('report')
    .description('count the rows of the CSV per status')
    .option('--csv <path>', 'the call list', './call_list.csv')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: ReportOptions) => setExitCode(await runReportCommand(options, deps)));

  return program;
}
