import type { LanguageCode } from '@codcall/languages';
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

  // Said over the agent, these only mean "I'm listening"; the second column carries a request and takes the floor.
  const LISTENING: [LanguageCode, string[], string][] = [
    ['hi', ['हाँ', 'हाँ जी', 'अच्छा', 'हम्म', 'जी जी'], 'हाँ, कल भेजना'],
    ['hi-Latn', ['haan', 'haan haan', 'ji', 'achha', 'hmm', 'haan ji'], 'haan, kal bhejna'],
    ['ar', ['أيوه', 'نعم', "na'am", 'aiwa', 'طيب', 'آه'], 'أيوه، بس بكرة أحسن'],
    ['es', ['sí', 'sí, sí', 'ajá', 'mhm'], 'sí, pero mejor mañana'],
    ['pt-BR', ['sim', 'uhum', 'aham', 'tá'], 'sim, mas amanhã'],
    ['id', ['iya', 'oh', 'hmm', 'iya iya'], 'iya, tapi besok saja'],
    ['en', ['mm-hm', 'uh-huh', 'yeah', 'okay'], 'yeah, but tomorrow'],
  ];

  describe.each(LISTENING)('in %s', (_language, backchannels, request) => {
    it.each(backchannels)('"%s" over the agent never interrupts it, in either barge-in mode', (said) => {
      const turns = detector(1);
      expect(turns.judgeDuringPause(said)).toBe('backchannel');
      expect(turns.isBackchannel(said)).toBe(true);
      expect(turns.interruptsByWords(said)).toBe(false);
    });

    it(`"${request}" takes the floor`, () => {
      const turns = detector(2);
      expect(turns.judgeDuringPause(request)).toBe('interruption');
      expect(turns.interruptsByWords(request)).toBe(true);
    });
  });
});
