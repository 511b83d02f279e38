import { readFile } from 'node:fs/promises';
import { numberForMessages } from '@codcall/call-list';
import { parseSimulatedCallees as parseCalleeBook, parseSimulatedCalleesText, SimulatedCalleeError, type SimulatedCallees, type SimulatedCalleeRules } from '@codcall/gateway-api';
import { findLanguage } from '@codcall/languages';
import { SimulatedCalleesError } from './errors';

/** Simulated callees keyed by E.164 number: who picks up and what they say (the `--simulate` file). */
export type { SimulatedCallees };

/**
 * The gateway's own format and checks (@codcall/gateway-api), stricter in two ways: a language
 * must be one codcall has a voice for, and numbers are named masked, like every number in a
 * message (the file holds real people's numbers).
 */
const CLI_RULES: SimulatedCalleeRules = { isKnownLanguage: (language) => findLanguage(language) !== undefined, numberForMessages };

/** Validates a simulated-callee book up front: a typo is one clear message, not a CSV full of failed rows. */
export function parseSimulatedCallees(json: unknown, source: string): SimulatedCallees {
  return asCampaignError(() => parseCalleeBook(json, source, CLI_RULES));
}

export async function loadSimulatedCallees(path: string): Promise<SimulatedCallees> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SimulatedCalleesError(`${path}: cannot read the simulated callees file (${code === 'ENOENT' ? 'no such file' : (code ?? String(error))})`);
  }
  return asCampaignError(() => parseSimulatedCalleesText(text, path, CLI_RULES));
}

/** The CLI maps SimulatedCalleesError to its usage exit code. */
function asCampaignError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SimulatedCalleeError) throw new SimulatedCalleesError(error.message);
    throw error;
  }
}
