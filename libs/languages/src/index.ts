export * from './lib/language-pack';
export * from './lib/registry';
export * from './lib/backchannel';
export * from './lib/spoken';
export { toEnglishDateWords } from './lib/dates/date-words';
