import { ServiceUnreachableError, type ServiceName } from './errors';

export type FetchLike = typeof fetch;

export interface HttpAnswer {
  status: number;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  body: unknown;
  headers: Headers;
}

export interface HttpRequest {
  service: ServiceName;
  /** The service's base URL: what the operator configured, so it is what error messages name. */
  baseUrl: string;
  path: string;
  method: 'GET' | 'POST';
  json?: unknown;
  headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer <apiKey>` when given. */
  apiKey?: string;
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
      headers: {
        accept: 'application/json',
        ...(request.json === undefined ? {} : { 'content-type': 'application/json' }),
        ...(request.apiKey ? { authorization: `Bearer ${request.apiKey}` } : {}),
        ...request.headers,
      },
      body: request.json === undefined ? undefined : JSON.stringify(request.json),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, body: parseJson(text), headers: response.headers };
  } catch (error) {
    throw unreachable(request, error);
  }
}

function unreachable(request: HttpRequest, error: unknown): ServiceUnreachableError {
  const failure = (detail: string, mayHaveArrived: boolean) =>
    new ServiceUnreachableError(request.service, request.baseUrl, detail, mayHaveArrived, { cause: error });
  // Duck-typed, not instanceof: fetch's errors come from Node's own realm (and Jest runs tests in another).
  if (errorLike(error)?.name === 'TimeoutError') return failure(`no answer within ${request.timeoutMs / 1000} s`, true);
  const code = networkErrorCode(error);
  if (code && NOT_SENT[code]) return failure(NOT_SENT[code], false);
  const cause = errorLike(errorLike(error)?.cause);
  // fetch refuses some ports (e.g. 1, 6000) before connecting.
  if (cause?.message === 'bad port') return failure('port blocked by fetch', false);
  return failure(code ? `connection lost: ${code}` : (cause?.message ?? errorLike(error)?.message ?? String(error)), true);
}

interface ErrorLike {
  name?: string;
  message?: string;
  code?: string;
  cause?: unknown;
  errors?: unknown[];
}

function errorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined;
}

/** undici wraps the socket error as `cause`; with several addresses it is an AggregateError. */
function networkErrorCode(error: unknown): string | undefined {
  const cause = errorLike(errorLike(error)?.cause);
  if (!cause) return undefined;
  if (typeof cause.code === 'string') return cause.code;
  const codes = (cause.errors ?? []).map((inner) => errorLike(inner)?.code).filter((c): c is string => typeof c === 'string');
  return codes.length && codes.every((c) => c === codes[0]) ? codes[0] : undefined;
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

/**
 * Seconds a Retry-After header asks for (delta-seconds or an HTTP date), else the body's
 * `retry_after_seconds`; undefined when the answer carries neither.
 */
export function retryAfterSeconds(answer: HttpAnswer, now = Date.now()): number | undefined {
  const header = answer.headers.get('retry-after')?.trim();
  if (header) {
    if (/^\d+$/.test(header)) return Number(header);
    const at = Date.parse(header);
    if (Number.isFinite(at)) return Math.max(0, Math.ceil((at - now) / 1000));
  }
  const fromBody = isObject(answer.body) ? answer.body['retry_after_seconds'] : undefined;
  if (typeof fromBody === 'number' && Number.isFinite(fromBody) && fromBody >= 0) return fromBody;
  // A header we cannot read still says "at capacity, come back later".
  return header ? DEFAULT_RETRY_AFTER_SECONDS : undefined;
}

const DEFAULT_RETRY_AFTER_SECONDS = 5;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
