// The engine's package loads the agent config's class-validator DTOs, which need decorator metadata.
import 'reflect-metadata';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readOfflineClaims } from './claims';
import { buildReport, writeReport, type EvalReport } from './report';
import { runScenarios, type ScenarioResult } from './runner';
import { EVAL_LANGUAGES, loadScenarios, matchesGlob, ScenarioError, type Scenario } from './scenario';
import { startEvalServices, WORKSPACE } from './services';

export const SCENARIOS_DIR = join(WORKSPACE, 'evals/scenarios');
const DEFAULT_REPORT = join(WORKSPACE, 'evals/reports/latest.md');

export interface SuiteOptions {
  language?: string;
  scenario?: string;
  concurrency: number;
  report?: string;
  /** Progress lines, one per finished scenario. */
  log?: (line: string) => void;
}

/** Which scenarios a run plays: all, or those of one language and/or matching a glob of their ids. */
export function selectScenarios(all: Scenario[], options: Pick<SuiteOptions, 'language' | 'scenario'>): Scenario[] {
  return all.filter((scenario) => (!options.language || scenario.language === options.language) && (!options.scenario || matchesGlob(scenario.id, options.scenario)));
}

/** Whether the gateway will talk to a real language model: then persona callees can be played too. */
export function vendorMode(env: NodeJS.ProcessEnv): EvalReport['mode'] {
  return env['OPENAI_API_KEY'] ? 'vendors' : 'offline';
}

/** Loads, runs and reports the suite; what `evals:run` and the CI spec both call. */
export async function runSuite(options: SuiteOptions, env: NodeJS.ProcessEnv = process.env): Promise<EvalReport> {
  const scenarios = selectScenarios(loadScenarios(SCENARIOS_DIR), options);
  if (scenarios.length === 0) throw new ScenarioError('evals/scenarios', 'selection', `no scenario matches ${JSON.stringify({ language: options.language, scenario: options.scenario })}`);
  const mode = vendorMode(env);
  const startedAt = new Date();
  const services = await startEvalServices(env);
  let results: ScenarioResult[];
  try {
    results = await runScenarios(scenarios, services, {
      concurrency: options.concurrency,
      claims: readOfflineClaims(),
      personas: mode === 'vendors',
      onResult: (result, done, total) => options.log?.(`[${done}/${total}] ${result.verdict.padEnd(7)} ${result.id}${result.verdict === 'passed' ? '' : `: ${why(result)}`}`),
    });
  } finally {
    await services.stop();
  }
  const report = buildReport(results, { startedAt, finishedAt: new Date(), mode });
  if (options.report) writeReport(report, options.report);
  return report;
}

function why(result: ScenarioResult): string {
  if (result.verdict === 'failed') return result.checks.filter((check) => !check.passed).map((check) => check.detail ?? check.check).join('; ');
  return result.note ?? '';
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      language: { type: 'string' },
      scenario: { type: 'string' },
      concurrency: { type: 'string', default: '4' },
      report: { type: 'string', default: DEFAULT_REPORT },
    },
  });
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 50) {
    process.stderr.write(`evals: --concurrency must be a whole number from 1 to 50, got "${values.concurrency}"\n`);
    return 2;
  }
  if (values.language && !EVAL_LANGUAGES.includes(values.language as Scenario['language'])) {
    process.stderr.write(`evals: --language must be one of ${EVAL_LANGUAGES.join(', ')}, got "${values.language}"\n`);
    return 2;
  }
  const report = await runSuite({ language: values.language, scenario: values.scenario, concurrency, report: values.report, log: (line) => process.stderr.write(line + '\n') });
  const { totals } = report;
  process.stderr.write(`evals (${report.mode}): ${totals.passed}/${totals.scenarios} passed, ${totals.failed} failed, ${totals.errors} errors, ${totals.skipped} skipped; report ${values.report}\n`);
  for (const language of report.languages) {
    const rate = language.falseConfirmationRate === undefined ? '–' : `${Math.round(language.falseConfirmationRate * 100)}%`;
    process.stderr.write(`  ${language.language.padEnd(8)} ${language.passed}/${language.scenarios} passed, false confirmations ${rate}\n`);
  }
  // Offline, a scenario the rule engine claims must pass; with vendors the report is the verdict.
  return report.mode === 'offline' && totals.claimedFailing > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`evals: ${(error as Error).message}\n`);
      process.exit(error instanceof ScenarioError ? 2 : 1);
    },
  );
}
