// Public surface of @codcall/campaign: run a campaign over a call list, and the service clients it needs.
export * from './lib/errors';
export * from './lib/gateway-client';
export * from './lib/agent-api-client';
export * from './lib/simulated-callees';
export * from './lib/preflight';
export * from './lib/run-campaign';
export * from './lib/call-list-review';
export * from './lib/status-counts';
export type { FetchLike } from './lib/http';
export * from './lib/calling-window';
export * from './lib/retry-policy';
export * from './lib/call-pacer';
export * from './lib/clock';
export * from './lib/campaign-identity';
export * from './lib/do-not-call-list';
export * from './lib/campaign-report';
export * from './lib/turn-report';
export * from './lib/recipient-zone-lookup';
