import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConversationResult } from '@codcall/conversation-engine';
import { silentLogger } from '@codcall/logging';
import { sampleRuntimeAgent } from '@codcall/test-support';
import type { CallMediaEvent } from '@codcall/media';
import type { Carrier, CarrierStatusUpdate, MediaStreamCodec, PlaceCallRequest } from '@codcall/telephony-providers';
import { CallOrchestrator, POLICY_VIOLATION, type ConversationInput, type MediaSocket } from './call-orchestrator';
import { StreamTokenSigner } from './stream-token';

const agent = sampleRuntimeAgent({ welcomeMessage: 'Hello {name}', systemPrompt: 'You confirm orders.', carrier: 'twilio', timing: { repromptAfterSeconds: 6, hangupAfterSilenceSeconds: 15, maxCallSeconds: 120, replyDelayMs: 0, interruptionWords: 2 } });

/** A carrier whose wire format is plain JSON of our own events: enough to drive the orchestrator. */
class ScriptedCarrier implements Carrier {
  readonly name = 'sim' as const;
  placed: PlaceCallRequest[] = [];
  hungUp: string[] = [];
  placeCall = async (request: PlaceCallRequest) => {
    this.placed.push(request);
    return { carrierCallId: `CA${this.placed.length}` };
  };
  hangup = async (id: string) => {
    this.hungUp.push(id);
  };
  answerDocument = (request: { streamUrl: string; parameters: Record<string, string> }) => ({
    contentType: 'application/json',
    body: JSON.stringify(request),
  });
  parseStatusCallback = (params: Record<string, string>): CarrierStatusUpdate => ({
    carrierCallId: params['id'],
    state: params['state'] as CarrierStatusUpdate['state'],
    answeredBy: params['answeredBy'] as CarrierStatusUpdate['answeredBy'],
    machineGreetingEnded: params['greetingEnded'] === 'yes',
  });
  verifyWebhook = () => true;
  createMediaCodec = (): MediaStreamCodec => ({
    parse: (message) => {
      const event = JSON.parse(message) as CallMediaEvent & { payload?: string };
      return [event.type === 'audio' ? { type: 'audio', payload: Buffer.from(event.payload as unknown as string, 'base64') } : event];
    },
    formatAudio: (mulaw) => JSON.stringify({ audio: mulaw.length }),
    formatMark: (name) => JSON.stringify({ mark: name }),
    formatClear: () => JSON.stringify({ clear: true }),
  });
}

class FakeSocket implements MediaSocket {
  sent: string[] = [];
  closed?: { code: number; reason: string };
  send(text: string) {
    this.sent.push(text);
  }
  close(code: number, reason: string) {
    this.closed = { code, reason };
  }
}

function setup(agentConfig = agent) {
  const carrier = new ScriptedCarrier();
  const messagesLeft: string[] = [];
  const inputs: ConversationInput[] = [];
  const prepared: Record<string, string>[] = [];
  let finish!: (result: ConversationResult) => void;
  const heard: Buffer[] = [];
  const orchestrator = new CallOrchestrator({
    carriers: { sim: carrier },
    agents: { getRuntimeConfig: async (id) => (id === 'agent-1' ? agentConfig : Promise.reject(new Error('unknown agent'))) },
    conversations: {
      prepare: (input) => prepared.push(input.variables),
      create: (input) => {
        inputs.push(input);
        return {
          providers: { transcriber: 'fake', languageModel: 'fake', synthesizer: 'fake' },
          conversation: {
            start: async () => input.output.sendAudio(Buffer.alloc(480, 0x7f)),
            handleAudio: (frame) => heard.push(frame),
            handleMark: () => undefined,
            handleDtmf: () => undefined,
            handleStreamEnd: () => undefined,
            leaveMessage: (text: string) => void messagesLeft.push(text),
            result: new Promise<ConversationResult>((resolve) => (finish = resolve)),
          },
        };
      },
    },
    publicBaseUrl: 'https://gw.example.com',
    tokens: new StreamTokenSigner('a-test-secret-of-enough-length'),
    recordsDir: mkdtempSync(join(tmpdir(), 'orchestrator-')),
    logger: silentLogger(),
  });
  const result = (outcome: ConversationResult) => finish(outcome);
  return { carrier, orchestrator, inputs, heard, result, prepared, messagesLeft };
}

const row = { name: 'Priya', order_id: 'ORD3', city: 'Mumbai' };

function startStream(orchestrator: CallOrchestrator, callId: string, token: string) {
  const socket = new FakeSocket();
  const handler = orchestrator.openMediaStream('sim', socket);
  handler.onMessage(JSON.stringify({ type: 'start', streamId: 'MZ1', carrierCallId: 'CA1', parameters: { call_id: callId, token } }));
  return { socket, handler };
}

describe('CallOrchestrator', () => {
  it('hands the carrier only public URLs built from PUBLIC_BASE_URL and per-call data as stream parameters', async () => {
    const { carrier, orchestrator, prepared } = setup();
    const view = await orchestrator.placeCall({ agentId: 'agent-1', to: '+919876543210', context: row, carrier: 'sim' });
    expect(prepared).toEqual([row]); // the greeting is prepared while the phone rings
    expect(carrier.placed[0].answerUrl).toBe(`https://gw.example.com/call/${view.call_id}/answer`);
    expect(carrier.placed[0].statusCallbackUrl).toBe(`https://gw.example.com/call/${view.call_id}/status`);
    const document = JSON.parse(orchestrator.answerDocument(view.call_id).body);
    expect(document.streamUrl).toBe('wss://gw.example.com/media-stream/sim');
    expect(document.parameters.call_id).toBe(view.call_id);
    expect(document.parameters.token).toMatch(/^\d+\.[\w-]+$/);
  });

  it('settles busy from the carrier status without any conversation', async () => {
    const { orchestrator } = setup();
    const { call_id } = await orchestrator.placeCall({ agentId: 'agent-1', to: '+919876543210', context: row, carrier: 'sim' });
    await orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'busy' });
    const view = await orchestrator.waitForCompletion(call_id, 1000);
    expect(view.state).toBe('completed');
    expect(view.outcome).toEqual({ status: 'busy' });
    expect(view.carrier_status).toBe('busy');
  });

  it('treats an answering machine as voicemail and hangs up', async () => {
    const { orchestrator, carrier } = setup();
    const { call_id } = await orchestrator.placeCall({ agentId: 'agent-1', to: '+919876543210', context: row, carrier: 'sim' });
    await orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'answered', answeredBy: 'machine' });
    const view = await orchestrator.waitForCompletion(call_id, 1000);
    expect(view.outcome?.status).toBe('voicemail');
    expect(carrier.hungUp).toEqual(['CA1']);
  });

  it('refuses a media stream without a valid token, before any audio reaches a conversation', async () => {
    const { orchestrator, inputs } = setup();
    const { call_id } = await orchestrator.placeCall({ agentId: 'agent-1', to: '+919876543210', context: row, carrier: 'sim' });
    const { socket } = startStream(orchestrator, call_id, '9999999999.forged');
    expect(socket.closed?.code).toBe(POLICY_VIOLATION);
    expect(inputs).toHaveLength(0);
  });

  it('runs the conversation with the row as variables, records the outcome, hangs up, and refuses a replayed stream', async () => {
    const { orchestrator, inputs, heard, carrier, result } = setup();
    const { call_id } = await orchestrator.placeCall({ agentId: 'agent-1', to: '+919876543210', context: row, carrier: 'sim' });
    const token = JSON.parse(orchestrator.answerDocument(call_id).body).parameters.token as string;
    const { socket, handler } = startStream(orchestrator, call_id, token);
    expect(socket.closed).toBeUndefined();
    expect(inputs[0].variables).toEqual(row);
    expect(inputs[0].timezone).toBe('Asia/Kolkata');
    // 480 bytes of agent speech leave as three 20 ms carrier frames.
    await new Promise((resolve) => setImmediate(resolve));
    expect(socket.sent.filter((text) => text.includes('audio'))).toHaveLength(3);
    handler.onMessage(JSON.stringify({ type: 'audio', payload: Buffer.alloc(160, 0xff).toString('base64') }));
    expect(heard).toHaveLength(1);

    result({
      outcome: 'rescheduled',
      rescheduleDate: '2026-11-25',
      rescheduleTime: '15:00',
      transcript: [{ speaker: 'callee', text: 'tomorrow at 3', atMs: 10 }],
      toolCalls: [],
      turns: [{ calleeEndedAtMs: 10, agentFirstAudioAtMs: 30, latencyMs: 20 }],
    });
    const view = await orchestrator.waitForCompletion(call_id, 1000);
    expect(view.outcome).toEqual({ status: 'rescheduled', reschedule_date: '2026-11-25', reschedule_time: '15:00' });
    expect(carrier.hungUp).toEqual(['CA1']);
    const record = JSON.parse(readFileSync(view.recording!.replace(/\.wav$/, '.json'), 'utf8'));
    expect(record.to).not.toContain('9876543210');
    expect(record.turnLatenciesMs).toEqual([20]);

    const replay = startStream(orchestrator, call_id, token);
    expect(replay.socket.closed?.code).toBe(POLICY_VIOLATION);
  });

  it('leaves the agent\'s message after a machine\'s beep when the agent asks for it, and records voicemail', async () => {
    const { orchestrator, carrier, result, messagesLeft } = setup(sampleRuntimeAgent({ voicemail: { action: 'leave_message', message: 'Please call us back about order {order_id}.' } }));
    const { call_id } = await orchestrator.placeCall({ agentId: 'agent-1', to: '+919876543210', context: row, carrier: 'sim' });
    expect(carrier.placed[0].machineDetectionMode).toBe('message_end');
    const token = JSON.parse(orchestrator.answerDocument(call_id).body).parameters.token as string;
    startStream(orchestrator, call_id, token);
    await orchestrator.handleStatusCallback(call_id, { id: 'CA1', answeredBy: 'machine', greetingEnded: 'yes' });
    expect(messagesLeft).toEqual(['Please call us back about order {order_id}.']);
    expect((await orchestrator.waitForCompletion(call_id, 0)).state).not.toBe('completed'); // still speaking
    result({ outcome: 'ended_without_outcome', reason: 'voicemail message left', transcript: [], toolCalls: [], turns: [] });
    const view = await orchestrator.waitForCompletion(call_id, 1000);
    expect(view.outcome).toEqual({ status: 'voicemail', reason: 'message left after the beep' });
    expect(carrier.hungUp).toEqual(['CA1']);
  });
});
