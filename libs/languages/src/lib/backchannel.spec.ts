import { isBackchannel } from './backchannel';
import { LANGUAGE_PACKS, languagePack } from './registry';

describe('isBackchannel: the callee only says they are listening', () => {
  it.each([
    ['en', ['mm-hm', 'uh huh', 'Yeah.', 'hmmm', 'okay okay']],
    ['hi', ['हाँ', 'हाँ जी', 'जी', 'अच्छा', 'हम्म']],
    ['hi-Latn', ['haan', 'haan haan', 'Haan ji.', 'ji ji', 'achha', 'acchha...', 'hmm']],
    ['ar', ['aiwa', "na'am", 'tayyib', 'نعم', 'نَعَم', 'أيوه', 'طيب', 'آه آه', 'wakha']],
    ['es', ['sí', 'Sí, sí.', 'ajá', 'aja', 'mhm', 'claro']],
    ['pt-BR', ['sim', 'uhum', 'aham', 'tá', 'sim sim']],
    ['id', ['iya', 'iya iya', 'oh', 'hmm', 'oke']],
  ] as const)('%s: %j are backchannels', (code, utterances) => {
    for (const utterance of utterances) expect({ utterance, backchannel: isBackchannel(utterance, [languagePack(code)]) }).toEqual({ utterance, backchannel: true });
  });

  it.each([
    ['hi-Latn', ['haan, kal bhejna', 'nahi', 'haan ji bol raha hoon', 'kal shaam']],
    ['hi', ['हाँ, कल भेज दो', 'नहीं']],
    ['ar', ['نعم بكرة', 'لا', 'aiwa bukra']],
    ['es', ['sí, mañana', 'no']],
    ['pt-BR', ['sim, amanhã', 'não']],
    ['id', ['iya besok', 'tidak']],
    ['en', ['yes please', 'no', 'wait', '']],
  ] as const)('%s: %j carry an answer or a request', (code, utterances) => {
    for (const utterance of utterances) expect({ utterance, backchannel: isBackchannel(utterance, [languagePack(code)]) }).toEqual({ utterance, backchannel: false });
  });

  it('recognises every backchannel each pack lists, said once, twice or drawn out', () => {
    for (const pack of LANGUAGE_PACKS) {
      for (const token of pack.backchannels) {
        for (const said of [token, `${token} ${token}`, `${token}${token.slice(-1).repeat(2)}!`]) {
          expect({ pack: pack.code, said, backchannel: isBackchannel(said, [pack]) }).toEqual({ pack: pack.code, said, backchannel: true });
        }
      }
    }
  });

  it('knows every language by default, since callers code-switch mid-call', () => {
    expect(isBackchannel('haan, ok, hmm')).toBe(true);
    expect(isBackchannel('aiwa sí')).toBe(true);
    expect(isBackchannel('haan', [languagePack('es')])).toBe(false);
  });
});
