export * from './lib/call-record';
export * from './lib/call-orchestrator';
export * from './lib/outcome-mapping';
export * from './lib/stream-token';
export * from './lib/timezone';
