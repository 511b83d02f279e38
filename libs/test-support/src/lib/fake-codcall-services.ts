import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallOutcome, PlaceCallBody as GatewayPlaceCallBody } from '@codcall/gateway-api';

/*
 * Test doubles for the services a campaign talks to, speaking their real HTTP APIs on port 0 so the
 * real HTTP clients are exercised. Shared by the campaign's and the CLI's tests.
 */

/** The body of POST /call as the gateway receives it from the campaign's client, which always names the context and carrier. */
export type PlaceCallBody = GatewayPlaceCallBody & Required<Pick<GatewayPlaceCallBody, 'context' | 'carrier'>>;

/** Any status, so a test can also send one the client must refuse. */
export type FakeOutcome = CallOutcome<string>;

/** What the fake gateway does with one POST /call. */
export type FakeCallScript =
  /** Refuse the call with this HTTP status and message. */
  | { reject: { status: number; message: string | string[] } }
  /** Accept it and end it with `outcome` after `afterMs` (default 10 ms); `view` adds fields to GET /call/:id (duration_seconds, turn_latencies_ms...). */
  | { outcome: FakeOutcome; afterMs?: number; view?: Record<string, unknown> }
  /** Accept it and keep it in progress until the test calls `finish(callId, outcome)`. */
  | { hold: true };

export interface FakeGatewayOptions {
  carriers?: string[];
  /**
   * Answer a repeated POST /call carrying the same Idempotency-Key with the same call (and say so
   * in /health as idempotency_keys: true). Off by default, like the real gateway today.
   */
  idempotencyKeys?: boolean;
  /** Default: every callee confirms. */
  script?: (call: PlaceCallBody) => FakeCallScript;
  /** When set, every route but /health needs `Authorization: Bearer <apiKey>`; 401 otherwise (contract 1). */
  apiKey?: string;
  /**
   * The gateway at its limit of live calls: the first `dials` POST /call are answered 503 with
   * `Retry-After: retryAfterSeconds` (contract 3) and dial nobody.
   */
  atCapacity?: { dials: number; retryAfterSeconds: number };
  /** Published in /health as `limits` (contract 4): { max_body_bytes, max_context_value_chars, max_context_columns }. */
  limits?: Record<string, number>;
}

interface FakeCall {
  id: string;
  body: PlaceCallBody;
  state: 'in_progress' | 'completed';
  outcome?: FakeOutcome;
  view?: Record<string, unknown>;
  waiters: (() => void)[];
}

export class FakeGateway {
  /** Every POST /call body received, in order (refused ones included). */
  readonly received: PlaceCallBody[] = [];
  /** Largest number of calls in progress at once, and per number. */
  maxInFlight = 0;
  /** POST /call requests answered from their Idempotency-Key: re-sent dials that did not dial again. */
  idempotentReplays = 0;
  /** The Idempotency-Key of every POST /call, in order (undefined when none was sent). */
  readonly receivedKeys: (string | undefined)[] = [];
  /** POST /call answered 503 + Retry-After (atCapacity). */
  capacityRefusals = 0;
  /** Requests refused with 401 (apiKey). */
  unauthorized = 0;
  maxInFlightPerNumber = 0;
  private readonly calls = new Map<string, FakeCall>();
  private readonly byIdempotencyKey = new Map<string, FakeCall>();
  private readonly placedListeners: ((call: { callId: string; body: PlaceCallBody }) => void)[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private server?: Server;
  /** Every call placed, forgotten ones included. */
  private readonly placedLog: { id: string; body: PlaceCallBody }[] = [];
  url = '';

  constructor(private readonly options: FakeGatewayOptions = {}) {}

  async start(): Promise<this> {
    this.server = await listen((req, res) => void this.handle(req, res));
    this.url = urlOf(this.server);
    return this;
  }

  /** Stops answering at once: in-flight long-polls are cut and new connections are refused. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    await close(this.server);
  }

  /** The calls actually placed (a re-sent dial answered from its Idempotency-Key is not a new one), in order, forgotten ones included. */
  placedCalls(): PlaceCallBody[] {
    return this.placedLog.map((call) => call.body);
  }

  get inFlight(): number {
    return [...this.calls.values()].filter((call) => call.state !== 'completed').length;
  }

  /** Ends a held call. */
  finish(callId: string, outcome: FakeOutcome): void {
    const call = this.calls.get(callId);
    if (!call) throw new Error(`no call ${callId}`);
    this.complete(call, outcome);
  }

  /** Forgets every call, as a gateway without a call store does when it restarts: GET /call/:id answers 404. */
  forgetCalls(): void {
    const calls = [...this.calls.values()];
    this.calls.clear();
    this.byIdempotencyKey.clear();
    for (const call of calls) call.waiters.splice(0).forEach((waiter) => waiter());
  }

  /** Resolves once `count` calls have been accepted in total, with their ids (those still known). */
  async placed(count: number): Promise<string[]> {
    while (this.placedLog.length < count) await new Promise<void>((resolve) => this.placedListeners.push(() => resolve()));
    return this.placedLog.map((call) => call.id);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'GET' && url.pathname === '/health') {
      return json(res, 200, {
        status: 'ok',
        carriers: this.options.carriers ?? ['sim'],
        ...(this.options.idempotencyKeys ? { idempotency_keys: true } : {}),
        ...(this.options.limits ? { limits: this.options.limits } : {}),
      });
    }
    if (this.options.apiKey && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      this.unauthorized++;
      return json(res, 401, { statusCode: 401, message: 'missing or invalid API key' });
    }
    if (req.method === 'POST' && url.pathname === '/call') {
      const body = JSON.parse(await readBody(req)) as PlaceCallBody;
      const key = req.headers['idempotency-key'];
      this.receivedKeys.push(typeof key === 'string' ? key : undefined);
      const capacity = this.options.atCapacity;
      if (capacity && this.capacityRefusals < capacity.dials) {
        this.capacityRefusals++;
        this.received.push(body);
        const message = `gateway at capacity: ${this.inFlight} calls in progress`;
        if (res.writableEnded || res.destroyed) return;
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': String(capacity.retryAfterSeconds) });
        res.end(JSON.stringify({ statusCode: 503, message, retry_after_seconds: capacity.retryAfterSeconds }));
        return;
      }
      const known = this.options.idempotencyKeys && typeof key === 'string' ? this.byIdempotencyKey.get(key) : undefined;
      if (known) this.idempotentReplays++;
      if (known) return json(res, 200, { call_id: known.id, state: known.state === 'completed' ? 'completed' : 'queued' });
      return this.place(body, res, this.options.idempotencyKeys && typeof key === 'string' ? key : undefined);
    }
    const match = /^\/call\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && match) return this.poll(decodeURIComponent(match[1]), Number(url.searchParams.get('wait') ?? 0), res);
    json(res, 404, { statusCode: 404, message: `Cannot ${req.method} ${url.pathname}` });
  }

  private place(body: PlaceCallBody, res: ServerResponse, idempotencyKey?: string): void {
    this.received.push(body);
    const script = this.options.script?.(body) ?? { outcome: { status: 'confirmed' } };
    if ('reject' in script) return json(res, script.reject.status, { statusCode: script.reject.status, message: script.reject.message });
    const call: FakeCall = { id: randomUUID(), body, state: 'in_progress', waiters: [], view: 'view' in script ? script.view : undefined };
    this.calls.set(call.id, call);
    this.placedLog.push({ id: call.id, body });
    if (idempotencyKey) this.byIdempotencyKey.set(idempotencyKey, call);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const sameNumber = [...this.calls.values()].filter((c) => c.state !== 'completed' && c.body.recipient_phone_number === body.recipient_phone_number);
    this.maxInFlightPerNumber = Math.max(this.maxInFlightPerNumber, sameNumber.length);
    if ('outcome' in script) this.after(script.afterMs ?? 10, () => this.complete(call, script.outcome));
    json(res, 201, { call_id: call.id, state: 'queued' });
    for (const listener of this.placedListeners.splice(0)) listener({ callId: call.id, body });
  }

  private poll(id: string, waitSeconds: number, res: ServerResponse): void {
    const call = this.calls.get(id);
    if (!call) return json(res, 404, { statusCode: 404, message: `call ${id} not found` });
    const answer = () =>
      this.calls.get(id) !== call ? json(res, 404, { statusCode: 404, message: `call ${id} not found` }) : json(res, 200, { call_id: call.id, state: call.state, carrier: call.body.carrier, ...(call.outcome ? { outcome: call.outcome, ...call.view } : {}) });
    if (call.state === 'completed' || waitSeconds <= 0) return answer();
    const timer = this.after(waitSeconds * 1000, answer);
    call.waiters.push(() => {
      clearTimeout(timer);
      this.timers.delete(timer);
      answer();
    });
  }

  private after(ms: number, action: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private complete(call: FakeCall, outcome: FakeOutcome): void {
    if (call.state === 'completed') return;
    call.state = 'completed';
    call.outcome = outcome;
    for (const waiter of call.waiters.splice(0)) waiter();
  }
}

/** agent-api's GET /agent/:id and /health: the given ids exist, any other is a 404. */
export class FakeAgentApi {
  readonly requested: string[] = [];
  private server?: Server;
  url = '';

  /** `configs`: agent_config fields per agent id, merged over { agent_name: 'fake' }. */
  constructor(
    private readonly agentIds: string[],
    private readonly configs: Record<string, Record<string, unknown>> = {},
    /** apiKey: every route but /health needs `Authorization: Bearer <apiKey>`; 401 otherwise. */
    private readonly options: { apiKey?: string } = {},
  ) {}

  async start(): Promise<this> {
    this.server = await listen((req, res) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (url.pathname === '/health') return json(res, 200, { status: 'ok' });
      if (this.options.apiKey && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
        return json(res, 401, { statusCode: 401, message: 'missing or invalid API key' });
      }
      const match = /^\/agent\/([^/]+)$/.exec(url.pathname);
      if (req.method !== 'GET' || !match) return json(res, 404, { statusCode: 404, message: 'not found' });
      const id = decodeURIComponent(match[1]);
      this.requested.push(id);
      if (this.agentIds.includes(id)) return json(res, 200, { agent_id: id, agent_config: { agent_name: 'fake', ...this.configs[id] } });
      json(res, 404, { statusCode: 404, message: `agent ${id} not found` });
    });
    this.url = urlOf(this.server);
    return this;
  }

  async stop(): Promise<void> {
    await close(this.server);
  }
}

/** A base URL where nothing listens (a port just released). */
export async function unusedUrl(): Promise<string> {
  const server = await listen(() => undefined);
  const url = urlOf(server);
  await close(server);
  return url;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function close(server: Server | undefined): Promise<void> {
  if (!server?.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
