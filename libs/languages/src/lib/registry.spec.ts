import { findLanguage, languagePack, LANGUAGE_PACKS, UnknownLanguageCodeError } from './registry';
import type { LanguageCode } from './language-pack';

describe('findLanguage', () => {
  it.each<[string, LanguageCode]>([
    ['en', 'en'],
    ['hi', 'hi'],
    ['Hindi', 'hi'],
    ['हिंदी', 'hi'],
    ['hi-Latn', 'hi-Latn'],
    ['HINGLISH', 'hi-Latn'],
    ['hi-en', 'hi-Latn'],
    ['ar', 'ar'],
    ['Arabic', 'ar'],
    ['ar-AE', 'ar'],
    ['ar-EG', 'ar'],
    ['ar-MA', 'ar'],
    ['  es ', 'es'],
    ['es-419', 'es'],
    ['Español', 'es'],
    ['pt', 'pt-BR'],
    ['pt-br', 'pt-BR'],
    ['pt_BR', 'pt-BR'],
    ['Portuguese', 'pt-BR'],
    ['id', 'id'],
    ['Bahasa Indonesia', 'id'],
  ])('"%s" names %s', (text, code) => {
    expect(findLanguage(text)?.code).toBe(code);
  });

  it('serves a region it does not list with its language', () => {
    expect(findLanguage('ar-JO')?.code).toBe('ar');
    expect(findLanguage('es-CR')?.code).toBe('es');
    expect(findLanguage('en-AU')?.code).toBe('en');
    expect(findLanguage('pt-PT')?.code).toBe('pt-BR');
    expect(findLanguage('fr-CA')).toBeUndefined();
  });

  it('finds nothing for a name it does not know, an empty cell or none', () => {
    expect(findLanguage('klingon')).toBeUndefined();
    expect(findLanguage('')).toBeUndefined();
    expect(findLanguage('   ')).toBeUndefined();
    expect(findLanguage(undefined)).toBeUndefined();
  });

  it('gives every alias to one pack only', () => {
    const names = LANGUAGE_PACKS.flatMap((pack) => [...new Set([pack.code, ...pack.aliases].map((name) => name.toLowerCase()))]);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });
});

describe('languagePack', () => {
  it('returns the pack of a code', () => {
    expect(languagePack('hi-Latn').name).toBe('Hinglish');
  });

  it('throws a typed error for a code from an untyped caller', () => {
    expect(() => languagePack('xx' as LanguageCode)).toThrow(UnknownLanguageCodeError);
  });
});
