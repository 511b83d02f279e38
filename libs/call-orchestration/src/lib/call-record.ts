import type { OutcomeStatus } from '@codcall/call-list';
import type { CarrierName } from '@codcall/telephony-providers';

/** A call's state as clients see it (GET /call/:id); the lifecycle's phases map onto it. */
export type CallState = 'queued' | 'ringing' | 'in_progress' | 'completed';

/** What a finished call means for its CSV row: a CSV status that a call can produce (a callee can ask for do_not_call). */
export type CallStatus = Exclude<OutcomeStatus, 'invalid_number'>;

export interface CallOutcome {
  status: CallStatus;
  reschedule_date?: string;
  reschedule_time?: string;
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
  turnLatenciesMs: number[];
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
  };
}
