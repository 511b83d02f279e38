import { readFile } from 'node:fs/promises';

export type CalleeAnswer = 'human' | 'voicemail' | 'no_answer' | 'busy' | 'failed';
export const CALLEE_ANSWERS: readonly CalleeAnswer[] = ['human', 'voicemail', 'no_answer', 'busy', 'failed'];

/**
 * One turn of a scripted callee. A plain string in `says` is `{ say: text }`. Timings are what a
 * hard callee does to the agent: a long think (`pauseMs`), talking over it (`bargeInAfterMs`),
 * keys instead of words (`dtmf`), or nothing at all (`silent`).
 */
export interface CalleeLine {
  say?: string;
  /** Keypad digits pressed (after `say`, when both are given): 0-9, * and #. */
  dtmf?: string;
  /** Quiet before speaking, once the agent's audio has played out (instead of the simulator's think time). */
  pauseMs?: number;
  /** Speak this many ms after the agent STARTS its turn, over its audio: a barge-in. */
  bargeInAfterMs?: number;
  /** Say nothing this turn: the agent hears silence. */
  silent?: true;
}

/** How a simulated callee behaves: whether they pick up, and what they do, one line per agent turn. */
export interface CalleeProfile {
  answer: CalleeAnswer;
  /** One line per agent turn; for a voicemail, its first spoken line is the machine's greeting. */
  says?: (string | CalleeLine)[];
  /** Seconds the phone rings before it is answered (or gives up, for no_answer). */
  ringSeconds?: number;
  /** The callee's voice: a language code or name, handed to the simulator's `speak` as it is. */
  language?: string;
  /**
   * How long the agent must have been quiet before the callee takes it for the end of its turn
   * (the simulator's own gap otherwise). A patient callee waits out the pause between two of the
   * agent's sentences; an eager one talks into it.
   */
  turnGapMs?: number;
  /**
   * Who the callee is, for a language model to play them once `says` runs out: each further line
   * is produced at run time by the simulator's improviser (none configured: the call is refused).
   */
  persona?: string;
}

export type CalleeBook = Record<string, CalleeProfile>;

/** Numbers not in the book answer as a cooperative callee who confirms. */
export const DEFAULT_CALLEE: CalleeProfile = { answer: 'human', says: ['Yes, speaking.', 'Yes, please deliver it.'] };

export class CalleeBookError extends Error {}

const E164 = /^\+[1-9]\d{7,14}$/;
const PROFILE_FIELDS = ['answer', 'says', 'ringSeconds', 'language', 'persona', 'turnGapMs'];
const LINE_FIELDS = ['say', 'dtmf', 'pauseMs', 'bargeInAfterMs', 'silent'];
const DTMF = /^[0-9*#]{1,20}$/;
/** A BCP 47 tag ("hi", "pt-BR") or a language's name ("Hinglish"): the voice's owner maps it. */
const LANGUAGE = /^[A-Za-z]{2,20}(-[A-Za-z0-9]{1,8}){0,3}$/;
const MAX_LINE_MS = 30_000;
const MAX_PERSONA_CHARS = 2000;

/** Every line of a profile in its object form. */
export function calleeLines(profile: CalleeProfile): CalleeLine[] {
  return (profile.says ?? []).map((line) => (typeof line === 'string' ? { say: line } : line));
}

export function parseCalleeProfile(value: unknown, where: string): CalleeProfile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CalleeBookError(`${where}: must be an object like {"answer": "human", "says": ["Yes."]}`);
  }
  const { answer, says, ringSeconds, language, persona, turnGapMs, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new CalleeBookError(`${where}: unknown field ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${PROFILE_FIELDS.join(', ')})`);
  if (typeof answer !== 'string' || !CALLEE_ANSWERS.includes(answer as CalleeAnswer)) {
    throw new CalleeBookError(`${where}: answer must be one of ${CALLEE_ANSWERS.join(', ')}, got ${JSON.stringify(answer)}`);
  }
  if (says !== undefined && !Array.isArray(says)) throw new CalleeBookError(`${where}: says must be an array of lines (strings or objects)`);
  const lines = says?.map((line, index) => parseCalleeLine(line, `${where}: says[${index}]`));
  if (ringSeconds !== undefined && (typeof ringSeconds !== 'number' || !(ringSeconds >= 0 && ringSeconds <= 120))) {
    throw new CalleeBookError(`${where}: ringSeconds must be a number between 0 and 120`);
  }
  if (language !== undefined && (typeof language !== 'string' || !LANGUAGE.test(language))) {
    throw new CalleeBookError(`${where}: language must be a language code or name such as "hi", "pt-BR" or "Hinglish", got ${JSON.stringify(language)}`);
  }
  if (turnGapMs !== undefined && (typeof turnGapMs !== 'number' || !Number.isFinite(turnGapMs) || turnGapMs < 0 || turnGapMs > 10_000)) {
    throw new CalleeBookError(`${where}: turnGapMs must be a number of milliseconds between 0 and 10000`);
  }
  if (persona !== undefined) {
    if (typeof persona !== 'string' || persona.trim() === '' || persona.length > MAX_PERSONA_CHARS) {
      throw new CalleeBookError(`${where}: persona must be a non-empty description of at most ${MAX_PERSONA_CHARS} characters`);
    }
    if (answer !== 'human') throw new CalleeBookError(`${where}: persona is only for a callee who answers (answer "human"), not "${answer}"`);
  }
  return {
    answer: answer as CalleeAnswer,
    ...(lines ? { says: lines } : {}),
    ...(ringSeconds !== undefined ? { ringSeconds } : {}),
    ...(language !== undefined ? { language: language as string } : {}),
    ...(persona !== undefined ? { persona: persona as string } : {}),
    ...(turnGapMs !== undefined ? { turnGapMs: turnGapMs as number } : {}),
  };
}

/** One line: a non-empty string stays a string (the old form), an object is checked field by field. */
export function parseCalleeLine(value: unknown, where: string): string | CalleeLine {
  if (typeof value === 'string') {
    if (value.trim() === '') throw new CalleeBookError(`${where}: a line must not be empty (use {"silent": true} for a turn with nothing said)`);
    return value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CalleeBookError(`${where}: a line is a string or an object like {"say": "Yes.", "pauseMs": 300}`);
  }
  const { say, dtmf, pauseMs, bargeInAfterMs, silent, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new CalleeBookError(`${where}: unknown field ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${LINE_FIELDS.join(', ')})`);
  if (say !== undefined && (typeof say !== 'string' || say.trim() === '')) throw new CalleeBookError(`${where}: say must be a non-empty string`);
  if (dtmf !== undefined && (typeof dtmf !== 'string' || !DTMF.test(dtmf))) throw new CalleeBookError(`${where}: dtmf must be 1 to 20 keypad digits (0-9, * or #), got ${JSON.stringify(dtmf)}`);
  for (const [name, ms] of [['pauseMs', pauseMs], ['bargeInAfterMs', bargeInAfterMs]] as const) {
    if (ms !== undefined && (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_LINE_MS)) {
      throw new CalleeBookError(`${where}: ${name} must be a number of milliseconds between 0 and ${MAX_LINE_MS}`);
    }
  }
  if (silent !== undefined && silent !== true) throw new CalleeBookError(`${where}: silent must be true when given`);
  if (silent && (say !== undefined || dtmf !== undefined || bargeInAfterMs !== undefined)) {
    throw new CalleeBookError(`${where}: a silent line cannot also say, press or barge in`);
  }
  if (!silent && say === undefined && dtmf === undefined) throw new CalleeBookError(`${where}: a line needs say, dtmf or silent: true`);
  if (pauseMs !== undefined && bargeInAfterMs !== undefined) {
    throw new CalleeBookError(`${where}: pauseMs waits for the agent to finish and bargeInAfterMs talks over it: give one`);
  }
  return {
    ...(say !== undefined ? { say: say as string } : {}),
    ...(dtmf !== undefined ? { dtmf: dtmf as string } : {}),
    ...(pauseMs !== undefined ? { pauseMs: pauseMs as number } : {}),
    ...(bargeInAfterMs !== undefined ? { bargeInAfterMs: bargeInAfterMs as number } : {}),
    ...(silent ? { silent: true as const } : {}),
  };
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
