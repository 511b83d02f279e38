import twilio from 'twilio';
import type { WebhookRequest } from '../carrier';

/** X-Twilio-Signature over the public URL and the POST parameters, checked by the SDK in constant time. */
export function verifyTwilioSignature(authToken: string, request: WebhookRequest): boolean {
  const header = request.headers['x-twilio-signature'];
  const signature = Array.isArray(header) ? header[0] : header;
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, request.url, request.params);
}

export function signTwilioRequest(authToken: string, url: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}
