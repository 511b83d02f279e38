import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE } from './processes';

export const DEMO_CALLEES = join(WORKSPACE, 'demo/callees.json');

/**
 * The demo's callees, each of them letting the agent finish: they answer after 1.5 s of the agent's
 * silence instead of 0.4 s. On a loaded machine the offline voice can fall quiet for more than 0.4 s
 * between two clauses of one sentence; a callee who answers into that pause is heard before the
 * agent named the order, so two runs that a story compares would differ by chance. Written to `dir`.
 */
export function patientDemoCallees(dir: string): string {
  const callees = JSON.parse(readFileSync(DEMO_CALLEES, 'utf8')) as Record<string, { answer: string; turnGapMs?: number }>;
  for (const callee of Object.values(callees)) if (callee.answer === 'human') callee.turnGapMs = 1500;
  const file = join(dir, 'patient-callees.json');
  writeFileSync(file, JSON.stringify(callees, null, 2));
  return file;
}
