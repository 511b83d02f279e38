import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookRequest } from '../carrier';

/**
 * X-Plivo-Signature-V3: base64 HMAC-SHA256 with the auth token over
 * `url[?sorted query][.]sortedPostParams` + "." + nonce, as the SDK's validateV3Signature
 * builds it (the unit tests hold the two together). Ours compares in constant time and never
 * throws; the SDK compares with === and throws on methods other than GET and POST.
 */
export function signPlivoRequest(authToken: string, method: string, url: string, nonce: string, params: Record<string, string> = {}): string {
  return createHmac('sha256', authToken).update(`${signedUrl(method, url, params)}.${nonce}`).digest('base64');
}

/** True when one of the header's comma-separated signatures is the request's. */
export function verifyPlivoSignature(authToken: string, request: WebhookRequest): boolean {
  const signatures = header(request.headers, 'x-plivo-signature-v3');
  const nonce = header(request.headers, 'x-plivo-signature-v3-nonce');
  if (!signatures || !nonce) return false;
  const method = request.method.toUpperCase();
  if (method !== 'GET' && method !== 'POST') return false;
  const expected = Buffer.from(signPlivoRequest(authToken, method, request.url, nonce, request.params));
  let matched = false;
  for (const candidate of signatures.split(',')) {
    const given = Buffer.from(candidate);
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched;
}

function signedUrl(method: string, url: string, params: Record<string, string>): string {
  const parsed = new URL(url);
  const base = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  const query = new Map<string, string[]>();
  for (const [key, value] of parsed.searchParams) query.set(key, [...(query.get(key) ?? []), value]);
  if (method === 'GET') {
    for (const [key, value] of Object.entries(params)) query.set(key, [...(query.get(key) ?? []), value]);
    const sorted = sortedQuery(query);
    return sorted ? `${base}?${sorted}` : base;
  }
  const sorted = sortedQuery(query);
  const hasParams = Object.keys(params).length > 0;
  let signed = base;
  if (sorted || hasParams) signed += `?${sorted}`;
  if (sorted && hasParams) signed += '.';
  return (
    signed +
    Object.keys(params)
      .sort()
      .map((key) => key + params[key])
      .join('')
  );
}

function sortedQuery(query: Map<string, string[]>): string {
  return [...query.keys()]
    .sort()
    .flatMap((key) => [...(query.get(key) ?? [])].sort().map((value) => `${key}=${value}`))
    .join('&');
}

function header(headers: WebhookRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
