import { languagePack } from '@codcall/languages';
import { calleeVoice } from './orchestrator.factory';

describe("the simulated callee's voice", () => {
  it("speaks the row's language with its espeak voice in another variant from the agent's", () => {
    expect(calleeVoice('hi')).toEqual({ language: 'hi', voice: `${languagePack('hi').espeakVoice}+m3` });
    expect(calleeVoice('Arabic')).toEqual({ language: 'ar', voice: `${languagePack('ar').espeakVoice}+m3` });
    expect(calleeVoice('hi-Latn').language).toBe('hi-Latn');
  });

  it('speaks English for a callee with no language, or one no pack knows', () => {
    expect(calleeVoice(undefined)).toEqual({ language: 'en', voice: `${languagePack('en').espeakVoice}+m3` });
    expect(calleeVoice('tlh')).toEqual(calleeVoice(undefined));
  });
});
