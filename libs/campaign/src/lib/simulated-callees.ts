import { readFile } from 'node:fs/promises';
import { numberForMessages } from '@codcall/call-list';
import { SimulatedCalleesError } from './errors';
import { SIMULATED_ANSWERS, type CalleeProfile, type SimulatedAnswer } from './gateway-client';

/** Simulated callees keyed by E.164 number: who picks up and what they say (the `--simulate` file). */
export type SimulatedCallees = Record<string, CalleeProfile>;

const E164 = /^\+[1-9]\d{7,14}$/;
const FIELDS = ['answer', 'says', 'ringSeconds'];

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
  const { answer, says, ringSeconds } = value;
  if (typeof answer !== 'string' || !(SIMULATED_ANSWERS as readonly string[]).includes(answer)) {
    const got = answer === undefined ? 'it is missing' : `got ${JSON.stringify(answer)}`;
    throw new SimulatedCalleesError(`${where}: answer must be one of ${SIMULATED_ANSWERS.join(', ')} (${got})`);
  }
  if (says !== undefined && (!Array.isArray(says) || says.some((line) => typeof line !== 'string' || line.trim() === ''))) {
    throw new SimulatedCalleesError(`${where}: says must be an array of non-empty strings, got ${JSON.stringify(says)}`);
  }
  if (ringSeconds !== undefined && (typeof ringSeconds !== 'number' || !(ringSeconds >= 0 && ringSeconds <= 120))) {
    throw new SimulatedCalleesError(`${where}: ringSeconds must be a number between 0 and 120, got ${JSON.stringify(ringSeconds)}`);
  }
  return {
    answer: answer as SimulatedAnswer,
    ...(says !== undefined ? { says: says as string[] } : {}),
    ...(ringSeconds !== undefined ? { ringSeconds } : {}),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
