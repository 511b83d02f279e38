import { signedHeaders } from './outcome-webhook-signature';

/** How a receiver answered one delivery. */
export type DeliveryResult =
  | { kind: 'delivered'; status: number }
  /** 410 Gone: the receiver asks us to stop for good. */
  | { kind: 'gone'; status: 410 }
  /** Anything else: a status, a timeout, a refused connection; tried again later. */
  | { kind: 'retry'; why: string };

export interface DeliveryBackoff {
  /** Pause after the first failure; each later one doubles it. */
  firstDelayMs: number;
  /** The longest pause between two tries. */
  maxDelayMs: number;
  /** After this long since the outcome was accepted, a delivery still failing is given up (dead). */
  giveUpAfterMs: number;
}

export const DEFAULT_DELIVERY_BACKOFF: DeliveryBackoff = { firstDelayMs: 1000, maxDelayMs: 10 * 60_000, giveUpAfterMs: 24 * 3_600_000 };
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The pause before the next try after `failures` failures: doubling from firstDelayMs up to
 * maxDelayMs, then a random half of it taken off, so receivers coming back up are not hit by
 * every sender at once ("equal jitter").
 */
export function retryDelayMs(failures: number, backoff: DeliveryBackoff, random: () => number = Math.random): number {
  const capped = Math.min(backoff.firstDelayMs * 2 ** Math.max(failures - 1, 0), backoff.maxDelayMs);
  return Math.round(capped / 2 + (random() * capped) / 2);
}

/**
 * One signed POST of `body` (the stored JSON, sent byte for byte). Redirects are not followed: a
 * receiver that moved is told by its operator, and a redirect must not carry outcomes elsewhere.
 */
export async function deliverOutcome(url: string, body: string, eventId: string, secret: string, timeoutMs: number, now = Date.now()): Promise<DeliveryResult> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: signedHeaders(body, eventId, secret, now), body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return { kind: 'retry', why: networkFailure(error, timeoutMs) };
  }
  // The answer's body is not needed: dropped unread, so a large one costs nothing.
  await response.body?.cancel().catch(() => undefined);
  if (response.status >= 200 && response.status < 300) return { kind: 'delivered', status: response.status };
  if (response.status === 410) return { kind: 'gone', status: 410 };
  return { kind: 'retry', why: `the receiver answered ${response.status}` };
}

function networkFailure(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return `could not reach the receiver (${cause?.code ?? cause?.message ?? (error as Error).message})`;
}
