import type { CallView as GatewayCallView } from '@codcall/call-orchestration';
import type { CallView } from '@codcall/campaign';
import type { TurnTimingEntry } from '@codcall/campaign-store';

/**
 * The gateway's view of a call (GET /call/:id, snake_case) as the campaign reads it (camelCase):
 * what HttpGatewayClient makes of the HTTP answer, here for a job's result in Redis.
 */
export function campaignCallView(view: GatewayCallView): CallView {
  const result: CallView = { callId: view.call_id, state: view.state };
  if (view.outcome) result.outcome = { ...view.outcome };
  if (view.carrier_call_id) result.carrierCallId = view.carrier_call_id;
  if (view.recording) result.recording = view.recording;
  if (view.duration_seconds !== undefined) result.durationSeconds = view.duration_seconds;
  if (view.carrier_status) result.carrierStatus = view.carrier_status;
  result.transcript = view.transcript;
  result.timeline = view.timeline;
  result.toolCalls = view.tool_calls;
  result.turnLatenciesMs = view.turn_latencies_ms;
  if (view.turns) result.turns = view.turns.map((turn) => camelCased(turn) as unknown as TurnTimingEntry);
  if (view.tts_characters !== undefined) result.ttsCharacters = view.tts_characters;
  return result;
}

/** The view's turn names are the engine's in snake_case (toTurnTimingView): back, one for one. */
function camelCased(turn: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(turn).map(([name, value]) => [name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()), value]));
}
