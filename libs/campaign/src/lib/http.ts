import { ServiceUnreachableError, type ServiceName } from './errors';

export type FetchLike = typeof fetch;

export interface HttpAnswer {
  status: number;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  body: unknown;
}

export interface HttpRequest {
  service: ServiceName;
  /** The service's base URL: what the operator configured, so it is what error messages name. */
  baseUrl: string;
  path: string;
  method: 'GET' | 'POST';
  json?: unknown;
  timeoutMs: number;
  fetch: FetchLike;
}

/** Network error codes that mean nothing was sent: the connection never opened. */
const NOT_SENT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** Sends one request and reads the whole answer; any network failure becomes a ServiceUnreachableError. */
export async function sendJson(request: HttpRequest): Promise<HttpAnswer> {
  const url = request.baseUrl + request.path;
  try {
    const response = await request.fetch(url, {
      method: request.method,
      headers: request.json === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: request.json === undefined ? undefined : JSON.stringify(request.json),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, body: parseJson(text) };
  } catch (error) {
    throw unreachable(request, error);
  }
}

function unreachable(request: HttpRequest, error: unknown): ServiceUnreachableError {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new ServiceUnreachableError(request.service, request.baseUrl, `no answer within ${request.timeoutMs / 1000} s`, true, { cause: error });
  }
  const code = networkErrorCode(error);
  if (code && NOT_SENT[code]) return new ServiceUnreachableError(request.service, request.baseUrl, NOT_SENT[code], false, { cause: error });
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  // fetch refuses some ports (e.g. 1, 6000) before connecting.
  if (cause?.message === 'bad port') return new ServiceUnreachableError(request.service, request.baseUrl, 'port blocked by fetch', false, { cause: error });
  const detail = code ? `connection lost: ${code}` : (cause?.message ?? (error instanceof Error ? error.message : String(error)));
  return new ServiceUnreachableError(request.service, request.baseUrl, detail, true, { cause: error });
}

/** undici wraps the socket error as `cause`; with several addresses it is an AggregateError. */
function networkErrorCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  if (!(cause instanceof Error)) return undefined;
  const code = (cause as NodeJS.ErrnoException).code;
  if (code) return code;
  if (cause instanceof AggregateError) {
    const codes = cause.errors.map((inner) => (inner as NodeJS.ErrnoException).code).filter(Boolean);
    if (codes.length && codes.every((c) => c === codes[0])) return codes[0];
  }
  return undefined;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The `message` of an error body (NestJS sends a string, or an array of validation messages). */
export function messageOf(body: unknown, status: number): string {
  if (typeof body === 'object' && body !== null) {
    const message = (body as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message;
    if (Array.isArray(message) && message.length) return message.map(String).join('; ');
  }
  return `HTTP ${status} without an explanation`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
