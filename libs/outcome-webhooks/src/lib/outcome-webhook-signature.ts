import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers every outcome webhook carries (lower-case, as Node hands them to a receiver). */
export const SIGNATURE_HEADER = 'x-codcall-signature';
export const TIMESTAMP_HEADER = 'x-codcall-timestamp';
export const EVENT_ID_HEADER = 'x-codcall-event-id';

/** How old a delivery's timestamp may be, either way, before a receiver refuses it as a replay. */
export const REPLAY_WINDOW_SECONDS = 5 * 60;

/**
 * `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` keyed with the secret. The timestamp is inside
 * the signed text, so an old delivery cannot be replayed under a fresh timestamp.
 */
export function outcomeWebhookSignature(rawBody: string | Buffer, timestamp: number, secret: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  return `v1=${mac}`;
}

/** The headers of one signed delivery, signed at `now` (epoch ms). */
export function signedHeaders(rawBody: string, eventId: string, secret: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'content-type': 'application/json',
    'X-Codcall-Timestamp': String(timestamp),
    'X-Codcall-Signature': outcomeWebhookSignature(rawBody, timestamp, secret),
    'X-Codcall-Event-Id': eventId,
  };
}

export type OutcomeWebhookVerification = { valid: true; eventId?: string; timestamp: number } | { valid: false; reason: string };

/**
 * For receivers (and tests): checks a delivery's signature over the raw body as it arrived, and
 * that its timestamp is within REPLAY_WINDOW_SECONDS of `now` (epoch ms). Header names in any case.
 */
export function verifyOutcomeWebhook(
  rawBody: string | Buffer,
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  now = Date.now(),
): OutcomeWebhookVerification {
  const header = (name: string) => {
    const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
    return Array.isArray(entry) ? entry[0] : entry;
  };
  const timestampText = header(TIMESTAMP_HEADER);
  const signature = header(SIGNATURE_HEADER);
  if (!timestampText || !/^\d{1,12}$/.test(timestampText)) return { valid: false, reason: `missing or malformed ${TIMESTAMP_HEADER}` };
  if (!signature) return { valid: false, reason: `missing ${SIGNATURE_HEADER}` };
  const timestamp = Number(timestampText);
  if (Math.abs(now / 1000 - timestamp) > REPLAY_WINDOW_SECONDS) return { valid: false, reason: 'timestamp outside the 5-minute window (a replay, or a clock far off)' };
  const expected = Buffer.from(outcomeWebhookSignature(rawBody, timestamp, secret));
  const given = Buffer.from(signature.trim());
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { valid: false, reason: 'signature does not match the body and timestamp' };
  const eventId = header(EVENT_ID_HEADER);
  return eventId ? { valid: true, eventId, timestamp } : { valid: true, timestamp };
}
