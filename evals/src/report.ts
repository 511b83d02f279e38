import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ScenarioResult } from './runner';
import { EVAL_LANGUAGES } from './scenario';

export interface LanguageSummary {
  language: string;
  scenarios: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  /** Of the calls that ran, the share that ended with the expected status. */
  outcomeAccuracy?: number;
  /** Of the calls that ran and should not have been confirmed, the share that were: the costliest error in COD. */
  falseConfirmationRate?: number;
  falseConfirmations: number;
  medianAgentTurns?: number;
  medianSecondsToOutcome?: number;
}

export interface EvalReport {
  startedAt: string;
  finishedAt: string;
  /** offline: the rule engine and stand-ins; vendors: the real model and the agent's prompt. */
  mode: 'offline' | 'vendors';
  totals: { scenarios: number; passed: number; failed: number; errors: number; skipped: number; claimed: number; claimedFailing: number };
  languages: LanguageSummary[];
  /** Scenarios the offline engine does not claim, and why. */
  unclaimed: { id: string; because: string }[];
  scenarios: ScenarioResult[];
}

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function summariseLanguage(language: string, results: ScenarioResult[]): LanguageSummary {
  const ran = results.filter((result) => result.verdict === 'passed' || result.verdict === 'failed');
  const shouldNotConfirm = ran.filter((result) => result.expectedStatus !== 'confirmed');
  const falseConfirmations = shouldNotConfirm.filter((result) => result.status === 'confirmed').length;
  return {
    language,
    scenarios: results.length,
    passed: results.filter((result) => result.verdict === 'passed').length,
    failed: results.filter((result) => result.verdict === 'failed').length,
    errors: results.filter((result) => result.verdict === 'error').length,
    skipped: results.filter((result) => result.verdict === 'skipped').length,
    outcomeAccuracy: ran.length ? ran.filter((result) => result.status === result.expectedStatus).length / ran.length : undefined,
    falseConfirmationRate: shouldNotConfirm.length ? falseConfirmations / shouldNotConfirm.length : undefined,
    falseConfirmations,
    medianAgentTurns: median(ran.flatMap((result) => (result.agentTurns !== undefined ? [result.agentTurns] : []))),
    medianSecondsToOutcome: median(ran.flatMap((result) => (result.secondsToOutcome !== undefined ? [result.secondsToOutcome] : []))),
  };
}

export function buildReport(results: ScenarioResult[], meta: { startedAt: Date; finishedAt: Date; mode: EvalReport['mode'] }): EvalReport {
  const count = (verdict: ScenarioResult['verdict']) => results.filter((result) => result.verdict === verdict).length;
  const languages = [...EVAL_LANGUAGES.filter((language) => results.some((result) => result.language === language))];
  return {
    startedAt: meta.startedAt.toISOString(),
    finishedAt: meta.finishedAt.toISOString(),
    mode: meta.mode,
    totals: {
      scenarios: results.length,
      passed: count('passed'),
      failed: count('failed'),
      errors: count('error'),
      skipped: count('skipped'),
      claimed: results.filter((result) => result.claimed).length,
      // A skipped scenario (a persona without a model) is not a failure of the engine's claim.
      claimedFailing: results.filter((result) => result.claimed && (result.verdict === 'failed' || result.verdict === 'error')).length,
    },
    languages: languages.map((language) => summariseLanguage(language, results.filter((result) => result.language === language))),
    unclaimed: results.filter((result) => !result.claimed).map((result) => ({ id: result.id, because: result.claimNote ?? 'not claimed' })),
    scenarios: results,
  };
}

const percent = (value: number | undefined) => (value === undefined ? '–' : `${Math.round(value * 100)}%`);
const number = (value: number | undefined, digits = 1) => (value === undefined ? '–' : value.toFixed(digits).replace(/\.0$/, ''));
/** A table cell: pipes and line breaks would break the row. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

export function renderMarkdown(report: EvalReport): string {
  const { totals } = report;
  const minutes = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 60_000;
  const lines = [
    '# Conversation evals',
    '',
    `Run ${report.startedAt} (${number(minutes)} min), **${report.mode}** (${report.mode === 'offline' ? 'the offline rule engine, side-channel transcriber and eSpeak-NG voice' : "the vendors' real model, speech and the agent's prompt"}), through the real agent-api and telephony-gateway with the carrier simulator.`,
    '',
    `${totals.scenarios} scenarios: **${totals.passed} passed**, ${totals.failed} failed, ${totals.errors} errors, ${totals.skipped} skipped. ` +
      `The offline engine claims ${totals.claimed}; ${totals.claimedFailing} of those did not pass.`,
    '',
    '## By language',
    '',
    '| language | scenarios | passed | failed | errors | skipped | outcome accuracy | false confirmations | median agent turns | median s to outcome |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...report.languages.map(
      (l) =>
        `| ${l.language} | ${l.scenarios} | ${l.passed} | ${l.failed} | ${l.errors} | ${l.skipped} | ${percent(l.outcomeAccuracy)} | ${percent(l.falseConfirmationRate)} (${l.falseConfirmations}) | ${number(l.medianAgentTurns)} | ${number(l.medianSecondsToOutcome)} |`,
    ),
    '',
    'Outcome accuracy: calls that ended with the expected status, of those that ran. False confirmations: calls recorded `confirmed` when the callee did not confirm, of those that ran and should not have been confirmed.',
    '',
    '## Scenarios',
    '',
    '| scenario | verdict | expected | got | claimed | what failed |',
    '|---|---|---|---|---|---|',
    ...report.scenarios.map(
      (s) =>
        `| ${s.id} | ${s.verdict} | ${s.expectedStatus} | ${s.status ?? '–'} | ${s.claimed ? 'yes' : 'no'} | ${cell(
          s.verdict === 'failed' ? s.checks.filter((check) => !check.passed).map((check) => `${check.check}: ${check.detail}`).join('; ') : (s.note ?? ''),
        )} |`,
    ),
    '',
    '## Not claimed by the offline engine',
    '',
    ...(report.unclaimed.length ? report.unclaimed.map((u) => `- ${u.id}: ${u.because}`) : ['Every scenario is claimed.']),
    '',
    '## Transcripts',
    '',
    ...report.scenarios.flatMap((s) => [
      `### ${s.id}: ${s.name} (${s.verdict})`,
      '',
      ...(s.transcript.length
        ? s.transcript.map((line) => `- ${(line.atMs / 1000).toFixed(1)} s **${line.speaker}**${line.interrupted ? ' (interrupted)' : ''}: ${cell(line.text)}`)
        : [`- ${s.note ?? 'no transcript'}`]),
      '',
    ]),
  ];
  return lines.join('\n');
}

export function writeReport(report: EvalReport, markdownPath: string): { markdown: string; json: string } {
  const json = markdownPath.replace(/\.md$/, '') + '.json';
  mkdirSync(dirname(markdownPath), { recursive: true });
  writeFileSync(markdownPath, renderMarkdown(report));
  writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
  return { markdown: markdownPath, json };
}
