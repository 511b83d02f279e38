import type { AgentRuntimeConfig } from '@codcall/agent-config';
import type { ConversationResult } from '@codcall/conversation-engine';
import { silentLogger } from '@codcall/logging';
import { MemoryRecordingSink, type CallMediaEvent } from '@codcall/media';
import type { Carrier, CarrierStatusUpdate, MediaStreamCodec, PlaceCallRequest } from '@codcall/telephony-providers';
import { sampleRuntimeAgent } from '@codcall/test-support';
import { CallOrchestrator } from './call-orchestrator';
import type { CallRecord } from './call-record';
import type { ConversationFactory, GreetingPreparation, SynthesisUsage } from './conversation';
import type { MediaSocket } from './media-stream-connection';
import type { CallArchive } from './ports';
import { StreamTokenSigner } from './stream-token';

/** A carrier speaking plain JSON of our own events; it notes what the orchestrator asked of it. */
class ScriptedCarrier implements Carrier {
  readonly name = 'sim' as const;
  placed: PlaceCallRequest[] = [];
  /** How many greetings had been prepared when the carrier was asked to dial. */
  preparedAtDial?: number;
  constructor(private readonly preparedSoFar: () => number) {}
  placeCall = async (request: PlaceCallRequest) => {
    this.preparedAtDial = this.preparedSoFar();
    this.placed.push(request);
    return { carrierCallId: `CA${this.placed.length}` };
  };
  hangup = async () => undefined;
  transfer = async () => undefined;
  fetchCallState = async () => ({ up: false, status: 'completed' });
  answerDocument = (request: { streamUrl: string; parameters: Record<string, string> }) => ({ contentType: 'application/json', body: JSON.stringify(request) });
  parseStatusCallback = (params: Record<string, string>): CarrierStatusUpdate => ({
    carrierCallId: params['id'],
    state: params['state'] as CarrierStatusUpdate['state'],
    answeredBy: params['answeredBy'] as CarrierStatusUpdate['answeredBy'],
  });
  webhookCallIds = (params: Record<string, string>) => ({ dialled: params['id'], live: params['id'] });
  verifyWebhook = () => true;
  createMediaCodec = (): MediaStreamCodec => ({
    parse: (message) => [JSON.parse(message) as CallMediaEvent],
    formatAudio: (mulaw) => JSON.stringify({ audio: mulaw.length }),
    formatMark: (name) => JSON.stringify({ mark: name }),
    formatClear: () => JSON.stringify({ clear: true }),
  });
}

class MemoryArchive implements CallArchive {
  records: CallRecord[] = [];
  openRecording() {
    return new MemoryRecordingSink('/records/call.wav');
  }
  async saveRecord(record: CallRecord) {
    this.records.push(structuredClone(record));
  }
}

const silentSocket = (): MediaSocket => ({ send: () => undefined, close: () => undefined });
const row = { name: 'Priya', order_id: 'ORD3' };
const dial = { agentId: 'agent-1', to: '+919876543210', context: row, carrier: 'sim' as const };

/**
 * A gateway whose conversation factory synthesises like the real one would: preparing the
 * greeting sends its text to the synthesizer (counted into the call's usage), and so does every
 * line the conversation speaks.
 */
function gatewayFor(agent: AgentRuntimeConfig) {
  const prepared: GreetingPreparation[] = [];
  const usages: SynthesisUsage[] = [];
  const finishers: ((result: ConversationResult) => void)[] = [];
  const conversations: ConversationFactory = {
    prepare: (input) => {
      prepared.push(input);
      input.usage.add(input.agent.welcomeMessage);
    },
    create: (input) => {
      usages.push(input.usage);
      return {
        providers: { transcriber: 'fake', languageModel: 'fake', synthesizer: 'fake' },
        conversation: {
          start: async () => input.usage.add('Thank you, your order is confirmed.'),
          handleAudio: () => undefined,
          handleMark: () => undefined,
          handleDtmf: () => undefined,
          handleStreamEnd: () => undefined,
          leaveMessage: () => undefined,
          result: new Promise<ConversationResult>((resolve) => finishers.push(resolve)),
        },
      };
    },
  };
  const carrier = new ScriptedCarrier(() => prepared.length);
  const archive = new MemoryArchive();
  const orchestrator = new CallOrchestrator({
    carriers: { sim: carrier },
    agents: { getRuntimeConfig: async () => agent },
    conversations,
    publicBaseUrl: 'https://gw.example.com',
    tokens: new StreamTokenSigner('a-test-secret-of-enough-length'),
    archive,
    logger: silentLogger(),
  });
  const answerWebhook = (callId: string) => JSON.parse(orchestrator.answerDocument(callId, { id: 'CA1' }).body).parameters.token as string;
  const startStream = (callId: string, token: string) =>
    orchestrator.openMediaStream('sim', silentSocket()).onMessage(JSON.stringify({ type: 'start', streamId: 'MZ1', carrierCallId: 'CA1', parameters: { call_id: callId, token } }));
  const finish = (result: ConversationResult) => finishers[finishers.length - 1](result);
  return { orchestrator, carrier, archive, prepared, usages, answerWebhook, startStream, finish };
}

const atAnswer = sampleRuntimeAgent({ welcomeMessage: 'Hello {name}, this is about your order.', greetingPrefetch: 'answer' });
const atDial = sampleRuntimeAgent({ welcomeMessage: 'Hello {name}, this is about your order.', greetingPrefetch: 'dial' });

describe('greeting_prefetch: answer', () => {
  it.each([
    ['busy', { state: 'busy' }],
    ['unanswered', { state: 'no_answer' }],
    ['failed', { state: 'failed' }],
    ['canceled before the answer', { state: 'canceled' }],
  ])('synthesises nothing for a %s call', async (_, status) => {
    const gateway = gatewayFor(atAnswer);
    const { call_id } = await gateway.orchestrator.placeCall(dial);
    await gateway.orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'ringing' });
    await gateway.orchestrator.handleStatusCallback(call_id, { id: 'CA1', ...status });
    const view = await gateway.orchestrator.waitForCompletion(call_id, 1000);

    expect(view.state).toBe('completed');
    expect(gateway.prepared).toEqual([]);
    expect(view.tts_characters).toBe(0);
    expect(gateway.archive.records[0].ttsCharacters).toBe(0);
  });

  it('does not greet an answering machine it hangs up on', async () => {
    const gateway = gatewayFor(atAnswer);
    const { call_id } = await gateway.orchestrator.placeCall(dial);
    await gateway.orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'answered', answeredBy: 'machine' });
    expect((await gateway.orchestrator.waitForCompletion(call_id, 1000)).outcome?.status).toBe('voicemail');
    expect(gateway.prepared).toEqual([]);
  });

  it('prepares the greeting once, when the carrier fetches the answer document, before the stream opens', async () => {
    const gateway = gatewayFor(atAnswer);
    const { call_id } = await gateway.orchestrator.placeCall(dial);
    expect(gateway.carrier.preparedAtDial).toBe(0);
    expect(gateway.prepared).toEqual([]);

    const token = gateway.answerWebhook(call_id);
    expect(gateway.prepared).toHaveLength(1);
    expect(gateway.prepared[0]).toMatchObject({ callId: call_id, variables: row });
    expect(gateway.usages).toEqual([]); // no conversation yet: the stream has not opened
    // The carrier's `answered` status arrives too: the greeting is not prepared twice.
    await gateway.orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'answered' });
    expect(gateway.prepared).toHaveLength(1);

    gateway.startStream(call_id, token);
    // The conversation counts into the same usage the preparation did.
    expect(gateway.usages).toEqual([gateway.prepared[0].usage]);
    expect(gateway.orchestrator.view(call_id).timeline.map((entry) => entry.event)).toEqual(
      expect.arrayContaining(['answer document served', 'greeting prepared', 'media stream started']),
    );
  });

  it('prepares the greeting at an `answered` status that comes before the answer webhook', async () => {
    const gateway = gatewayFor(atAnswer);
    const { call_id } = await gateway.orchestrator.placeCall(dial);
    await gateway.orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'answered', answeredBy: 'human' });
    expect(gateway.prepared).toHaveLength(1);
    gateway.answerWebhook(call_id);
    expect(gateway.prepared).toHaveLength(1);
  });
});

describe('greeting_prefetch: dial', () => {
  it('prepares the greeting before the carrier is asked to dial, and a busy call has paid for it', async () => {
    const gateway = gatewayFor(atDial);
    const { call_id } = await gateway.orchestrator.placeCall(dial);
    expect(gateway.carrier.preparedAtDial).toBe(1);
    gateway.answerWebhook(call_id);
    expect(gateway.prepared).toHaveLength(1);

    await gateway.orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'busy' });
    const view = await gateway.orchestrator.waitForCompletion(call_id, 1000);
    expect(view.outcome).toEqual({ status: 'busy' });
    expect(view.tts_characters).toBe(atDial.welcomeMessage.length);
  });
});

describe('the call record', () => {
  it('keeps the characters synthesised for the call and every turn leg by leg, with the latencies as before', async () => {
    const gateway = gatewayFor(atAnswer);
    const { call_id } = await gateway.orchestrator.placeCall(dial);
    gateway.startStream(call_id, gateway.answerWebhook(call_id));
    await new Promise((resolve) => setImmediate(resolve));
    gateway.finish({
      outcome: 'confirmed',
      transcript: [],
      toolCalls: [],
      turns: [
        { kind: 'text', calleeSpeechEndedAtMs: 1000, sttFinalAtMs: 1100, llmRequestAtMs: 1101, llmFirstTokenAtMs: 1350, ttsRequestAtMs: 1352, ttsFirstByteAtMs: 1500, firstFrameSentAtMs: 1502, latencyMs: 502 },
        { kind: 'barge_in', speechStartedAtMs: 2000, clearedAtMs: 2002, latencyMs: 2, resolution: 'resumed' },
        { kind: 'outcome', calleeSpeechEndedAtMs: 3000, sttFinalAtMs: 3100, llmRequestAtMs: 3101, llmFirstTokenAtMs: 3350, firstFrameSentAtMs: 3352, latencyMs: 352 },
      ],
    });
    const view = await gateway.orchestrator.waitForCompletion(call_id, 1000);

    expect(view.tts_characters).toBe(atAnswer.welcomeMessage.length + 'Thank you, your order is confirmed.'.length);
    expect(view.turn_latencies_ms).toEqual([502, 352]);
    expect(view.turns).toEqual([
      {
        kind: 'text',
        callee_speech_ended_at_ms: 1000,
        stt_final_at_ms: 1100,
        llm_request_at_ms: 1101,
        llm_first_token_at_ms: 1350,
        tts_request_at_ms: 1352,
        tts_first_byte_at_ms: 1500,
        first_frame_sent_at_ms: 1502,
        latency_ms: 502,
      },
      { kind: 'barge_in', speech_started_at_ms: 2000, cleared_at_ms: 2002, latency_ms: 2, resolution: 'resumed' },
      // The goodbye was prepared: the outcome turn has no TTS legs, and the view sends none.
      { kind: 'outcome', callee_speech_ended_at_ms: 3000, stt_final_at_ms: 3100, llm_request_at_ms: 3101, llm_first_token_at_ms: 3350, first_frame_sent_at_ms: 3352, latency_ms: 352 },
    ]);
    expect(gateway.archive.records[0]).toMatchObject({ ttsCharacters: view.tts_characters, turns: expect.arrayContaining([expect.objectContaining({ kind: 'barge_in' })]) });
  });
});
