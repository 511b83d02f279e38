import { pcm16ToMulaw, SAMPLE_RATE } from '@codcall/media';
import type { SynthesisRequest, Synthesizer } from '../providers';

/**
 * Not speech: a placeholder used only when the optional eSpeak-NG package is missing. Each
 * syllable becomes a short tone, so timing, turn-taking and recordings still behave.
 */
export class ToneSynthesizer implements Synthesizer {
  readonly name = 'offline:tones-placeholder';

  async *synthesize(request: SynthesisRequest): AsyncIterable<Buffer> {
    const syllables = Math.max(1, (request.text.match(/[aeiouy]+/gi) ?? []).length);
    const perSyllable = Math.round(SAMPLE_RATE * 0.18);
    for (let s = 0; s < syllables; s++) {
      if (request.signal.aborted) return;
      const frequency = 300 + ((s * 37) % 120);
      const pcm = Int16Array.from({ length: perSyllable }, (_, i) =>
        i > perSyllable * 0.8 ? 0 : Math.round(5000 * Math.sin((2 * Math.PI * frequency * i) / SAMPLE_RATE)),
      );
      yield pcm16ToMulaw(pcm);
    }
  }
}
