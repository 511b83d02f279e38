// Public surface of @codcall/call-queue: the distributed mode's calls as BullMQ jobs in Redis.
export * from './lib/redis-connection';
export * from './lib/queue-layout';
export * from './lib/queue-gateway-client';
export * from './lib/scheduled-calls';
export * from './lib/call-queue-worker';
