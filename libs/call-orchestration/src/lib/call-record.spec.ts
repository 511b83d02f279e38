import { OUTCOME_STATUSES, type OutcomeStatus } from '@codcall/call-list';
import { HttpGatewayClient, type CallView as CampaignCallView } from '@codcall/campaign';
import { CALL_STATUSES, type CallViewBody } from '@codcall/gateway-api';
import { toCallView, type CallRecord, type CallView } from './call-record';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

/** Compile-time: the gateway answers GET /call/:id with the contract's view, and its outcome fits the campaign's. */
export type GatewaySideChecks = [
  Expect<Equal<CallView, CallViewBody>>,
  Expect<Equal<CallView['state'], CampaignCallView['state']>>,
  Expect<CallView['outcome'] extends CampaignCallView['outcome'] ? true : false>,
];
// Every status a call ends with is one the CSV can hold.
const callStatusesAreCsvStatuses: readonly OutcomeStatus[] = CALL_STATUSES;

/** A finished call as the gateway records it: a callback asked for, a barge-in and an answered turn. */
function finishedCall(): CallRecord {
  return {
    callId: '0b7c2a8e-5d64-4c1e-9a43-6f1f0c9d2e11',
    agentId: 'cod',
    carrier: 'sim',
    to: '+15551234567',
    context: { order_id: 'ORD001' },
    state: 'completed',
    createdAt: '2026-12-01T10:00:00.000Z',
    carrierCallId: 'SIM-1',
    carrierStatus: 'completed',
    outcome: { status: 'callback_requested', callback_at: '2026-12-01T18:00+05:30', reason: 'the callee is driving' },
    timeline: [{ atMs: 0, event: 'dialled' }],
    transcript: [{ speaker: 'agent', text: 'Hello, this is about order ORD001.', atMs: 10 }],
    toolCalls: [{ name: 'request_callback', arguments: { callback_at: '2026-12-01T18:00+05:30' }, atMs: 900, result: 'ok' }],
    turnLatenciesMs: [640],
    turns: [
      { kind: 'barge_in', speechStartedAtMs: 100, clearedAtMs: 180, latencyMs: 80, resolution: 'interrupted' },
      { kind: 'text', calleeSpeechEndedAtMs: 400, sttFinalAtMs: 520, firstFrameSentAtMs: 1040, latencyMs: 640 },
    ],
    ttsCharacters: 120,
    recordingPath: '/data/calls/0b7c.wav',
    durationSeconds: 42,
  };
}

describe("a call's view, from the gateway to the campaign", () => {
  it('ends only in statuses the CSV knows', () => {
    expect(callStatusesAreCsvStatuses.filter((status) => !OUTCOME_STATUSES.includes(status))).toEqual([]);
  });

  it("reaches the campaign's client with every field the gateway recorded", async () => {
    const body = JSON.stringify(toCallView(finishedCall()));
    const client = new HttpGatewayClient('http://gateway.test', { fetch: async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }) });

    const view = await client.waitForCall('0b7c2a8e-5d64-4c1e-9a43-6f1f0c9d2e11', 0);

    expect(view).toEqual({
      callId: '0b7c2a8e-5d64-4c1e-9a43-6f1f0c9d2e11',
      state: 'completed',
      outcome: { status: 'callback_requested', callback_at: '2026-12-01T18:00+05:30', reason: 'the callee is driving' },
      carrierCallId: 'SIM-1',
      carrierStatus: 'completed',
      recording: '/data/calls/0b7c.wav',
      durationSeconds: 42,
      timeline: [{ atMs: 0, event: 'dialled' }],
      transcript: [{ speaker: 'agent', text: 'Hello, this is about order ORD001.', atMs: 10 }],
      toolCalls: [{ name: 'request_callback', arguments: { callback_at: '2026-12-01T18:00+05:30' }, atMs: 900, result: 'ok' }],
      turnLatenciesMs: [640],
      turns: [
        { kind: 'barge_in', speechStartedAtMs: 100, clearedAtMs: 180, latencyMs: 80, resolution: 'interrupted' },
        { kind: 'text', calleeSpeechEndedAtMs: 400, sttFinalAtMs: 520, firstFrameSentAtMs: 1040, latencyMs: 640 },
      ],
      ttsCharacters: 120,
    } satisfies CampaignCallView);
  });
});
