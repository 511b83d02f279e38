// Public surface of @codcall/gateway-api: the wire contracts between codcall's services. Dependency-free.
export * from './lib/campaign-api';
export * from './lib/carriers';
export * from './lib/call-api';
export * from './lib/simulated-callee';
