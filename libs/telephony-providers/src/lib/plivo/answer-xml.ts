import type { AnswerDocument, AnswerDocumentRequest } from '../carrier';

/** Plivo's documented cap on a `<Stream>`'s extraHeaders. */
const EXTRA_HEADERS_MAX_BYTES = 512;

export class ExtraHeadersError extends Error {}

/**
 * Plivo accepts only [A-Za-z0-9] in extraHeaders keys and values. Our parameters (`call_id`, a
 * UUID; `token`, `expiry.base64url`) have '_', '-' and '.', so keys go camelCase and values hex:
 * lossless, and plain alphanumerics on Plivo's side.
 */
export function encodeExtraHeaders(parameters: Record<string, string>): string {
  const pairs = Object.entries(parameters).map(([name, value]) => {
    const key = name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    if (!/^[a-z][A-Za-z0-9]*$/.test(key) || snakeCase(key) !== name) {
      throw new ExtraHeadersError(`stream parameter name "${name}" cannot travel in Plivo's extraHeaders (lowercase letters, digits and single underscores only)`);
    }
    return `${key}=${Buffer.from(value, 'utf8').toString('hex')}`;
  });
  const encoded = pairs.join(',');
  if (Buffer.byteLength(encoded) > EXTRA_HEADERS_MAX_BYTES) {
    throw new ExtraHeadersError(`stream parameters take ${Buffer.byteLength(encoded)} bytes in extraHeaders; Plivo allows ${EXTRA_HEADERS_MAX_BYTES}`);
  }
  return encoded;
}

/**
 * The inverse of encodeExtraHeaders, read defensively: Plivo documents the attribute as
 * "k=v,k2=v2" but not how it reappears in the start event, so a string in that form, a JSON
 * (or Python-repr) object in a string, and a plain object are all accepted. A value that is not
 * hex is kept as it came (and will simply fail the token check).
 */
export function decodeExtraHeaders(raw: unknown): Record<string, string> {
  const pairs: [string, string][] = [];
  if (typeof raw === 'string') {
    for (const match of raw.matchAll(/([A-Za-z0-9]+)\s*['"]?\s*[=:]\s*['"]?([A-Za-z0-9]*)/g)) pairs.push([match[1], match[2]]);
  } else if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [key, value] of Object.entries(raw)) if (typeof value === 'string') pairs.push([key.replace(/^X-PH-/i, ''), value]);
  }
  const parameters: Record<string, string> = {};
  for (const [key, value] of pairs) {
    parameters[snakeCase(key)] = /^(?:[0-9a-f]{2})+$/i.test(value) ? Buffer.from(value, 'hex').toString('utf8') : value;
  }
  return parameters;
}

/**
 * `<Stream bidirectional keepCallAlive>` with mu-law 8 kHz both ways and per-call values in
 * extraHeaders. Built by hand rather than with the SDK's XML builder, which does not escape
 * attribute values.
 */
export function buildPlivoStreamXml(request: AnswerDocumentRequest): AnswerDocument {
  const url = new URL(request.streamUrl);
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') throw new Error(`stream URL must be ws:// or wss://, got ${url.protocol}`);
  if (url.search) throw new Error('stream URL must not carry a query string: per-call values travel in extraHeaders');
  const attributes = {
    bidirectional: 'true',
    keepCallAlive: 'true',
    contentType: 'audio/x-mulaw;rate=8000',
    extraHeaders: encodeExtraHeaders(request.parameters),
  };
  const rendered = Object.entries(attributes)
    .map(([name, value]) => `${name}="${escapeXml(value)}"`)
    .join(' ');
  return {
    contentType: 'application/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?><Response><Stream ${rendered}>${escapeXml(request.streamUrl)}</Stream></Response>`,
  };
}

/**
 * The document a transferred call fetches: `<Dial>` to the number, from our caller id. Plivo
 * writes numbers with the country code and no '+'; the caller id must be one of ours.
 */
export function buildPlivoDialXml(to: string, callerId: string): AnswerDocument {
  const number = to.replace(/[\s().-]/g, '').replace(/^\+/, '');
  if (!/^[0-9]{6,15}$/.test(number)) throw new Error('transfer number must be an E.164 number (6 to 15 digits)');
  const from = callerId.trim().replace(/^\+/, '');
  return {
    contentType: 'application/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?><Response><Dial callerId="${escapeXml(from)}"><Number>${escapeXml(number)}</Number></Dial></Response>`,
  };
}

/** Reads a `<Dial>` document back (for the fake Plivo in tests): the numbers it calls and its caller id. */
export function parsePlivoDialXml(xml: string): { numbers: string[]; callerId?: string } | null {
  const dial = /<Dial\b([^>]*)>([\s\S]*?)<\/Dial>/.exec(xml);
  if (!dial) return null;
  const callerId = /callerId="([^"]*)"/.exec(dial[1])?.[1];
  const numbers = [...dial[2].matchAll(/<Number\b[^>]*>([\s\S]*?)<\/Number>/g)].map((match) => unescapeXml(match[1].trim()));
  return { numbers, ...(callerId !== undefined ? { callerId: unescapeXml(callerId) } : {}) };
}

/** Reads a `<Stream>` answer back (for the fake Plivo in tests): its URL and raw extraHeaders. */
export function parsePlivoStreamXml(xml: string): { url: string; extraHeaders: string; attributes: Record<string, string> } | null {
  const stream = /<Stream\b([^>]*)>([\s\S]*?)<\/Stream>/.exec(xml);
  if (!stream) return null;
  const attributes: Record<string, string> = {};
  for (const match of stream[1].matchAll(/([A-Za-z]+)="([^"]*)"/g)) attributes[match[1]] = unescapeXml(match[2]);
  const url = unescapeXml(stream[2].trim());
  return url ? { url, extraHeaders: attributes['extraHeaders'] ?? '', attributes } : null;
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[char] as string);
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, entity: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[entity] as string);
}
