import { readFile } from 'node:fs/promises';
import { numberForMessages } from '@codcall/call-list';
import { findLanguage } from '@codcall/languages';
import { SimulatedCalleesError } from './errors';
import { SIMULATED_ANSWERS, type CalleeProfile, type SimulatedAnswer, type SimulatedLine } from './gateway-client';

/** Simulated callees keyed by E.164 number: who picks up and what they say (the `--simulate` file). */
export type SimulatedCallees = Record<string, CalleeProfile>;

const E164 = /^\+[1-9]\d{7,14}$/;
const FIELDS = ['answer', 'says', 'ringSeconds', 'language', 'persona'];
const LINE_FIELDS = ['say', 'dtmf', 'pauseMs', 'bargeInAfterMs', 'silent'];
const DTMF = /^[0-9*#]{1,20}$/;
/** The simulator's own bounds: a line's timing, and a persona's length. */
const MAX_LINE_MS = 30_000;
const MAX_PERSONA_CHARS = 2000;

/**
 * Validates a simulated-callee book. The gateway's simulator checks the same shape per call;
 * checking the whole file up front means a typo is one clear message, not a CSV full of failed rows.
 */
export function parseSimulatedCallees(json: unknown, source: string): SimulatedCallees {
  if (!isPlainObject(json)) {
    throw new SimulatedCalleesError(`${source}: must be a JSON object keyed by E.164 number, like {"+15551234567": {"answer": "human", "says": ["Yes."]}}`);
  }
  const callees: SimulatedCallees = {};
  for (const [number, profile] of Object.entries(json)) {
    // Named masked, like every number in a message: the file holds real people's numbers.
    const shown = numberForMessages(number);
    if (!E164.test(number)) throw new SimulatedCalleesError(`${source}: "${shown}" is not an E.164 number such as +15551234567`);
    callees[number] = parseProfile(profile, `${source}: ${shown}`);
  }
  return callees;
}

export async function loadSimulatedCallees(path: string): Promise<SimulatedCallees> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SimulatedCalleesError(`${path}: cannot read the simulated callees file (${code === 'ENOENT' ? 'no such file' : (code ?? String(error))})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new SimulatedCalleesError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseSimulatedCallees(json, path);
}

function parseProfile(value: unknown, where: string): CalleeProfile {
  if (!isPlainObject(value)) throw new SimulatedCalleesError(`${where}: must be an object like {"answer": "human", "says": ["Yes."]}`);
  const unknown = Object.keys(value).filter((key) => !FIELDS.includes(key));
  if (unknown.length) {
    throw new SimulatedCalleesError(`${where}: unknown field ${unknown.map((key) => `"${key}"`).join(', ')} (allowed: ${FIELDS.join(', ')})`);
  }
  const { answer, says, ringSeconds, language, persona } = value;
  if (typeof answer !== 'string' || !(SIMULATED_ANSWERS as readonly string[]).includes(answer)) {
    const got = answer === undefined ? 'it is missing' : `got ${JSON.stringify(answer)}`;
    throw new SimulatedCalleesError(`${where}: answer must be one of ${SIMULATED_ANSWERS.join(', ')} (${got})`);
  }
  if (says !== undefined && !Array.isArray(says)) {
    throw new SimulatedCalleesError(`${where}: says must be an array of lines (non-empty strings, or objects like {"say": "Yes.", "pauseMs": 300}), got ${JSON.stringify(says)}`);
  }
  const lines = says?.map((line: unknown, index: number) => parseLine(line, `${where}: says[${index}]`));
  if (ringSeconds !== undefined && (typeof ringSeconds !== 'number' || !(ringSeconds >= 0 && ringSeconds <= 120))) {
    throw new SimulatedCalleesError(`${where}: ringSeconds must be a number between 0 and 120, got ${JSON.stringify(ringSeconds)}`);
  }
  if (language !== undefined && (typeof language !== 'string' || !findLanguage(language))) {
    throw new SimulatedCalleesError(`${where}: language must name a language codcall knows, such as "hi", "Hinglish" or "ar", got ${JSON.stringify(language)}`);
  }
  if (persona !== undefined) {
    if (typeof persona !== 'string' || persona.trim() === '' || persona.length > MAX_PERSONA_CHARS) {
      throw new SimulatedCalleesError(`${where}: persona must be a non-empty description of at most ${MAX_PERSONA_CHARS} characters`);
    }
    if (answer !== 'human') throw new SimulatedCalleesError(`${where}: persona is only for a callee who answers (answer "human"), not "${answer}"`);
  }
  return {
    answer: answer as SimulatedAnswer,
    ...(lines !== undefined ? { says: lines } : {}),
    ...(ringSeconds !== undefined ? { ringSeconds } : {}),
    ...(language !== undefined ? { language: language as string } : {}),
    ...(persona !== undefined ? { persona: persona as string } : {}),
  };
}

/** A line as the gateway's simulator takes it: a non-empty string, or an object checked field by field. */
function parseLine(value: unknown, where: string): string | SimulatedLine {
  if (typeof value === 'string') {
    if (value.trim() === '') throw new SimulatedCalleesError(`${where}: a line must not be empty (use {"silent": true} for a turn with nothing said)`);
    return value;
  }
  if (!isPlainObject(value)) throw new SimulatedCalleesError(`${where}: a line is a string or an object like {"say": "Yes.", "pauseMs": 300}, got ${JSON.stringify(value)}`);
  const unknown = Object.keys(value).filter((key) => !LINE_FIELDS.includes(key));
  if (unknown.length) throw new SimulatedCalleesError(`${where}: unknown field ${unknown.map((key) => `"${key}"`).join(', ')} (allowed: ${LINE_FIELDS.join(', ')})`);
  const { say, dtmf, pauseMs, bargeInAfterMs, silent } = value;
  if (say !== undefined && (typeof say !== 'string' || say.trim() === '')) throw new SimulatedCalleesError(`${where}: say must be a non-empty string`);
  if (dtmf !== undefined && (typeof dtmf !== 'string' || !DTMF.test(dtmf))) {
    throw new SimulatedCalleesError(`${where}: dtmf must be 1 to 20 keypad digits (0-9, * or #), got ${JSON.stringify(dtmf)}`);
  }
  for (const [name, ms] of [['pauseMs', pauseMs], ['bargeInAfterMs', bargeInAfterMs]] as const) {
    if (ms !== undefined && (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_LINE_MS)) {
      throw new SimulatedCalleesError(`${where}: ${name} must be a number of milliseconds between 0 and ${MAX_LINE_MS}`);
    }
  }
  if (silent !== undefined && silent !== true) throw new SimulatedCalleesError(`${where}: silent must be true when given`);
  if (silent && (say !== undefined || dtmf !== undefined || bargeInAfterMs !== undefined)) throw new SimulatedCalleesError(`${where}: a silent line cannot also say, press or barge in`);
  if (!silent && say === undefined && dtmf === undefined) throw new SimulatedCalleesError(`${where}: a line needs say, dtmf or silent: true`);
  if (pauseMs !== undefined && bargeInAfterMs !== undefined) {
    throw new SimulatedCalleesError(`${where}: pauseMs waits for the agent to finish and bargeInAfterMs talks over it: give one`);
  }
  return {
    ...(say !== undefined ? { say: say as string } : {}),
    ...(dtmf !== undefined ? { dtmf: dtmf as string } : {}),
    ...(pauseMs !== undefined ? { pauseMs: pauseMs as number } : {}),
    ...(bargeInAfterMs !== undefined ? { bargeInAfterMs: bargeInAfterMs as number } : {}),
    ...(silent ? { silent: true as const } : {}),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
