import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

  it("accepts the shipped demo book: languages, and a callee's lines with their timing", () => {
    const demo = JSON.parse(readFileSync(join(__dirname, '../../../../demo/callees.json'), 'utf8'));
    expect(parseSimulatedCallees(demo, 'demo/callees.json')).toEqual(demo);
    const hard = {
      '+919812345678': {
        answer: 'human',
        language: 'Hinglish',
        says: [{ say: 'Haan ji, bol raha hoon.', pauseMs: 800 }, { silent: true }, { say: 'Ruko!', bargeInAfterMs: 400 }, { dtmf: '1' }],
        persona: 'A busy shopkeeper in Jaipur who wants the parcel on Saturday.',
      },
    };
    expect(parseSimulatedCallees(hard, 'callees.json')).toEqual(hard);
  });

  it('accepts a patient callee (turnGapMs), as the gateway that plays it does', () => {
    const patient = { '+15551234567': { answer: 'human', says: ['Yes.'], turnGapMs: 1000 } };
    expect(parseSimulatedCallees(patient, 'callees.json')).toEqual(patient);
  });

  it.each([
    [[], 'callees.json: must be a JSON object keyed by E.164 number'],
    [{ '5551234567': { answer: 'human' } }, 'callees.json: "55******67" is not an E.164 number'],
    [{ '+15551234567': 'human' }, 'callees.json: +15*******67: must be an object'],
    [{ '+15551234567': { answer: 'maybe' } }, 'callees.json: +15*******67: answer must be one of human, voicemail, no_answer, busy, failed (got "maybe")'],
    [{ '+15551234567': { says: ['Hi'] } }, 'callees.json: +15*******67: answer must be one of human, voicemail, no_answer, busy, failed (it is missing)'],
    [{ '+15551234567': { answer: 'human', says: 'Yes' } }, 'callees.json: +15*******67: says must be an array of lines'],
    [{ '+15551234567': { answer: 'human', says: ['Yes', 42] } }, 'callees.json: +15*******67: says[1]: a line is a string or an object'],
    [{ '+15551234567': { answer: 'human', says: ['Yes', ' '] } }, 'callees.json: +15*******67: says[1]: a line must not be empty'],
    [{ '+15551234567': { answer: 'human', says: [{ say: 'Yes', pauseMs: 100, bargeInAfterMs: 100 }] } }, 'says[0]: pauseMs waits for the agent to finish and bargeInAfterMs talks over it'],
    [{ '+15551234567': { answer: 'human', says: [{ dtmf: '12a' }] } }, 'says[0]: dtmf must be 1 to 20 keypad digits'],
    [{ '+15551234567': { answer: 'human', says: [{ shout: 'Yes' }] } }, 'says[0]: unknown field "shout" (allowed: say, dtmf, pauseMs, bargeInAfterMs, silent)'],
    [{ '+15551234567': { answer: 'human', say: ['Yes'] } }, 'callees.json: +15*******67: unknown field "say" (allowed: answer, says, ringSeconds, language, persona, turnGapMs)'],
    [{ '+15551234567': { answer: 'human', language: 'Klingon' } }, 'callees.json: +15*******67: language must name a language codcall knows'],
    [{ '+15551234567': { answer: 'voicemail', persona: 'A busy man' } }, 'persona is only for a callee who answers'],
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
