import { OUTCOME_STATUSES, type OutcomeStatus } from '@codcall/call-list';
import type { TurnTimingEntry } from '@codcall/campaign-store';
import { ApiKeyRefusedError, GatewayCapacityError, GatewayRequestError, ServiceUnreachableError } from './errors';
import { isObject, messageOf, retryAfterSeconds, sendJson, trimSlash, type FetchLike, type HttpAnswer } from './http';
import { parseTurnTimings } from './turn-timings';

/** Carriers the gateway knows by name; the campaign only passes the name through. */
export const CARRIER_NAMES = ['twilio', 'plivo', 'sim'] as const;
export type CarrierName = (typeof CARRIER_NAMES)[number];

/** How a simulated callee behaves (the gateway's carrier simulator): picks up or not, and what they say. */
export const SIMULATED_ANSWERS = ['human', 'voicemail', 'no_answer', 'busy', 'failed'] as const;
export type SimulatedAnswer = (typeof SIMULATED_ANSWERS)[number];
/** One turn of a simulated callee in its object form: a hard callee's pause, barge-in, keys, or silence. */
export interface SimulatedLine {
  say?: string;
  /** Keypad digits pressed (after `say`): 0-9, * and #. */
  dtmf?: string;
  /** Quiet before speaking, once the agent's audio has played out. */
  pauseMs?: number;
  /** Speaks this many ms after the agent starts its turn, over its audio. */
  bargeInAfterMs?: number;
  silent?: true;
}

export interface CalleeProfile {
  answer: SimulatedAnswer;
  /** One line per agent turn: a string, or a line with its timing. */
  says?: (string | SimulatedLine)[];
  /** Seconds the phone rings before it is answered (or gives up, for no_answer). */
  ringSeconds?: number;
  /** The language the callee speaks in (a code or a name codcall knows). */
  language?: string;
  /** Who the callee is, for a language model to play them once `says` runs out (the gateway's simulator needs a model for it). */
  persona?: string;
}

export interface GatewayHealth {
  status: string;
  /** Carriers that are configured and usable on this gateway. */
  carriers: string[];
  /** The gateway answers a repeated POST /call with the same Idempotency-Key with the same call, never a second dial. */
  idempotencyKeys: boolean;
  /** What POST /call accepts, when the gateway says (its /health `limits`). */
  limits?: GatewayLimits;
}

/** The gateway's limits on one POST /call, from /health: rows are checked against them before dialling. */
export interface GatewayLimits {
  /** The JSON body, in bytes. */
  maxBodyBytes?: number;
  /** One context value (a CSV cell), in characters (UTF-16 code units, as the gateway counts them). */
  maxContextValueChars?: number;
  /** Columns in the context (the CSV's columns). */
  maxContextColumns?: number;
}

export interface PlaceCallRequest {
  agentId: string;
  /** E.164. */
  to: string;
  /** Every CSV column of the row, for the agent's prompt and welcome message. */
  context: Record<string, string>;
  carrier: CarrierName;
  simulation?: CalleeProfile;
  /** Sent as the Idempotency-Key header: the campaign's attempt reference. */
  idempotencyKey?: string;
}

export type CallState = 'queued' | 'ringing' | 'in_progress' | 'completed';
const CALL_STATES: readonly CallState[] = ['queued', 'ringing', 'in_progress', 'completed'];

export interface PlacedCall {
  callId: string;
  state: CallState;
}

/** How a finished call ended, as the gateway reports it; `reason` explains failures. */
export interface CallOutcome {
  status: OutcomeStatus;
  reschedule_date?: string;
  reschedule_time?: string;
  /** With callback_requested: when the callee asked to be called, ISO 8601 with its offset ('2026-12-01T18:00+05:30'). */
  callback_at?: string;
  /** The address the callee corrected during the call (update_address), with any status. */
  address_update?: string;
  reason?: string;
}

export interface CallView {
  callId: string;
  state: CallState;
  /** Present exactly when state is completed. */
  outcome?: CallOutcome;
  carrierCallId?: string;
  recording?: string;
  durationSeconds?: number;
  /** The carrier's own word for how the call ended (e.g. Twilio's no-answer), when the gateway gives it. */
  carrierStatus?: string;
  /** What the gateway kept of the conversation, stored with the attempt as they come. */
  transcript?: unknown[];
  timeline?: unknown[];
  toolCalls?: unknown[];
  turnLatenciesMs?: number[];
  /** Every turn leg by leg, malformed entries dropped; absent from an older gateway's views. */
  turns?: TurnTimingEntry[];
  /** Characters the gateway sent to speech synthesis for the call. */
  ttsCharacters?: number;
}

/** The gateway's HTTP API as the campaign uses it. */
export interface GatewayClient {
  readonly baseUrl: string;
  health(): Promise<GatewayHealth>;
  /** Asks the gateway to dial. Never re-sent unless the first attempt surely did not reach the gateway. */
  placeCall(request: PlaceCallRequest): Promise<PlacedCall>;
  /** Long-poll: answers when the call has ended, or after `waitSeconds` (at most 60) with its current state. */
  waitForCall(callId: string, waitSeconds: number): Promise<CallView>;
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
      this.send('POST', '/call', placeCallPayload(request), this.timeoutMs, request.idempotencyKey ? { 'idempotency-key': request.idempotencyKey } : undefined),
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
    const state = CALL_STATES.includes(body['state'] as CallState) ? (body['state'] as CallState) : 'queued';
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
    if (!CALL_STATES.includes(state)) throw invalid(`unknown call state ${JSON.stringify(body['state'])}`);
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
export function placeCallPayload(request: PlaceCallRequest): Record<string, unknown> {
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
