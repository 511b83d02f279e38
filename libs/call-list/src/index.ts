export * from './lib/call-list-error';
export * from './lib/call-list-repository';
export * from './lib/outcome';
export * from './lib/phone';
export * from './lib/status';
export * from './lib/duplicates';
