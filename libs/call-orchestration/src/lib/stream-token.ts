import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A short-lived token bound to one call id, handed to the carrier inside the answer document
 * and checked when the media stream starts, so nobody can open a stream for a call they did
 * not place.
 */
export class StreamTokenSigner {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds = 600,
    private readonly now: () => number = Date.now,
  ) {
    if (secret.length < 16) throw new Error('stream token secret must be at least 16 characters');
  }

  issue(callId: string): string {
    const expires = Math.floor(this.now() / 1000) + this.ttlSeconds;
    return `${expires}.${this.sign(callId, expires)}`;
  }

  verify(callId: string, token: string | undefined): boolean {
    if (!token) return false;
    const [expiresText, signature] = token.split('.');
    const expires = Number(expiresText);
    if (!Number.isInteger(expires) || !signature) return false;
    if (expires < Math.floor(this.now() / 1000)) return false;
    const expected = Buffer.from(this.sign(callId, expires));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private sign(callId: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${callId}.${expires}`).digest('base64url');
  }
}
