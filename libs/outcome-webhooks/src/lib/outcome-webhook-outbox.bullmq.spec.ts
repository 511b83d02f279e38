import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { RedisTestServer } from '@codcall/test-support';
import { capturedLogger, COLUMNS, finished, row, SECRET, WebhookReceiver } from '../../test/webhook-receiver';
import { OUTCOME_WEBHOOK_QUEUE, OUTCOME_WEBHOOK_QUEUE_PREFIX } from './outcome-webhook-queue';
import { OutcomeWebhookOutbox } from './outcome-webhook-outbox';

describe('outcome webhooks in distributed mode (BullMQ on a real Redis)', () => {
  let redis: RedisTestServer;
  let receiver: WebhookReceiver;
  let dir: string;

  beforeAll(async () => {
    redis = await new RedisTestServer().start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outcome-webhooks-bullmq-'));
    receiver = await new WebhookReceiver().reservePort();
  });
  afterEach(async () => {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes each outcome one BullMQ job (job id = event id), retried from Redis until the receiver takes it, never twice', async () => {
    const log = capturedLogger();
    const options = { logger: log.logger, redisUrl: redis.url, backoff: { firstDelayMs: 50, maxDelayMs: 50, giveUpAfterMs: 5000 } };
    const outbox = OutcomeWebhookOutbox.open(join(dir, 'store.sqlite.webhooks.sqlite'), { url: receiver.url, secret: SECRET }, options);
    const queue = new Queue(OUTCOME_WEBHOOK_QUEUE, { connection: { url: redis.url }, prefix: OUTCOME_WEBHOOK_QUEUE_PREFIX });
    try {
      const onEvent = outbox.listener({ campaignId: 'cmp_7', csvColumns: COLUMNS });
      const john = finished(row(2, 'John Doe', '+15551234567', 'ORD001'), { status: 'confirmed' }, { callId: 'call-1', durationSeconds: 12 });
      onEvent(john);
      onEvent(finished(row(3, 'Jane Smith', '+15559876543', 'ORD002'), { status: 'failed', reason: 'cut off' }, { callId: 'call-2' }));
      onEvent(john);

      // The receiver is down at first, then answers 500 once for each, then 200.
      await new Promise((resolve) => setTimeout(resolve, 300));
      receiver.answer = (_payload, tries) => (tries === 1 ? 500 : 200);
      await receiver.start();
      await receiver.waitFor(4, 10_000);
      expect(await outbox.settle(5000)).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(receiver.received).toHaveLength(4);
      expect(receiver.received.every((each) => each.valid)).toBe(true);
      const ids = receiver.eventIds();
      expect(ids).toHaveLength(2);
      for (const id of ids) {
        const job = await queue.getJob(id);
        expect(await job?.getState()).toBe('completed');
        expect(job?.opts.backoff).toMatchObject({ type: 'exponential' });
        // The secret stays with the workers; Redis holds the body only.
        expect(JSON.stringify(job?.data)).not.toContain(SECRET);
      }
      expect(receiver.received.find((each) => each.payload.row['order_id'] === 'ORD002')?.payload).toMatchObject({ status: 'failed', reason: 'cut off', campaign_id: 'cmp_7' });
      expect(log.text()).not.toContain(SECRET);
      expect(log.text()).not.toContain('+15551234567');
    } finally {
      await queue.close();
      await outbox.close();
    }
  });
});
