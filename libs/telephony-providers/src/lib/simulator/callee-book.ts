import { readFile } from 'node:fs/promises';
import {
  calleeLines,
  parseCalleeLine,
  parseCalleeProfile,
  parseSimulatedCallees,
  parseSimulatedCalleesText,
  SIMULATED_ANSWERS,
  SimulatedCalleeError,
  type CalleeProfile,
  type SimulatedAnswer,
  type SimulatedCallees,
  type SimulatedLine,
} from '@codcall/gateway-api';

// The callee format and its validator are the wire contract's (@codcall/gateway-api); these are
// the simulator's names for them, kept for its importers.
export { calleeLines, parseCalleeLine, parseCalleeProfile, type CalleeProfile };
export type CalleeAnswer = SimulatedAnswer;
export const CALLEE_ANSWERS: readonly CalleeAnswer[] = SIMULATED_ANSWERS;
export type CalleeLine = SimulatedLine;
export type CalleeBook = SimulatedCallees;
/** A refused callee profile or book: the gateway answers 400 with its message. */
export const CalleeBookError = SimulatedCalleeError;
export type CalleeBookError = SimulatedCalleeError;

/** Numbers not in the book answer as a cooperative callee who confirms. */
export const DEFAULT_CALLEE: CalleeProfile = { answer: 'human', says: ['Yes, speaking.', 'Yes, please deliver it.'] };

export function parseCalleeBook(json: unknown, source: string): CalleeBook {
  return parseSimulatedCallees(json, source);
}

/** The gateway's SIMULATOR_CALLEES_FILE. */
export async function loadCalleeBook(path: string): Promise<CalleeBook> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CalleeBookError(`${path}: cannot read the callee file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseSimulatedCalleesText(text, path);
}
