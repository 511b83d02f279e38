// Public surface of @codcall/campaign-service: campaigns as a service (framework-free): each
// campaign's files on disk, its runs (start, pause, resume, cancel, resume after a restart), its
// event feed and its views, as apps/campaign-api serves them.
export * from './lib/campaign-host';
export * from './lib/campaign-errors';
export * from './lib/campaign-intake';
export * from './lib/campaign-settings';
export * from './lib/campaign-folder';
export * from './lib/campaign-event-feed';
export * from './lib/campaign-report-view';
export * from './lib/campaign-rows-view';
