import { calleeLines, parseCalleeProfile, parseSimulatedCallees, parseSimulatedCalleesText, SimulatedCalleeError, type SimulatedCalleeRules } from './simulated-callee';

/** The message a profile for +15551234567 in callees.json is refused with. */
function refusal(profile: unknown, rules?: SimulatedCalleeRules): string {
  try {
    parseSimulatedCallees({ '+15551234567': profile }, 'callees.json', rules);
  } catch (error) {
    expect(error).toBeInstanceOf(SimulatedCalleeError);
    return (error as Error).message;
  }
  throw new Error('the profile was accepted');
}

const line = (value: unknown) => refusal({ answer: 'human', says: ['Yes.', value] });

describe('a simulated callee book', () => {
  it('takes every field of the format and gives back what it was given', () => {
    const book = {
      '+919812345678': {
        answer: 'human',
        language: 'Hinglish',
        ringSeconds: 2,
        turnGapMs: 1000,
        says: ['Haan ji.', { say: 'Ruko!', bargeInAfterMs: 400 }, { silent: true }, { dtmf: '1#' }, { say: 'Saturday.', pauseMs: 800 }],
        persona: 'A busy shopkeeper in Jaipur who wants the parcel on Saturday.',
      },
      '+15550000002': { answer: 'busy' },
    };
    expect(parseSimulatedCallees(book, 'callees.json')).toEqual(book);
  });

  it('is a JSON object keyed by E.164 numbers, and names the number that is not one', () => {
    expect(() => parseSimulatedCallees([], 'callees.json')).toThrow('callees.json: must be a JSON object keyed by E.164 number');
    expect(() => parseSimulatedCallees({ '5551234567': { answer: 'human' } }, 'callees.json')).toThrow('callees.json: "5551234567" is not an E.164 number such as +15551234567');
  });

  it("names numbers as the side's rules show them (the CLI masks them)", () => {
    const masked: SimulatedCalleeRules = { numberForMessages: (number) => `${number.slice(0, 3)}***` };
    expect(refusal({ answer: 'maybe' }, masked)).toBe('callees.json: +15***: answer must be one of human, voicemail, no_answer, busy, failed (got "maybe")');
    expect(() => parseSimulatedCallees({ '5551234567': {} }, 'c.json', masked)).toThrow('c.json: "555***" is not an E.164 number');
  });

  it('reads the file text, ignoring the byte-order mark an editor may write, and says when it is not JSON', () => {
    expect(parseSimulatedCalleesText('\uFEFF{"+15551234567": {"answer": "no_answer"}}', 'c.json')).toEqual({ '+15551234567': { answer: 'no_answer' } });
    expect(() => parseSimulatedCalleesText('{nope', 'c.json')).toThrow(/^c\.json: not valid JSON \(/);
  });
});

describe('a simulated callee profile', () => {
  it('is an object with known fields only, named when one is not', () => {
    expect(refusal('human')).toBe('callees.json: +15551234567: must be an object like {"answer": "human", "says": ["Yes."]}');
    expect(refusal({ answer: 'human', mood: 'grumpy' })).toBe('callees.json: +15551234567: unknown field "mood" (allowed: answer, says, ringSeconds, language, persona, turnGapMs)');
  });

  it('says whether the callee picks up, and refuses a missing or unknown answer', () => {
    expect(refusal({ says: ['Hi'] })).toBe('callees.json: +15551234567: answer must be one of human, voicemail, no_answer, busy, failed (it is missing)');
    expect(refusal({ answer: 'maybe' })).toContain('(got "maybe")');
  });

  it('rings between 0 and 120 seconds', () => {
    expect(parseCalleeProfile({ answer: 'no_answer', ringSeconds: 120 }, 'x')).toEqual({ answer: 'no_answer', ringSeconds: 120 });
    expect(refusal({ answer: 'busy', ringSeconds: -1 })).toBe('callees.json: +15551234567: ringSeconds must be a number between 0 and 120, got -1');
    expect(refusal({ answer: 'busy', ringSeconds: '3' })).toContain('ringSeconds must be a number between 0 and 120, got "3"');
  });

  it('speaks a language given as a code or a name; a side may ask for one it knows', () => {
    expect(parseCalleeProfile({ answer: 'human', language: 'pt-BR' }, 'x')).toEqual({ answer: 'human', language: 'pt-BR' });
    expect(refusal({ answer: 'human', language: 'hindi please' })).toBe('callees.json: +15551234567: language must be a language code or name such as "hi", "pt-BR" or "Hinglish", got "hindi please"');
    const known: SimulatedCalleeRules = { isKnownLanguage: (language) => language === 'hi' };
    expect(parseCalleeProfile({ answer: 'human', language: 'hi' }, 'x', known)).toEqual({ answer: 'human', language: 'hi' });
    expect(refusal({ answer: 'human', language: 'Klingon' }, known)).toBe('callees.json: +15551234567: language must name a language codcall knows, such as "hi", "Hinglish" or "ar", got "Klingon"');
    expect(refusal({ answer: 'human', language: 'hindi please' }, { isKnownLanguage: () => true })).toContain('language must name a language codcall knows');
  });

  it('waits between 0 and 10 s of quiet before taking the turn (turnGapMs)', () => {
    expect(parseCalleeProfile({ answer: 'human', turnGapMs: 0 }, 'x')).toEqual({ answer: 'human', turnGapMs: 0 });
    expect(refusal({ answer: 'human', turnGapMs: 10_001 })).toBe('callees.json: +15551234567: turnGapMs must be a number of milliseconds between 0 and 10000');
  });

  it('has a persona only when a person answers, and a bounded one', () => {
    expect(refusal({ answer: 'voicemail', persona: 'A busy man.' })).toBe('callees.json: +15551234567: persona is only for a callee who answers (answer "human"), not "voicemail"');
    expect(refusal({ answer: 'human', persona: '  ' })).toBe('callees.json: +15551234567: persona must be a non-empty description of at most 2000 characters');
    expect(refusal({ answer: 'human', persona: 'x'.repeat(2001) })).toContain('persona must be a non-empty description');
  });

  it('says its lines in an array', () => {
    expect(refusal({ answer: 'human', says: 'Yes' })).toBe('callees.json: +15551234567: says must be an array of lines (non-empty strings, or objects like {"say": "Yes.", "pauseMs": 300}), got "Yes"');
  });
});

describe("a simulated callee's line", () => {
  it('is a non-empty string, or an object naming what the callee does', () => {
    expect(calleeLines(parseCalleeProfile({ answer: 'human', says: ['Yes.', { dtmf: '1' }] }, 'x'))).toEqual([{ say: 'Yes.' }, { dtmf: '1' }]);
    expect(line(' ')).toBe('callees.json: +15551234567: says[1]: a line must not be empty (use {"silent": true} for a turn with nothing said)');
    expect(line(42)).toBe('callees.json: +15551234567: says[1]: a line is a string or an object like {"say": "Yes.", "pauseMs": 300}, got 42');
    expect(line({ shout: 'Yes' })).toBe('callees.json: +15551234567: says[1]: unknown field "shout" (allowed: say, dtmf, pauseMs, bargeInAfterMs, silent)');
  });

  it('needs something to say, press or be silent about', () => {
    expect(line({ pauseMs: 10 })).toBe('callees.json: +15551234567: says[1]: a line needs say, dtmf or silent: true');
    expect(line({ say: '  ' })).toBe('callees.json: +15551234567: says[1]: say must be a non-empty string');
  });

  it('presses 1 to 20 keypad keys', () => {
    expect(line({ dtmf: '12a' })).toBe('callees.json: +15551234567: says[1]: dtmf must be 1 to 20 keypad digits (0-9, * or #), got "12a"');
    expect(line({ dtmf: '1'.repeat(21) })).toContain('dtmf must be 1 to 20 keypad digits');
  });

  it('pauses or barges in within 30 s, but not both', () => {
    expect(line({ say: 'Hi', pauseMs: -1 })).toBe('callees.json: +15551234567: says[1]: pauseMs must be a number of milliseconds between 0 and 30000');
    expect(line({ say: 'Hi', bargeInAfterMs: 30_001 })).toBe('callees.json: +15551234567: says[1]: bargeInAfterMs must be a number of milliseconds between 0 and 30000');
    expect(line({ say: 'Hi', pauseMs: 10, bargeInAfterMs: 10 })).toBe('callees.json: +15551234567: says[1]: pauseMs waits for the agent to finish and bargeInAfterMs talks over it: give one');
  });

  it('is silent only as `silent: true`, and then says, presses and barges in nothing', () => {
    expect(line({ silent: false })).toBe('callees.json: +15551234567: says[1]: silent must be true when given');
    expect(line({ silent: true, say: 'Hi' })).toBe('callees.json: +15551234567: says[1]: a silent line cannot also say, press or barge in');
    expect(parseCalleeProfile({ answer: 'human', says: [{ silent: true, pauseMs: 2000 }] }, 'x')).toEqual({ answer: 'human', says: [{ silent: true, pauseMs: 2000 }] });
  });
});
