/** Redis keys `codcall:outcome-webhooks:*` (BullMQ refuses ':' in a queue name, so the prefix carries the namespace). */
export const OUTCOME_WEBHOOK_QUEUE = 'outcome-webhooks';
export const OUTCOME_WEBHOOK_QUEUE_PREFIX = 'codcall';
