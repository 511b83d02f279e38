import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedCalleesError } from './errors';
import { loadSimulatedCallees, parseSimulatedCallees } from './simulated-callees';

describe('simulated callees (--simulate)', () => {
  it('accepts the demo book', () => {
    expect(
      parseSimulatedCallees(
        { '+15551234567': { answer: 'human', says: ['Yes, speaking.'] }, '+525512345678': { answer: 'no_answer', ringSeconds: 3 } },
        'callees.json',
      ),
    ).toEqual({ '+15551234567': { answer: 'human', says: ['Yes, speaking.'] }, '+525512345678': { answer: 'no_answer', ringSeconds: 3 } });
  });

  it.each([
    [[], 'callees.json: must be a JSON object keyed by E.164 number'],
    [{ '5551234567': { answer: 'human' } }, 'callees.json: "55******67" is not an E.164 number'],
    [{ '+15551234567': 'human' }, 'callees.json: +15*******67: must be an object'],
    [{ '+15551234567': { answer: 'maybe' } }, 'callees.json: +15*******67: answer must be one of human, voicemail, no_answer, busy, failed (got "maybe")'],
    [{ '+15551234567': { says: ['Hi'] } }, 'callees.json: +15*******67: answer must be one of human, voicemail, no_answer, busy, failed (it is missing)'],
    [{ '+15551234567': { answer: 'human', says: 'Yes' } }, 'callees.json: +15*******67: says must be an array of non-empty strings, got "Yes"'],
    [{ '+15551234567': { answer: 'human', says: ['Yes', 42] } }, 'callees.json: +15*******67: says must be an array of non-empty strings'],
    [{ '+15551234567': { answer: 'human', say: ['Yes'] } }, 'callees.json: +15*******67: unknown field "say" (allowed: answer, says, ringSeconds)'],
    [{ '+15551234567': { answer: 'busy', ringSeconds: -1 } }, 'callees.json: +15*******67: ringSeconds must be a number between 0 and 120'],
  ])('refuses %j naming the number and field', (json, message) => {
    expect(() => parseSimulatedCallees(json, 'callees.json')).toThrow(SimulatedCalleesError);
    expect(() => parseSimulatedCallees(json, 'callees.json')).toThrow(message);
  });

  it('says when the file is missing or not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callees-'));
    await expect(loadSimulatedCallees(join(dir, 'missing.json'))).rejects.toThrow(`${join(dir, 'missing.json')}: cannot read the simulated callees file (no such file)`);
    writeFileSync(join(dir, 'broken.json'), '{"+15551234567": {answer: "human"}}');
    await expect(loadSimulatedCallees(join(dir, 'broken.json'))).rejects.toThrow(`${join(dir, 'broken.json')}: not valid JSON`);
  });
});
