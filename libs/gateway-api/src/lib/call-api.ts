import type { CarrierName } from './carriers';
import type { CalleeProfile } from './simulated-callee';

/**
 * The telephony gateway's HTTP API (apps/telephony-gateway), as the CLI, the campaign-api, the
 * queue workers and the tests speak it. Snake_case on the wire (the `...Body` types); the
 * campaign's client reads them into camelCase shapes (the types without the suffix). Every route
 * but /health needs `Authorization: Bearer <key>` (CODCALL_API_KEYS).
 *
 *   GET  /health                      -> GatewayHealthBody
 *   POST /call  (Idempotency-Key)     PlaceCallBody -> 201 PlacedCallBody
 *   GET  /call/:id?wait=<seconds>     -> CallViewBody (long-poll: answers once completed, or after the wait)
 */

/** A call's state as clients see it; the gateway's lifecycle phases map onto it. */
export const CALL_STATES = ['queued', 'ringing', 'in_progress', 'completed'] as const;
export type CallState = (typeof CALL_STATES)[number];

/**
 * The statuses a finished call can end with: the CSV statuses a call can produce (a callee can
 * ask for do_not_call; invalid_number is decided before dialling, never by a call).
 */
export const CALL_STATUSES = [
  'confirmed', 'cancelled', 'rescheduled', 'wrong_person', 'no_answer', 'busy', 'failed', 'voicemail', 'no_response', 'do_not_call',
  'callback_requested', 'transferred',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/**
 * How a finished call ended; `reason` explains failures. The gateway sends a CallStatus; a
 * campaign widens `Status` to every CSV status it records (its rows that were never dialled).
 */
export interface CallOutcome<Status extends string = CallStatus> {
  status: Status;
  reschedule_date?: string;
  reschedule_time?: string;
  /** With callback_requested: when the callee asked to be called, ISO 8601 with their offset ('2026-12-01T18:00+05:30'). */
  callback_at?: string;
  /** The callee's corrected delivery address (update_address), with any status. */
  address_update?: string;
  reason?: string;
}

// ---- POST /call ----

/** The Idempotency-Key header: the same key again answers with the call already placed, never a second dial. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
export const IDEMPOTENCY_KEY_RULE = 'Idempotency-Key must be 1 to 200 visible ASCII characters';

/** `recipient_phone_number`, and the keys of a simulated callee book. */
export const E164 = /^\+[1-9]\d{7,14}$/;
export const MAX_AGENT_ID_CHARS = 200;

/**
 * What one POST /call may carry; GET /health publishes all but the key length so a campaign
 * checks its rows before dialling rather than having a row refused mid-campaign.
 */
export const GATEWAY_LIMITS = {
  max_body_bytes: 64 * 1024,
  max_context_columns: 100,
  max_context_key_chars: 100,
  max_context_value_chars: 2000,
} as const;

/** A scripted callee is a handful of short lines; anything larger is a mistake or an attack. */
export const SIMULATION_LIMITS = { maxJsonChars: 16 * 1024, maxLines: 50, maxLineChars: 1000 } as const;

export interface PlaceCallBody {
  agent_id: string;
  /** E.164. */
  recipient_phone_number: string;
  /** Every CSV column of the row, for the agent's prompt and welcome message. */
  context?: Record<string, string>;
  /** Default twilio. */
  carrier?: CarrierName;
  /** A scripted callee for the simulator carrier. */
  simulation?: CalleeProfile;
}

export interface PlacedCallBody {
  call_id: string;
  state: CallState;
}

/** Why a POST /call `context` is refused, naming the column at fault; undefined when it is within the limits. */
export function callContextProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'context must be an object whose values are all strings (the CSV row)';
  const entries = Object.entries(value);
  if (entries.length > GATEWAY_LIMITS.max_context_columns) return `context has ${entries.length} columns; at most ${GATEWAY_LIMITS.max_context_columns} are allowed`;
  for (const [key, column] of entries) {
    if (typeof column !== 'string') return `context.${key} must be a string (the CSV row)`;
    if (key.length > GATEWAY_LIMITS.max_context_key_chars) return `context has a column name of ${key.length} characters; at most ${GATEWAY_LIMITS.max_context_key_chars} are allowed`;
    if (column.length > GATEWAY_LIMITS.max_context_value_chars) return `context.${key} is ${column.length} characters long; at most ${GATEWAY_LIMITS.max_context_value_chars} are allowed`;
  }
  return undefined;
}

/** Why a POST /call `simulation` is too large; its shape is the simulator's to check (parseCalleeProfile). */
export function simulationSizeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'simulation must be an object like {"answer": "human", "says": ["Yes."]}';
  if (JSON.stringify(value).length > SIMULATION_LIMITS.maxJsonChars) return `simulation is larger than ${SIMULATION_LIMITS.maxJsonChars} characters of JSON`;
  const says = (value as { says?: unknown }).says;
  if (Array.isArray(says)) {
    if (says.length > SIMULATION_LIMITS.maxLines) return `simulation.says has ${says.length} lines; at most ${SIMULATION_LIMITS.maxLines} are allowed`;
    const long = says.findIndex((line) => typeof line === 'string' && line.length > SIMULATION_LIMITS.maxLineChars);
    if (long !== -1) return `simulation.says.${long} is longer than ${SIMULATION_LIMITS.maxLineChars} characters`;
  }
  return undefined;
}

// ---- GET /health ----

export interface GatewayLimitsBody {
  max_body_bytes: number;
  max_context_value_chars: number;
  max_context_columns: number;
}

/** Open to anyone, so it says nothing a caller could use: no key, number, agent or call. */
export interface GatewayHealthBody {
  status: string;
  /** Carriers that are configured and usable on this gateway. */
  carriers: string[];
  /** A repeated POST /call with the same Idempotency-Key answers with the same call. */
  idempotency_keys: boolean;
  limits?: GatewayLimitsBody;
}

// ---- GET /call/:id ----

export interface TimelineEntry {
  atMs: number;
  event: string;
  detail?: string;
}

export interface TranscriptLine {
  speaker: 'agent' | 'callee';
  text: string;
  atMs: number;
  interrupted?: boolean;
}

/** One tool call of the agent (the outcome's arguments among them). */
export interface ToolCallEntry {
  name: string;
  arguments: Record<string, unknown>;
  atMs: number;
  result: string;
}

/** A turn's timing on the wire (times in ms since the conversation started); a leg the turn did not have is absent. */
export type TurnTimingView =
  | {
      kind: 'text' | 'outcome';
      callee_speech_ended_at_ms: number;
      stt_final_at_ms?: number;
      llm_request_at_ms?: number;
      llm_first_token_at_ms?: number;
      tts_request_at_ms?: number;
      tts_first_byte_at_ms?: number;
      follow_up_llm_request_at_ms?: number;
      follow_up_llm_first_token_at_ms?: number;
      first_frame_sent_at_ms: number;
      latency_ms: number;
    }
  | { kind: 'barge_in'; speech_started_at_ms: number; cleared_at_ms: number; latency_ms: number; resolution: 'interrupted' | 'resumed' };

/** The public view of a call, as the gateway answers GET /call/:id. */
export interface CallViewBody {
  call_id: string;
  state: CallState;
  carrier: CarrierName;
  carrier_call_id?: string;
  /** The carrier's own word for how the call ended (e.g. Twilio's no-answer). */
  carrier_status?: string;
  /** Present exactly when state is completed. */
  outcome?: CallOutcome;
  recording?: string;
  duration_seconds?: number;
  transcript: TranscriptLine[];
  timeline: TimelineEntry[];
  /** The agent's tool calls and each answered turn's latency: the campaign keeps them. */
  tool_calls: ToolCallEntry[];
  turn_latencies_ms: number[];
  /** Every turn leg by leg; absent from views a gateway before them stored. */
  turns?: TurnTimingView[];
  /** Characters sent to speech synthesis for the call: what its TTS cost. */
  tts_characters?: number;
}

// ---- the same API as the campaign's client reads it (camelCase) ----

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

export interface PlacedCall {
  callId: string;
  state: CallState;
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

export interface GatewayHealth {
  status: string;
  /** Carriers that are configured and usable on this gateway. */
  carriers: string[];
  /** The gateway answers a repeated POST /call with the same Idempotency-Key with the same call, never a second dial. */
  idempotencyKeys: boolean;
  /** What POST /call accepts, when the gateway says (its /health `limits`). */
  limits?: GatewayLimits;
}

/** A turn's timing as a client keeps it: TurnTimingView in camelCase. */
export type TurnTimingEntry = AnsweredTurnEntry | BargeInEntry;

/**
 * What one turn cost the callee, leg by leg (the engine records it as is). Every time is in ms
 * since the session started; a leg a turn did not have (an outcome turn answered with the agent's
 * configured goodbye has no TTS request of its own when the goodbye was prepared) is left out.
 * `latencyMs` is what the callee felt: from the end of their speech to the agent's first audio
 * frame sent to the carrier.
 */
export interface AnsweredTurnEntry {
  /** `text`: the model answered in words; `outcome`: an outcome tool ended the call with a goodbye. */
  kind: 'text' | 'outcome';
  /** The callee's last voiced frame: the recogniser's last word end, else the media's last loud frame. */
  calleeSpeechEndedAtMs: number;
  sttFinalAtMs?: number;
  llmRequestAtMs?: number;
  /** The model's first text or tool call. */
  llmFirstTokenAtMs?: number;
  ttsRequestAtMs?: number;
  ttsFirstByteAtMs?: number;
  /**
   * A turn in which a tool sent the model back for another answer (a refused date, an outcome
   * asked for too early): its last request and that request's first token. The LLM legs above are
   * the first request's, so the callee's wait through the tool and the second round trip shows.
   */
  followUpLlmRequestAtMs?: number;
  followUpLlmFirstTokenAtMs?: number;
  firstFrameSentAtMs: number;
  latencyMs: number;
}

/** The callee spoke over the agent: from their speech start to the `clear` sent, and how it ended. */
export interface BargeInEntry {
  kind: 'barge_in';
  speechStartedAtMs: number;
  clearedAtMs: number;
  latencyMs: number;
  /** `interrupted`: words followed and the agent yielded; `resumed`: a cough or a backchannel, the agent went on. */
  resolution: 'interrupted' | 'resumed';
}

/** CallViewBody as the campaign's client reads it; `Status` as in CallOutcome. */
export interface CallView<Status extends string = CallStatus> {
  callId: string;
  state: CallState;
  /** Present exactly when state is completed. */
  outcome?: CallOutcome<Status>;
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
