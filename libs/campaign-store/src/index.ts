// Public surface of @codcall/campaign-store: the campaign's SQLite memory (attempts, schedule,
// call records, do-not-call list) and the lock that keeps one campaign per CSV.
export * from './lib/campaign-store';
export * from './lib/campaign-store-error';
export * from './lib/campaign-lock';
export * from './lib/turn-timing-entry';
