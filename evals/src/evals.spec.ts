import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOfflineClaims } from './claims';
import { runSuite, SCENARIOS_DIR } from './main';
import type { EvalReport } from './report';
import { EVAL_LANGUAGES, loadScenarios } from './scenario';
import { MAINS } from './services';

/**
 * The whole offline suite, once, through the real built services: every scenario the offline
 * rule engine claims to understand must pass; the others are reported, not failed. A call is
 * some 40 s of real-time audio but little CPU (the whole suite used about 5.5 CPU-minutes for
 * 102 calls, measured). CI runs jest on two workers and starts this suite first: eight calls at
 * once (under half a core) take about nine minutes while the other worker runs the rest beside it.
 */
const CONCURRENCY = 8;
const SUITE_BUDGET_MS = 15 * 60_000;

describe('the scenario suite', () => {
  const scenarios = loadScenarios(SCENARIOS_DIR);

  it('has at least 60 scenarios covering all seven languages, each language with the core stories', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(60);
    expect(new Set(scenarios.map((s) => s.language))).toEqual(new Set(EVAL_LANGUAGES));
    for (const language of EVAL_LANGUAGES) {
      const names = scenarios.filter((s) => s.language === language).map((s) => s.id.split('/')[1]);
      expect({ language, core: ['identity-confirm', 'identity-reschedule', 'who-is-calling', 'amount-asked', 'wrong-person', 'vague-time', 'past-date'].filter((n) => !names.includes(n)) }).toEqual({ language, core: [] });
    }
  });

  it('covers every capability somewhere', () => {
    const covered = new Set(scenarios.flatMap((s) => s.needs));
    for (const capability of ['who_is_calling', 'amount_question', 'vague_time', 'past_date', 'change_of_mind', 'angry_refusal', 'do_not_call', 'silence', 'barge_in', 'dtmf', 'voicemail', 'callback', 'transfer', 'address', 'backchannel', 'code_switching']) {
      expect(covered).toContain(capability);
    }
  });
});

const built = Object.values(MAINS).every((main) => existsSync(main));

// Built by npm test (and CI) before jest; a developer's plain `npx jest evals` without builds skips the calls.
(built || process.env['CI'] ? describe : describe.skip)('the offline suite, through the real agent-api and gateway', () => {
  let report: EvalReport;
  const dir = mkdtempSync(join(tmpdir(), 'codcall-evals-report-'));
  // No vendor key: the suite scores the offline engine, whatever the developer's shell has set.
  const offline = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OPENAI|DEEPGRAM|ELEVENLABS)_/.test(name)));

  beforeAll(async () => {
    const started = Date.now();
    report = await runSuite({ concurrency: CONCURRENCY, report: join(dir, 'evals.md'), log: (line) => process.stderr.write(line + '\n') }, offline);
    process.stderr.write(`evals suite: ${report.totals.scenarios} scenarios in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }, SUITE_BUDGET_MS);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plays every scenario offline, skipping only the persona callees (they need a language model)', () => {
    expect(report.mode).toBe('offline');
    const skipped = report.scenarios.filter((s) => s.verdict === 'skipped');
    expect(skipped.every((s) => s.note?.includes('OPENAI_API_KEY'))).toBe(true);
    expect(report.scenarios.filter((s) => s.verdict === 'error').map((s) => `${s.id}: ${s.note}`)).toEqual([]);
  });

  it('passes every scenario the offline engine claims', () => {
    const claims = readOfflineClaims();
    const failing = report.scenarios
      .filter((s) => s.claimed && (s.verdict === 'failed' || s.verdict === 'error'))
      .map((s) => `${s.id}: ${s.checks.filter((c) => !c.passed).map((c) => c.detail).join('; ') || s.note}`);
    expect({ claims: claims ? 'published' : 'none', failing }).toEqual({ claims: claims ? 'published' : 'none', failing: [] });
  });

  it('writes the report with a row per language and per scenario, and the scenarios it does not claim', () => {
    expect(report.languages.map((l) => l.language)).toEqual([...EVAL_LANGUAGES]);
    expect(report.languages.every((l) => l.falseConfirmationRate === undefined || (l.falseConfirmationRate >= 0 && l.falseConfirmationRate <= 1))).toBe(true);
    expect(report.unclaimed.length).toBe(report.scenarios.filter((s) => !s.claimed).length);
    expect(existsSync(join(dir, 'evals.md')) && existsSync(join(dir, 'evals.json'))).toBe(true);
  });
});
