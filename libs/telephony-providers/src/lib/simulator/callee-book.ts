import { readFile } from 'node:fs/promises';

export type CalleeAnswer = 'human' | 'voicemail' | 'no_answer' | 'busy' | 'failed';
export const CALLEE_ANSWERS: readonly CalleeAnswer[] = ['human', 'voicemail', 'no_answer', 'busy', 'failed'];

/** How a simulated callee behaves: whether they pick up, and what they say, one line per agent turn. */
export interface CalleeProfile {
  answer: CalleeAnswer;
  says?: string[];
  /** Seconds the phone rings before it is answered (or gives up, for no_answer). */
  ringSeconds?: number;
}

export type CalleeBook = Record<string, CalleeProfile>;

/** Numbers not in the book answer as a cooperative callee who confirms. */
export const DEFAULT_CALLEE: CalleeProfile = { answer: 'human', says: ['Yes, speaking.', 'Yes, please deliver it.'] };

export class CalleeBookError extends Error {}

const E164 = /^\+[1-9]\d{7,14}$/;

export function parseCalleeProfile(value: unknown, where: string): CalleeProfile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CalleeBookError(`${where}: must be an object like {"answer": "human", "says": ["Yes."]}`);
  }
  const { answer, says, ringSeconds, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new CalleeBookError(`${where}: unknown field ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: answer, says, ringSeconds)`);
  if (typeof answer !== 'string' || !CALLEE_ANSWERS.includes(answer as CalleeAnswer)) {
    throw new CalleeBookError(`${where}: answer must be one of ${CALLEE_ANSWERS.join(', ')}, got ${JSON.stringify(answer)}`);
  }
  if (says !== undefined && (!Array.isArray(says) || says.some((line) => typeof line !== 'string' || line.trim() === ''))) {
    throw new CalleeBookError(`${where}: says must be an array of non-empty strings`);
  }
  if (ringSeconds !== undefined && (typeof ringSeconds !== 'number' || !(ringSeconds >= 0 && ringSeconds <= 120))) {
    throw new CalleeBookError(`${where}: ringSeconds must be a number between 0 and 120`);
  }
  return { answer: answer as CalleeAnswer, ...(says ? { says: says as string[] } : {}), ...(ringSeconds !== undefined ? { ringSeconds } : {}) };
}

export function parseCalleeBook(json: unknown, source: string): CalleeBook {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new CalleeBookError(`${source}: must be a JSON object keyed by E.164 phone number`);
  }
  const book: CalleeBook = {};
  for (const [number, profile] of Object.entries(json)) {
    if (!E164.test(number)) throw new CalleeBookError(`${source}: "${number}" is not an E.164 number such as +15551234567`);
    book[number] = parseCalleeProfile(profile, `${source}: ${number}`);
  }
  return book;
}

export async function loadCalleeBook(path: string): Promise<CalleeBook> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CalleeBookError(`${path}: cannot read the callee file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CalleeBookError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseCalleeBook(json, path);
}
