import type { CarrierCallState, CarrierStatusUpdate } from '../carrier';

const STATES: Record<string, CarrierCallState> = {
  ringing: 'ringing',
  'in-progress': 'answered',
  completed: 'completed',
  busy: 'busy',
  'no-answer': 'no_answer',
  // Plivo's ring_timeout ran out: nobody picked up.
  timeout: 'no_answer',
  cancel: 'canceled',
  failed: 'failed',
};

/** Plivo's hangup-callback and machine-detection parameters, normalised. */
export function mapPlivoStatus(params: Record<string, string>): CarrierStatusUpdate | null {
  const carrierCallId = params['CallUUID'];
  if (!carrierCallId) return null;
  const update: CarrierStatusUpdate = { carrierCallId };
  const state = params['CallStatus'] ? STATES[params['CallStatus']] : undefined;
  if (state) update.state = state;
  // Plivo's detection reports the machine, not the end of its greeting: no message-after-the-beep.
  const machine = params['Machine']?.toLowerCase();
  if (machine === 'true') update.answeredBy = 'machine';
  else if (machine === 'false') update.answeredBy = 'human';
  const duration = Number(params['Duration']);
  if (params['Duration'] !== undefined && params['Duration'] !== '' && Number.isFinite(duration)) update.durationSeconds = duration;
  const detail = params['HangupCause'] ?? params['HangupCauseName'];
  if (detail) update.detail = detail;
  return update.state || update.answeredBy ? update : null;
}

/** The API request id a callback belongs to, when Plivo says (it names calls and requests differently). */
export function plivoRequestUuid(params: Record<string, string>): string | undefined {
  return params['RequestUUID'] || params['ALegRequestUUID'] || undefined;
}
