import { OUTCOME_STATUSES, type OutcomeStatus } from '@codcall/call-list';
import {
  CALL_STATES,
  IDEMPOTENCY_KEY_HEADER,
  type CallOutcome as GatewayCallOutcome,
  type CallState,
  type CallView as GatewayCallView,
  type GatewayHealth,
  type GatewayLimits,
  type PlaceCallBody,
  type PlaceCallRequest,
  type PlacedCall,
} from '@codcall/gateway-api';
import { ApiKeyRefusedError, GatewayCapacityError, GatewayRequestError, ServiceUnreachableError } from './errors';
import { isObject, messageOf, retryAfterSeconds, sendJson, trimSlash, type FetchLike, type HttpAnswer } from './http';
import { parseTurnTimings } from './turn-timings';

// The gateway's API is the wire contract's (@codcall/gateway-api); re-exported under the names the
// campaign's importers use.
export { CARRIER_NAMES, SIMULATED_ANSWERS, type CarrierName, type SimulatedAnswer, type SimulatedLine, type CalleeProfile } from '@codcall/gateway-api';
export type { CallState, GatewayHealth, GatewayLimits, PlaceCallRequest, PlacedCall };
/** How a finished call ended, as the gateway reports it; a row the campaign settles without a call has any CSV status. */
export type CallOutcome = GatewayCallOutcome<OutcomeStatus>;
export type CallView = GatewayCallView<OutcomeStatus>;

/** The gateway's HTTP API as the campaign uses it. */
export interface GatewayClient {
  readonly baseUrl: string;
  health(): Promise<GatewayHealth>;
  /**
   * Asks the gateway to dial. Never re-sent unless the first attempt surely did not reach the gateway.
   * `notAfter` (the row's calling window's end): a queue that cannot start the dial before then
   * finishes it not dialled (wasNotDialled); a gateway over HTTP dials at once and needs none.
   */
  placeCall(request: PlaceCallRequest, dial?: { notAfter?: number }): Promise<PlacedCall>;
  /** Long-poll: answers when the call has ended, or after `waitSeconds` (at most 60) with its current state. */
  waitForCall(callId: string, waitSeconds: number): Promise<CallView>;
  /** Distributed mode only (a queue): dials added ahead of their time. Absent, the campaign dials each row itself when it is due. */
  readonly scheduling?: CallScheduling;
}

/** When a dial added ahead of time is made: at `dueAt`, and never after `notAfter` (its calling window's end). */
export interface ScheduledDial {
  request: PlaceCallRequest;
  dueAt: number;
  notAfter?: number;
}

/**
 * Dials added to the gateways' queue as soon as their time is decided, so a gateway makes each at
 * its time even while the campaign's runner is down; the runner, reaching the row, places the
 * call with the same idempotency key, which finds that dial and follows it instead of dialling again.
 */
export interface CallScheduling {
  /** A row's nth attempt's idempotency key: the same in every run of this campaign, and no other campaign's. */
  attemptKey(rowKey: string, attemptNo: number): string;
  /** Adds the dials; a key already queued (or dialled) is left as it is. */
  scheduleCalls(dials: readonly ScheduledDial[]): Promise<void>;
  /** Takes back dials no gateway has taken yet (and ones left undialled); a dial under way or made stays. Resolves with how many were taken back. */
  withdrawCalls(idempotencyKeys: readonly string[]): Promise<number>;
}

/**
 * A queued dial no gateway made because its calling window closed first (the job's `notAfter`):
 * the only call that ends outside_window, since a dialled call never does.
 */
export function wasNotDialled(view: CallView): boolean {
  return view.state === 'completed' && view.outcome?.status === 'outside_window';
}

export interface HttpGatewayClientOptions {
  fetch?: FetchLike;
  /** Sent as `Authorization: Bearer <apiKey>` on every request (CODCALL_API_KEY). */
  apiKey?: string;
  /** Time allowed for health and POST /call (default 30 s); a long-poll gets its wait plus this. */
  requestTimeoutMs?: number;
  /** Pauses before re-sending a POST /call whose connection was refused (default 250 ms, 1 s, 2 s). */
  connectRetryDelaysMs?: readonly number[];
  /** Pauses before re-sending a long-poll after a network failure (default 500 ms, 2 s, 5 s). */
  pollRetryDelaysMs?: readonly number[];
}

const MAX_WAIT_SECONDS = 60;
/** '2026-12-01T18:00+05:30', seconds optional, Z or an offset: a moment anyone can schedule. */
const ISO_MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export class HttpGatewayClient implements GatewayClient {
  readonly baseUrl: string;
  private readonly fetch: FetchLike;
  private readonly timeoutMs: number;
  private readonly connectRetryDelaysMs: readonly number[];
  private readonly pollRetryDelaysMs: readonly number[];
  private readonly apiKey?: string;

  constructor(baseUrl: string, options: HttpGatewayClientOptions = {}) {
    this.baseUrl = trimSlash(baseUrl);
    this.fetch = options.fetch ?? fetch;
    this.apiKey = options.apiKey || undefined;
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.connectRetryDelaysMs = options.connectRetryDelaysMs ?? [250, 1000, 2000];
    this.pollRetryDelaysMs = options.pollRetryDelaysMs ?? [500, 2000, 5000];
  }

  async health(): Promise<GatewayHealth> {
    const answer = await this.send('GET', '/health', undefined, this.timeoutMs);
    const body = answer.body;
    if (answer.status !== 200 || !isObject(body)) throw this.requestError(answer.status, body, '/health');
    const carriers = Array.isArray(body['carriers']) ? body['carriers'].filter((c): c is string => typeof c === 'string') : [];
    const health: GatewayHealth = { status: typeof body['status'] === 'string' ? body['status'] : 'unknown', carriers, idempotencyKeys: body['idempotency_keys'] === true };
    const limits = parseLimits(body['limits']);
    if (limits) health.limits = limits;
    return health;
  }

  async placeCall(request: PlaceCallRequest): Promise<PlacedCall> {
    const answer = await retrying(this.connectRetryDelaysMs, (error) => !error.requestMayHaveArrived, () =>
      this.send('POST', '/call', placeCallPayload(request), this.timeoutMs, request.idempotencyKey ? { [IDEMPOTENCY_KEY_HEADER]: request.idempotencyKey } : undefined),
    );
    const body = answer.body;
    if (answer.status === 503) {
      const seconds = retryAfterSeconds(answer);
      if (seconds !== undefined) throw new GatewayCapacityError(seconds, messageOf(body, 503), this.baseUrl + '/call');
    }
    if (answer.status !== 201 && answer.status !== 200) throw this.requestError(answer.status, body, '/call');
    if (!isObject(body) || typeof body['call_id'] !== 'string' || !body['call_id']) {
      throw new GatewayRequestError(answer.status, 'the answer has no call_id', this.baseUrl + '/call');
    }
    const state = (CALL_STATES as readonly unknown[]).includes(body['state']) ? (body['state'] as CallState) : 'queued';
    return { callId: body['call_id'], state };
  }

  async waitForCall(callId: string, waitSeconds: number): Promise<CallView> {
    const wait = Math.min(Math.max(Math.round(waitSeconds), 0), MAX_WAIT_SECONDS);
    const path = `/call/${encodeURIComponent(callId)}?wait=${wait}`;
    // GET is safe to repeat, so any network failure is retried a few times before giving up.
    const answer = await retrying(this.pollRetryDelaysMs, () => true, () => this.send('GET', path, undefined, wait * 1000 + this.timeoutMs));
    if (answer.status !== 200) throw this.requestError(answer.status, answer.body, path);
    return this.toCallView(answer.body, path);
  }

  private toCallView(body: unknown, path: string): CallView {
    const invalid = (why: string) => new GatewayRequestError(200, why, this.baseUrl + path);
    if (!isObject(body) || typeof body['call_id'] !== 'string') throw invalid('the answer is not a call');
    const state = body['state'] as CallState;
    if (!(CALL_STATES as readonly string[]).includes(state)) throw invalid(`unknown call state ${JSON.stringify(body['state'])}`);
    const view: CallView = { callId: body['call_id'], state };
    if (typeof body['carrier_call_id'] === 'string') view.carrierCallId = body['carrier_call_id'];
    if (typeof body['recording'] === 'string') view.recording = body['recording'];
    if (typeof body['duration_seconds'] === 'number') view.durationSeconds = body['duration_seconds'];
    if (typeof body['carrier_status'] === 'string') view.carrierStatus = body['carrier_status'];
    if (Array.isArray(body['transcript'])) view.transcript = body['transcript'];
    if (Array.isArray(body['timeline'])) view.timeline = body['timeline'];
    if (Array.isArray(body['tool_calls'])) view.toolCalls = body['tool_calls'];
    const latencies = body['turn_latencies_ms'];
    if (Array.isArray(latencies) && latencies.every((ms) => typeof ms === 'number')) view.turnLatenciesMs = latencies;
    const turns = parseTurnTimings(body['turns']);
    if (turns) view.turns = turns;
    const characters = body['tts_characters'];
    if (typeof characters === 'number' && Number.isSafeInteger(characters) && characters >= 0) view.ttsCharacters = characters;
    if (state === 'completed') {
      const outcome = body['outcome'];
      if (!isObject(outcome)) throw invalid('the call completed without an outcome');
      const status = outcome['status'] as OutcomeStatus;
      if (!(OUTCOME_STATUSES as readonly string[]).includes(status)) throw invalid(`unknown outcome status ${JSON.stringify(outcome['status'])}`);
      view.outcome = { status };
      for (const field of ['reschedule_date', 'reschedule_time', 'callback_at', 'address_update', 'reason'] as const) {
        if (typeof outcome[field] === 'string' && outcome[field]) view.outcome[field] = outcome[field];
      }
      // The campaign schedules the next call at this time: one it cannot read would be a callback never made.
      const callbackAt = view.outcome.callback_at;
      if (callbackAt !== undefined && !(ISO_MOMENT.test(callbackAt) && Number.isFinite(Date.parse(callbackAt)))) throw invalid(`callback_at ${JSON.stringify(callbackAt)} is not an ISO 8601 time with its offset`);
    }
    return view;
  }

  private async send(method: 'GET' | 'POST', path: string, json: unknown, timeoutMs: number, headers?: Record<string, string>): Promise<HttpAnswer> {
    const answer = await sendJson({ service: 'telephony gateway', baseUrl: this.baseUrl, path, method, json, headers, apiKey: this.apiKey, timeoutMs, fetch: this.fetch });
    // The same key goes with every request: a refusal is never about one row.
    if (answer.status === 401) throw new ApiKeyRefusedError('telephony gateway', this.baseUrl, this.apiKey !== undefined);
    return answer;
  }

  private requestError(status: number, body: unknown, path: string): GatewayRequestError {
    return new GatewayRequestError(status, messageOf(body, status), this.baseUrl + path);
  }
}

/** The JSON body of POST /call for a request: what is sent, and what the row checks measure. */
export function placeCallPayload(request: PlaceCallRequest): PlaceCallBody {
  return {
    agent_id: request.agentId,
    recipient_phone_number: request.to,
    context: request.context,
    carrier: request.carrier,
    ...(request.simulation ? { simulation: request.simulation } : {}),
  };
}

function parseLimits(value: unknown): GatewayLimits | undefined {
  if (!isObject(value)) return undefined;
  const positive = (field: string) => {
    const n = value[field];
    return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
  };
  const limits: GatewayLimits = {};
  const body = positive('max_body_bytes');
  const chars = positive('max_context_value_chars');
  const columns = positive('max_context_columns');
  if (body) limits.maxBodyBytes = body;
  if (chars) limits.maxContextValueChars = chars;
  if (columns) limits.maxContextColumns = columns;
  return Object.keys(limits).length ? limits : undefined;
}

/** Runs `attempt`, re-running it after each delay while it fails with an unreachable error `mayRetry` accepts. */
async function retrying<T>(delaysMs: readonly number[], mayRetry: (error: ServiceUnreachableError) => boolean, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ServiceUnreachableError) || !mayRetry(error) || tries >= delaysMs.length) throw error;
      await new Promise((resolve) => setTimeout(resolve, delaysMs[tries]));
    }
  }
}
