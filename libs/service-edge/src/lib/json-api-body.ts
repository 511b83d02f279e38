import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a JSON API accepts in one request body. */
export interface JsonBodyLimits {
  maxBodyBytes: number;
  /** Objects and arrays inside one another; deeper documents are refused before anything walks them. */
  maxDepth: number;
}

/** The default nesting limit: an agent document is about 8 levels deep, a call request 3. */
export const DEFAULT_MAX_JSON_DEPTH = 32;

type Next = (error?: unknown) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;
type ErrorMiddleware = (error: unknown, req: IncomingMessage, res: ServerResponse, next: Next) => void;

/**
 * True when `value` nests objects and arrays deeper than `maxDepth`. It walks without recursion,
 * so a hostile document cannot exhaust the stack the way class-transformer's recursion does.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length) {
    const [node, depth] = pending.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Object.values(node)) if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
  }
  return false;
}

/** Refuses, with 400, a parsed body that nests deeper than `maxDepth`, before a controller or class-transformer sees it. */
export function refuseDeepBodies(maxDepth: number): Middleware {
  return (req, res, next) => {
    if (!nestsDeeperThan((req as { body?: unknown }).body, maxDepth)) return next();
    sendError(res, 400, `request body nests objects and arrays deeper than the limit of ${maxDepth} levels`);
  };
}

/**
 * Requests that carry a body must carry JSON (415 otherwise), except on the routes `acceptsForm`
 * names, which may also send a form (the carriers' webhooks). A browser can send a form or text to
 * any address without asking; it cannot send `application/json` cross-site without a CORS preflight.
 */
export function requireJsonBodies(options: { acceptsForm?: (path: string) => boolean; acceptsMultipart?: (method: string, path: string) => boolean } = {}): Middleware {
  return (req, res, next) => {
    if (!hasBody(req)) return next();
    const type = mediaType(req.headers['content-type']);
    if (type === 'application/json') return next();
    const path = pathOf(req.url);
    if (options.acceptsForm?.(path) && type === 'application/x-www-form-urlencoded') return next();
    // File uploads (the campaign-api's CSV): the route's own multipart parser bounds them.
    if (type === 'multipart/form-data' && options.acceptsMultipart?.(req.method ?? 'GET', path)) return next();
    const accepted = options.acceptsForm?.(path) ? 'application/json or application/x-www-form-urlencoded' : 'application/json';
    sendError(res, 415, `unsupported content type "${type || '(none)'}": send the body as ${accepted}`);
  };
}

/**
 * Turns the body parser's refusals into JSON answers naming the limit. Without it they reach
 * Express's default handler, which answers HTML (and a parser's 413) instead.
 */
export function answerBodyErrors(limits: JsonBodyLimits): ErrorMiddleware {
  return (error, _req, res, next) => {
    const type = (error as { type?: unknown } | null)?.type;
    switch (type) {
      case 'entity.too.large':
        return sendError(res, 400, `request body is larger than the limit of ${limits.maxBodyBytes} bytes (${formatBytes(limits.maxBodyBytes)})`);
      case 'parameters.too.many':
        return sendError(res, 400, 'request body has too many form parameters');
      case 'entity.parse.failed':
        return sendError(res, 400, `request body is not valid JSON: ${(error as Error).message}`);
      case 'request.size.invalid':
      case 'request.aborted':
        return sendError(res, 400, 'request body ended before its declared length');
      case 'charset.unsupported':
      case 'encoding.unsupported':
        return sendError(res, 415, `${(error as Error).message}: send UTF-8 JSON without a Content-Encoding`);
      default:
        return next(error);
    }
  };
}

function sendError(res: ServerResponse, status: 400 | 415, message: string): void {
  const error = status === 400 ? 'Bad Request' : 'Unsupported Media Type';
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ statusCode: status, message, error }));
}

/** As type-is decides it: a body is coming when it is chunked or has a non-zero length. */
function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0];
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function formatBytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
