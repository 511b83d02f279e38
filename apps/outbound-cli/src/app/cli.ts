import { Command, CommanderError, Option } from 'commander';
import {
  CARRIER_NAMES,
  DEFAULT_CALLS_PER_SECOND,
  DEFAULT_CONCURRENCY,
  DEFAULT_DAYS_TEXT,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_RETRY_POLICY,
  DEFAULT_WINDOW_TEXT,
  MAX_CONCURRENCY,
} from '@codcall/campaign';
import { OUTCOME_STATUSES } from '@codcall/call-list';
import { LANGUAGE_PACKS } from '@codcall/languages';
import { createLogger } from '@codcall/logging';
import type { CliDeps } from './cli-deps';
import { describeFailure, ExitCode } from './exit-codes';
import { runReportCommand, type ReportOptions } from './report-command';
import { DEFAULT_AGENT_API_URL, DEFAULT_GATEWAY_URL, DEFAULT_STORE_NAME, runStartCommand, type RawStartOptions } from './start-command';
import { runServerStartCommand, wantsServerMode, type RawServerOptions } from './server-mode';

/** The CSV's columns as `start --help` explains them: what is required, what codcall reads, what it writes. */
export const CSV_COLUMNS_HELP = [
  '',
  'The CSV (UTF-8): name, recipient_phone_number (E.164), order_id, status, reschedule_date and reschedule_time are required; every column reaches the agent as {column}.',
  'Columns codcall also reads:',
  `  language        the row's language, a code or a name: ${LANGUAGE_PACKS.map((pack) => `${pack.code} (${pack.name})`).join(', ')}; empty: the agent's default. A language codcall does not know: the row is listed and left as it is`,
  '  timezone        an IANA zone for the calling window (otherwise a +1 number\'s area code, or the number\'s country)',
  "  address         the delivery address, which the agent confirms when its config sets confirm_address",
  'Columns codcall writes when the file has them (it never adds a column):',
  '  callback_at     with status callback_requested: when the callee asked to be called back (ISO 8601 with its offset); the row is called again then',
  '  address_update  the address the callee corrected during the call',
  `Statuses it writes: ${OUTCOME_STATUSES.join(', ')}. callback_requested is called again at its callback_at; transferred (handed to a person) is final; outside_window (not dialled: the window never opens in the row's zones) is called by a later run whose window does.`,
].join('\n');

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
    .addHelpText('after', '\nEnvironment: CODCALL_API_KEY (sent to the gateway, agent-api and campaign-api as a bearer token), GATEWAY_URL, AGENT_API_URL, CAMPAIGN_API_URL, CAMPAIGN_STORE, LOG_LEVEL.')
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
    .option('--cps <n>', `calls started per second across the campaign (default: ${DEFAULT_CALLS_PER_SECOND}, Twilio's starting limit)`)
    .option('--window <HH:MM-HH:MM>', `calling hours in each recipient's local time (default: ${DEFAULT_WINDOW_TEXT})`)
    .option('--days <days>', `calling days, e.g. mon-sat or mon-fri,sun (default: ${DEFAULT_DAYS_TEXT})`)
    .option('--max-attempts <n>', `attempts per row in all (default: agent config retry_policy.max_attempts, else ${DEFAULT_RETRY_POLICY.maxAttempts})`)
    .option('--retry-statuses <list>', `outcomes that are retried (default: agent config, else ${[...DEFAULT_RETRY_POLICY.statuses].join(',')})`)
    .option('--retry-after <minutes>', `pause before the first retry (default: agent config, else ${DEFAULT_RETRY_POLICY.firstDelayMs / 60_000})`)
    .option('--retry-backoff <factor>', `each later pause is this many times the one before (default: agent config, else ${DEFAULT_RETRY_POLICY.backoffFactor})`)
    .option('--exit-when-waiting', `exit (code 5) instead of waiting when every row left waits for its window, a retry or a callback time; run again to go on`)
    .option('--dnc <file>', 'numbers never to dial, one per line; their rows get do_not_call')
    .option('--store <file>', `campaign store: attempts, call records, do-not-call list (default: CAMPAIGN_STORE or ${DEFAULT_STORE_NAME} beside the CSV)`)
    .option('--campaign <name>', 'campaign name in the store (default: the CSV path and a fingerprint of its rows); a new name starts the attempts afresh')
    .option('--drain-timeout <seconds>', `after Ctrl-C/SIGTERM, how long calls in flight are waited for (default: ${DEFAULT_DRAIN_TIMEOUT_MS / 1000})`)
    .option('--cost-per-minute <amount>', 'rate for the cost estimate kept with each call record')
    .option('--outcome-webhook-url <url>', 'POST each final outcome, signed with OUTCOME_WEBHOOK_SECRET, to this https URL (default: OUTCOME_WEBHOOK_URL)')
    .option('--gateway-url <url>', `telephony gateway (default: GATEWAY_URL or ${DEFAULT_GATEWAY_URL})`)
    .option('--agent-api-url <url>', `agent API (default: AGENT_API_URL or ${DEFAULT_AGENT_API_URL})`)
    .option('--strict-numbers', 'treat numbers in unassigned ranges as invalid too')
    .option('--dial-unknown-statuses', 'also dial rows whose status codcall does not know (by default they are listed and left as they are)')
    .option('--skip-oversized-rows', "skip rows that do not fit what the gateway accepts (by default the run is refused before dialling, naming them)")
    .option('--no-progress', 'plain lines instead of the progress bar')
    .option('--server <url>', 'run the campaign on the campaign-api at <url> (default: CAMPAIGN_API_URL when set): upload, follow, and get the CSV back; Ctrl-C detaches')
    .option('--follow <campaign_id>', 'with --server: follow a campaign uploaded before, and write its CSV back over --csv when it finishes')
    .addHelpText('after', CSV_COLUMNS_HELP)
    .action(async (options: RawServerOptions) =>
      setExitCode(await (wantsServerMode(options, deps.env) ? runServerStartCommand(options, deps) : runStartCommand(options as RawStartOptions, deps))),
    );

  program
    .command('report')
    .description('counts per status, confirmation and answer rates, call lengths and turn latencies, from the CSV and the campaign store')
    .option('--csv <path>', 'the call list', './call_list.csv')
    .option('--store <file>', `campaign store (default: CAMPAIGN_STORE or ${DEFAULT_STORE_NAME} beside the CSV)`)
    .option('--campaign <name>', 'campaign name in the store (default: the CSV path and a fingerprint of its rows)')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: ReportOptions) => setExitCode(await runReportCommand(options, deps)));

  return program;
}
