import type { AgentRuntimeConfig } from '@codcall/agent-config';
import type { ConversationResult, TranscriptEntry } from '@codcall/conversation-engine';
import { maskNumbersInText, maskPhone, type Logger } from '@codcall/logging';
import { CallRecording, type CallAudioOutput } from '@codcall/media';
import type { Carrier, CarrierStatusUpdate, WebhookCallIds } from '@codcall/telephony-providers';
import { isForward, publicState, reached, type CallPhase } from './call-lifecycle';
import { toCallView, type CallOutcome, type CallRecord, type CallView } from './call-record';
import { SynthesisUsage, type Conversation, type ConversationFactory } from './conversation';
import { AnswerRefusedError, TransferDocumentRefusedError } from './errors';
import type { MediaStreamConnection, StreamBinding, StreamEvent, StreamedCall } from './media-stream-connection';
import { outcomeFromCarrier, outcomeFromConversation } from './outcome-mapping';
import { recordForArchive } from './phone-masking';
import type { CallArchive, CallStore, StoredCall } from './ports';
import { timezoneForCallee } from './timezone';

export interface CallDependencies {
  carrier: Carrier;
  conversations: ConversationFactory;
  store: CallStore;
  archive: CallArchive;
  /** Already bound to the call id. */
  logger: Logger;
  now: () => number;
  keepFullNumbers: boolean;
  /** Where a callee who asks for a person is moved (the gateway's TRANSFER_NUMBER); none: the agent offers no transfer. */
  transferNumber?: string;
  /** Told once, when the call is settled and persisted. */
  onSettled(call: Call): void;
  /**
   * How long after the carrier's answer its media stream must have started (default 20 s): a
   * callee hearing nothing is hung up on, and the call's place freed, instead of waiting out the
   * call's time limit.
   */
  streamDeadlineMs?: number;
}

export const DEFAULT_STREAM_DEADLINE_MS = 20_000;

export interface NewCall {
  callId: string;
  agentId: string;
  agent: AgentRuntimeConfig;
  to: string;
  context: Record<string, string>;
  idempotencyKey?: string;
}

/**
 * How long after asking the carrier to transfer a call its fetch of the transfer document is
 * taken. Plivo fetches as soon as it has answered the transfer request; a fetch later than this is
 * no transfer of ours under way, and a settled transferred call stays in memory at least this long.
 */
export const TRANSFER_FETCH_WINDOW_MS = 30_000;

/** How `end` treats the line: a carrier that reported the end has hung up already. */
export interface EndOptions {
  lineAlreadyDown?: boolean;
  /** The carrier moved the line to a person: it is theirs now, not ours to hang up. */
  handedOver?: boolean;
}

/**
 * One call, from the dial to its outcome: its phase (see call-lifecycle.ts), the carrier's
 * webhooks' effect on it, the media stream and conversation it runs, and its one way to end,
 * `end(outcome)`: the first outcome wins, the line is hung up, the record and recording are
 * archived, the store is told, and waiters wake.
 */
export class Call implements StreamedCall {
  readonly record: CallRecord;
  readonly agent: AgentRuntimeConfig;
  readonly idempotencyKey?: string;
  private phaseNow: CallPhase = 'queued';
  private readonly startedAtMs: number;
  private answeredAtMs?: number;
  private answerServed = false;
  private streamTokenUsed = false;
  private hangupRequested = false;
  /** The transfer asked of the carrier, from just before the request (its document may be fetched before the carrier answers us). */
  private transfer?: { carrierCallId: string; requestedAtMs: number; documentServed: boolean };
  private stream?: MediaStreamConnection;
  private conversation?: Conversation;
  private recording?: CallRecording;
  /** The characters this call sent to its synthesizer, from the greeting's preparation on. */
  private readonly synthesis = new SynthesisUsage();
  private greetingPrepared = false;
  /** Set once, when a machine answered and the agent leaves a message: the call then ends as voicemail. */
  private voicemail?: CallOutcome;
  private ending?: Promise<void>;
  private watchdog?: NodeJS.Timeout;
  /** Runs from the answer until the media stream starts. */
  private streamDeadline?: NodeJS.Timeout;
  private resolveSettled!: () => void;
  readonly settled = new Promise<void>((resolve) => (this.resolveSettled = resolve));

  constructor(
    private readonly deps: CallDependencies,
    call: NewCall,
  ) {
    this.agent = call.agent;
    this.idempotencyKey = call.idempotencyKey;
    this.startedAtMs = deps.now();
    this.record = {
      callId: call.callId,
      agentId: call.agentId,
      carrier: deps.carrier.name,
      to: call.to,
      context: call.context,
      state: 'queued',
      createdAt: new Date(this.startedAtMs).toISOString(),
      timeline: [],
      transcript: [],
      toolCalls: [],
      turnLatenciesMs: [],
      turns: [],
      ttsCharacters: 0,
    };
  }

  get callId(): string {
    return this.record.callId;
  }

  get phase(): CallPhase {
    return this.phaseNow;
  }

  get isLive(): boolean {
    return this.phaseNow !== 'settled';
  }

  /** What has been said on the call so far, while its conversation runs; nothing before or after. */
  transcriptSoFar(): readonly TranscriptEntry[] {
    return this.conversation?.transcriptSoFar?.() ?? [];
  }

  /** What GET /call/:id shows; the outcome only once it is settled. */
  get view(): CallView {
    return toCallView(this.record);
  }

  /** Written before the carrier is asked: a crash mid-dial still leaves the call (and its key) known. */
  dialRequested(): void {
    this.mark('dial requested');
    this.persist();
  }

  /**
   * The agent's greeting prefetch policy, in one place: `dial` synthesises the greeting while the
   * phone rings (the first words are instant, but a busy or unanswered call has paid for them);
   * `answer` waits for the carrier's answer (its answer webhook or `answered` status, whichever
   * comes first), a few hundred ms before the stream opens, so a call nobody picks up costs nothing.
   */
  prepareGreetingAt(moment: 'dial' | 'answer'): void {
    if (moment !== this.agent.greetingPrefetch || this.greetingPrepared || reached(this.phaseNow, 'streaming')) return;
    this.greetingPrepared = true;
    try {
      this.deps.conversations.prepare?.({ callId: this.callId, agent: this.agent, variables: this.record.context, logger: this.deps.logger, usage: this.synthesis });
      this.mark('greeting prepared', moment);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'could not prepare the greeting; it will be synthesised when the stream starts');
    }
  }

  dialled(carrierCallId: string): void {
    this.record.carrierCallId = carrierCallId;
    this.mark('dialled', this.record.carrier);
    this.persist();
  }

  /** A call the carrier never reports on still ends. */
  startWatchdog(limitMs: number): void {
    this.watchdog = setTimeout(() => void this.end({ status: 'failed', reason: 'no word from the carrier before the call time limit' }), limitMs);
    this.watchdog.unref();
  }

  /**
   * The carrier fetches the answer document: once per call, for the carrier call the dial
   * returned, before the stream. Anything else is a replay and is refused without touching the call.
   */
  acceptAnswerFetch(ids: WebhookCallIds): void {
    const refuse = (why: string) => {
      this.deps.logger.warn({ why }, 'answer webhook refused');
      return new AnswerRefusedError(this.callId, why);
    };
    if (reached(this.phaseNow, 'ending')) throw refuse('the call has ended');
    if (this.answerServed || reached(this.phaseNow, 'streaming')) throw refuse('its answer document was served already');
    const dialled = this.record.carrierCallId;
    if (!ids.dialled && !ids.live) throw refuse('the webhook names no carrier call');
    // The carrier may fetch the answer before its answer to the dial reached us: then the webhook's id is the one.
    // A webhook naming only the live call (Plivo without RequestUUID) cannot be compared, and is the first fetch still.
    if (dialled !== undefined && ids.dialled && ids.dialled !== dialled) throw refuse('the webhook names another carrier call than the dial returned');
    if (dialled === undefined && ids.dialled) this.record.carrierCallId = ids.dialled;
    if (ids.live && ids.live !== this.record.carrierCallId) this.record.liveCarrierCallId = ids.live;
    this.answerServed = true;
    this.markAnswered();
    this.advance('answered');
    this.mark('answer document served');
    this.prepareGreetingAt('answer');
    this.persist();
  }

  /**
   * The carrier fetches the document of the transfer `handOver` asked for (Plivo's `aleg_url`):
   * once, for the carrier call the dial returned, within TRANSFER_FETCH_WINDOW_MS of the request,
   * also once the call has settled as transferred. Returns the carrier call id to build it for;
   * anything else is refused without touching the call.
   */
  acceptTransferFetch(ids: WebhookCallIds): string {
    const refuse = (why: string) => {
      this.deps.logger.warn({ why }, 'transfer document fetch refused');
      return new TransferDocumentRefusedError(this.callId, why);
    };
    const transfer = this.transfer;
    if (!transfer) throw refuse('no transfer of the call is under way');
    if (transfer.documentServed) throw refuse('its transfer document was served already');
    if (!this.awaitsTransferFetch) throw refuse('the transfer was asked for too long ago');
    if (!ids.dialled && !ids.live) throw refuse('the fetch names no carrier call');
    const { carrierCallId, liveCarrierCallId } = this.record;
    if (ids.dialled && ids.dialled !== carrierCallId) throw refuse('the fetch names another carrier call than the dial returned');
    // Plivo names the live call (CallUUID) beside the request: it must be the one the answer webhook named.
    if (ids.live && liveCarrierCallId && ids.live !== liveCarrierCallId) throw refuse('the fetch names another live call than the answer webhook did');
    if (!ids.dialled && ids.live !== (liveCarrierCallId ?? carrierCallId)) throw refuse('the fetch names another carrier call than the dial returned');
    transfer.documentServed = true;
    this.mark('transfer document served');
    // Often after the call settled: the store's view, which answers once the call leaves memory, gains the mark too.
    this.persist();
    return transfer.carrierCallId;
  }

  /** A transfer was asked for and its document not yet fetched, within the window: the call must stay findable. */
  get awaitsTransferFetch(): boolean {
    const transfer = this.transfer;
    return transfer !== undefined && !transfer.documentServed && this.deps.now() - transfer.requestedAtMs < TRANSFER_FETCH_WINDOW_MS;
  }

  /** A status or machine-detection webhook, signature-checked and parsed by the carrier. */
  applyStatus(update: CarrierStatusUpdate): void {
    this.mark('carrier status', [update.state, update.answeredBy && `answered by ${update.answeredBy}`].filter(Boolean).join(', '));
    if (update.durationSeconds !== undefined) this.record.durationSeconds = update.durationSeconds;
    if (update.state) this.record.carrierStatus = update.detail ? `${update.state} (${maskNumbersInText(update.detail)})` : update.state;
    if (reached(this.phaseNow, 'ending')) return;
    if (update.state === 'ringing' && this.advance('ringing')) this.persist();
    if (update.state === 'answered') {
      this.markAnswered();
      // A machine hung up on below is not greeted; one the agent leaves a message for hears its own text.
      if (update.answeredBy !== 'machine') this.prepareGreetingAt('answer');
      if (this.advance('answered')) this.persist();
    }
    if (update.answeredBy === 'machine' && this.leavesMessages()) {
      // The message goes after the machine's greeting; a machine detected any other way is hung up on.
      if (update.machineGreetingEnded && !this.voicemail && this.conversation && this.stream?.streaming) return this.leaveVoicemail();
      if (this.voicemail) return;
    }
    const outcome = outcomeFromCarrier(update);
    // A machine is still on the line; busy, no-answer and failures are not. The carrier's words may quote the number.
    if (outcome) return void this.end({ ...outcome, reason: outcome.reason && maskNumbersInText(outcome.reason) }, { lineAlreadyDown: outcome.status !== 'voicemail' });
    if (update.state === 'completed') {
      // The line is down; a conversation ends from its stream's end and gives the outcome.
      if (this.conversation) this.stream?.close(1000, 'the carrier ended the call');
      else void this.end({ status: 'failed', reason: 'the call ended before the media stream connected' }, { lineAlreadyDown: true });
    }
  }

  /**
   * A `start` with this call's valid token: the stream is taken once, by the carrier call the dial
   * (or answer webhook) named, and only while the call can still talk.
   */
  attachStream(connection: MediaStreamConnection, carrierCallId: string): StreamBinding {
    if (reached(this.phaseNow, 'ending')) return { refused: 'call already ended' };
    if (this.streamTokenUsed || this.stream) return { refused: 'stream token already used' };
    // Twilio's stream names the CallSid the dial returned; Plivo's the CallUUID its answer webhook named.
    const expected = this.record.liveCarrierCallId ?? this.record.carrierCallId;
    if (expected !== undefined && carrierCallId !== expected) return { refused: 'the stream names another carrier call' };
    if (expected === undefined && carrierCallId) this.record.liveCarrierCallId = carrierCallId;
    this.streamTokenUsed = true;
    this.stream = connection;
    if (this.streamDeadline) clearTimeout(this.streamDeadline);
    this.markAnswered();
    this.advance('streaming');
    this.mark('media stream started');
    this.persist();
    return { call: this };
  }

  streamOpened(connection: MediaStreamConnection): void {
    if (connection === this.stream && !this.conversation) this.startConversation(connection);
  }

  handleStreamEvent(event: StreamEvent): void {
    if (!this.conversation) return;
    switch (event.type) {
      case 'audio':
        this.recording?.addInbound(event.payload);
        this.conversation.handleAudio(event.payload);
        break;
      case 'mark':
        this.conversation.handleMark(event.name);
        break;
      case 'dtmf':
        this.mark('dtmf', event.digit);
        this.conversation.handleDtmf(event.digit);
        break;
      case 'stop':
        this.stream?.close(1000, 'stream stopped');
        break;
    }
  }

  streamEnded(connection: MediaStreamConnection): void {
    if (connection !== this.stream) return;
    this.mark('media stream ended');
    this.conversation?.handleStreamEnd();
  }

  /** Asks the carrier to hang up, once; the call ends by its outcome, not by this. */
  async hangUp(reason: string): Promise<void> {
    const id = this.record.liveCarrierCallId ?? this.record.carrierCallId;
    if (this.hangupRequested || !id) return;
    this.hangupRequested = true;
    try {
      await this.deps.carrier.hangup(id);
      this.mark('hangup requested', reason);
    } catch (error) {
      this.deps.logger.warn({ err: maskNumbersInText(describe(error)) }, 'carrier hangup failed');
    }
  }

  /** The one way a call ends: settles once (the first outcome wins), hangs up, persists. */
  end(outcome: CallOutcome, options: EndOptions = {}): Promise<void> {
    this.ending ??= this.settle(stripUndefined(outcome), options);
    return this.ending;
  }

  private async settle(outcome: CallOutcome, options: EndOptions): Promise<void> {
    this.advance('ending');
    if (this.watchdog) clearTimeout(this.watchdog);
    if (this.streamDeadline) clearTimeout(this.streamDeadline);
    this.mark('outcome', outcome.status);
    // A conversation still running stops now; its result (transcript, tools) still lands in the record.
    this.conversation?.handleStreamEnd();
    if (!options.lineAlreadyDown && !options.handedOver) await this.hangUp(outcome.status);
    this.stream?.close(1000, 'call ended');
    this.record.outcome = outcome;
    this.record.endedAt = new Date(this.deps.now()).toISOString();
    this.record.ttsCharacters = this.synthesis.characters;
    try {
      // Written while the call ran: only its end and its sizes are left to write.
      if (this.recording) this.record.recordingPath = await this.recording.finish();
    } catch (error) {
      this.deps.logger.error({ err: error }, 'could not keep the call recording');
      await this.recording?.abort().catch(() => undefined);
    }
    try {
      await this.deps.archive.saveRecord(recordForArchive({ ...this.record, state: 'completed' }, this.deps.keepFullNumbers));
    } catch (error) {
      this.deps.logger.error({ err: error }, 'could not archive the call');
    }
    // A settled call stays queryable for a while: it keeps its record, not its audio or conversation.
    this.recording = undefined;
    this.conversation = undefined;
    this.stream = undefined;
    this.advance('settled');
    this.persist();
    this.deps.logger.info({ to: this.record.to, status: outcome.status, reason: outcome.reason }, 'call settled');
    this.resolveSettled();
    this.deps.onSettled(this);
  }

  private startConversation(connection: MediaStreamConnection): void {
    const log = this.deps.logger;
    const sinceAnswer = () => this.deps.now() - (this.answeredAtMs ?? this.startedAtMs);
    // Streamed to the archive as the call runs; a call whose recording cannot open still talks.
    let recording: CallRecording | undefined;
    try {
      recording = this.recording = new CallRecording({ sink: this.deps.archive.openRecording(this.callId), now: sinceAnswer });
    } catch (error) {
      log.error({ err: error }, 'could not open the call recording');
    }
    let spoke = false;
    const output: CallAudioOutput = {
      sendAudio: (mulaw) => {
        if (!spoke) this.mark('first agent audio sent');
        spoke = true;
        recording?.addOutbound(mulaw, sinceAnswer());
        connection.sendAudio(mulaw);
      },
      sendMark: (name) => connection.sendMark(name),
      clear: () => {
        recording?.clearOutbound(sinceAnswer());
        this.mark('clear sent');
        connection.clear();
      },
    };
    const variables = this.record.context;
    const { conversation, providers } = this.deps.conversations.create({
      callId: this.callId,
      agent: this.agent,
      variables,
      timezone: timezoneForCallee(this.record.to, variables['timezone'], this.agent.defaultTimezone),
      transferAvailable: this.deps.transferNumber !== undefined,
      output,
      onHangup: (reason) => {
        this.mark('agent hung up', reason);
        void this.hangUp(reason);
      },
      logger: log,
      usage: this.synthesis,
    });
    this.conversation = conversation;
    this.record.providers = providers;
    conversation.result.then(
      (result) => {
        this.keepConversation(result);
        if (!this.voicemail && result.outcome === 'transferred') return void this.handOver(outcomeFromConversation(result));
        void this.end(this.voicemail ?? outcomeFromConversation(result));
      },
      (error: unknown) => {
        log.error({ err: error }, 'conversation crashed');
        void this.end({ status: 'failed', reason: `conversation error: ${describe(error)}` });
      },
    );
    conversation.start().catch((error: unknown) => {
      log.error({ err: error }, 'conversation failed to start');
      void this.end({ status: 'failed', reason: `could not start the conversation: ${describe(error)}` });
    });
  }

  /**
   * The callee asked for a person and heard the transfer message: the carrier moves the live line
   * to the transfer number and the call ends `transferred`, without a hang-up. A carrier whose
   * transfer fetches a document of ours (Plivo) may fetch it before or after it answered us, and
   * after the call settled: see acceptTransferFetch. A transfer the carrier refuses ends the call
   * as failed with its reason, hung up like any other.
   */
  private async handOver(outcome: CallOutcome): Promise<void> {
    const id = this.record.liveCarrierCallId ?? this.record.carrierCallId;
    const to = this.deps.transferNumber;
    try {
      if (!to) throw new Error('no transfer number is configured');
      if (!id) throw new Error('the carrier never named the call');
      this.mark('transfer requested', this.deps.keepFullNumbers ? to : maskPhone(to));
      this.transfer = { carrierCallId: id, requestedAtMs: this.deps.now(), documentServed: false };
      await this.deps.carrier.transfer(id, to);
    } catch (error) {
      // A refused transfer is none under way: its document is not served to anyone.
      this.transfer = undefined;
      const reason = maskNumbersInText(describe(error));
      this.deps.logger.error({ err: reason }, 'the carrier could not transfer the call');
      return this.end({ status: 'failed', reason: `the transfer to a person failed: ${reason}` });
    }
    this.mark('transferred');
    return this.end(outcome, { handedOver: true });
  }

  private keepConversation(result: ConversationResult): void {
    this.record.transcript = result.transcript;
    this.record.toolCalls = result.toolCalls;
    this.record.turns = result.turns;
    this.record.turnLatenciesMs = result.turns.filter((turn) => turn.kind !== 'barge_in').map((turn) => turn.latencyMs);
    this.record.ttsCharacters = this.synthesis.characters;
  }

  private leavesMessages(): boolean {
    const { voicemail } = this.agent;
    return voicemail.action === 'leave_message' && Boolean(voicemail.message);
  }

  /** Decided here and only here: whatever the conversation says next, this call ends as voicemail. */
  private leaveVoicemail(): void {
    this.voicemail = { status: 'voicemail', reason: 'message left after the beep' };
    this.mark('leaving a voicemail message');
    this.conversation?.leaveMessage(this.agent.voicemail.message ?? '');
  }

  private markAnswered(): void {
    if (this.answeredAtMs === undefined && !this.stream && !reached(this.phaseNow, 'ending')) {
      const deadlineMs = this.deps.streamDeadlineMs ?? DEFAULT_STREAM_DEADLINE_MS;
      this.streamDeadline = setTimeout(() => {
        if (this.stream) return;
        this.deps.logger.warn({ deadlineMs }, 'the carrier answered but no media stream started: hanging up');
        void this.end({ status: 'failed', reason: `the carrier answered but no media stream started within ${deadlineMs % 1000 === 0 ? `${deadlineMs / 1000} s` : `${deadlineMs} ms`}` });
      }, deadlineMs);
      this.streamDeadline.unref();
    }
    this.answeredAtMs ??= this.deps.now();
    this.record.answeredAt ??= new Date(this.answeredAtMs).toISOString();
  }

  /** Moves the phase forward (never back); false when the call is there or past it already. */
  private advance(phase: CallPhase): boolean {
    if (!isForward(this.phaseNow, phase)) return false;
    this.phaseNow = phase;
    this.record.state = publicState(phase);
    return true;
  }

  private persist(): void {
    try {
      this.deps.store.save(this.snapshot());
    } catch (error) {
      this.deps.logger.error({ err: error }, 'could not write the call to the call store');
    }
  }

  private snapshot(): StoredCall {
    const { record } = this;
    return {
      callId: record.callId,
      agentId: record.agentId,
      to: record.to,
      carrier: record.carrier,
      carrierCallId: record.carrierCallId,
      liveCarrierCallId: record.liveCarrierCallId,
      phase: this.phaseNow,
      outcome: this.phaseNow === 'settled' ? record.outcome : undefined,
      idempotencyKey: this.idempotencyKey,
      createdAt: record.createdAt,
      endedAt: record.endedAt,
      answerServed: this.answerServed,
      streamTokenUsed: this.streamTokenUsed,
      view: this.view,
    };
  }

  private mark(event: string, detail?: string): void {
    this.record.timeline.push({ atMs: this.deps.now() - this.startedAtMs, event, ...(detail ? { detail } : {}) });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
