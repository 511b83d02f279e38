import { GOODBYE_KEYS, TEXT_PLACEHOLDERS, type LanguagePack } from './language-pack';
import { LANGUAGE_PACKS } from './registry';

function texts(pack: LanguagePack): [string, string][] {
  const { goodbyes, ...rest } = pack.defaults;
  return [...Object.entries(rest), ...Object.entries(goodbyes).map(([key, text]) => [`goodbyes.${key}`, text] as [string, string])];
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
}

const DEVANAGARI = /[\u0900-\u097f]/;
const ARABIC = /[\u0600-\u06ff]/;
const LATIN_WORD = /[A-Za-z]{2,}/;

describe('the language packs', () => {
  it('hold the seven languages, each once', () => {
    expect(LANGUAGE_PACKS.map((pack) => pack.code)).toEqual(['en', 'hi', 'hi-Latn', 'ar', 'es', 'pt-BR', 'id']);
  });

  describe.each(LANGUAGE_PACKS.map((pack) => [pack.code, pack] as const))('%s', (_code, pack) => {
    it('has every default text and a goodbye for every outcome, none empty', () => {
      expect(Object.keys(pack.defaults.goodbyes).sort()).toEqual([...GOODBYE_KEYS].sort());
      for (const [field, text] of texts(pack)) expect({ field, empty: text.trim() === '' }).toEqual({ field, empty: false });
    });

    it('uses only the placeholders the gateway fills', () => {
      for (const [field, text] of texts(pack)) {
        expect({ field, unknown: placeholders(text).filter((name) => !TEXT_PLACEHOLDERS.includes(name)) }).toEqual({ field, unknown: [] });
      }
    });

    it('asks who is speaking first, and says nothing of the order to whoever answers', () => {
      expect(placeholders(pack.defaults.welcome)).toEqual(['name']);
      expect(pack.defaults.welcome).toMatch(/[?؟]$/);
    });

    it('leaves a voicemail with the order id at most, and asks the address, and names the new slot and callback time', () => {
      expect(placeholders(pack.defaults.voicemail)).toEqual(['order_id']);
      expect(placeholders(pack.defaults.addressQuestion)).toEqual(['address']);
      expect(placeholders(pack.defaults.goodbyes.rescheduled).sort()).toEqual(['reschedule_date', 'reschedule_time']);
      expect(placeholders(pack.defaults.goodbyes.callback_requested)).toEqual(['callback_time']);
    });

    it('tells the model which language to speak and to read order ids character by character', () => {
      expect(pack.promptInstruction).toContain(pack.code === 'hi-Latn' ? 'Hinglish' : pack.name.replace(/ \(.*\)$/, ''));
      expect(pack.promptInstruction).toMatch(/character by character/);
    });

    it('names a multilingual ElevenLabs model, a voice and its own language code', () => {
      expect(pack.elevenlabs).toMatchObject({ model: 'eleven_flash_v2_5', languageCode: expect.stringMatching(/^[a-z]{2}$/), voiceId: expect.stringMatching(/^\w{20}$/) });
      expect(pack.elevenlabs.voiceName).not.toBe('');
    });

    it('has backchannels', () => {
      expect(pack.backchannels.length).toBeGreaterThan(3);
    });
  });

  it('write Hindi in Devanagari, Hinglish in Latin script and Arabic in Arabic script', () => {
    const byCode = Object.fromEntries(LANGUAGE_PACKS.map((pack) => [pack.code, pack]));
    for (const [, text] of texts(byCode['hi'])) expect(text.replace(/\{\w+\}/g, '')).toMatch(DEVANAGARI);
    for (const [, text] of texts(byCode['hi'])) expect(text.replace(/\{\w+\}/g, '')).not.toMatch(LATIN_WORD);
    for (const [, text] of texts(byCode['hi-Latn'])) expect(text).not.toMatch(DEVANAGARI);
    for (const [, text] of texts(byCode['ar'])) expect(text.replace(/\{\w+\}/g, '')).toMatch(ARABIC);
    for (const [, text] of texts(byCode['ar'])) expect(text.replace(/\{\w+\}/g, '')).not.toMatch(LATIN_WORD);
    expect(byCode['ar'].direction).toBe('rtl');
  });

  it('hear Hinglish and Arabic with the multilingual model, every other language with its own nova-3 model', () => {
    const deepgram = Object.fromEntries(LANGUAGE_PACKS.map((pack) => [pack.code, [pack.deepgram.model, pack.deepgram.language, pack.deepgram.languageHints]]));
    expect(deepgram).toEqual({
      en: ['nova-3', 'en', undefined],
      hi: ['nova-3', 'hi', undefined],
      'hi-Latn': ['nova-3', 'multi', ['hi', 'en']],
      ar: ['nova-3', 'multi', ['ar']],
      es: ['nova-3', 'es', undefined],
      'pt-BR': ['nova-3', 'pt-BR', undefined],
      id: ['nova-3', 'id', undefined],
    });
  });

  it('speak offline with eSpeak-NG voices of the same languages', () => {
    expect(LANGUAGE_PACKS.map((pack) => pack.espeakVoice)).toEqual(['en-us', 'hi', 'hi', 'ar', 'es-419', 'pt-br', 'id']);
  });
});
