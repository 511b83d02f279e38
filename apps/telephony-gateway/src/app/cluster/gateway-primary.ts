import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '@codcall/logging';
import { GATEWAY_LIMITS } from '../calls/place-call.dto';
import type { GatewayConfig } from '../config';
import { mediaStreamTarget, refuseUpgrade } from '../media/media-stream-path';
import { combineStats, ProcessLoadMeter, type GatewayStats } from '../stats/process-load';
import { ownerOfCallId, workerForIdempotencyKey } from './call-ownership';
import type { WorkerPool, WorkerSlot } from './worker-pool';
import { UPSTREAM_IDLE_MS } from './worker-messages';

/** What the primary needs of its workers (the pool of child processes; an in-process stand-in in specs). */
export type GatewayWorkers = Pick<WorkerPool, 'slots' | 'ready' | 'readySlots' | 'handOff' | 'start' | 'stop' | 'announcePublicPort'>;

/** Bodies the primary holds while it picks a worker: the gateway's own limit, with room for the worker to give its own 413. */
const MAX_PROXIED_BODY_BYTES = 2 * GATEWAY_LIMITS.max_body_bytes;
const CALL_PATH = /^\/call\/([^/]+)(?:\/(?:answer|status|transfer))?\/?$/;
/** Hop-by-hop headers (RFC 9110 7.6.1): each leg has its own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

/**
 * The public face of a multi-process gateway. It holds no call: it answers /health, adds up
 * /stats, forwards each HTTP request to the worker that owns its call (dials to one with room, a
 * replayed Idempotency-Key to the worker that has it), and hands a media stream's connection to
 * its owner after reading the request head, so the call's audio never passes through here.
 */
export class GatewayPrimary {
  private readonly server: Server;
  /** Kept-alive connections to the workers; a free one is let go well before a worker would close it. */
  private readonly upstream = new Agent({ keepAlive: true, timeout: UPSTREAM_IDLE_MS });
  private readonly meter = new ProcessLoadMeter();
  private health?: string;
  private nextWorker = 0;

  constructor(
    private readonly config: GatewayConfig,
    private readonly workers: GatewayWorkers,
    private readonly logger: Logger,
  ) {
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        // One bad answer from a worker must not bring the primary, and every call's routing, down.
        this.logger.error({ err: error }, 'could not route a request');
        if (!response.headersSent) this.answer(response, 502, JSON.stringify({ statusCode: 502, message: 'the gateway could not route this request' }));
        else response.destroy();
      });
    });
    this.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head));
    this.server.on('clientError', (_error, socket) => refuseUpgrade(socket, 400, 'Bad Request'));
  }

  /** Starts the workers, then listens on the public port; a worker that cannot start fails the start. */
  async start(): Promise<void> {
    await this.workers.start();
    this.health = await this.workerHealth();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => resolve());
    });
    // Workers take queued calls only now: the carrier's webhooks for them come to this port.
    this.workers.announcePublicPort();
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await this.workers.stop();
    this.server.closeAllConnections();
    await closed;
    this.upstream.destroy();
    this.meter.stop();
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/health') return void this.answer(response, 200, this.health ?? '{"status":"starting"}');
    if (request.method === 'GET' && path === '/stats') return this.answerStats(request, response);
    let body: Buffer;
    try {
      body = await readBody(request, MAX_PROXIED_BODY_BYTES);
    } catch {
      return void this.answer(response, 413, JSON.stringify({ statusCode: 413, message: `request body over ${MAX_PROXIED_BODY_BYTES} bytes` }), { connection: 'close' });
    }
    const candidates = this.workersFor(request, path);
    for (const [i, slot] of candidates.entries()) {
      const ready = this.workers.ready(slot.index);
      if (!ready) {
        if (i < candidates.length - 1) continue;
        return void this.answer(response, 503, JSON.stringify({ statusCode: 503, message: `gateway worker ${slot.index} is restarting`, retry_after_seconds: 1 }), { 'retry-after': '1' });
      }
      // A dial refused for capacity goes on to the next worker with room; anything else is the answer.
      if (await this.forward(request, response, body, ready, i < candidates.length - 1)) return;
    }
  }

  /** Where a request may go, in order; only an unkeyed dial has more than one place. */
  private workersFor(request: IncomingMessage, path: string): WorkerSlot[] {
    const count = this.workers.slots.length;
    if (request.method === 'POST' && (path === '/call' || path === '/call/')) {
      const key = request.headers['idempotency-key'];
      if (typeof key === 'string' && key) return [this.workers.slots[workerForIdempotencyKey(key, count) - 1]];
      const ready = this.rotate(this.workers.readySlots);
      const withRoom = ready.filter((slot) => slot.callsLive < slot.maxCalls);
      return withRoom.length ? withRoom : ready.slice(0, 1);
    }
    const callId = CALL_PATH.exec(path)?.[1];
    const owner = callId ? ownerOfCallId(callId.toLowerCase(), count) : undefined;
    if (owner) return [this.workers.slots[owner - 1]];
    // Not a call of ours (a bad id, an unknown route): any worker answers it as a single gateway would.
    return this.rotate(this.workers.readySlots).slice(0, 1);
  }

  private rotate(slots: WorkerSlot[]): WorkerSlot[] {
    if (!slots.length) return [this.workers.slots[0]];
    const start = this.nextWorker++ % slots.length;
    return [...slots.slice(start), ...slots.slice(0, start)];
  }

  /**
   * Sends the request to the worker; resolves false (having answered nothing) when it refused a dial for capacity and `orElse` is set.
   * A kept-alive connection the worker closed just as the request went out (its reset comes before any answer, so the worker never
   * read the request) is not the worker's answer: the request goes once more, on a fresh connection.
   */
  private async forward(request: IncomingMessage, response: ServerResponse, body: Buffer, slot: WorkerSlot, orElse: boolean): Promise<boolean> {
    const first = await this.forwardOnce(request, response, body, slot, orElse, true);
    return first === 'stale connection' ? (await this.forwardOnce(request, response, body, slot, orElse, false)) === true : first;
  }

  private forwardOnce(request: IncomingMessage, response: ServerResponse, body: Buffer, slot: WorkerSlot, orElse: boolean, mayRetry: boolean): Promise<boolean | 'stale connection'> {
    return new Promise<boolean | 'stale connection'>((resolve) => {
      const upstream = httpRequest(
        { host: '127.0.0.1', port: slot.port, method: request.method, path: request.url, headers: forwardedHeaders(request, body.length), agent: this.upstream },
        (answer) => {
          if (orElse && answer.statusCode === 503) {
            answer.resume();
            return resolve(false);
          }
          if (request.method === 'POST' && answer.statusCode === 201) slot.callsLive++;
          response.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
          answer.pipe(response);
          // 'close' comes whether the worker's answer ended or broke off.
          answer.on('close', () => resolve(true));
          answer.on('error', () => response.destroy());
        },
      );
      let clientGone = false;
      upstream.on('error', (error: NodeJS.ErrnoException) => {
        if (mayRetry && !clientGone && upstream.reusedSocket && error.code === 'ECONNRESET') return resolve('stale connection');
        resolve(true);
        if (clientGone) return;
        this.logger.warn({ worker: slot.index, err: error.message }, 'gateway worker did not answer a request');
        if (!response.headersSent) this.answer(response, 502, JSON.stringify({ statusCode: 502, message: `gateway worker ${slot.index} did not answer` }));
        else response.destroy();
      });
      // A client that gives up (a long poll cut short) frees the worker's side too.
      response.on('close', () => {
        if (response.writableFinished) return;
        clientGone = true;
        upstream.destroy();
      });
      upstream.end(body);
    });
  }

  /** Every worker's own /stats, asked with the caller's credentials (each worker checks them), and the primary's. */
  private async answerStats(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const query = (request.url ?? '').includes('?') ? (request.url ?? '').slice((request.url ?? '').indexOf('?')) : '';
    const headers: Record<string, string> = {};
    if (request.headers.authorization) headers['authorization'] = request.headers.authorization;
    const ready = this.workers.readySlots;
    if (!ready.length) return void this.answer(response, 503, JSON.stringify({ statusCode: 503, message: 'no gateway worker is up', retry_after_seconds: 1 }), { 'retry-after': '1' });
    // A worker that died a moment ago is left out (the pool restarts it); a refusal (no key) is the answer.
    const settled = await Promise.allSettled(ready.map((slot) => fetch(`http://127.0.0.1:${slot.port}/stats${query}`, { headers })));
    const answers = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const refused = answers.find((answer) => answer.status !== 200);
    if (refused) return void this.answer(response, refused.status, await refused.text());
    const reports = (await Promise.all(answers.map((answer) => answer.json()))) as GatewayStats[];
    const { calls_live: _none, ...primary } = this.meter.read({ reset: /[?&]reset=(1|true)\b/.test(query) });
    this.answer(response, 200, JSON.stringify(combineStats(reports.flatMap((report) => report.workers), primary)));
  }

  /** A media stream goes to the worker named in its path; the socket, not its bytes, is passed on. */
  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // The HTTP server stops listening for this socket's errors at the upgrade; a reset before the hand-off must not crash the primary.
    socket.on('error', () => socket.destroy());
    const target = mediaStreamTarget(request.url);
    if (!target) return refuseUpgrade(socket, 404, 'Not Found');
    // The old path names no call: with several workers there is no telling whose it is.
    const owner = target.callId ? ownerOfCallId(target.callId, this.workers.slots.length) : undefined;
    if (!owner) return refuseUpgrade(socket, 404, 'Not Found');
    const slot = this.workers.ready(owner);
    if (!slot) return refuseUpgrade(socket, 503, 'Service Unavailable');
    const handOff = { type: 'gateway:media-socket' as const, head: Buffer.concat([requestHead(request), head]).toString('base64') };
    if (!this.workers.handOff(slot, handOff, socket as Socket)) refuseUpgrade(socket, 503, 'Service Unavailable');
  }

  private answer(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
    response.end(body);
  }

  /** /health is the same document a worker serves; asked once, as it says nothing that changes. */
  private async workerHealth(): Promise<string> {
    const slot = this.workers.readySlots[0];
    const answer = await fetch(`http://127.0.0.1:${slot.port}/health`);
    return answer.text();
  }
}

/** The request head as the client sent it (header names' case and order kept), for the worker's HTTP parser. */
export function requestHead(request: IncomingMessage): Buffer {
  let head = `${request.method} ${request.url} HTTP/${request.httpVersion}\r\n`;
  for (let i = 0; i < request.rawHeaders.length; i += 2) head += `${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}\r\n`;
  return Buffer.from(head + '\r\n', 'latin1');
}

/** The client's headers for the worker: signatures and keys untouched, the client's address added to X-Forwarded-For. */
function forwardedHeaders(request: IncomingMessage, bodyBytes: number): IncomingHttpHeaders {
  const headers = withoutHopByHop(request.headers);
  const client = request.socket.remoteAddress ?? '';
  const before = request.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = before ? `${before}, ${client}` : client;
  if (bodyBytes || request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined) headers['content-length'] = String(bodyBytes);
  return headers;
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        return reject(new Error('body too large'));
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
