import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { findLanguage, type LanguageCode } from '@codcall/languages';
import { parseCalleeLine, type CalleeLine } from '@codcall/telephony-providers';

/** What a scenario may need the agent to understand (common.md's list, kept in step with the offline claims). */
export const EVAL_CAPABILITIES = [
  'identity', 'confirm', 'cancel', 'reschedule', 'wrong_person', 'do_not_call', 'who_is_calling', 'amount_question', 'vague_time', 'past_date',
  'change_of_mind', 'angry_refusal', 'silence', 'barge_in', 'dtmf', 'voicemail', 'callback', 'transfer', 'address', 'backchannel', 'code_switching',
] as const;
export type EvalCapability = (typeof EVAL_CAPABILITIES)[number];

export const EVAL_LANGUAGES: readonly LanguageCode[] = ['en', 'hi', 'hi-Latn', 'ar', 'es', 'pt-BR', 'id'];

/** The statuses a call can leave in its row. */
export const CALL_STATUSES = [
  'confirmed', 'cancelled', 'rescheduled', 'wrong_person', 'do_not_call', 'callback_requested', 'transferred', 'voicemail', 'no_response', 'no_answer', 'busy', 'failed',
] as const;
export type CallStatusName = (typeof CALL_STATUSES)[number];

/** The checks a scenario can ask for beside its status and cells. */
export type Check =
  | { kind: 'no_order_detail_before_identity' }
  | { kind: 'wrong_person_hears_nothing' }
  | { kind: 'said_in_language' }
  | { kind: 'max_agent_turns'; limit: number }
  | { kind: 'max_seconds_to_outcome'; limit: number }
  | { kind: 'agent_said_any'; phrases: string[] }
  | { kind: 'never_status'; status: CallStatusName };

const FLAG_CHECKS = ['no_order_detail_before_identity', 'wrong_person_hears_nothing', 'said_in_language'] as const;

/** Agent settings a scenario may change, each a field of the agent JSON. */
export interface AgentOverrides {
  confirm_address?: boolean;
  dtmf_enabled?: boolean;
  /** Leave a message on a machine (task_config.voicemail). */
  voicemail?: boolean;
  /** The agent's default language (tools_config.transcriber.language). */
  language?: string;
  hangup_after_silence?: number;
}

export interface Scenario {
  /** `<language folder>/<file name without .yaml>`: what --scenario globs match. */
  id: string;
  file: string;
  name: string;
  language: LanguageCode;
  needs: EvalCapability[];
  /** The CSV row: the call's context. */
  row: Record<string, string>;
  agent: AgentOverrides;
  answer: 'human' | 'voicemail';
  callee: (string | CalleeLine)[];
  /** Played by a language model when a key is set (after any scripted `callee` lines). */
  persona?: string;
  /** The callee's voice language when it differs from the row's (a Hinglish speaker on a Hindi row). */
  calleeLanguage?: string;
  /** The clock the scenario was written against; relative cells are resolved on the call's own date. */
  now?: string;
  expect: { status: CallStatusName; cells: Record<string, string>; checks: Check[] };
}

export class ScenarioError extends Error {
  constructor(readonly file: string, readonly field: string, problem: string) {
    super(`${file}: ${field}: ${problem}`);
    this.name = 'ScenarioError';
  }
}

const TOP_FIELDS = ['name', 'language', 'needs', 'row', 'agent', 'answer', 'callee', 'persona', 'callee_language', 'now', 'expect'];
const AGENT_FIELDS: Record<keyof AgentOverrides, 'boolean' | 'string' | 'number'> = {
  confirm_address: 'boolean',
  dtmf_enabled: 'boolean',
  voicemail: 'boolean',
  language: 'string',
  hangup_after_silence: 'number',
};
/** The row columns every call needs; the runner fills a number by language when a scenario leaves it out. */
const REQUIRED_COLUMNS = ['name', 'order_id'];

export function parseScenario(text: string, file: string): Scenario {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length) {
    const error = document.errors[0];
    const line = error.linePos?.[0];
    throw new ScenarioError(file, line ? `line ${line.line}, column ${line.col}` : 'yaml', `not valid YAML (${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')})`);
  }
  const raw: unknown = document.toJS();
  const fail = (field: string, problem: string): never => {
    throw new ScenarioError(file, field, problem);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('scenario', 'must be a mapping with name, language, callee and expect');
  const value = raw as Record<string, unknown>;
  for (const key of Object.keys(value)) if (!TOP_FIELDS.includes(key)) fail(key, `unknown field (allowed: ${TOP_FIELDS.join(', ')})`);

  const name = value['name'];
  if (typeof name !== 'string' || name.trim() === '') fail('name', 'must be a short sentence saying what the callee does');
  const language = findLanguage(typeof value['language'] === 'string' ? value['language'] : undefined)?.code;
  if (!language) fail('language', `must name one of ${EVAL_LANGUAGES.join(', ')} (or an alias), got ${JSON.stringify(value['language'])}`);

  const needs = value['needs'];
  if (!Array.isArray(needs) || needs.length === 0) fail('needs', `must list the capabilities the scenario tests (${EVAL_CAPABILITIES.join(', ')})`);
  (needs as unknown[]).forEach((need, i) => {
    if (!EVAL_CAPABILITIES.includes(need as EvalCapability)) fail(`needs[${i}]`, `unknown capability ${JSON.stringify(need)}`);
  });

  const row = parseRow(value['row'], fail);
  const agent = parseAgent(value['agent'], fail);
  const answer = value['answer'] ?? 'human';
  if (answer !== 'human' && answer !== 'voicemail') fail('answer', `must be human or voicemail, got ${JSON.stringify(answer)}`);

  const persona = value['persona'];
  if (persona !== undefined && (typeof persona !== 'string' || persona.trim() === '')) fail('persona', 'must describe the customer a language model plays');
  const callee = value['callee'] ?? [];
  if (!Array.isArray(callee)) fail('callee', 'must be a list of lines (a string, or {say, dtmf, pauseMs, bargeInAfterMs, silent})');
  if ((callee as unknown[]).length === 0 && persona === undefined && answer === 'human') fail('callee', 'a callee who answers needs lines, or a persona');
  const lines = (callee as unknown[]).map((line, i) => {
    try {
      return parseCalleeLine(line, `callee[${i}]`);
    } catch (error) {
      const [field, ...problem] = (error as Error).message.split(': ');
      return fail(field, problem.join(': '));
    }
  });

  const calleeLanguage = value['callee_language'];
  if (calleeLanguage !== undefined && !findLanguage(String(calleeLanguage))) fail('callee_language', `names no known language: ${JSON.stringify(calleeLanguage)}`);
  const now = value['now'];
  const nowText = now instanceof Date ? now.toISOString() : now;
  if (nowText !== undefined && (typeof nowText !== 'string' || Number.isNaN(Date.parse(nowText)))) fail('now', 'must be an ISO 8601 time such as 2026-12-01T10:00:00+05:30');

  return {
    id: '',
    file,
    name: (name as string).trim(),
    language: language as LanguageCode,
    needs: needs as EvalCapability[],
    row,
    agent,
    answer: answer as 'human' | 'voicemail',
    callee: lines,
    ...(persona !== undefined ? { persona: persona as string } : {}),
    ...(calleeLanguage !== undefined ? { calleeLanguage: String(calleeLanguage) } : {}),
    ...(nowText !== undefined ? { now: nowText as string } : {}),
    expect: parseExpect(value['expect'], fail),
  };
}

type Fail = (field: string, problem: string) => never;

function parseRow(value: unknown, fail: Fail): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('row', 'must be a mapping of CSV columns to values');
  const row: Record<string, string> = {};
  for (const [column, cell] of Object.entries(value)) {
    if (typeof cell === 'object' && cell !== null) fail(`row.${column}`, 'must be a single value (a CSV cell)');
    // YAML reads 1499 as a number and 2026-12-04 as a date; a CSV cell is text.
    row[column] = cell instanceof Date ? cell.toISOString().slice(0, 10) : cell === null || cell === undefined ? '' : String(cell);
  }
  for (const column of REQUIRED_COLUMNS) if (!row[column]) fail(`row.${column}`, 'is required');
  return row;
}

function parseAgent(value: unknown, fail: Fail): AgentOverrides {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('agent', 'must be a mapping of agent settings');
  for (const [key, setting] of Object.entries(value)) {
    const type = AGENT_FIELDS[key as keyof AgentOverrides];
    if (!type) fail(`agent.${key}`, `unknown agent setting (allowed: ${Object.keys(AGENT_FIELDS).join(', ')})`);
    if (typeof setting !== type) fail(`agent.${key}`, `must be a ${type}`);
  }
  return value as AgentOverrides;
}

function parseExpect(value: unknown, fail: Fail): Scenario['expect'] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expect', 'must say at least the status the call ends with');
  const { status, cells, checks, ...rest } = value as Record<string, unknown>;
  for (const key of Object.keys(rest)) fail(`expect.${key}`, 'unknown field (allowed: status, cells, checks)');
  if (!CALL_STATUSES.includes(status as CallStatusName)) fail('expect.status', `must be one of ${CALL_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
  const expectedCells: Record<string, string> = {};
  if (cells !== undefined) {
    if (typeof cells !== 'object' || cells === null || Array.isArray(cells)) fail('expect.cells', 'must map columns to their expected values');
    for (const [column, cell] of Object.entries(cells as object)) {
      const text = cell instanceof Date ? cell.toISOString().slice(0, 10) : String(cell);
      if (/^\+/.test(text) && !RELATIVE_CELL.test(text)) fail(`expect.cells.${column}`, `"${text}" is not a relative day: write +1d, or +0dT18:00 for a day and a time`);
      expectedCells[column] = text;
    }
  }
  if (checks !== undefined && !Array.isArray(checks)) fail('expect.checks', 'must be a list');
  const parsedChecks = ((checks as unknown[]) ?? []).map((check, i) => parseCheck(check, `expect.checks[${i}]`, fail));
  return { status: status as CallStatusName, cells: expectedCells, checks: parsedChecks };
}

/** `+Nd` (N days after the call's date in the row's zone), optionally with a time: `+0dT18:00`. */
export const RELATIVE_CELL = /^\+(\d{1,3})d(?:T(\d{2}:\d{2}))?$/;

function parseCheck(check: unknown, field: string, fail: Fail): Check {
  if (typeof check === 'string') {
    if ((FLAG_CHECKS as readonly string[]).includes(check)) return { kind: check as (typeof FLAG_CHECKS)[number] };
    return fail(field, `unknown check "${check}" (flags: ${FLAG_CHECKS.join(', ')}; with a value: max_agent_turns, max_seconds_to_outcome, agent_said_any, never_status)`);
  }
  if (typeof check !== 'object' || check === null || Array.isArray(check) || Object.keys(check).length !== 1) {
    return fail(field, 'a check is a name, or a mapping of one name to its value (max_agent_turns: 4)');
  }
  const [[kind, setting]] = Object.entries(check);
  switch (kind) {
    case 'max_agent_turns':
    case 'max_seconds_to_outcome':
      if (typeof setting !== 'number' || !(setting > 0)) fail(`${field}.${kind}`, 'must be a positive number');
      return { kind, limit: setting as number };
    case 'agent_said_any':
      if (!Array.isArray(setting) || setting.length === 0 || setting.some((phrase) => typeof phrase !== 'string' || phrase.trim() === '')) {
        fail(`${field}.${kind}`, 'must list the phrases (any one of them will do)');
      }
      return { kind, phrases: setting as string[] };
    case 'never_status':
      if (!CALL_STATUSES.includes(setting as CallStatusName)) fail(`${field}.${kind}`, `must be a status, got ${JSON.stringify(setting)}`);
      return { kind, status: setting as CallStatusName };
    default:
      return fail(field, `unknown check "${kind}"`);
  }
}

/** Every scenario under `root` (evals/scenarios): `<language>/<name>.yaml`, the folder agreeing with the file's language. */
export function loadScenarios(root: string): Scenario[] {
  const files = yamlFiles(root).sort();
  const scenarios = files.map((path) => {
    const file = relative(join(root, '..', '..'), path).split(sep).join('/');
    const scenario = parseScenario(readFileSync(path, 'utf8'), file);
    const id = relative(root, path).split(sep).join('/').replace(/\.ya?ml$/, '');
    const folder = id.split('/')[0];
    if (folder !== scenario.language) throw new ScenarioError(file, 'language', `is ${scenario.language} but the file sits in scenarios/${folder}/`);
    return { ...scenario, id };
  });
  return scenarios;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry) ? [path] : [];
  });
}

/** `*` matches within a path segment, `**` across them; matched against the scenario's id. */
export function matchesGlob(id: string, glob: string): boolean {
  const pattern = glob
    .replace(/\.ya?ml$/, '')
    .split('**')
    .map((part) => part.split('*').map((text) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(id);
}
