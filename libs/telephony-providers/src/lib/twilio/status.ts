import type { CarrierCallState, CarrierStatusUpdate } from '../carrier';

const STATES: Record<string, CarrierCallState> = {
  queued: 'queued',
  initiated: 'queued',
  ringing: 'ringing',
  'in-progress': 'answered',
  completed: 'completed',
  busy: 'busy',
  'no-answer': 'no_answer',
  failed: 'failed',
  canceled: 'canceled',
};

/** Twilio's status-callback and async-AMD parameters, normalised. */
export function mapTwilioStatus(params: Record<string, string>): CarrierStatusUpdate | null {
  const carrierCallId = params['CallSid'];
  if (!carrierCallId) return null;
  const update: CarrierStatusUpdate = { carrierCallId };
  const state = params['CallStatus'] ? STATES[params['CallStatus']] : undefined;
  if (state) update.state = state;
  const answeredBy = params['AnsweredBy'];
  if (answeredBy) update.answeredBy = answeredBy === 'human' ? 'human' : answeredBy.startsWith('machine') || answeredBy === 'fax' ? 'machine' : 'unknown';
  if (answeredBy?.startsWith('machine_end_')) update.machineGreetingEnded = true;
  const duration = Number(params['CallDuration']);
  if (params['CallDuration'] !== undefined && Number.isFinite(duration)) update.durationSeconds = duration;
  const detail = params['ErrorMessage'] ?? params['SipResponseCode'];
  if (detail) update.detail = detail;
  return update.state || update.answeredBy ? update : null;
}
