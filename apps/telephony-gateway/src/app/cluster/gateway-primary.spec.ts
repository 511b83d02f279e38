import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { createLogger } from '@codcall/logging';
import { freePort } from '@codcall/test-support';
import { loadGatewayConfig } from '../config';
import { newCallIdOwnedBy, workerForIdempotencyKey } from './call-ownership';
import { GatewayPrimary, type GatewayWorkers } from './gateway-primary';
import { acceptHandedSocket } from './gateway-worker';
import type { MediaSocketHandOff } from './worker-messages';
import type { WorkerSlot } from './worker-pool';

const KEY = 'primary-spec-key-0123456789abcdef';

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A worker as the primary sees one, in this process: an HTTP server that says who it is, takes
 * dials until it is full, serves /stats behind the key, and accepts media sockets handed to it
 * the way a real worker does (acceptHandedSocket), greeting each with its index.
 */
class StandInWorker {
  readonly seen: Seen[] = [];
  full = false;
  /** Requests whose client left before this worker answered. */
  abandoned = 0;
  /** Answers /stats with something that is not JSON. */
  garbled = false;
  /** Closes a kept-alive connection when the next request arrives on it, unanswered, as a server whose idle timer just fired does. */
  dropReusedConnections = false;
  private readonly requestsOn = new WeakMap<object, number>();
  readonly server: Server;
  private readonly sockets = new WebSocketServer({ noServer: true });

  constructor(readonly index: number) {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        this.seen.push({ method: request.method, url: request.url, headers: request.headers, body });
        const onThisConnection = (this.requestsOn.get(request.socket) ?? 0) + 1;
        this.requestsOn.set(request.socket, onThisConnection);
        if (this.dropReusedConnections && onThisConnection > 1) return void request.socket.destroy();
        const reply = (status: number, value: unknown, headers: Record<string, string> = {}) => {
          response.writeHead(status, { 'content-type': 'application/json', ...headers });
          response.end(JSON.stringify(value));
        };
        if (request.url === '/health') return reply(200, { status: 'ok', carriers: ['sim'] });
        if (request.url?.startsWith('/stats')) {
          if (request.headers.authorization !== `Bearer ${KEY}`) return reply(401, { statusCode: 401, message: 'an API key is required' });
          if (this.garbled) return void response.end('{"workers": [');
          const load = { pid: 1000 + index, calls_live: index, event_loop_delay_p50_ms: 1, event_loop_delay_p99_ms: index * 3, cpu_user_ms: 10, cpu_system_ms: 1, rss_bytes: 100 };
          return reply(200, { workers: [load], totals: {} });
        }
        if (request.method === 'POST' && request.url === '/call') {
          if (this.full) return reply(503, { statusCode: 503, message: `worker ${index} at capacity` }, { 'retry-after': '5' });
          return reply(201, { call_id: newCallIdOwnedBy(index), state: 'queued', worker: index });
        }
        // A long poll that never ends by itself: the story is about who lets go of it.
        if (request.url?.includes('wait=60')) return void response.once('close', () => this.abandoned++);
        reply(200, { worker: index });
      });
    });
    this.server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) =>
      this.sockets.handleUpgrade(request, socket, head, (ws) => ws.send(`worker-${index} took ${request.url}`)),
    );
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as { port: number }).port)));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

class StandInWorkers implements GatewayWorkers {
  readonly slots: WorkerSlot[];
  constructor(readonly workers: StandInWorker[]) {
    this.slots = workers.map((worker) => ({ index: worker.index, maxCalls: 10, callsLive: 0 }));
  }
  async start(): Promise<void> {
    for (const [i, worker] of this.workers.entries()) this.slots[i].port = await worker.listen();
  }
  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
  ready(index: number): WorkerSlot | undefined {
    const slot = this.slots[index - 1];
    return slot?.port === undefined ? undefined : slot;
  }
  get readySlots(): WorkerSlot[] {
    return this.slots.filter((slot) => slot.port !== undefined);
  }
  handOff(slot: WorkerSlot, message: MediaSocketHandOff, socket: Socket): boolean {
    acceptHandedSocket(this.workers[slot.index - 1].server, message, socket);
    return true;
  }
  publicPortAnnounced = false;
  announcePublicPort(): void {
    this.publicPortAnnounced = true;
  }
}

describe('the primary of a two-worker gateway', () => {
  let primary: GatewayPrimary;
  let workers: StandInWorkers;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    workers = new StandInWorkers([new StandInWorker(1), new StandInWorker(2)]);
    const config = loadGatewayConfig({ GATEWAY_PORT: String(port), GATEWAY_WORKERS: '2', CODCALL_API_KEYS: KEY, GATEWAY_HOST: '127.0.0.1' });
    primary = new GatewayPrimary(config, workers, createLogger({ name: 'primary-spec', level: 'silent' }));
    await primary.start();
  });

  afterAll(async () => {
    await primary?.stop();
  });

  beforeEach(() => {
    for (const worker of workers.workers) {
      worker.seen.length = 0;
      worker.full = false;
      worker.garbled = false;
      worker.dropReusedConnections = false;
    }
    for (const slot of workers.slots) slot.callsLive = 0;
  });

  const dial = (key?: string) =>
    fetch(`${base}/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify({ agent_id: 'cod' }),
    });
  const whoAnswered = async (response: Response | Promise<Response>) => ((await (await response).json()) as { worker: number }).worker;

  it('takes a carrier webhook for worker 2\'s call to worker 2, with its path, query, body and signature as sent, and the caller\'s address', async () => {
    const callId = newCallIdOwnedBy(2);
    const body = 'CallSid=CA123&CallStatus=completed&Note=a%20b';
    const response = await fetch(`${base}/call/${callId}/status?attempt=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'c2lnbmVk', 'x-forwarded-for': '203.0.113.9' },
      body,
    });
    expect(await whoAnswered(response)).toBe(2);
    expect(workers.workers[0].seen).toHaveLength(0);
    const [seen] = workers.workers[1].seen;
    expect(seen).toMatchObject({ method: 'POST', url: `/call/${callId}/status?attempt=1`, body });
    expect(seen.headers).toMatchObject({ 'x-twilio-signature': 'c2lnbmVk', 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.9, 127.0.0.1', 'content-length': String(body.length) });
    expect(await whoAnswered(fetch(`${base}/call/${newCallIdOwnedBy(1)}?wait=0`, { headers: { authorization: `Bearer ${KEY}` } }))).toBe(1);
  });

  it('takes the carrier\'s fetch of a transfer document to the worker that owns the call', async () => {
    for (const owner of [1, 2]) {
      const callId = newCallIdOwnedBy(owner);
      expect(await whoAnswered(fetch(`${base}/call/${callId}/transfer`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'CallUUID=abc' }))).toBe(owner);
    }
  });

  it('sends dials without a key to the workers in turn, skips a worker that is full, and passes on the 503 when all are', async () => {
    const turns = [await whoAnswered(dial()), await whoAnswered(dial())];
    expect(turns.sort()).toEqual([1, 2]);

    workers.slots[0].callsLive = 10; // worker 1 reported it holds its share
    expect([await whoAnswered(dial()), await whoAnswered(dial())]).toEqual([2, 2]);

    workers.slots[0].callsLive = 0;
    workers.workers[0].full = true; // full before it could say so: its 503 sends the dial on
    expect([await whoAnswered(dial()), await whoAnswered(dial())]).toEqual([2, 2]);

    workers.workers[1].full = true;
    const refused = await dial();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { message: string }).message).toMatch(/at capacity/);
  });

  it('sends every dial with the same Idempotency-Key to the same worker, full or not', async () => {
    const key = 'campaign-3:row-17:attempt-1';
    const owner = workerForIdempotencyKey(key, 2);
    expect([await whoAnswered(dial(key)), await whoAnswered(dial(key))]).toEqual([owner, owner]);
    workers.workers[owner - 1].full = true;
    expect((await dial(key)).status).toBe(503);
    expect(workers.workers[2 - owner].seen).toHaveLength(0);
  });

  it('answers 503 with Retry-After for a call whose worker is restarting', async () => {
    const port = workers.slots[1].port;
    workers.slots[1].port = undefined;
    try {
      const response = await fetch(`${base}/call/${newCallIdOwnedBy(2)}/answer`, { method: 'POST' });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(await response.json()).toEqual({ statusCode: 503, message: 'gateway worker 2 is restarting', retry_after_seconds: 1 });
    } finally {
      workers.slots[1].port = port;
    }
  });

  it('answers /health itself with a worker\'s document, and /stats with every worker\'s behind the key', async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok', carriers: ['sim'] });
    expect((await fetch(`${base}/stats`)).status).toBe(401);
    const stats = (await (await fetch(`${base}/stats?reset=1`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as {
      workers: { pid: number }[];
      primary: { pid: number };
      totals: { workers: number; calls_live: number; event_loop_delay_p99_ms: number };
    };
    expect(stats.workers.map((worker) => worker.pid)).toEqual([1001, 1002]);
    expect(stats.primary.pid).toBe(process.pid);
    expect(stats.totals).toMatchObject({ workers: 2, calls_live: 3, event_loop_delay_p99_ms: expect.any(Number) });
    expect(stats.totals.event_loop_delay_p99_ms).toBeGreaterThanOrEqual(6);
    expect(workers.workers.map((worker) => worker.seen.at(-1)?.url)).toEqual(['/stats?reset=1', '/stats?reset=1']);
  });

  it('lets go of the worker\'s side of a long poll when its client gives up', async () => {
    const worker = workers.workers[0];
    const before = worker.abandoned;
    const client = new AbortController();
    const polling = fetch(`${base}/call/${newCallIdOwnedBy(1)}?wait=60`, { headers: { authorization: `Bearer ${KEY}` }, signal: client.signal }).catch(() => 'aborted');
    while (!worker.seen.some((seen) => seen.url?.includes('wait=60'))) await new Promise((resolve) => setImmediate(resolve));
    client.abort();
    expect(await polling).toBe('aborted');
    while (worker.abandoned === before) await new Promise((resolve) => setImmediate(resolve));
    expect(worker.abandoned).toBe(before + 1);
  });

  it('sends a request again on a fresh connection when the worker closed the kept-alive one it went down, and only then', async () => {
    const owner = newCallIdOwnedBy(2);
    // A first request leaves a kept-alive connection to worker 2 in the primary's pool.
    expect((await fetch(`${base}/call/${owner}`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
    workers.workers[1].dropReusedConnections = true;
    const answer = await fetch(`${base}/call/${owner}/status`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'CallStatus=ringing' });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ worker: 2 });
    const statusPosts = workers.workers[1].seen.filter((seen) => seen.url === `/call/${owner}/status`);
    expect(statusPosts.map((seen) => seen.body)).toEqual(['CallStatus=ringing', 'CallStatus=ringing']);
  });

  it('answers 502 when a worker\'s report makes no sense, and goes on routing', async () => {
    workers.workers[1].garbled = true;
    expect((await fetch(`${base}/stats`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(502);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(await whoAnswered(fetch(`${base}/call/${newCallIdOwnedBy(2)}`, { headers: { authorization: `Bearer ${KEY}` } }))).toBe(2);
  });

  it('refuses a body over twice the gateway\'s limit without troubling a worker', async () => {
    const response = await fetch(`${base}/call/${newCallIdOwnedBy(1)}/status`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(200 * 1024) });
    expect(response.status).toBe(413);
    expect(workers.workers[0].seen).toHaveLength(0);
  });

  it('hands a media stream to the worker its path names, and refuses one that names no call of ours', async () => {
    const firstMessage = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = new WebSocket(`${base.replace('http', 'ws')}${path}`);
        socket.once('message', (data) => {
          resolve(data.toString());
          socket.close();
        });
        socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
        socket.once('error', reject);
      });
    const callId = newCallIdOwnedBy(2);
    expect(await firstMessage(`/media-stream/sim/${callId}`)).toBe(`worker-2 took /media-stream/sim/${callId}`);
    expect(await firstMessage(`/media-stream/twilio/${newCallIdOwnedBy(1)}`)).toMatch(/^worker-1 took/);
    await expect(firstMessage('/media-stream/twilio')).rejects.toThrow('HTTP 404'); // the old path names no worker
    await expect(firstMessage(`/media-stream/sim/${newCallIdOwnedBy(7)}`)).rejects.toThrow('HTTP 404');
    await expect(firstMessage('/elsewhere')).rejects.toThrow('HTTP 404');
  });
});
