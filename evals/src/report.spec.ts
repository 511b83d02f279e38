import { buildReport, median, renderMarkdown, summariseLanguage } from './report';
import type { ScenarioResult } from './runner';

const result = (id: string, expectedStatus: string, status: string | undefined, more: Partial<ScenarioResult> = {}): ScenarioResult => ({
  id,
  name: id,
  file: `evals/scenarios/${id}.yaml`,
  language: 'hi',
  needs: ['identity'],
  claimed: true,
  verdict: status === expectedStatus ? 'passed' : 'failed',
  expectedStatus,
  status,
  cells: {},
  checks: status === expectedStatus ? [] : [{ check: `status ${expectedStatus}`, passed: false, detail: `the call ended ${status}` }],
  transcript: [{ speaker: 'agent', text: 'नमस्ते | जी', atMs: 0 }],
  agentTurns: 3,
  secondsToOutcome: 20,
  ...more,
});

describe('the evals report', () => {
  it('counts a false confirmation only among calls that should not have been confirmed', () => {
    const summary = summariseLanguage('hi', [
      result('hi/a', 'confirmed', 'confirmed'),
      result('hi/b', 'rescheduled', 'confirmed', { agentTurns: 5, secondsToOutcome: 30 }),
      result('hi/c', 'cancelled', 'cancelled', { agentTurns: 4, secondsToOutcome: 40 }),
      result('hi/d', 'wrong_person', 'wrong_person'),
      result('hi/e', 'confirmed', undefined, { verdict: 'skipped', agentTurns: undefined, secondsToOutcome: undefined }),
    ]);
    expect(summary).toMatchObject({ scenarios: 5, passed: 3, failed: 1, skipped: 1, falseConfirmations: 1, outcomeAccuracy: 0.75, medianAgentTurns: 3.5, medianSecondsToOutcome: 25 });
    expect(summary.falseConfirmationRate).toBeCloseTo(1 / 3);
  });

  it('lists what the offline engine does not claim and renders a table a pipe cannot break', () => {
    const report = buildReport([result('hi/a', 'confirmed', 'confirmed'), result('hi/b', 'transferred', 'no_response', { claimed: false, claimNote: 'not claimed: transfer' })], {
      startedAt: new Date('2026-12-01T10:00:00Z'),
      finishedAt: new Date('2026-12-01T10:03:00Z'),
      mode: 'offline',
    });
    expect(report.totals).toEqual({ scenarios: 2, passed: 1, failed: 1, errors: 0, skipped: 0, claimed: 1, claimedFailing: 0 });
    expect(report.unclaimed).toEqual([{ id: 'hi/b', because: 'not claimed: transfer' }]);
    const withSkip = buildReport([result('hi/p', 'confirmed', undefined, { verdict: 'skipped' }), result('hi/q', 'confirmed', 'no_response')], {
      startedAt: new Date(),
      finishedAt: new Date(),
      mode: 'offline',
    });
    expect(withSkip.totals.claimedFailing).toBe(1); // the failed one; the skipped persona is no broken claim
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('| hi | 2 | 1 | 1 | 0 | 0 | 50% | 0% (0) | 3 | 20 |');
    expect(markdown).toContain('| hi/b | failed | transferred | no_response | no | status transferred: the call ended no_response |');
    expect(markdown).toContain('नमस्ते \\| जी');
    expect(markdown).toContain('- hi/b: not claimed: transfer');
  });

  it('takes the middle of an even count as the mean of the two middle values', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});
