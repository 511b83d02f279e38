import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentRuntimeConfig } from '@codcall/agent-config';
import type { ConversationResult } from '@codcall/conversation-engine';
import { maskPhone, type Logger } from '@codcall/logging';
import { CallRecording, FRAME_BYTES, type CallAudioOutput, type CallMediaEvent } from '@codcall/media';
import type { Carrier, CarrierName, CarrierStatusUpdate, MediaStreamCodec } from '@codcall/telephony-providers';
import { toCallView, type CallOutcome, type CallRecord, type CallView } from './call-record';
import { outcomeFromCarrier, outcomeFromConversation } from './outcome-mapping';
import type { StreamTokenSigner } from './stream-token';
import { timezoneForCallee } from './timezone';

/** Where agents come from (the agent API over HTTP, in production). */
export interface AgentSource {
  getRuntimeConfig(agentId: string): Promise<AgentRuntimeConfig>;
}

/** One conversation per media stream; the engine's ConversationSession in production. */
export interface Conversation {
  start(): Promise<void>;
  handleAudio(mulaw: Buffer): void;
  handleMark(name: string): void;
  handleDtmf(digit: string): void;
  handleStreamEnd(): void;
  /** A machine answered: say this after its beep, then hang up. */
  leaveMessage(text: string): void;
  readonly result: Promise<ConversationResult>;
}

export interface ConversationInput {
  callId: string;
  agent: AgentRuntimeConfig;
  variables: Record<string, string>;
  timezone: string;
  output: CallAudioOutput;
  onHangup: (reason: string) => void;
  logger: Logger;
}

export interface ConversationFactory {
  /** Called while the phone rings: a chance to synthesise the greeting before anyone answers. */
  prepare?(input: { callId: string; agent: AgentRuntimeConfig; variables: Record<string, string>; logger: Logger }): void;
  create(input: ConversationInput): { conversation: Conversation; providers: CallRecord['providers'] };
}

/** Carriers that can take a scripted callee for one call (the simulator). */
interface ScriptableCarrier extends Carrier {
  setCallee(callId: string, profile: unknown): void;
}

export interface PlaceCallInput {
  agentId: string;
  to: string;
  context: Record<string, string>;
  carrier: CarrierName;
  /** A scripted callee for this call; only the simulator accepts one. */
  simulation?: unknown;
  /**
   * The client's name for this dial (HTTP Idempotency-Key): the same key again, within the
   * retention time, answers with the call it already placed instead of dialling a second time.
   */
  idempotencyKey?: string;
}

export interface CallOrchestratorOptions {
  carriers: Partial<Record<CarrierName, Carrier>>;
  agents: AgentSource;
  conversations: ConversationFactory;
  /** http(s)://host[:port] the carrier reaches us at; every URL we hand a carrier is built from it. */
  publicBaseUrl: string;
  tokens: StreamTokenSigner;
  /** Where each call's WAV recording and JSON record are written. */
  recordsDir: string;
  logger: Logger;
  ringTimeoutSeconds?: number;
  /** How long a finished call stays queryable in memory; its JSON record stays on disk. */
  retentionMs?: number;
  now?: () => number;
}

export class CallNotFoundError extends Error {
  constructor(readonly callId: string) {
    super(`call ${callId} not found`);
  }
}

export class CarrierNotConfiguredError extends Error {
  constructor(readonly carrier: string) {
    super(`carrier ${carrier} is not configured on this gateway`);
  }
}

/** The same idempotency key came with another number or carrier: a client bug, never a dial. */
export class IdempotencyConflictError extends Error {
  constructor(readonly key: string) {
    super(`Idempotency-Key ${key} was already used for a call to another number or through another carrier`);
  }
}

export class SimulationNotSupportedError extends Error {
  constructor(readonly carrier: string) {
    super(`a simulated callee was given, but carrier ${carrier} dials real phones; use carrier "sim"`);
  }
}

interface ActiveCall {
  record: CallRecord;
  agent: AgentRuntimeConfig;
  startedAtMs: number;
  answeredAtMs?: number;
  recording?: CallRecording;
  conversation?: Conversation;
  streamOpen: boolean;
  hangupRequested: boolean;
  /** A machine answered and the agent leaves a message: the call ends as voicemail, whatever the conversation says. */
  leavingVoicemail?: boolean;
  settled: Promise<void>;
  resolveSettled: () => void;
  watchdog?: NodeJS.Timeout;
}

/** What the gateway's WebSocket edge hands us for one media-stream connection. */
export interface MediaSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

export interface MediaStreamHandler {
  onMessage(text: string): void;
  onClose(): void;
}

/** WebSocket close code for a stream refused on policy grounds (bad token, ended call). */
export const POLICY_VIOLATION = 1008;

/**
 * Runs calls from request to outcome: asks the carrier to dial, answers the carrier's webhooks,
 * binds the media stream to a conversation, records both sides, and settles exactly one outcome
 * per call.
 */
export class CallOrchestrator {
  private readonly calls = new Map<string, ActiveCall>();
  /** Dials by idempotency key, so a client that lost our answer can ask again without a second dial. */
  private readonly dials = new Map<string, { to: string; carrier: CarrierName; placed: Promise<CallView> }>();
  private readonly now: () => number;
  private readonly ringTimeoutSeconds: number;

  constructor(private readonly options: CallOrchestratorOptions) {
    this.now = options.now ?? Date.now;
    this.ringTimeoutSeconds = options.ringTimeoutSeconds ?? 30;
  }

  availableCarriers(): CarrierName[] {
    return (Object.keys(this.options.carriers) as CarrierName[]).filter((name) => this.options.carriers[name]);
  }

  async placeCall(input: PlaceCallInput): Promise<CallView> {
    const key = input.idempotencyKey;
    if (key === undefined) return this.placeNewCall(input);
    const earlier = this.dials.get(key);
    if (earlier) {
      if (earlier.to !== input.to || earlier.carrier !== input.carrier) throw new IdempotencyConflictError(key);
      const view = await earlier.placed;
      return this.calls.has(view.call_id) ? this.view(view.call_id) : view;
    }
    const placed = this.placeNewCall(input);
    this.dials.set(key, { to: input.to, carrier: input.carrier, placed });
    // A request refused before any dial (unknown agent or carrier) may be sent again and dial then.
    placed.catch(() => this.dials.delete(key));
    setTimeout(() => this.dials.delete(key), this.options.retentionMs ?? 3_600_000).unref();
    return placed;
  }

  private async placeNewCall(input: PlaceCallInput): Promise<CallView> {
    const carrier = this.options.carriers[input.carrier];
    if (!carrier) throw new CarrierNotConfiguredError(input.carrier);
    if (input.simulation !== undefined && !isScriptable(carrier)) throw new SimulationNotSupportedError(input.carrier);
    const agent = await this.options.agents.getRuntimeConfig(input.agentId);

    const callId = randomUUID();
    let resolveSettled!: () => void;
    const settled = new Promise<void>((resolve) => (resolveSettled = resolve));
    const call: ActiveCall = {
      agent,
      startedAtMs: this.now(),
      streamOpen: false,
      hangupRequested: false,
      settled,
      resolveSettled,
      record: {
        callId,
        agentId: input.agentId,
        carrier: input.carrier,
        to: input.to,
        context: input.context,
        state: 'queued',
        createdAt: new Date(this.now()).toISOString(),
        timeline: [],
        transcript: [],
        toolCalls: [],
        turnLatenciesMs: [],
      },
    };
    this.calls.set(callId, call);
    const log = this.log(callId);
    if (input.simulation !== undefined && isScriptable(carrier)) carrier.setCallee(callId, input.simulation);

    try {
      this.options.conversations.prepare?.({ callId, agent, variables: input.context, logger: log });
    } catch (error) {
      log.warn({ err: error }, 'could not prepare the greeting; it will be synthesised on answer');
    }
    const base = this.options.publicBaseUrl.replace(/\/$/, '');
    try {
      const placed = await carrier.placeCall({
        callId,
        to: input.to,
        answerUrl: `${base}/call/${callId}/answer`,
        statusCallbackUrl: `${base}/call/${callId}/status`,
        machineDetectionUrl: `${base}/call/${callId}/status`,
        ringTimeoutSeconds: this.ringTimeoutSeconds,
        machineDetection: true,
        machineDetectionMode: agent.voicemail.action === 'leave_message' ? 'message_end' : 'start',
        timeLimitSeconds: agent.timing.maxCallSeconds + 30,
      });
      call.record.carrierCallId = placed.carrierCallId;
      this.mark(call, 'dialled', input.carrier);
      log.info({ to: input.to, carrier: input.carrier }, 'call placed');
    } catch (error) {
      log.error({ err: error }, 'carrier refused the call');
      await this.settle(call, { status: 'failed', reason: `carrier refused the call: ${describe(error)}` });
      return toCallView(call.record);
    }
    // A call the carrier never reports on still ends: ring time, the longest conversation, and slack.
    const limitMs = (this.ringTimeoutSeconds + agent.timing.maxCallSeconds + 60) * 1000;
    call.watchdog = setTimeout(() => {
      void this.hangup(call, 'watchdog');
      void this.settle(call, { status: 'failed', reason: 'no word from the carrier before the call time limit' });
    }, limitMs);
    call.watchdog.unref();
    return toCallView(call.record);
  }

  view(callId: string): CallView {
    return toCallView(this.get(callId).record);
  }

  /** Resolves with the call's view once it has an outcome, or after `timeoutMs`. */
  async waitForCompletion(callId: string, timeoutMs: number): Promise<CallView> {
    const call = this.get(callId);
    if (call.record.state !== 'completed' && timeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([call.settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    }
    return toCallView(call.record);
  }

  /** The answer document for the carrier named by the call, with the stream's parameters. */
  answerDocument(callId: string): { contentType: string; body: string } {
    const call = this.get(callId);
    const carrier = this.carrierOf(call);
    const wsBase = this.options.publicBaseUrl.replace(/^http/, 'ws').replace(/\/$/, '');
    this.mark(call, 'answer document served');
    return carrier.answerDocument({
      streamUrl: `${wsBase}/media-stream/${call.record.carrier}`,
      parameters: { call_id: callId, token: this.options.tokens.issue(callId) },
    });
  }

  carrierFor(callId: string): Carrier {
    return this.carrierOf(this.get(callId));
  }

  /** A status or machine-detection webhook, already signature-checked by the edge. */
  async handleStatusCallback(callId: string, params: Record<string, string>): Promise<void> {
    const call = this.get(callId);
    const update = this.carrierOf(call).parseStatusCallback(params);
    if (!update) return;
    this.applyStatus(call, update);
  }

  /** Binds one media-stream socket of the given carrier's protocol. */
  openMediaStream(carrierName: CarrierName, socket: MediaSocket): MediaStreamHandler {
    const carrier = this.options.carriers[carrierName];
    if (!carrier) {
      socket.close(POLICY_VIOLATION, `carrier ${carrierName} is not configured`);
      return { onMessage: () => undefined, onClose: () => undefined };
    }
    const codec = carrier.createMediaCodec();
    let call: ActiveCall | undefined;
    let closed = false;
    const refuse = (reason: string) => {
      closed = true;
      this.options.logger.warn({ reason }, 'media stream refused');
      socket.close(POLICY_VIOLATION, reason);
    };

    const handle = (event: CallMediaEvent) => {
      if (event.type === 'start') {
        if (call) return;
        const callId = event.parameters['call_id'];
        const candidate = callId ? this.calls.get(callId) : undefined;
        if (!candidate || candidate.record.carrier !== carrierName) return refuse('unknown call');
        if (!this.options.tokens.verify(candidate.record.callId, event.parameters['token'])) return refuse('invalid stream token');
        if (candidate.record.state === 'completed' || candidate.streamOpen) return refuse('call already ended or streaming');
        call = candidate;
        this.startConversation(call, codec, socket, event.carrierCallId);
        return;
      }
      if (!call?.conversation) return;
      switch (event.type) {
        case 'audio':
          call.recording?.addInbound(event.payload);
          call.conversation.handleAudio(event.payload);
          break;
        case 'mark':
          call.conversation.handleMark(event.name);
          break;
        case 'dtmf':
          this.mark(call, 'dtmf', event.digit);
          call.conversation.handleDtmf(event.digit);
          break;
        case 'stop':
          this.endStream(call);
          break;
      }
    };

    return {
      onMessage: (text: string) => {
        if (closed) return;
        let events: CallMediaEvent[];
        try {
          events = codec.parse(text);
        } catch (error) {
          return refuse(`malformed media message: ${describe(error)}`);
        }
        for (const event of events) handle(event);
      },
      onClose: () => {
        closed = true;
        if (call) this.endStream(call);
      },
    };
  }

  /** Ends every call in progress; used at shutdown. */
  async shutdown(): Promise<void> {
    const open = [...this.calls.values()].filter((call) => call.record.state !== 'completed');
    await Promise.all(
      open.map(async (call) => {
        await this.hangup(call, 'gateway shutting down');
        await this.settle(call, { status: 'failed', reason: 'the gateway shut down during the call' });
      }),
    );
  }

  private startConversation(call: ActiveCall, codec: MediaStreamCodec, socket: MediaSocket, carrierCallId: string): void {
    const log = this.log(call.record.callId);
    call.streamOpen = true;
    call.answeredAtMs ??= this.now();
    call.record.answeredAt ??= new Date(call.answeredAtMs).toISOString();
    call.record.state = 'in_progress';
    // The stream names the live call; Plivo's API answered the dial with a request id instead.
    if (carrierCallId) call.record.carrierCallId = carrierCallId;
    call.recording = new CallRecording();
    this.mark(call, 'media stream started');

    const recording = call.recording;
    const sinceAnswer = () => this.now() - (call.answeredAtMs ?? call.startedAtMs);
    let spoke = false;
    const output: CallAudioOutput = {
      sendAudio: (mulaw) => {
        if (!spoke) this.mark(call, 'first agent audio sent');
        spoke = true;
        recording.addOutbound(mulaw, sinceAnswer());
        for (let offset = 0; offset < mulaw.length; offset += FRAME_BYTES) {
          socket.send(codec.formatAudio(mulaw.subarray(offset, offset + FRAME_BYTES)));
        }
      },
      sendMark: (name) => socket.send(codec.formatMark(name)),
      clear: () => {
        recording.clearOutbound(sinceAnswer());
        this.mark(call, 'clear sent');
        socket.send(codec.formatClear());
      },
    };
    const variables = call.record.context;
    const { conversation, providers } = this.options.conversations.create({
      callId: call.record.callId,
      agent: call.agent,
      variables,
      timezone: timezoneForCallee(call.record.to, variables['timezone'], call.agent.defaultTimezone),
      output,
      onHangup: (reason) => {
        this.mark(call, 'agent hung up', reason);
        void this.hangup(call, reason);
      },
      logger: log,
    });
    call.conversation = conversation;
    call.record.providers = providers;
    conversation.result.then(
      (result) => {
        call.record.transcript = result.transcript;
        call.record.toolCalls = result.toolCalls;
        call.record.turnLatenciesMs = result.turns.map((turn) => turn.latencyMs);
        const outcome = call.leavingVoicemail ? { status: 'voicemail' as const, reason: 'message left after the beep' } : outcomeFromConversation(result);
        void this.settle(call, outcome).then(() => this.hangup(call, 'conversation over'));
      },
      (error: unknown) => {
        log.error({ err: error }, 'conversation crashed');
        void this.settle(call, { status: 'failed', reason: `conversation error: ${describe(error)}` });
        void this.hangup(call, 'conversation error');
      },
    );
    conversation.start().catch((error: unknown) => {
      log.error({ err: error }, 'conversation failed to start');
      void this.settle(call, { status: 'failed', reason: `could not start the conversation: ${describe(error)}` });
      void this.hangup(call, 'conversation failed to start');
    });
  }

  private endStream(call: ActiveCall): void {
    if (!call.streamOpen) return;
    call.streamOpen = false;
    this.mark(call, 'media stream ended');
    call.conversation?.handleStreamEnd();
  }

  private applyStatus(call: ActiveCall, update: CarrierStatusUpdate): void {
    this.mark(call, 'carrier status', [update.state, update.answeredBy && `answered by ${update.answeredBy}`].filter(Boolean).join(', '));
    if (update.durationSeconds !== undefined) call.record.durationSeconds = update.durationSeconds;
    if (update.state) call.record.carrierStatus = update.detail ? `${update.state} (${update.detail})` : update.state;
    if (call.record.state === 'completed') return;
    if (update.state === 'ringing' && call.record.state === 'queued') call.record.state = 'ringing';
    if (update.state === 'answered' && call.record.state !== 'in_progress') {
      call.record.state = 'in_progress';
      call.answeredAtMs ??= this.now();
      call.record.answeredAt ??= new Date(call.answeredAtMs).toISOString();
    }
    const voicemail = call.agent.voicemail;
    if (update.answeredBy === 'machine' && voicemail.action === 'leave_message' && voicemail.message) {
      // Leave the message once the machine's greeting has ended; a machine detected any other way is hung up on.
      if (update.machineGreetingEnded && call.conversation && call.streamOpen && !call.leavingVoicemail) {
        call.leavingVoicemail = true;
        this.mark(call, 'leaving a voicemail message');
        call.conversation.leaveMessage(voicemail.message);
        return;
      }
      if (call.leavingVoicemail) return;
    }
    const outcome = outcomeFromCarrier(update);
    if (outcome) {
      if (outcome.status === 'voicemail') void this.hangup(call, 'answering machine');
      void this.settle(call, outcome);
      return;
    }
    if (update.state === 'completed') {
      // The carrier says the line is down; the conversation (if any) settles from its own end.
      if (call.conversation) this.endStream(call);
      else void this.settle(call, { status: 'failed', reason: 'the call ended before the media stream connected' });
    }
  }

  private async hangup(call: ActiveCall, reason: string): Promise<void> {
    if (call.hangupRequested || !call.record.carrierCallId) return;
    call.hangupRequested = true;
    try {
      await this.carrierOf(call).hangup(call.record.carrierCallId);
      this.mark(call, 'hangup requested', reason);
    } catch (error) {
      this.log(call.record.callId).warn({ err: error }, 'carrier hangup failed');
    }
  }

  private async settle(call: ActiveCall, outcome: CallOutcome): Promise<void> {
    if (call.record.outcome) return;
    call.record.outcome = stripUndefined(outcome);
    call.record.state = 'completed';
    call.record.endedAt = new Date(this.now()).toISOString();
    if (call.watchdog) clearTimeout(call.watchdog);
    this.mark(call, 'outcome', outcome.status);
    if (call.conversation && call.streamOpen) call.conversation.handleStreamEnd();
    try {
      await this.persist(call);
    } catch (error) {
      this.log(call.record.callId).error({ err: error }, 'could not write the call record');
    }
    this.log(call.record.callId).info({ to: call.record.to, status: outcome.status, reason: outcome.reason }, 'call settled');
    call.resolveSettled();
    const evict = setTimeout(() => this.calls.delete(call.record.callId), this.options.retentionMs ?? 3_600_000);
    evict.unref();
  }

  private async persist(call: ActiveCall): Promise<void> {
    const dir = this.options.recordsDir;
    await mkdir(dir, { recursive: true });
    if (call.recording) {
      const wavPath = join(dir, `${call.record.callId}.wav`);
      await call.recording.writeWav(wavPath);
      call.record.recordingPath = wavPath;
    }
    const jsonPath = join(dir, `${call.record.callId}.json`);
    const temp = `${jsonPath}.tmp`;
    await writeFile(temp, JSON.stringify({ ...call.record, to: maskPhone(call.record.to) }, null, 2));
    await rename(temp, jsonPath);
  }

  private mark(call: ActiveCall, event: string, detail?: string): void {
    call.record.timeline.push({ atMs: this.now() - call.startedAtMs, event, ...(detail ? { detail } : {}) });
  }

  private get(callId: string): ActiveCall {
    const call = this.calls.get(callId);
    if (!call) throw new CallNotFoundError(callId);
    return call;
  }

  private carrierOf(call: ActiveCall): Carrier {
    const carrier = this.options.carriers[call.record.carrier];
    if (!carrier) throw new CarrierNotConfiguredError(call.record.carrier);
    return carrier;
  }

  private log(callId: string): Logger {
    return this.options.logger.child({ callId });
  }
}

function isScriptable(carrier: Carrier): carrier is ScriptableCarrier {
  return typeof (carrier as Partial<ScriptableCarrier>).setCallee === 'function';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
