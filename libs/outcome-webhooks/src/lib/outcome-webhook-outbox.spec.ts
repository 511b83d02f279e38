import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capturedLogger, COLUMNS, finished, row, SECRET, WebhookReceiver } from '../../test/webhook-receiver';
import { OutcomeWebhookOutbox } from './outcome-webhook-outbox';
import { OutboxStore } from './outbox-store';
import { retryDelayMs } from './webhook-delivery';
import { outcomeWebhookSignature, verifyOutcomeWebhook } from './outcome-webhook-signature';
import { outcomeWebhookSettingsFrom, OutcomeWebhookSettingsError } from './outcome-webhook-settings';

const CAMPAIGN = { campaignId: 'cmp_42', csvColumns: COLUMNS, transcriptUrl: (callId: string) => `https://campaigns.example/campaigns/cmp_42/calls/${callId}` };
/** Fast pauses so a story of retries takes a fraction of a second. */
const QUICK = { backoff: { firstDelayMs: 20, maxDelayMs: 160, giveUpAfterMs: 60_000 } };

describe('outcome webhooks', () => {
  let dir: string;
  let file: string;
  let receiver: WebhookReceiver;
  const log = capturedLogger();
  const outboxes: OutcomeWebhookOutbox[] = [];

  function open(options: Parameters<typeof OutcomeWebhookOutbox.open>[2] = {}): OutcomeWebhookOutbox {
    const outbox = OutcomeWebhookOutbox.open(file, { url: receiver.url, secret: SECRET }, { logger: log.logger, ...QUICK, ...options });
    outboxes.push(outbox);
    return outbox;
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outcome-webhooks-'));
    file = join(dir, 'codcall-campaigns.sqlite.webhooks.sqlite');
    receiver = await new WebhookReceiver().reservePort();
  });

  afterEach(async () => {
    await Promise.all(outboxes.splice(0).map((outbox) => outbox.close()));
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts every final outcome exactly once, signed, after the receiver was down for a while', async () => {
    const outbox = open();
    const onEvent = outbox.listener(CAMPAIGN);
    const john = row(2, 'John Doe', '+15551234567', 'ORD001');
    const priya = row(3, 'Priya Sharma', '+919876543210', 'ORD003');
    const maria = row(4, 'María García', '+525512345678', 'ORD004');
    const wrong = row(5, 'Wrong Format', '98765 43210', 'ORD005');

    // The receiver is down while the campaign records its outcomes.
    onEvent({ type: 'row-started', row: john, attempt: 1 });
    onEvent(finished(john, { status: 'confirmed' }, { callId: 'call-1', durationSeconds: 41 }));
    onEvent({ type: 'retry-scheduled', row: maria, outcome: { status: 'no_answer' }, attempt: 1, nextDueAt: Date.now() + 60_000 });
    onEvent(finished(priya, { status: 'rescheduled', reschedule_date: '2031-05-06', reschedule_time: '15:00', address_update: '12 MG Road' }, { callId: 'call-2', attempts: 2, durationSeconds: 63 }));
    // A call cut off: the gateway failed it, and the operator hears of that too.
    onEvent({ type: 'row-error', row: maria, error: new Error('carrier hung up'), callId: 'call-3', recordedAs: 'failed' });
    onEvent(finished(maria, { status: 'failed', reason: 'the call was cut off by +525512345678 carrier' }, { callId: 'call-3', attempts: 2 }));
    onEvent(finished(wrong, { status: 'invalid_number' }));
    // The same outcome handed over twice (a display replaying events) is still one webhook.
    onEvent(finished(john, { status: 'confirmed' }, { callId: 'call-1', durationSeconds: 41 }));

    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(receiver.received).toHaveLength(0);
    await receiver.start();
    await receiver.waitFor(4);
    expect(await outbox.settle(2000)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(receiver.received).toHaveLength(4);
    expect(receiver.eventIds()).toHaveLength(4);
    expect(receiver.received.every((each) => each.valid)).toBe(true);
    const byOrder = Object.fromEntries(receiver.received.map((each) => [each.payload.row['order_id'], each]));

    const confirmed = byOrder['ORD001'];
    expect(confirmed.headers['content-type']).toBe('application/json');
    expect(confirmed.headers['x-codcall-event-id']).toBe(confirmed.payload.event_id);
    expect(confirmed.payload).toMatchObject({
      type: 'call.outcome', campaign_id: 'cmp_42', status: 'confirmed', call_id: 'call-1', attempts: 1, duration_seconds: 41,
      transcript_url: 'https://campaigns.example/campaigns/cmp_42/calls/call-1', row_line: 2,
      row: { name: 'John Doe', recipient_phone_number: '+15551234567', order_id: 'ORD001', status: '', reschedule_date: '', reschedule_time: '', city: 'Austin' },
    });
    expect(byOrder['ORD003'].payload).toMatchObject({ status: 'rescheduled', reschedule_date: '2031-05-06', reschedule_time: '15:00', address_update: '12 MG Road', attempts: 2 });
    expect(byOrder['ORD004'].payload).toMatchObject({ status: 'failed', call_id: 'call-3', reason: 'the call was cut off by +52********78 carrier' });
    expect(byOrder['ORD005'].payload.call_id).toBeUndefined();
    expect(byOrder['ORD005'].payload.transcript_url).toBeUndefined();
    // The numbers went to the operator's system, never to a log line; nor did the secret.
    expect(log.text()).toContain('outcome webhook delivered');
    expect(log.text()).not.toContain('+15551234567');
    expect(log.text()).not.toContain('+919876543210');
    expect(log.text()).not.toContain(SECRET);
  });

  it('a restarted outbox delivers what was pending when it closed at once, oldest first', async () => {
    // A long backoff: only the restart makes them due again now.
    const first = open({ backoff: { firstDelayMs: 60_000, maxDelayMs: 60_000, giveUpAfterMs: 3_600_000 } });
    const onEvent = first.listener(CAMPAIGN);
    onEvent(finished(row(2, 'John Doe', '+15551234567', 'ORD001'), { status: 'confirmed' }, { callId: 'call-1' }));
    onEvent(finished(row(3, 'Jane Smith', '+15559876543', 'ORD002'), { status: 'cancelled' }, { callId: 'call-2' }));
    // Closed at once: each was tried once, the receiver down, and waits out a pause of 30 s or more.
    await first.close();
    expect(receiver.received).toHaveLength(0);

    await receiver.start();
    const second = open({ concurrency: 1 });
    await receiver.waitFor(2);
    expect(await second.settle(2000)).toBe(0);
    expect(receiver.received.map((each) => each.payload.row['order_id'])).toEqual(['ORD001', 'ORD002']);
    expect(receiver.received.every((each) => each.valid)).toBe(true);
  });

  it('retries a 500 with growing pauses, and stops for good at a 410', async () => {
    await receiver.start();
    receiver.answer = (payload, tries) => (payload.row['order_id'] === 'ORD002' ? 410 : tries < 4 ? 500 : 200);
    const outbox = open();
    const onEvent = outbox.listener(CAMPAIGN);
    onEvent(finished(row(2, 'John Doe', '+15551234567', 'ORD001'), { status: 'confirmed' }, { callId: 'call-1' }));
    onEvent(finished(row(3, 'Jane Smith', '+15559876543', 'ORD002'), { status: 'cancelled' }, { callId: 'call-2' }));
    await receiver.waitFor(5);
    expect(await outbox.settle(2000)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 150));

    const tries = receiver.received.filter((each) => each.payload.row['order_id'] === 'ORD001').map((each) => each.at);
    expect(tries).toHaveLength(4);
    // Pauses of 20, 40 and 80 ms less up to half for jitter: each at least the half of its doubling.
    const pauses = tries.slice(1).map((at, i) => at - tries[i]);
    pauses.forEach((pause, i) => expect(pause).toBeGreaterThanOrEqual(10 * 2 ** i - 2));
    expect(receiver.received.filter((each) => each.payload.row['order_id'] === 'ORD002')).toHaveLength(1);

    await outbox.close();
    const store = OutboxStore.open(file);
    try {
      expect(store.count('delivered')).toBe(1);
      expect(store.count('gone')).toBe(1);
    } finally {
      store.close();
    }
    expect(log.text()).toMatch(/refused for good \(410 Gone\)/);
    expect(log.text()).toMatch(/the receiver answered 500/);
    expect(log.text()).not.toContain(SECRET);
  });

  it('gives a delivery up after the retry period, says so in the log, and counts it no more as pending', async () => {
    const outbox = open({ backoff: { firstDelayMs: 20, maxDelayMs: 40, giveUpAfterMs: 150 } });
    outbox.listener(CAMPAIGN)(finished(row(2, 'John Doe', '+15551234567', 'ORD001'), { status: 'confirmed' }, { callId: 'call-1' }));
    expect(await outbox.settle(3000)).toBe(0);
    const givenUp = log.text().split('\n').find((line) => line.includes('given up: still failing after the retry period'));
    expect(givenUp).toContain('could not reach the receiver (ECONNREFUSED)');
  });

  it('without a global URL, posts only the outcomes of campaigns that bring their own URL', async () => {
    await receiver.start();
    const outbox = OutcomeWebhookOutbox.open(file, { url: '', secret: SECRET }, { logger: log.logger, ...QUICK });
    outboxes.push(outbox);
    const john = finished(row(2, 'John Doe', '+15551234567', 'ORD001'), { status: 'confirmed' }, { callId: 'call-1' });
    outbox.listener({ campaignId: 'cmp_plain', csvColumns: COLUMNS })(john);
    outbox.listener({ campaignId: 'cmp_own', csvColumns: COLUMNS, url: receiver.url })(john);
    expect(await outbox.settle(2000)).toBe(0);
    expect(receiver.received.map((each) => each.payload.campaign_id)).toEqual(['cmp_own']);
    expect(() => outbox.listener({ campaignId: 'cmp_bad', csvColumns: COLUMNS, url: 'http://orders.example/hooks' })).toThrow(/outcome_webhook_url must use https/);
  });

  it('pauses between tries double from the first delay up to the longest, with up to half taken off at random', () => {
    const backoff = { firstDelayMs: 1000, maxDelayMs: 600_000, giveUpAfterMs: 86_400_000 };
    expect([1, 2, 3, 4].map((failures) => retryDelayMs(failures, backoff, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((failures) => retryDelayMs(failures, backoff, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelayMs(30, backoff, () => 1)).toBe(600_000);
  });

  describe('the signature a receiver checks', () => {
    const body = '{"event_id":"evt_1","status":"confirmed"}';
    const now = Date.UTC(2026, 11, 1, 18, 0, 0);
    const timestamp = Math.floor(now / 1000);
    const headers = { 'X-Codcall-Timestamp': String(timestamp), 'X-Codcall-Signature': outcomeWebhookSignature(body, timestamp, SECRET) };

    it('accepts the body as it was signed, within five minutes', () => {
      expect(verifyOutcomeWebhook(body, headers, SECRET, now + 299_000)).toEqual({ valid: true, timestamp });
    });

    it('rejects a changed body, a wrong secret and a stale timestamp', () => {
      expect(verifyOutcomeWebhook(body.replace('confirmed', 'cancelled'), headers, SECRET, now)).toMatchObject({ valid: false, reason: expect.stringMatching(/does not match/) });
      expect(verifyOutcomeWebhook(body, headers, 'another-secret-of-enough-length', now)).toMatchObject({ valid: false });
      expect(verifyOutcomeWebhook(body, headers, SECRET, now + 301_000)).toMatchObject({ valid: false, reason: expect.stringMatching(/5-minute window/) });
      expect(verifyOutcomeWebhook(body, { 'X-Codcall-Signature': headers['X-Codcall-Signature'] }, SECRET, now)).toMatchObject({ valid: false });
    });
  });

  describe('settings', () => {
    it('are off without a URL, and refuse a URL without a secret, naming both', () => {
      expect(outcomeWebhookSettingsFrom({})).toBeUndefined();
      expect(() => outcomeWebhookSettingsFrom({ OUTCOME_WEBHOOK_URL: 'https://orders.example/hooks' })).toThrow(/OUTCOME_WEBHOOK_URL is set but OUTCOME_WEBHOOK_SECRET is not/);
      expect(() => outcomeWebhookSettingsFrom({ OUTCOME_WEBHOOK_SECRET: ' ' }, 'https://orders.example/hooks')).toThrow(/--outcome-webhook-url is set but/);
    });

    it('require https beyond loopback unless ALLOW_INSECURE_PROVIDER_URLS=true', () => {
      const env = { OUTCOME_WEBHOOK_SECRET: SECRET, OUTCOME_WEBHOOK_URL: 'http://orders.example/hooks' };
      expect(() => outcomeWebhookSettingsFrom(env)).toThrow(OutcomeWebhookSettingsError);
      expect(() => outcomeWebhookSettingsFrom(env)).toThrow(/OUTCOME_WEBHOOK_URL must use https/);
      expect(outcomeWebhookSettingsFrom({ ...env, ALLOW_INSECURE_PROVIDER_URLS: 'true' })).toEqual({ url: 'http://orders.example/hooks', secret: SECRET });
      expect(outcomeWebhookSettingsFrom({ ...env, OUTCOME_WEBHOOK_URL: 'http://127.0.0.1:9000/hooks' })?.url).toBe('http://127.0.0.1:9000/hooks');
      expect(() => outcomeWebhookSettingsFrom({ ...env, OUTCOME_WEBHOOK_URL: 'https://169.254.169.254/latest' })).toThrow(/metadata/);
      expect(() => outcomeWebhookSettingsFrom({ ...env, OUTCOME_WEBHOOK_URL: 'https://[::ffff:169.254.169.254]/latest' })).toThrow(/metadata/);
      expect(() => outcomeWebhookSettingsFrom({ ...env, OUTCOME_WEBHOOK_URL: 'https://user:pw@orders.example/hooks' })).toThrow(/user name or password/);
    });
  });
});
