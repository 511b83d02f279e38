import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE } from './processes';

export const DEMO_CALLEES = join(WORKSPACE, 'demo/callees.json');

/**
 * The demo's callees, each of them letting the agent finish: they answer after 1.5 s of the agent's
 * silence instead of 0.4 s. The offline voice renders each clause while the one before it plays,
 * and a begun sentence's clauses go before other calls' (ClauseQueue), but on two cores loaded by
 * a whole CI suite one render can still outlast a short clause; a callee who answered into that
 * pause would be heard before the agent named the order, and the story's two campaigns would
 * differ by chance. Written to `dir`.
 */
export function patientDemoCallees(dir: string): string {
  const callees = JSON.parse(readFileSync(DEMO_CALLEES, 'utf8')) as Record<string, { answer: string; turnGapMs?: number }>;
  for (const callee of Object.values(callees)) if (callee.answer === 'human') callee.turnGapMs = 1500;
  const file = join(dir, 'patient-callees.json');
  writeFileSync(file, JSON.stringify(callees, null, 2));
  return file;
}
