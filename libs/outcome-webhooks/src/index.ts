// Public surface of @codcall/outcome-webhooks: one signed POST per final outcome, from a durable
// outbox (SQLite, or BullMQ jobs in distributed mode), and the check a receiver runs.
export * from './lib/outcome-webhook-settings';
export * from './lib/outcome-webhook-signature';
export * from './lib/outcome-payload';
export * from './lib/outcome-webhook-outbox';
export { OutboxFileError } from './lib/outbox-store';
export { DEFAULT_DELIVERY_BACKOFF, retryDelayMs, type DeliveryBackoff } from './lib/webhook-delivery';
export { OUTCOME_WEBHOOK_QUEUE, OUTCOME_WEBHOOK_QUEUE_PREFIX } from './lib/outcome-webhook-queue';
