import type { TurnTiming } from '@codcall/conversation-engine';
import type {
  CallOutcome,
  CallState,
  CallStatus,
  CallViewBody,
  CarrierName,
  TimelineEntry,
  ToolCallEntry,
  TranscriptLine,
  TurnTimingView,
} from '@codcall/gateway-api';

// A call's state, outcome and public view are the wire contract's (@codcall/gateway-api).
export type { CallOutcome, CallState, CallStatus, TimelineEntry, TranscriptLine, TurnTimingView };
/** The public view of a call (GET /call/:id). */
export type CallView = CallViewBody;

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
  toolCalls: ToolCallEntry[];
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
    follow_up_llm_request_at_ms: turn.followUpLlmRequestAtMs,
    follow_up_llm_first_token_at_ms: turn.followUpLlmFirstTokenAtMs,
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
