import type { OutcomeStatus } from '@codcall/call-list';
import type { TurnTiming } from '@codcall/conversation-engine';
import type { CarrierName } from '@codcall/telephony-providers';

/** A call's state as clients see it (GET /call/:id); the lifecycle's phases map onto it. */
export type CallState = 'queued' | 'ringing' | 'in_progress' | 'completed';

/** What a finished call means for its CSV row: a CSV status that a call can produce (a callee can ask for do_not_call). */
export type CallStatus = Exclude<OutcomeStatus, 'invalid_number'>;

export interface CallOutcome {
  status: CallStatus;
  reschedule_date?: string;
  reschedule_time?: string;
  /** With callback_requested: when the callee asked to be called, ISO 8601 with their offset ('2026-12-01T18:00+05:30'). */
  callback_at?: string;
  /** The callee's corrected delivery address, with any status. */
  address_update?: string;
  reason?: string;
}

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

/** The gateway's record of one call; serialised as the call's JSON record file. */
export interface CallRecord {
  callId: string;
  agentId: string;
  carrier: CarrierName;
  to: string;
  context: Record<string, string>;
  state: CallState;
  createdAt: string;
  answeredAt?: string;
  endedAt?: string;
  /** The carrier's id for the call, as its dial API returned it (Twilio CallSid, Plivo request_uuid). */
  carrierCallId?: string;
  /** The carrier's id for the answered call when it differs from the dial's (Plivo's CallUUID). */
  liveCarrierCallId?: string;
  /** The carrier's last word on the call, normalised ("busy", "completed"), with its own detail when it gave one. */
  carrierStatus?: string;
  outcome?: CallOutcome;
  timeline: TimelineEntry[];
  transcript: TranscriptLine[];
  toolCalls: { name: string; arguments: Record<string, unknown>; atMs: number; result: string }[];
  /** Kept for clients that read only the answered turns' latencies; `turns` has every leg. */
  turnLatenciesMs: number[];
  /** Every turn the callee lived through, leg by leg (times in ms since the conversation started). */
  turns: TurnTiming[];
  /** Characters sent to the speech synthesizer for this call: what its TTS cost. */
  ttsCharacters: number;
  providers?: { transcriber: string; languageModel: string; synthesizer: string };
  recordingPath?: string;
  durationSeconds?: number;
}

/** The public view of a call (GET /call/:id). */
export interface CallView {
  call_id: string;
  state: CallState;
  carrier: CarrierName;
  carrier_call_id?: string;
  carrier_status?: string;
  outcome?: CallOutcome;
  recording?: string;
  duration_seconds?: number;
  transcript: TranscriptLine[];
  timeline: TimelineEntry[];
  /** The agent's tool calls (the outcome's arguments among them) and each turn's latency: the campaign keeps them. */
  tool_calls: CallRecord['toolCalls'];
  turn_latencies_ms: number[];
  /** Absent from views a gateway before them stored. */
  turns?: TurnTimingView[];
  tts_characters?: number;
}

/** A turn's timing as the view shows it: the engine's TurnTiming with snake_case names. */
export type TurnTimingView =
  | {
      kind: 'text' | 'outcome';
      callee_speech_ended_at_ms: number;
      stt_final_at_ms?: number;
      llm_request_at_ms?: number;
      llm_first_token_at_ms?: number;
      tts_request_at_ms?: number;
      tts_first_byte_at_ms?: number;
      first_frame_sent_at_ms: number;
      latency_ms: number;
    }
  | { kind: 'barge_in'; speech_started_at_ms: number; cleared_at_ms: number; latency_ms: number; resolution: 'interrupted' | 'resumed' };

export function toTurnTimingView(turn: TurnTiming): TurnTimingView {
  if (turn.kind === 'barge_in') {
    return { kind: turn.kind, speech_started_at_ms: turn.speechStartedAtMs, cleared_at_ms: turn.clearedAtMs, latency_ms: turn.latencyMs, resolution: turn.resolution };
  }
  const view: TurnTimingView = {
    kind: turn.kind,
    callee_speech_ended_at_ms: turn.calleeSpeechEndedAtMs,
    stt_final_at_ms: turn.sttFinalAtMs,
    llm_request_at_ms: turn.llmRequestAtMs,
    llm_first_token_at_ms: turn.llmFirstTokenAtMs,
    tts_request_at_ms: turn.ttsRequestAtMs,
    tts_first_byte_at_ms: turn.ttsFirstByteAtMs,
    first_frame_sent_at_ms: turn.firstFrameSentAtMs,
    latency_ms: turn.latencyMs,
  };
  // A leg the turn did not have is left out, not sent as null.
  return Object.fromEntries(Object.entries(view).filter(([, value]) => value !== undefined)) as TurnTimingView;
}

export function toCallView(record: CallRecord): CallView {
  return {
    call_id: record.callId,
    state: record.state,
    carrier: record.carrier,
    carrier_call_id: record.carrierCallId,
    ...(record.carrierStatus ? { carrier_status: record.carrierStatus } : {}),
    outcome: record.outcome,
    recording: record.recordingPath,
    duration_seconds: record.durationSeconds,
    transcript: record.transcript,
    timeline: record.timeline,
    tool_calls: record.toolCalls,
    turn_latencies_ms: record.turnLatenciesMs,
    turns: record.turns.map(toTurnTimingView),
    tts_characters: record.ttsCharacters,
  };
}
