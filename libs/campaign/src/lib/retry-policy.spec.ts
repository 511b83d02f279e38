import { CallPacer } from './call-pacer';
import { DEFAULT_RETRY_POLICY, resolveRetryPolicy, rowAfterAttempt } from './retry-policy';

const MIN = 60_000;
const CLI_NAMES = { statuses: '--retry-statuses', maxAttempts: '--max-attempts', spacing: '--retry-after', backoff: '--retry-backoff' };
const AGENT_NAMES = { statuses: 'retry_policy.statuses', maxAttempts: 'retry_policy.max_attempts', spacing: 'retry_policy.spacing_minutes', backoff: 'retry_policy.backoff' };

describe('retry policy', () => {
  it('by default retries no_answer, busy and failed, three attempts in all, 30 then 60 minutes apart', () => {
    expect(rowAfterAttempt(DEFAULT_RETRY_POLICY, 'no_answer', 1, 0)).toEqual({ state: 'waiting', nextDueAt: 30 * MIN });
    expect(rowAfterAttempt(DEFAULT_RETRY_POLICY, 'busy', 2, 1000)).toEqual({ state: 'waiting', nextDueAt: 1000 + 60 * MIN });
    expect(rowAfterAttempt(DEFAULT_RETRY_POLICY, 'failed', 3, 0)).toEqual({ state: 'done' });
    expect(rowAfterAttempt(DEFAULT_RETRY_POLICY, 'confirmed', 1, 0)).toEqual({ state: 'done' });
    expect(rowAfterAttempt(DEFAULT_RETRY_POLICY, 'voicemail', 1, 0)).toEqual({ state: 'done' });
  });

  it('takes each setting from the CLI first, then the agent config, then the default', () => {
    const policy = resolveRetryPolicy([
      { settings: { maxAttempts: '5' }, names: CLI_NAMES },
      { settings: { maxAttempts: 2, statuses: ['voicemail', 'no_answer'], spacing: 10 }, names: AGENT_NAMES },
    ]);
    expect(policy).toEqual({ statuses: new Set(['voicemail', 'no_answer']), maxAttempts: 5, firstDelayMs: 10 * MIN, backoffFactor: 2 });
    expect(rowAfterAttempt(policy, 'voicemail', 4, 0)).toEqual({ state: 'waiting', nextDueAt: 80 * MIN });
  });

  it.each([
    [{ maxAttempts: '0' }, '--max-attempts must be a whole number from 1 to 20, got "0"'],
    [{ maxAttempts: '2.5' }, '--max-attempts must be a whole number from 1 to 20, got "2.5"'],
    [{ statuses: 'no_answer,maybe' }, '--retry-statuses: unknown status maybe'],
    [{ spacing: 'soon' }, '--retry-after must be a number from 0 to 10080, got "soon"'],
    [{ backoff: '0.5' }, '--retry-backoff must be a number from 1 to 10, got "0.5"'],
  ])('names the setting at fault: %j', (settings, message) => {
    expect(() => resolveRetryPolicy([{ settings, names: CLI_NAMES }])).toThrow(message);
  });
});

describe('call pacing', () => {
  it('spaces call starts 1/cps apart', () => {
    const pacer = new CallPacer(2);
    expect(pacer.nextStartAt(1000)).toBe(1000);
    pacer.take(1000);
    expect(pacer.nextStartAt(1200)).toBe(1500);
    pacer.take(1500);
    expect(pacer.nextStartAt(5000)).toBe(5000);
    expect(() => new CallPacer(0)).toThrow('calls per second must be above 0, got 0');
  });
});
