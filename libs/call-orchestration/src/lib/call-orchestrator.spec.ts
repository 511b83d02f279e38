import { UnknownLanguageError } from '@codcall/agent-config';
import type { ConversationResult } from '@codcall/conversation-engine';
import { silentLogger } from '@codcall/logging';
import { sampleRuntimeAgent } from '@codcall/test-support';
import { MemoryRecordingSink, readWavPcm16, type CallMediaEvent } from '@codcall/media';
import type { AnswerDocument, Carrier, CarrierCallLookup, CarrierStatusUpdate, MediaStreamCodec, PlaceCallRequest } from '@codcall/telephony-providers';
import { CallOrchestrator, type CallOrchestratorOptions } from './call-orchestrator';
import type { CallRecord } from './call-record';
import type { ConversationInput } from './conversation';
import { AnswerRefusedError, GatewayAtCapacityError, IdempotencyConflictError, TransferDocumentRefusedError } from './errors';
import { POLICY_VIOLATION, type MediaSocket } from './media-stream-connection';
import { InMemoryCallStore, type CallArchive } from './ports';
import { StreamTokenSigner } from './stream-token';

const agent = sampleRuntimeAgent({ welcomeMessage: 'Hello {name}', systemPrompt: 'You confirm orders.', carrier: 'twilio', timing: { repromptAfterSeconds: 6, hangupAfterSilenceSeconds: 15, maxCallSeconds: 120, replyDelayMs: 0, interruptionWords: 2 } });

/** A carrier whose wire format is plain JSON of our own events: enough to drive the orchestrator. */
class ScriptedCarrier implements Carrier {
  readonly name = 'sim' as const;
  placed: PlaceCallRequest[] = [];
  hungUp: string[] = [];
  transfers: { id: string; to: string }[] = [];
  refuseTransfers?: string;
  lookedUp: string[] = [];
  /** What fetchCallState answers, by carrier call id. */
  lines = new Map<string, CarrierCallLookup>();
  refuseDials?: string;
  placeCall = async (request: PlaceCallRequest) => {
    if (this.refuseDials) throw new Error(this.refuseDials);
    this.placed.push(request);
    return { carrierCallId: `CA${this.placed.length}` };
  };
  hangup = async (id: string) => {
    this.hungUp.push(id);
  };
  transfer = async (id: string, to: string) => {
    if (this.refuseTransfers) throw new Error(this.refuseTransfers);
    this.transfers.push({ id, to });
  };
  /** Set for a carrier whose transfer fetches its document from us (Plivo); Twilio's has none. */
  transferDocument?: (id: string) => AnswerDocument | undefined;
  fetchCallState = async (id: string) => {
    this.lookedUp.push(id);
    return this.lines.get(id) ?? { up: false, status: 'not found' };
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
    ...(params['detail'] ? { detail: params['detail'] } : {}),
  });
  webhookCallIds = (params: Record<string, string>) => ({ dialled: params['id'], live: params['id'] });
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

/** Keeps what the gateway would write to RECORDS_DIR. */
class MemoryArchive implements CallArchive {
  records: CallRecord[] = [];
  recordings = new Map<string, MemoryRecordingSink>();
  openRecording(callId: string) {
    const sink = new MemoryRecordingSink(`/records/${callId}.wav`);
    this.recordings.set(callId, sink);
    return sink;
  }
  async saveRecord(record: CallRecord) {
    this.records.push(structuredClone(record));
  }
}

function setup(agentConfig = agent, options: Partial<CallOrchestratorOptions> = {}) {
  const carrier = new ScriptedCarrier();
  const archive = new MemoryArchive();
  const store = options.store ?? new InMemoryCallStore();
  const messagesLeft: string[] = [];
  const inputs: ConversationInput[] = [];
  const prepared: Record<string, string>[] = [];
  const finishers: ((result: ConversationResult) => void)[] = [];
  const heard: Buffer[] = [];
  const orchestrator = new CallOrchestrator({
    carriers: { sim: carrier },
    agents: { getRuntimeConfig: async (id) => (id === 'agent-1' || id === 'agent-2' ? agentConfig : Promise.reject(new Error('unknown agent'))) },
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
            result: new Promise<ConversationResult>((resolve) => finishers.push(resolve)),
          },
        };
      },
    },
    publicBaseUrl: 'https://gw.example.com',
    tokens: new StreamTokenSigner('a-test-secret-of-enough-length'),
    archive,
    logger: silentLogger(),
    ...options,
    store,
  });
  const result = (outcome: ConversationResult, call = finishers.length - 1) => finishers[call](outcome);
  return { carrier, orchestrator, inputs, heard, result, prepared, messagesLeft, archive, store };
}

const row = { name: 'Priya', order_id: 'ORD3', city: 'Mumbai', recipient_phone_number: '+919876543210', alternate_phone: '98765 43210' };
const dial = { agentId: 'agent-1', to: '+919876543210', context: row, carrier: 'sim' as const };
const confirmed: ConversationResult = { outcome: 'confirmed', transcript: [{ speaker: 'callee', text: 'yes', atMs: 5 }], toolCalls: [], turns: [] };

/** The answer webhook as the carrier sends it: for the call the dial returned (CA1 for the first dial). */
function answer(orchestrator: CallOrchestrator, callId: string, carrierCallId = 'CA1'): string {
  return JSON.parse(orchestrator.answerDocument(callId, { id: carrierCallId }).body).parameters.token as string;
}

function startStream(orchestrator: CallOrchestrator, callId: string, token: string, carrierCallId = 'CA1') {
  const socket = new FakeSocket();
  const handler = orchestrator.openMediaStream('sim', socket, { remoteAddress: '10.0.0.1' });
  handler.onMessage(JSON.stringify({ type: 'start', streamId: 'MZ1', carrierCallId, parameters: { call_id: callId, token } }));
  return { socket, handler };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('CallOrchestrator', () => {
  it('hands the carrier only public URLs built from PUBLIC_BASE_URL and per-call data as stream parameters', async () => {
    const { carrier, orchestrator, prepared } = setup();
    const view = await orchestrator.placeCall(dial);
    expect(prepared).toEqual([row]); // the greeting is prepared while the phone rings
    expect(carrier.placed[0].answerUrl).toBe(`https://gw.example.com/call/${view.call_id}/answer`);
    expect(carrier.placed[0].statusCallbackUrl).toBe(`https://gw.example.com/call/${view.call_id}/status`);
    const document = JSON.parse(orchestrator.answerDocument(view.call_id, { id: 'CA1' }).body);
    expect(document.streamUrl).toBe(`wss://gw.example.com/media-stream/sim/${view.call_id}`); // the path names the call, for routing to its worker
    expect(document.parameters.call_id).toBe(view.call_id);
    expect(document.parameters.token).toMatch(/^\d+\.[\w-]+$/);
  });

  it('settles busy from the carrier status without any conversation, and without hanging up a line that is down', async () => {
    const { orchestrator, carrier } = setup();
    const { call_id } = await orchestrator.placeCall(dial);
    await orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'busy' });
    const view = await orchestrator.waitForCompletion(call_id, 1000);
    expect(view.state).toBe('completed');
    expect(view.outcome).toEqual({ status: 'busy' });
    expect(view.carrier_status).toBe('busy');
    expect(carrier.hungUp).toEqual([]);
  });

  it('treats an answering machine as voicemail and hangs up', async () => {
    const { orchestrator, carrier } = setup();
    const { call_id } = await orchestrator.placeCall(dial);
    await orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'answered', answeredBy: 'machine' });
    const view = await orchestrator.waitForCompletion(call_id, 1000);
    expect(view.outcome?.status).toBe('voicemail');
    expect(carrier.hungUp).toEqual(['CA1']);
  });

  it('refuses a media stream without a valid token, before any audio reaches a conversation', async () => {
    const { orchestrator, inputs } = setup();
    const { call_id } = await orchestrator.placeCall(dial);
    const { socket } = startStream(orchestrator, call_id, '9999999999.forged');
    expect(socket.closed?.code).toBe(POLICY_VIOLATION);
    expect(inputs).toHaveLength(0);
  });

  it('runs the conversation with the row as variables, records the outcome, hangs up, and refuses a replayed stream', async () => {
    const { orchestrator, inputs, heard, carrier, result, archive } = setup();
    const { call_id } = await orchestrator.placeCall(dial);
    const token = answer(orchestrator, call_id);
    const { socket, handler } = startStream(orchestrator, call_id, token);
    expect(socket.closed).toBeUndefined();
    expect(inputs[0].variables).toEqual(row);
    expect(inputs[0].timezone).toBe('Asia/Kolkata');
    // 480 bytes of agent speech leave as they came: one carrier message.
    await tick();
    expect(socket.sent.filter((text) => text.includes('audio'))).toEqual([JSON.stringify({ audio: 480 })]);
    handler.onMessage(JSON.stringify({ type: 'audio', payload: Buffer.alloc(160, 0xff).toString('base64') }));
    expect(heard).toHaveLength(1);

    result({
      outcome: 'rescheduled',
      rescheduleDate: '2026-11-25',
      rescheduleTime: '15:00',
      transcript: [{ speaker: 'callee', text: 'tomorrow at 3', atMs: 10 }],
      toolCalls: [],
      turns: [{ kind: 'text', calleeSpeechEndedAtMs: 10, firstFrameSentAtMs: 30, latencyMs: 20 }],
    });
    const view = await orchestrator.waitForCompletion(call_id, 1000);
    expect(view.outcome).toEqual({ status: 'rescheduled', reschedule_date: '2026-11-25', reschedule_time: '15:00' });
    expect(carrier.hungUp).toEqual(['CA1']);
    expect(view.recording).toBe(`/records/${call_id}.wav`);
    expect(readWavPcm16(archive.recordings.get(call_id)!.bytes!).pcm.length).toBeGreaterThan(0);
    const [record] = archive.records;
    expect(record.to).not.toContain('9876543210');
    expect(record.turnLatenciesMs).toEqual([20]);
    expect(socket.closed?.code).toBe(1000); // the stream does not outlive its call

    const replay = startStream(orchestrator, call_id, token);
    expect(replay.socket.closed?.code).toBe(POLICY_VIOLATION);
  });

  it('leaves the agent\'s message after a machine\'s beep when the agent asks for it, and records voicemail', async () => {
    const { orchestrator, carrier, result, messagesLeft } = setup(sampleRuntimeAgent({ voicemail: { action: 'leave_message', message: 'Please call us back about order {order_id}.' } }));
    const { call_id } = await orchestrator.placeCall(dial);
    expect(carrier.placed[0].machineDetectionMode).toBe('message_end');
    startStream(orchestrator, call_id, answer(orchestrator, call_id));
    await orchestrator.handleStatusCallback(call_id, { id: 'CA1', answeredBy: 'machine', greetingEnded: 'yes' });
    expect(messagesLeft).toEqual(['Please call us back about order {order_id}.']);
    expect((await orchestrator.waitForCompletion(call_id, 0)).state).not.toBe('completed'); // still speaking
    // A second machine report changes nothing: the voicemail was decided once.
    await orchestrator.handleStatusCallback(call_id, { id: 'CA1', answeredBy: 'machine', greetingEnded: 'yes' });
    expect(messagesLeft).toHaveLength(1);
    result({ outcome: 'ended_without_outcome', reason: 'voicemail message left', transcript: [], toolCalls: [], turns: [] });
    const view = await orchestrator.waitForCompletion(call_id, 1000);
    expect(view.outcome).toEqual({ status: 'voicemail', reason: 'message left after the beep' });
    expect(carrier.hungUp).toEqual(['CA1']);
  });
});

describe('a callee who asks for a person', () => {
  const transferred: ConversationResult = { outcome: 'transferred', transferReason: 'wants a refund', transcript: [], toolCalls: [], turns: [] };

  it('is offered the transfer only when the gateway has a number for it', async () => {
    for (const transferNumber of [undefined, '+919800000000']) {
      const { orchestrator, inputs } = setup(agent, { transferNumber });
      const { call_id } = await orchestrator.placeCall(dial);
      startStream(orchestrator, call_id, answer(orchestrator, call_id));
      expect(inputs[0].transferAvailable).toBe(transferNumber !== undefined);
    }
  });

  it('is moved by the carrier to the transfer number, and the line is not hung up', async () => {
    const { orchestrator, carrier, result } = setup(agent, { transferNumber: '+919800000000' });
    const { call_id } = await orchestrator.placeCall(dial);
    startStream(orchestrator, call_id, answer(orchestrator, call_id));
    result(transferred);
    const view = await orchestrator.waitForCompletion(call_id, 1000);
    expect(carrier.transfers).toEqual([{ id: 'CA1', to: '+919800000000' }]);
    expect(carrier.hungUp).toEqual([]);
    expect(view.outcome).toEqual({ status: 'transferred', reason: 'wants a refund' });
    expect(view.timeline.map((entry) => entry.event)).toEqual(expect.arrayContaining(['transfer requested', 'transferred']));
    expect(view.timeline.find((entry) => entry.event === 'transfer requested')?.detail).not.toContain('9800000000');
  });

  it('whose transfer the carrier refuses ends as failed with the carrier\'s reason, and is hung up', async () => {
    const { orchestrator, carrier, result } = setup(agent, { transferNumber: '+919800000000' });
    carrier.refuseTransfers = 'Twilio: call CA1 is not in progress';
    const { call_id } = await orchestrator.placeCall(dial);
    startStream(orchestrator, call_id, answer(orchestrator, call_id));
    result(transferred);
    const view = await orchestrator.waitForCompletion(call_id, 1000);
    expect(view.outcome).toEqual({ status: 'failed', reason: 'the transfer to a person failed: Twilio: call CA1 is not in progress' });
    expect(carrier.hungUp).toEqual(['CA1']);
  });
});

describe('a transfer whose carrier fetches its document from the gateway (Plivo)', () => {
  const transferred: ConversationResult = { outcome: 'transferred', transcript: [], toolCalls: [], turns: [] };
  const dialDocument = (to: string): AnswerDocument => ({ contentType: 'application/xml', body: `<Response><Dial><Number>${to}</Number></Dial></Response>` });

  /** A call answered and streaming, through a carrier that serves the Dial of a transfer it was asked for, as Plivo's does. */
  async function talkingCall(options: Partial<CallOrchestratorOptions> = {}) {
    const ready = setup(agent, { transferNumber: '+919800000000', ...options });
    const { carrier, orchestrator } = ready;
    carrier.transferDocument = (id) => {
      const transfer = carrier.transfers.find((asked) => asked.id === id);
      return transfer && dialDocument(transfer.to);
    };
    const { call_id } = await orchestrator.placeCall(dial);
    startStream(orchestrator, call_id, answer(orchestrator, call_id));
    return { ...ready, callId: call_id };
  }

  it('gives the carrier the transfer URL when it dials, built from PUBLIC_BASE_URL', async () => {
    const { carrier, callId } = await talkingCall();
    expect(carrier.placed[0].transferUrl).toBe(`https://gw.example.com/call/${callId}/transfer`);
  });

  it('serves the Dial once, for the carrier call the dial returned, also after the call settled as transferred', async () => {
    // Forgotten at once, were it not for the transfer still to be fetched.
    const { orchestrator, carrier, result, store, callId } = await talkingCall({ retentionMs: 0 });
    expect(() => orchestrator.transferDocument(callId, { id: 'CA1' })).toThrow(/no transfer of the call is under way/);
    result(transferred);
    expect((await orchestrator.waitForCompletion(callId, 1000)).outcome?.status).toBe('transferred');
    await new Promise((resolve) => setTimeout(resolve, 5));

    expect(orchestrator.transferDocument(callId, { id: 'CA1' })).toEqual(dialDocument('+919800000000'));
    expect(carrier.hungUp).toEqual([]);
    // A replay of the fetch, signed or not, gets nothing more.
    expect(() => orchestrator.transferDocument(callId, { id: 'CA1' })).toThrow(TransferDocumentRefusedError);
    expect(() => orchestrator.transferDocument(callId, { id: 'CA1' })).toThrow(/served already/);
    expect(orchestrator.view(callId).timeline.map((entry) => entry.event)).toContain('transfer document served');
    expect(store.load(callId)?.view.timeline.map((entry) => entry.event)).toContain('transfer document served');
  });

  it('serves it to a carrier that fetches before it has answered the transfer request', async () => {
    const { orchestrator, carrier, result, callId } = await talkingCall();
    const fetched: AnswerDocument[] = [];
    const transfer = carrier.transfer;
    carrier.transfer = async (id, to) => {
      await transfer(id, to);
      fetched.push(orchestrator.transferDocument(callId, { id }));
    };
    result(transferred);
    expect((await orchestrator.waitForCompletion(callId, 1000)).outcome?.status).toBe('transferred');
    expect(fetched).toEqual([dialDocument('+919800000000')]);
  });

  it('refuses a fetch naming another carrier call or none, and the refusal spends nothing', async () => {
    const { orchestrator, result, callId } = await talkingCall();
    result(transferred);
    await orchestrator.waitForCompletion(callId, 1000);
    expect(() => orchestrator.transferDocument(callId, { id: 'CA-someone-else' })).toThrow(/another carrier call/);
    expect(() => orchestrator.transferDocument(callId, {})).toThrow(/names no carrier call/);
    expect(orchestrator.transferDocument(callId, { id: 'CA1' }).body).toContain('+919800000000');
  });

  it('refuses a fetch once the transfer was asked for too long ago', async () => {
    let now = Date.parse('2026-12-01T10:00:00Z');
    const { orchestrator, result, callId } = await talkingCall({ now: () => now });
    result(transferred);
    await orchestrator.waitForCompletion(callId, 1000);
    now += 31_000;
    expect(() => orchestrator.transferDocument(callId, { id: 'CA1' })).toThrow(/too long ago/);
  });

  it('serves nothing for a transfer the carrier refused', async () => {
    const { orchestrator, carrier, result, callId } = await talkingCall();
    carrier.refuseTransfers = 'Plivo: call not found';
    result(transferred);
    expect((await orchestrator.waitForCompletion(callId, 1000)).outcome?.status).toBe('failed');
    expect(() => orchestrator.transferDocument(callId, { id: 'CA1' })).toThrow(/no transfer of the call is under way/);
  });

  it('serves nothing through a carrier that transfers without a document (Twilio), nor for a call that left memory', async () => {
    const { orchestrator, result, carrier, callId } = await talkingCall({ retentionMs: 0 });
    carrier.transferDocument = undefined;
    result(transferred);
    await orchestrator.waitForCompletion(callId, 1000);
    expect(() => orchestrator.transferDocument(callId, { id: 'CA1' })).toThrow(/without a document of ours/);

    const ended = await talkingCall({ retentionMs: 0 });
    await ended.orchestrator.handleStatusCallback(ended.callId, { id: 'CA1', state: 'completed' });
    ended.result(confirmed);
    await ended.orchestrator.waitForCompletion(ended.callId, 1000);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(() => ended.orchestrator.transferDocument(ended.callId, { id: 'CA1' })).toThrow(/the call has ended/);
  });
});

describe('a row in another language', () => {
  it("runs the conversation in the row's language: its texts, voice and prompt", async () => {
    const { orchestrator, inputs } = setup();
    const { call_id } = await orchestrator.placeCall({ ...dial, context: { ...row, language: 'Hindi' } });
    startStream(orchestrator, call_id, answer(orchestrator, call_id));
    expect(inputs[0].agent.language).toBe('hi');
    expect(inputs[0].agent.synthesizer.languageCode).toBe('hi');
    expect(inputs[0].agent.systemPrompt).toMatch(/Hindi/);
  });

  it('is refused before any dial when its language cell names no language', async () => {
    const { orchestrator, carrier } = setup();
    await expect(orchestrator.placeCall({ ...dial, context: { ...row, language: 'Klingon' } })).rejects.toThrow(UnknownLanguageError);
    await expect(orchestrator.placeCall({ ...dial, context: { ...row, language: 'Klingon' } })).rejects.toThrow(/Klingon/);
    expect(carrier.placed).toEqual([]);
    expect(orchestrator.callsInProgress).toBe(0);
  });
});

describe('a call\'s lifecycle', () => {
  it('goes queued, ringing, answered, streaming, then settles once however many ends are asked for', async () => {
    const { orchestrator, carrier, result, archive, store } = setup();
    const { call_id } = await orchestrator.placeCall(dial);
    expect(orchestrator.view(call_id).state).toBe('queued');
    expect(store.load(call_id)).toMatchObject({ phase: 'queued', carrierCallId: 'CA1', idempotencyKey: undefined });
    await orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'ringing' });
    expect(store.load(call_id)?.phase).toBe('ringing');
    const token = answer(orchestrator, call_id);
    expect(store.load(call_id)).toMatchObject({ phase: 'answered', answerServed: true, streamTokenUsed: false });
    expect(orchestrator.view(call_id).state).toBe('in_progress');
    startStream(orchestrator, call_id, token);
    expect(store.load(call_id)).toMatchObject({ phase: 'streaming', streamTokenUsed: true });

    // The conversation's end and the carrier's arrive together: the first outcome is the call's.
    result(confirmed);
    await orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'completed' });
    const view = await orchestrator.waitForCompletion(call_id, 1000);
    expect(view.outcome).toEqual({ status: 'confirmed' });
    expect(carrier.hungUp).toEqual(['CA1']);
    expect(archive.records).toHaveLength(1);
    expect(store.load(call_id)).toMatchObject({ phase: 'settled', outcome: { status: 'confirmed' }, view: { state: 'completed' } });
    expect(view.timeline.map((entry) => entry.event)).toEqual(
      expect.arrayContaining(['dial requested', 'dialled', 'answer document served', 'media stream started', 'outcome', 'hangup requested']),
    );
  });

  it('hangs up on an answered call whose media stream never starts, and frees its place; a stream in time keeps the call', async () => {
    const { orchestrator, carrier } = setup(agent, { media: { streamDeadlineMs: 60 }, maxCalls: 1 });
    const { call_id } = await orchestrator.placeCall(dial);
    await orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'answered' });
    answer(orchestrator, call_id);
    const view = await orchestrator.waitForCompletion(call_id, 2000);
    expect(view.outcome).toEqual({ status: 'failed', reason: 'the carrier answered but no media stream started within 60 ms' });
    expect(carrier.hungUp).toEqual(['CA1']);

    // Its place is free again; this one's stream starts in time and the call goes on past the deadline.
    const next = await orchestrator.placeCall(dial);
    startStream(orchestrator, next.call_id, answer(orchestrator, next.call_id, 'CA2'), 'CA2');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(orchestrator.view(next.call_id)).toMatchObject({ state: 'in_progress' });
    expect(carrier.hungUp).toEqual(['CA1']);
  });

  it('is in the store before the carrier is asked to dial, so a crash mid-dial still knows it', async () => {
    const { orchestrator, carrier, store } = setup();
    let seenByCarrier: unknown;
    carrier.placeCall = async (request) => {
      seenByCarrier = store.load(request.callId);
      return { carrierCallId: 'CA9' };
    };
    await orchestrator.placeCall({ ...dial, idempotencyKey: 'attempt-1' });
    expect(seenByCarrier).toMatchObject({ phase: 'queued', idempotencyKey: 'attempt-1', agentId: 'agent-1', to: '+919876543210', carrier: 'sim' });
  });

  it('records a carrier that refuses the dial as failed, with the number masked in the reason', async () => {
    const { orchestrator, carrier } = setup();
    carrier.refuseDials = "The 'To' number +919876543210 is not a valid phone number";
    const { call_id } = await orchestrator.placeCall(dial);
    const view = orchestrator.view(call_id);
    expect(view).toMatchObject({ state: 'completed', outcome: { status: 'failed' } });
    expect(view.outcome?.reason).toContain('carrier refused the call');
    expect(view.outcome?.reason).not.toContain('9876543210');
  });

  it('masks a number the carrier quotes in its reason for failing the call', async () => {
    const { orchestrator } = setup();
    const { call_id } = await orchestrator.placeCall(dial);
    await orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'failed', detail: 'unreachable: +919876543210 (SIP 404)' });
    const view = await orchestrator.waitForCompletion(call_id, 1000);
    expect(view.outcome).toEqual({ status: 'failed', reason: 'unreachable: +91********10 (SIP 404)' });
    expect(view.carrier_status).toBe('failed (unreachable: +91********10 (SIP 404))');
  });

  it('keeps answering for a settled call from the store once it has left memory', async () => {
    const { orchestrator } = setup(agent, { retentionMs: 0 });
    const { call_id } = await orchestrator.placeCall(dial);
    await orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'no_answer' });
    await orchestrator.waitForCompletion(call_id, 1000);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await orchestrator.waitForCompletion(call_id, 1000)).outcome).toEqual({ status: 'no_answer' });
    expect(() => orchestrator.answerDocument(call_id, { id: 'CA1' })).toThrow(AnswerRefusedError);
  });
});

describe('replayed webhooks and streams', () => {
  it('serves the answer document once: a replayed answer webhook gets no token and cannot take the stream', async () => {
    const { orchestrator, heard, inputs } = setup();
    const { call_id } = await orchestrator.placeCall(dial);
    const token = answer(orchestrator, call_id);
    expect(() => orchestrator.answerDocument(call_id, { id: 'CA1' })).toThrow(AnswerRefusedError);
    expect(() => orchestrator.answerDocument(call_id, { id: 'CA1' })).toThrow(/served already/);

    const real = startStream(orchestrator, call_id, token);
    // A second start with the spent token, as a replayed socket would send it: refused, the real stream carries on.
    const replay = startStream(orchestrator, call_id, token);
    expect(replay.socket.closed?.code).toBe(POLICY_VIOLATION);
    expect(replay.socket.closed?.reason).toMatch(/token already used/);
    expect(real.socket.closed).toBeUndefined();
    real.handler.onMessage(JSON.stringify({ type: 'audio', payload: Buffer.alloc(160, 0x11).toString('base64') }));
    expect(heard).toHaveLength(1);
    expect(inputs).toHaveLength(1);
    expect(orchestrator.view(call_id).state).toBe('in_progress');
  });

  it('answers only the carrier call the dial returned, and takes a stream only from it', async () => {
    const { orchestrator, inputs } = setup();
    const { call_id } = await orchestrator.placeCall(dial);
    expect(() => orchestrator.answerDocument(call_id, { id: 'CA-someone-else' })).toThrow(/another carrier call/);
    expect(() => orchestrator.answerDocument(call_id, {})).toThrow(/names no carrier call/);
    const token = answer(orchestrator, call_id);
    const elsewhere = startStream(orchestrator, call_id, token, 'CA-someone-else');
    expect(elsewhere.socket.closed?.code).toBe(POLICY_VIOLATION);
    expect(inputs).toHaveLength(0);
    // The refusal spent nothing: the real stream still starts.
    const real = startStream(orchestrator, call_id, token);
    expect(real.socket.closed).toBeUndefined();
    expect(inputs).toHaveLength(1);
  });
});

describe('capacity', () => {
  it('refuses a dial beyond maxCalls with a retry-after, and takes one again once a call has ended', async () => {
    const { orchestrator, carrier } = setup(agent, { maxCalls: 2, capacityRetryAfterSeconds: 7 });
    const first = await orchestrator.placeCall({ ...dial, idempotencyKey: 'k1' });
    await orchestrator.placeCall({ ...dial, idempotencyKey: 'k2' });
    const refused = orchestrator.placeCall({ ...dial, idempotencyKey: 'k3' });
    await expect(refused).rejects.toThrow(GatewayAtCapacityError);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 7, message: 'gateway at capacity: 2 calls in progress' });
    expect(carrier.placed).toHaveLength(2);
    // A key already placed still answers with its call at capacity.
    expect((await orchestrator.placeCall({ ...dial, idempotencyKey: 'k1' })).call_id).toBe(first.call_id);

    await orchestrator.handleStatusCallback(first.call_id, { id: 'CA1', state: 'busy' });
    await orchestrator.waitForCompletion(first.call_id, 1000);
    await orchestrator.placeCall({ ...dial, idempotencyKey: 'k3' });
    expect(carrier.placed).toHaveLength(3);
    expect(orchestrator.callsInProgress).toBe(2);
  });

  it('gives a dial refused before any call (an unknown agent) its place back', async () => {
    const { orchestrator } = setup(agent, { maxCalls: 1 });
    await expect(orchestrator.placeCall({ ...dial, agentId: 'nobody' })).rejects.toThrow('unknown agent');
    expect(orchestrator.callsInProgress).toBe(0);
    await orchestrator.placeCall(dial);
    expect(orchestrator.callsInProgress).toBe(1);
  });
});

describe('idempotency keys', () => {
  it('bind a key to its agent, number and carrier', async () => {
    const { orchestrator, carrier } = setup();
    const first = await orchestrator.placeCall({ ...dial, idempotencyKey: 'attempt-7' });
    expect((await orchestrator.placeCall({ ...dial, idempotencyKey: 'attempt-7' })).call_id).toBe(first.call_id);
    await expect(orchestrator.placeCall({ ...dial, agentId: 'agent-2', idempotencyKey: 'attempt-7' })).rejects.toThrow(IdempotencyConflictError);
    await expect(orchestrator.placeCall({ ...dial, to: '+15551234567', idempotencyKey: 'attempt-7' })).rejects.toThrow(IdempotencyConflictError);
    expect(carrier.placed).toHaveLength(1);
  });
});

describe('a restart', () => {
  it('ends every call the last run left in flight as failed: gateway restarted, hangs up lines still up, and never dials a key again', async () => {
    const store = new InMemoryCallStore();
    const before = setup(agent, { store });
    const ringing = await before.orchestrator.placeCall({ ...dial, idempotencyKey: 'ring-1' });
    const talking = await before.orchestrator.placeCall({ ...dial, idempotencyKey: 'talk-1' });
    startStream(before.orchestrator, talking.call_id, answer(before.orchestrator, talking.call_id, 'CA2'), 'CA2');
    const done = await before.orchestrator.placeCall({ ...dial, idempotencyKey: 'done-1' });
    await before.orchestrator.handleStatusCallback(done.call_id, { id: 'CA3', state: 'busy' });
    await before.orchestrator.waitForCompletion(done.call_id, 1000);
    // The process dies here: nothing is shut down.

    const after = setup(agent, { store });
    after.carrier.lines.set('CA1', { up: true, status: 'ringing' });
    after.carrier.lines.set('CA2', { up: false, status: 'completed' });
    expect(await after.orchestrator.recoverInterruptedCalls()).toEqual({ calls: 2, hungUp: 1 });
    expect(after.carrier.lookedUp.sort()).toEqual(['CA1', 'CA2']);
    expect(after.carrier.hungUp).toEqual(['CA1']);

    for (const call of [ringing, talking]) {
      expect(after.orchestrator.view(call.call_id)).toMatchObject({ state: 'completed', outcome: { status: 'failed', reason: 'gateway restarted' } });
    }
    expect(after.orchestrator.view(done.call_id).outcome).toEqual({ status: 'busy' });
    // The campaign re-sends a dial in doubt with its key: the same call, never a second dial.
    expect((await after.orchestrator.placeCall({ ...dial, idempotencyKey: 'ring-1' })).call_id).toBe(ringing.call_id);
    await expect(after.orchestrator.placeCall({ ...dial, to: '+15551234567', idempotencyKey: 'ring-1' })).rejects.toThrow(IdempotencyConflictError);
    expect(after.carrier.placed).toHaveLength(0);
    // Their webhooks and streams find an ended call.
    expect(() => after.orchestrator.answerDocument(ringing.call_id, { id: 'CA1' })).toThrow(AnswerRefusedError);
    await after.orchestrator.handleStatusCallback(ringing.call_id, { id: 'CA1', state: 'answered' });
    expect(after.orchestrator.view(ringing.call_id).state).toBe('completed');
    expect((await after.orchestrator.recoverInterruptedCalls()).calls).toBe(0);
  });
});

describe('records', () => {
  it('mask the number and every phone column of the row, unless the gateway keeps numbers whole', async () => {
    for (const keepFullNumbers of [false, true]) {
      const { orchestrator, archive } = setup(agent, { keepFullNumbers });
      const { call_id } = await orchestrator.placeCall(dial);
      await orchestrator.handleStatusCallback(call_id, { id: 'CA1', state: 'no_answer' });
      await orchestrator.waitForCompletion(call_id, 1000);
      const [record] = archive.records;
      if (keepFullNumbers) {
        expect(record.to).toBe('+919876543210');
        expect(record.context).toEqual(row);
      } else {
        expect(record.to).toBe('+91********10');
        expect(record.context).toEqual({ ...row, recipient_phone_number: '+91********10', alternate_phone: '98******10' });
        expect(JSON.stringify(record)).not.toContain('9876543210');
      }
    }
  });
});
