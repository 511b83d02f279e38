import { sampleRuntimeAgent } from '@codcall/test-support';
import { TurnDetector } from './turn-detector';

const detector = (interruptionWords = 2) => new TurnDetector(sampleRuntimeAgent({ timing: { interruptionWords } }).timing);

describe('TurnDetector', () => {
  it('while the agent is paused, takes one real word as an interruption and "mm-hm" as a backchannel', () => {
    const turns = detector();
    expect(turns.judgeDuringPause('')).toBe('nothing');
    expect(turns.judgeDuringPause('Mm-hm.')).toBe('backchannel');
    expect(turns.judgeDuringPause('okay, uh-huh')).toBe('backchannel');
    expect(turns.judgeDuringPause('wait')).toBe('interruption');
    // "Yes" answers the agent's question as often as it acknowledges it: it is not dropped.
    expect(turns.judgeDuringPause('Yes')).toBe('interruption');
  });

  it('in words mode, needs interruptionWords words that are not a backchannel, as before', () => {
    const turns = detector(2);
    expect(turns.interruptsByWords('no')).toBe(false);
    expect(turns.interruptsByWords('no stop')).toBe(true);
    expect(turns.interruptsByWords('yes.')).toBe(false);
  });

  it('gives a callee who stops on "and" the unfinished-sentence grace, and keeps the latest word timing', () => {
    const turns = detector();
    turns.addWords('I want it on Friday and', { atMs: 1000, speechEndedAtMs: 900 });
    expect(turns.replyDelayMs()).toBe(1200);
    turns.addWords('in the morning', { atMs: 2500, speechEndedAtMs: 2300 });
    expect(turns.replyDelayMs()).toBe(0);
    expect(turns.takeWords()).toEqual({ text: 'I want it on Friday and in the morning', sttFinalAtMs: 2500, speechEndedAtMs: 2300 });
    expect(turns.hasWords).toBe(false);
  });
});
