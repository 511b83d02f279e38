import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarios, matchesGlob, parseScenario, ScenarioError } from './scenario';

const GOOD = `
name: identity then reschedule
language: hi
needs: [identity, reschedule]
row: { name: अनीता शर्मा, order_id: ORD-1042, amount: 1499, address: "12 MG Road, Jaipur" }
agent: { confirm_address: false }
callee:
  - say: "हाँ जी, मैं बोल रही हूँ"
  - say: "कल शाम 5 बजे भेज दीजिए"
    pauseMs: 300
  - { dtmf: "1" }
  - { silent: true }
now: 2026-12-01T10:00:00+05:30
expect:
  status: rescheduled
  cells: { reschedule_date: "+1d", reschedule_time: "17:00" }
  checks:
    - no_order_detail_before_identity
    - max_agent_turns: 4
    - said_in_language
    - agent_said_any: [धन्यवाद, shukriya]
    - never_status: confirmed
`;

describe('a scenario file', () => {
  it('reads as written: the row as CSV text, timed callee lines, relative cells and every kind of check', () => {
    const scenario = parseScenario(GOOD, 'evals/scenarios/hi/identity-reschedule.yaml');
    expect(scenario).toMatchObject({
      name: 'identity then reschedule',
      language: 'hi',
      needs: ['identity', 'reschedule'],
      row: { name: 'अनीता शर्मा', order_id: 'ORD-1042', amount: '1499', address: '12 MG Road, Jaipur' },
      agent: { confirm_address: false },
      callee: [{ say: 'हाँ जी, मैं बोल रही हूँ' }, { say: 'कल शाम 5 बजे भेज दीजिए', pauseMs: 300 }, { dtmf: '1' }, { silent: true }],
      now: '2026-12-01T10:00:00+05:30',
      expect: {
        status: 'rescheduled',
        cells: { reschedule_date: '+1d', reschedule_time: '17:00' },
        checks: [
          { kind: 'no_order_detail_before_identity' },
          { kind: 'max_agent_turns', limit: 4 },
          { kind: 'said_in_language' },
          { kind: 'agent_said_any', phrases: ['धन्यवाद', 'shukriya'] },
          { kind: 'never_status', status: 'confirmed' },
        ],
      },
    });
  });

  it('accepts a language by its alias (Hinglish is hi-Latn)', () => {
    expect(parseScenario(GOOD.replace('language: hi', 'language: Hinglish'), 'f.yaml').language).toBe('hi-Latn');
  });

  it.each([
    ['broken YAML', GOOD.replace('needs: [identity, reschedule]', 'needs: [identity, reschedule'), /^f\.yaml: line \d+, column \d+: not valid YAML/],
    ['an unknown language', GOOD.replace('language: hi', 'language: klingon'), 'f.yaml: language: must name one of en, hi, hi-Latn, ar, es, pt-BR, id (or an alias), got "klingon"'],
    ['an unknown capability', GOOD.replace('[identity, reschedule]', '[identity, teleport]'), 'f.yaml: needs[1]: unknown capability "teleport"'],
    ['a row without its order id', GOOD.replace('order_id: ORD-1042, ', ''), 'f.yaml: row.order_id: is required'],
    ['a misspelt field', GOOD.replace('callee:', 'calee:'), 'f.yaml: calee: unknown field'],
    ['a bad callee line', GOOD.replace('{ dtmf: "1" }', '{ dtmf: "one" }'), 'f.yaml: callee[2]: dtmf must be 1 to 20 keypad digits'],
    ['an unknown status', GOOD.replace('status: rescheduled', 'status: postponed'), 'f.yaml: expect.status: must be one of'],
    ['an unknown check', GOOD.replace('- said_in_language', '- sounded_polite'), 'f.yaml: expect.checks[2]: unknown check "sounded_polite"'],
    ['a check without its value', GOOD.replace('max_agent_turns: 4', 'max_agent_turns: lots'), 'f.yaml: expect.checks[1].max_agent_turns: must be a positive number'],
    ['a malformed relative day', GOOD.replace('"+1d"', '"+tomorrow"'), 'f.yaml: expect.cells.reschedule_date: "+tomorrow" is not a relative day'],
    ['an unknown agent setting', GOOD.replace('confirm_address: false', 'be_nice: true'), 'f.yaml: agent.be_nice: unknown agent setting'],
  ])('refuses %s, naming the file and the field', (_story, text, message) => {
    expect(() => parseScenario(text, 'f.yaml')).toThrow(ScenarioError);
    expect(() => parseScenario(text, 'f.yaml')).toThrow(message);
  });
});

describe('the scenario folder', () => {
  let root: string;
  beforeEach(() => {
    root = join(mkdtempSync(join(tmpdir(), 'evals-')), 'evals', 'scenarios');
    mkdirSync(join(root, 'hi'), { recursive: true });
  });
  afterEach(() => rmSync(join(root, '..', '..'), { recursive: true, force: true }));

  it('names each scenario by its folder and file, and names the file of a bad one', () => {
    writeFileSync(join(root, 'hi', 'identity-reschedule.yaml'), GOOD);
    expect(loadScenarios(root).map((s) => [s.id, s.file])).toEqual([['hi/identity-reschedule', 'evals/scenarios/hi/identity-reschedule.yaml']]);
    mkdirSync(join(root, 'ar'));
    writeFileSync(join(root, 'ar', 'misplaced.yaml'), GOOD);
    expect(() => loadScenarios(root)).toThrow('evals/scenarios/ar/misplaced.yaml: language: is hi but the file sits in scenarios/ar/');
  });
});

describe('scenario globs', () => {
  it('match ids by segment, or across segments with **', () => {
    expect(matchesGlob('hi/identity-reschedule', 'hi/*')).toBe(true);
    expect(matchesGlob('hi/identity-reschedule', '*/identity-*')).toBe(true);
    expect(matchesGlob('hi/identity-reschedule', 'ar/*')).toBe(false);
    expect(matchesGlob('hi/identity-reschedule', '**reschedule')).toBe(true);
    expect(matchesGlob('hi/identity-reschedule', 'hi/identity-reschedule.yaml')).toBe(true);
    expect(matchesGlob('hi-Latn/x', 'hi/*')).toBe(false);
  });
});
