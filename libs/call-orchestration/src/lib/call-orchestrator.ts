import { randomUUID } from 'node:crypto';
import { localiseAgent } from '@codcall/agent-config';
import type { TranscriptEntry } from '@codcall/conversation-engine';
import { maskNumbersInText, type Logger } from '@codcall/logging';
import type { AnswerDocument, Carrier, CarrierName } from '@codcall/telephony-providers';
import { Call, TRANSFER_FETCH_WINDOW_MS } from './call';
import type { CallOutcome, CallView } from './call-record';
import type { AgentSource, ConversationFactory } from './conversation';
import {
  AnswerRefusedError,
  CallNotFoundError,
  CarrierNotConfiguredError,
  GatewayAtCapacityError,
  IdempotencyConflictError,
  SimulationNotSupportedError,
  TransferDocumentRefusedError,
} from './errors';
import {
  DEFAULT_MEDIA_STREAM_LIMITS,
  MediaSocketAdmission,
  MediaStreamConnection,
  POLICY_VIOLATION,
  type MediaSocket,
  type MediaStreamHandler,
  type MediaStreamLimits,
  type StartEvent,
  type StreamBinding,
} from './media-stream-connection';
import { InMemoryCallStore, type CallArchive, type CallStore, type StoredCall } from './ports';
import type { StreamTokenSigner } from './stream-token';

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
   * The client's name for this dial (HTTP Idempotency-Key): the same key again, with the same
   * agent, number and carrier, answers with the call it already placed instead of dialling again,
   * also after a restart of the gateway.
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
  /** Where each call's JSON record and WAV recording go. */
  archive: CallArchive;
  /** The gateway's memory of calls across restarts; in memory only when not given. */
  store?: CallStore;
  logger: Logger;
  ringTimeoutSeconds?: number;
  /** How long a finished call stays in memory; the store answers for it after that. */
  retentionMs?: number;
  /** Live calls at most; one more dial is refused with GatewayAtCapacityError. */
  maxCalls?: number;
  /** What a refused dial is told to wait before it is sent again. */
  capacityRetryAfterSeconds?: number;
  /** Records keep phone numbers whole instead of masked. */
  keepFullNumbers?: boolean;
  /** E.164 number a callee who asks for a person is transferred to; unset, no call offers a transfer. */
  transferNumber?: string;
  /**
   * Draws the id of a new call (a UUID v4); a gateway running one process per core encodes the
   * owning worker in it, so whichever connection a carrier opens can be routed to that worker.
   */
  newCallId?: () => string;
  media?: Partial<MediaStreamLimits> & {
    /** Sockets from one address that have not sent a valid start yet (default 16). */
    maxAwaitingStartPerAddress?: number;
    /** All media sockets at once (default maxCalls + 32). */
    maxSockets?: number;
    /** After the carrier's answer, how long its media stream may take to start before the call is hung up on (default 20 s). */
    streamDeadlineMs?: number;
  };
  now?: () => number;
}

/** Where a media-stream socket comes from, for the per-address cap. */
export interface MediaSocketOrigin {
  remoteAddress?: string;
}

const DEFAULT_MAX_CALLS = 100;
const GATEWAY_RESTARTED: CallOutcome = { status: 'failed', reason: 'gateway restarted' };

/**
 * Runs calls from request to outcome: asks the carrier to dial, answers the carrier's webhooks,
 * binds each media stream to its call, and keeps every call in the store so that it answers for
 * it after a restart. Each call's own life is `Call`'s; each socket's, `MediaStreamConnection`'s.
 */
export class CallOrchestrator {
  private readonly calls = new Map<string, Call>();
  /** Dials in progress by idempotency key, so a key sent twice at once still dials once; the store answers afterwards. */
  private readonly dials = new Map<string, { agentId: string; to: string; carrier: CarrierName; placed: Promise<CallView> }>();
  private readonly store: CallStore;
  private readonly now: () => number;
  private readonly ringTimeoutSeconds: number;
  private readonly maxCalls: number;
  private readonly mediaLimits: MediaStreamLimits;
  private readonly admission: MediaSocketAdmission;
  /** Live calls, and dials taken but not yet calls: what maxCalls bounds. */
  private live = 0;
  private closing = false;

  constructor(private readonly options: CallOrchestratorOptions) {
    this.now = options.now ?? Date.now;
    this.store = options.store ?? new InMemoryCallStore();
    this.ringTimeoutSeconds = options.ringTimeoutSeconds ?? 30;
    this.maxCalls = options.maxCalls ?? DEFAULT_MAX_CALLS;
    this.mediaLimits = { ...DEFAULT_MEDIA_STREAM_LIMITS, ...pickDefined({ startTimeoutMs: options.media?.startTimeoutMs, idleTimeoutMs: options.media?.idleTimeoutMs }) };
    this.admission = new MediaSocketAdmission({
      maxAwaitingStartPerAddress: options.media?.maxAwaitingStartPerAddress ?? 16,
      maxSockets: options.media?.maxSockets ?? this.maxCalls + 32,
    });
  }

  availableCarriers(): CarrierName[] {
    return (Object.keys(this.options.carriers) as CarrierName[]).filter((name) => this.options.carriers[name]);
  }

  /** Live calls now (for /health and tests). */
  get callsInProgress(): number {
    return this.live;
  }

  async placeCall(input: PlaceCallInput): Promise<CallView> {
    const key = input.idempotencyKey;
    if (key === undefined) return this.placeNewCall(input);
    const inFlight = this.dials.get(key);
    if (inFlight) {
      this.checkBinding(key, inFlight, input);
      return this.currentView(await inFlight.placed);
    }
    const earlier = this.store.findByIdempotencyKey(key);
    if (earlier) {
      this.checkBinding(key, earlier, input);
      return this.view(earlier.callId);
    }
    const placed = this.placeNewCall(input);
    this.dials.set(key, { agentId: input.agentId, to: input.to, carrier: input.carrier, placed });
    // Once placed, the store holds the key; a dial refused before any call (unknown agent) may be sent again.
    placed.then(
      () => this.dials.delete(key),
      () => this.dials.delete(key),
    );
    return placed;
  }

  view(callId: string): CallView {
    const call = this.calls.get(callId);
    if (call) return call.view;
    const stored = this.store.load(callId);
    if (!stored) throw new CallNotFoundError(callId);
    return stored.view;
  }

  /** What has been said on a live call so far (the simulator's persona callees answer from it); a call not live here has none. */
  transcriptSoFar(callId: string): readonly TranscriptEntry[] {
    return this.calls.get(callId)?.transcriptSoFar() ?? [];
  }

  /** Resolves with the call's view once it has an outcome, or after `timeoutMs`. */
  async waitForCompletion(callId: string, timeoutMs: number): Promise<CallView> {
    const call = this.calls.get(callId);
    if (!call) return this.view(callId);
    if (call.isLive && timeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([call.settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    }
    return call.view;
  }

  /**
   * The answer document, with the stream's parameters and a fresh token: served once per call,
   * and only to a webhook naming the carrier call the dial returned. Anything else (a replay, a
   * call that ended) is refused with AnswerRefusedError and no token.
   */
  answerDocument(callId: string, params: Record<string, string> = {}): AnswerDocument {
    const call = this.calls.get(callId);
    if (!call) {
      if (this.store.load(callId)) throw new AnswerRefusedError(callId, 'the call has ended');
      throw new CallNotFoundError(callId);
    }
    const carrier = this.carrier(call.record.carrier);
    call.acceptAnswerFetch(carrier.webhookCallIds(params));
    const wsBase = this.options.publicBaseUrl.replace(/^http/, 'ws').replace(/\/$/, '');
    return carrier.answerDocument({
      // The call id in the path (carriers keep paths, drop queries) routes the socket to the call's worker before any message.
      streamUrl: `${wsBase}/media-stream/${call.record.carrier}/${callId}`,
      parameters: { call_id: callId, token: this.options.tokens.issue(callId) },
    });
  }

  /**
   * The document of a transfer under way (Plivo's `<Dial>` at the call's transfer URL), for a fetch
   * the edge has signature-checked: served once, only to a fetch naming the carrier call the dial
   * returned, and only while the transfer the call asked for awaits it (also just after the call
   * settled as transferred). Anything else is refused with TransferDocumentRefusedError.
   */
  transferDocument(callId: string, params: Record<string, string> = {}): AnswerDocument {
    const call = this.calls.get(callId);
    if (!call) {
      if (this.store.load(callId)) throw new TransferDocumentRefusedError(callId, 'the call has ended');
      throw new CallNotFoundError(callId);
    }
    const carrier = this.carrier(call.record.carrier);
    if (!carrier.transferDocument) throw new TransferDocumentRefusedError(callId, `carrier ${carrier.name} transfers without a document of ours`);
    const carrierCallId = call.acceptTransferFetch(carrier.webhookCallIds(params));
    const document = carrier.transferDocument(carrierCallId);
    if (!document) throw new TransferDocumentRefusedError(callId, 'the carrier has no transfer of the call under way');
    return document;
  }

  /** The carrier a call's webhooks come from, to check their signature. */
  carrierFor(callId: string): Carrier {
    const carrier = this.calls.get(callId)?.record.carrier ?? this.store.load(callId)?.carrier;
    if (!carrier) throw new CallNotFoundError(callId);
    return this.carrier(carrier);
  }

  /** A status or machine-detection webhook, already signature-checked by the edge. */
  async handleStatusCallback(callId: string, params: Record<string, string>): Promise<void> {
    const call = this.calls.get(callId);
    // A call that is over (and may have left memory) takes no more news.
    if (!call) return void this.carrierFor(callId);
    const carrier = this.carrier(call.record.carrier);
    const { dialled } = carrier.webhookCallIds(params);
    if (dialled && call.record.carrierCallId && dialled !== call.record.carrierCallId) {
      this.log(callId).warn('status webhook for another carrier call: ignored');
      return;
    }
    const update = carrier.parseStatusCallback(params);
    if (update) call.applyStatus(update);
  }

  /** Binds one media-stream socket of the given carrier's protocol. */
  openMediaStream(carrierName: CarrierName, socket: MediaSocket, origin: MediaSocketOrigin = {}): MediaStreamHandler {
    const ignore: MediaStreamHandler = { onMessage: () => undefined, onClose: () => undefined };
    const carrier = this.options.carriers[carrierName];
    if (!carrier) {
      socket.close(POLICY_VIOLATION, `carrier ${carrierName} is not configured`);
      return ignore;
    }
    const place = this.admission.admit(origin.remoteAddress);
    if ('refused' in place) {
      this.options.logger.warn({ reason: place.refused }, 'media socket refused');
      socket.close(POLICY_VIOLATION, place.refused);
      return ignore;
    }
    return new MediaStreamConnection({
      codec: carrier.createMediaCodec(),
      socket,
      limits: this.mediaLimits,
      logger: this.options.logger.child({ carrier: carrierName }),
      bind: (start, connection) => this.bindStream(carrierName, start, connection),
      onStarted: place.started,
      onClosed: place.closed,
    });
  }

  /**
   * Ends, as `failed: gateway restarted`, every call a previous run of the gateway left unsettled,
   * then asks each call's carrier about it and hangs up a line still up. The store is settled
   * before this returns its promise, so GET /call/:id answers at once; the carrier checks follow.
   * A dial whose carrier id never came back has nothing to ask about: if the carrier placed it
   * anyway, its answer webhook finds an ended call and gets no stream.
   */
  recoverInterruptedCalls(): Promise<{ calls: number; hungUp: number }> {
    const left = this.store.unsettled().filter((stored) => !this.calls.has(stored.callId));
    const endedAt = new Date(this.now()).toISOString();
    for (const stored of left) {
      const view: CallView = { ...stored.view, state: 'completed', outcome: GATEWAY_RESTARTED };
      this.store.save({ ...stored, phase: 'settled', outcome: GATEWAY_RESTARTED, endedAt, view });
    }
    if (left.length) this.options.logger.warn({ calls: left.length }, 'calls left in flight by the last run ended as failed: gateway restarted');
    return this.hangUpLeftovers(left);
  }

  /** Ends every call in progress; used at shutdown. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const open = [...this.calls.values()].filter((call) => call.isLive);
    await Promise.all(open.map((call) => call.end({ status: 'failed', reason: 'the gateway shut down during the call' })));
  }

  private async placeNewCall(input: PlaceCallInput): Promise<CallView> {
    const carrier = this.carrier(input.carrier);
    if (input.simulation !== undefined && !isScriptable(carrier)) throw new SimulationNotSupportedError(input.carrier);
    if (this.closing || this.live >= this.maxCalls) throw new GatewayAtCapacityError(this.live, this.options.capacityRetryAfterSeconds ?? 5);
    this.live++;
    let call: Call;
    try {
      // The row's language cell picks the call's language (texts, voice, recogniser, prompt); one naming no language is refused here, before any dial.
      const agent = localiseAgent(await this.options.agents.getRuntimeConfig(input.agentId), input.context['language']);
      const callId = (this.options.newCallId ?? randomUUID)();
      call = new Call(
        {
          carrier,
          conversations: this.options.conversations,
          store: this.store,
          archive: this.options.archive,
          logger: this.log(callId),
          now: this.now,
          keepFullNumbers: this.options.keepFullNumbers ?? false,
          transferNumber: this.options.transferNumber,
          onSettled: (settled) => this.forgetLater(settled),
          streamDeadlineMs: this.options.media?.streamDeadlineMs,
        },
        { callId, agentId: input.agentId, agent, to: input.to, context: input.context, idempotencyKey: input.idempotencyKey },
      );
      if (input.simulation !== undefined && isScriptable(carrier)) carrier.setCallee(callId, input.simulation);
    } catch (error) {
      this.live--;
      throw error;
    }
    this.calls.set(call.callId, call);
    call.dialRequested();
    return this.dial(call, carrier);
  }

  private async dial(call: Call, carrier: Carrier): Promise<CallView> {
    const { callId, agent } = call;
    const log = this.log(callId);
    // `greeting_prefetch: dial` synthesises now; `answer` waits for the carrier's answer (see Call).
    call.prepareGreetingAt('dial');
    const base = this.options.publicBaseUrl.replace(/\/$/, '');
    try {
      const placed = await carrier.placeCall({
        callId,
        to: call.record.to,
        answerUrl: `${base}/call/${callId}/answer`,
        statusCallbackUrl: `${base}/call/${callId}/status`,
        machineDetectionUrl: `${base}/call/${callId}/status`,
        // Plivo's transfer API fetches the call's new XML from a URL; Twilio takes its TwiML inline and ignores this.
        transferUrl: `${base}/call/${callId}/transfer`,
        ringTimeoutSeconds: this.ringTimeoutSeconds,
        machineDetection: true,
        machineDetectionMode: agent.voicemail.action === 'leave_message' ? 'message_end' : 'start',
        timeLimitSeconds: agent.timing.maxCallSeconds + 30,
      });
      call.dialled(placed.carrierCallId);
      log.info({ to: call.record.to, carrier: carrier.name }, 'call placed');
    } catch (error) {
      const reason = maskNumbersInText(describe(error));
      log.error({ err: reason }, 'carrier refused the call');
      await call.end({ status: 'failed', reason: `carrier refused the call: ${reason}` }, { lineAlreadyDown: true });
      return call.view;
    }
    // Ring time, the longest conversation, and slack.
    call.startWatchdog((this.ringTimeoutSeconds + agent.timing.maxCallSeconds + 60) * 1000);
    return call.view;
  }

  private bindStream(carrierName: CarrierName, start: StartEvent, connection: MediaStreamConnection): StreamBinding {
    const callId = start.parameters['call_id'];
    const call = callId ? this.calls.get(callId) : undefined;
    if (!call || call.record.carrier !== carrierName) return { refused: 'unknown call' };
    if (!this.options.tokens.verify(call.callId, start.parameters['token'])) return { refused: 'invalid stream token' };
    return call.attachStream(connection, start.carrierCallId);
  }

  private checkBinding(key: string, earlier: { agentId: string; to: string; carrier: CarrierName }, input: PlaceCallInput): void {
    if (earlier.agentId !== input.agentId || earlier.to !== input.to || earlier.carrier !== input.carrier) throw new IdempotencyConflictError(key);
  }

  /** A call answered from a dial in progress may have moved on since. */
  private currentView(view: CallView): CallView {
    return this.calls.get(view.call_id)?.view ?? view;
  }

  private forgetLater(call: Call): void {
    this.live--;
    // Short: the store answers for it afterwards, and a campaign at 50 calls a second settles 750 calls in 15 s.
    // A transferred call whose carrier has yet to fetch its transfer document stays until the fetch window closes.
    const retentionMs = this.options.retentionMs ?? 15_000;
    const evict = setTimeout(() => this.calls.delete(call.callId), call.awaitsTransferFetch ? Math.max(retentionMs, TRANSFER_FETCH_WINDOW_MS) : retentionMs);
    evict.unref();
  }

  private async hangUpLeftovers(left: StoredCall[]): Promise<{ calls: number; hungUp: number }> {
    let hungUp = 0;
    // A few at a time: a restart after a flood must not become one.
    const queue = left.filter((stored) => stored.carrierCallId && this.options.carriers[stored.carrier]);
    const worker = async () => {
      for (let stored = queue.shift(); stored; stored = queue.shift()) {
        const carrier = this.carrier(stored.carrier);
        const id = stored.liveCarrierCallId ?? stored.carrierCallId!;
        const log = this.log(stored.callId);
        try {
          const state = await carrier.fetchCallState(id);
          if (!state.up) continue;
          await carrier.hangup(id);
          hungUp++;
          log.warn({ carrierStatus: state.status }, 'a call left by the last run was still up: hung up');
        } catch (error) {
          log.error({ err: maskNumbersInText(describe(error)) }, 'could not check a call left by the last run with its carrier');
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    return { calls: left.length, hungUp };
  }

  private carrier(name: CarrierName): Carrier {
    const carrier = this.options.carriers[name];
    if (!carrier) throw new CarrierNotConfiguredError(name);
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

function pickDefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
