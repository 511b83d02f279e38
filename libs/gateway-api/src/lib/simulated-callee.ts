import { E164 } from './call-api';

/**
 * A simulated callee for the gateway's carrier simulator: the `simulation` of POST /call, one
 * entry of the CLI's --simulate file and of the gateway's SIMULATOR_CALLEES_FILE. One format and
 * one validator for every side, so a file the CLI accepts is one the gateway plays.
 */

/** Whether the callee picks up: a person, a machine, or one of the ways a call is never answered. */
export const SIMULATED_ANSWERS = ['human', 'voicemail', 'no_answer', 'busy', 'failed'] as const;
export type SimulatedAnswer = (typeof SIMULATED_ANSWERS)[number];

/**
 * One turn of a scripted callee. A plain string in `says` is `{ say: text }`. Timings are what a
 * hard callee does to the agent: a long think (`pauseMs`), talking over it (`bargeInAfterMs`),
 * keys instead of words (`dtmf`), or nothing at all (`silent`).
 */
export interface SimulatedLine {
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
  answer: SimulatedAnswer;
  /** One line per agent turn; for a voicemail, its first spoken line is the machine's greeting. */
  says?: (string | SimulatedLine)[];
  /** Seconds the phone rings before it is answered (or gives up, for no_answer). */
  ringSeconds?: number;
  /** The callee's voice: a language code or name ("hi", "pt-BR", "Hinglish"). */
  language?: string;
  /**
   * Who the callee is, for a language model to play them once `says` runs out (the gateway's
   * simulator needs a model for it, else the call is refused).
   */
  persona?: string;
  /**
   * How long the agent must have been quiet before the callee takes it for the end of its turn
   * (the simulator's own gap otherwise). A patient callee waits out the pause between two of the
   * agent's sentences; an eager one talks into it.
   */
  turnGapMs?: number;
}

/** Simulated callees keyed by E.164 number. */
export type SimulatedCallees = Record<string, CalleeProfile>;

/** A callee profile or book that breaks the format; the message names the number, the line and the field. */
export class SimulatedCalleeError extends Error {
  override readonly name: string = 'SimulatedCalleeError';
}

/** What a side checks beyond the format itself. */
export interface SimulatedCalleeRules {
  /** Stricter than the format's code-or-name shape: the CLI refuses a language codcall has no voice for. */
  isKnownLanguage?: (language: string) => boolean;
  /** How a book's numbers appear in messages (the CLI masks them: the file holds real people's numbers). */
  numberForMessages?: (e164: string) => string;
}

export const CALLEE_PROFILE_FIELDS = ['answer', 'says', 'ringSeconds', 'language', 'persona', 'turnGapMs'] as const;
export const SIMULATED_LINE_FIELDS = ['say', 'dtmf', 'pauseMs', 'bargeInAfterMs', 'silent'] as const;
const DTMF = /^[0-9*#]{1,20}$/;
/** A BCP 47 tag ("hi", "pt-BR") or a language's name ("Hinglish"): the voice's owner maps it. */
const LANGUAGE = /^[A-Za-z]{2,20}(-[A-Za-z0-9]{1,8}){0,3}$/;
/** The simulator's own bounds: a line's timing, a turn gap, a ring, and a persona's length. */
const MAX_LINE_MS = 30_000;
const MAX_TURN_GAP_MS = 10_000;
const MAX_RING_SECONDS = 120;
const MAX_PERSONA_CHARS = 2000;

/** Every line of a profile in its object form. */
export function calleeLines(profile: CalleeProfile): SimulatedLine[] {
  return (profile.says ?? []).map((line) => (typeof line === 'string' ? { say: line } : line));
}

/** A book's JSON text (a leading byte-order mark is ignored, as editors on Windows write one). */
export function parseSimulatedCalleesText(text: string, source: string, rules: SimulatedCalleeRules = {}): SimulatedCallees {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new SimulatedCalleeError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  return parseSimulatedCallees(json, source, rules);
}

/** Checks a whole book up front: a typo is one clear message, not a CSV full of failed rows. */
export function parseSimulatedCallees(json: unknown, source: string, rules: SimulatedCalleeRules = {}): SimulatedCallees {
  if (!isPlainObject(json)) {
    throw new SimulatedCalleeError(`${source}: must be a JSON object keyed by E.164 number, like {"+15551234567": {"answer": "human", "says": ["Yes."]}}`);
  }
  const shown = rules.numberForMessages ?? ((number: string) => number);
  const callees: SimulatedCallees = {};
  for (const [number, profile] of Object.entries(json)) {
    if (!E164.test(number)) throw new SimulatedCalleeError(`${source}: "${shown(number)}" is not an E.164 number such as +15551234567`);
    callees[number] = parseCalleeProfile(profile, `${source}: ${shown(number)}`, rules);
  }
  return callees;
}

/** One profile; `where` starts every message (the file and number, or the call). */
export function parseCalleeProfile(value: unknown, where: string, rules: SimulatedCalleeRules = {}): CalleeProfile {
  const fail = (problem: string) => new SimulatedCalleeError(`${where}: ${problem}`);
  if (!isPlainObject(value)) throw fail('must be an object like {"answer": "human", "says": ["Yes."]}');
  const unknown = Object.keys(value).filter((key) => !(CALLEE_PROFILE_FIELDS as readonly string[]).includes(key));
  if (unknown.length) throw fail(`unknown field ${unknown.map((key) => `"${key}"`).join(', ')} (allowed: ${CALLEE_PROFILE_FIELDS.join(', ')})`);
  const { answer, says, ringSeconds, language, persona, turnGapMs } = value;
  if (typeof answer !== 'string' || !(SIMULATED_ANSWERS as readonly string[]).includes(answer)) {
    throw fail(`answer must be one of ${SIMULATED_ANSWERS.join(', ')} (${answer === undefined ? 'it is missing' : `got ${JSON.stringify(answer)}`})`);
  }
  if (says !== undefined && !Array.isArray(says)) {
    throw fail(`says must be an array of lines (non-empty strings, or objects like {"say": "Yes.", "pauseMs": 300}), got ${JSON.stringify(says)}`);
  }
  const lines = says?.map((line: unknown, index: number) => parseCalleeLine(line, `${where}: says[${index}]`));
  if (ringSeconds !== undefined && (typeof ringSeconds !== 'number' || !(ringSeconds >= 0 && ringSeconds <= MAX_RING_SECONDS))) {
    throw fail(`ringSeconds must be a number between 0 and ${MAX_RING_SECONDS}, got ${JSON.stringify(ringSeconds)}`);
  }
  if (language !== undefined) {
    if (rules.isKnownLanguage) {
      if (typeof language !== 'string' || !LANGUAGE.test(language) || !rules.isKnownLanguage(language)) {
        throw fail(`language must name a language codcall knows, such as "hi", "Hinglish" or "ar", got ${JSON.stringify(language)}`);
      }
    } else if (typeof language !== 'string' || !LANGUAGE.test(language)) {
      throw fail(`language must be a language code or name such as "hi", "pt-BR" or "Hinglish", got ${JSON.stringify(language)}`);
    }
  }
  if (turnGapMs !== undefined && !isMilliseconds(turnGapMs, MAX_TURN_GAP_MS)) throw fail(`turnGapMs must be a number of milliseconds between 0 and ${MAX_TURN_GAP_MS}`);
  if (persona !== undefined) {
    if (typeof persona !== 'string' || persona.trim() === '' || persona.length > MAX_PERSONA_CHARS) {
      throw fail(`persona must be a non-empty description of at most ${MAX_PERSONA_CHARS} characters`);
    }
    if (answer !== 'human') throw fail(`persona is only for a callee who answers (answer "human"), not "${answer}"`);
  }
  return {
    answer: answer as SimulatedAnswer,
    ...(lines !== undefined ? { says: lines } : {}),
    ...(ringSeconds !== undefined ? { ringSeconds: ringSeconds as number } : {}),
    ...(language !== undefined ? { language: language as string } : {}),
    ...(persona !== undefined ? { persona: persona as string } : {}),
    ...(turnGapMs !== undefined ? { turnGapMs: turnGapMs as number } : {}),
  };
}

/** One line: a non-empty string stays a string (the short form), an object is checked field by field. */
export function parseCalleeLine(value: unknown, where: string): string | SimulatedLine {
  const fail = (problem: string) => new SimulatedCalleeError(`${where}: ${problem}`);
  if (typeof value === 'string') {
    if (value.trim() === '') throw fail('a line must not be empty (use {"silent": true} for a turn with nothing said)');
    return value;
  }
  if (!isPlainObject(value)) throw fail(`a line is a string or an object like {"say": "Yes.", "pauseMs": 300}, got ${JSON.stringify(value)}`);
  const unknown = Object.keys(value).filter((key) => !(SIMULATED_LINE_FIELDS as readonly string[]).includes(key));
  if (unknown.length) throw fail(`unknown field ${unknown.map((key) => `"${key}"`).join(', ')} (allowed: ${SIMULATED_LINE_FIELDS.join(', ')})`);
  const { say, dtmf, pauseMs, bargeInAfterMs, silent } = value;
  if (say !== undefined && (typeof say !== 'string' || say.trim() === '')) throw fail('say must be a non-empty string');
  if (dtmf !== undefined && (typeof dtmf !== 'string' || !DTMF.test(dtmf))) throw fail(`dtmf must be 1 to 20 keypad digits (0-9, * or #), got ${JSON.stringify(dtmf)}`);
  for (const [name, ms] of [['pauseMs', pauseMs], ['bargeInAfterMs', bargeInAfterMs]] as const) {
    if (ms !== undefined && !isMilliseconds(ms, MAX_LINE_MS)) throw fail(`${name} must be a number of milliseconds between 0 and ${MAX_LINE_MS}`);
  }
  if (silent !== undefined && silent !== true) throw fail('silent must be true when given');
  if (silent && (say !== undefined || dtmf !== undefined || bargeInAfterMs !== undefined)) throw fail('a silent line cannot also say, press or barge in');
  if (!silent && say === undefined && dtmf === undefined) throw fail('a line needs say, dtmf or silent: true');
  if (pauseMs !== undefined && bargeInAfterMs !== undefined) throw fail('pauseMs waits for the agent to finish and bargeInAfterMs talks over it: give one');
  return {
    ...(say !== undefined ? { say: say as string } : {}),
    ...(dtmf !== undefined ? { dtmf: dtmf as string } : {}),
    ...(pauseMs !== undefined ? { pauseMs: pauseMs as number } : {}),
    ...(bargeInAfterMs !== undefined ? { bargeInAfterMs: bargeInAfterMs as number } : {}),
    ...(silent ? { silent: true as const } : {}),
  };
}

function isMilliseconds(value: unknown, max: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
