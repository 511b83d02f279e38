import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { maskPhone, type Logger } from '@codcall/logging';
import { FRAME_BYTES, FRAME_MS, pcm16ToMulaw, silenceFrame, splitFrames, type SpeechSideChannel } from '@codcall/media';
import type { Carrier, CarrierCallLookup, PlaceCallRequest, PlacedCall } from '../carrier';
import { CallTransferError } from '../twilio/twilio-carrier';
import { TwilioProtocol } from '../twilio/twilio-protocol';
import { CalleeBookError, calleeLines, DEFAULT_CALLEE, parseCalleeProfile, type CalleeBook, type CalleeLine, type CalleeProfile } from './callee-book';
import { TwilioCalleeWire, type CallProgress, type CalleeCallWire, type CalleeStreamWire, type CalleeWire, type CarrierWebhook } from './callee-wire';

// The persona improviser is part of the simulator's public surface (the package index lists this file).
export { openAiPersonaCallee, PersonaCalleeError, type HeardLine, type PersonaCalleeOptions } from './persona-callee';

export interface SimulatorTiming {
  /** How long the phone rings before a callee picks up (or is found busy / failed). */
  ringMs?: number;
  /** The callee's pause before answering the agent. */
  thinkMs?: number;
  /** Quiet after the agent's audio has played out before the callee takes the turn. */
  agentTurnGapMs?: number;
}

/** The callee's voice: mu-law 8 kHz audio for one line, in the profile's language when it names one. */
export type CalleeVoice = (text: string, language?: string) => Promise<Buffer>;

/** What a callee played by a language model is asked for: its next line, once the script has run out. */
export interface ImprovisedTurn {
  /** Our call id (the gateway's): the improviser reads what the agent has said so far by it. */
  callId: string;
  persona: string;
  language?: string;
  /** 0-based count of the callee's turns so far, scripted ones included. */
  turn: number;
}

/** Produces a callee's line at run time; null when the callee has nothing more to say. */
export type CalleeImproviser = (turn: ImprovisedTurn) => Promise<CalleeLine | null>;

/**
 * Whether the agent has finished what it began saying (by our call id): the gateway's live transcript
 * ends with an agent line. A person hears a sentence end; the simulated callee asks this instead,
 * so a pause inside a sentence (speech still being synthesised on a loaded machine) is not the end of
 * the agent's turn.
 */
export type AgentTurnFinished = (callId: string) => boolean;

/** However unfinished the agent's sentence, a callee speaks after this much quiet (below the agent's 8 s reprompt). */
const SENTENCE_PATIENCE_MS = 4_000;

export interface SimulatorCarrierOptions {
  speak: CalleeVoice;
  /** Plays callees given a `persona`; without it such a script is refused. */
  improvise?: CalleeImproviser;
  agentTurnFinished?: AgentTurnFinished;
  sideChannel: SpeechSideChannel;
  /** Signs the simulator's webhooks exactly as Twilio signs with an auth token. */
  webhookSecret: string;
  logger: Logger;
  callees?: CalleeBook;
  timing?: SimulatorTiming;
}

const VOICEMAIL_GREETING = "Hi, you've reached my voicemail. Please leave a message after the tone.";

/**
 * A carrier that dials nobody: each call is a scripted callee who behaves, on the wire, like
 * Twilio: signed status callbacks, the answer document fetched by POST, and a Media Streams
 * WebSocket with real-time 20 ms frames, playback-paced marks and clear.
 */
export class SimulatorCarrier extends TwilioProtocol implements Carrier {
  readonly name = 'sim' as const;
  private readonly calls = new Map<string, SimulatedCall>();
  private readonly perCall = new Map<string, CalleeProfile>();

  constructor(private readonly options: SimulatorCarrierOptions) {
    super(options.webhookSecret);
  }

  /** Where transferred calls went (the last few hundred): a transfer leaves the simulator's hands. */
  private readonly transferred = new Map<string, string>();

  /** A script for one call, overriding the book; validated here so a bad one fails the request. */
  setCallee(callId: string, profile: unknown): void {
    const parsed = parseCalleeProfile(profile, `simulation for call ${callId}`);
    if (parsed.persona && !this.options.improvise) {
      throw new CalleeBookError(`simulation for call ${callId}: persona needs a language model to play the callee, and this gateway has none (set OPENAI_API_KEY)`);
    }
    this.perCall.set(callId, parsed);
  }

  async placeCall(request: PlaceCallRequest): Promise<PlacedCall> {
    const profile = this.perCall.get(request.callId) ?? this.options.callees?.[request.to] ?? DEFAULT_CALLEE;
    this.perCall.delete(request.callId);
    const sid = 'CA' + randomBytes(16).toString('hex');
    const call = new SimulatedCall(sid, request, profile, this.options, () => this.calls.delete(sid));
    this.calls.set(sid, call);
    call.begin();
    return { carrierCallId: sid };
  }

  async hangup(carrierCallId: string): Promise<void> {
    await this.calls.get(carrierCallId)?.end('hangup');
  }

  /**
   * As Twilio does on `<Dial>`: the media stream stops and the line is bridged to `to`. Nobody
   * is on the far side here, so the simulator lets go of the call and records where it went;
   * no status webhook follows (the callee did not hang up).
   */
  async transfer(carrierCallId: string, to: string): Promise<void> {
    const call = this.calls.get(carrierCallId);
    if (!call) throw new CallTransferError(`the simulator has no live call ${carrierCallId} to transfer to ${maskPhone(to)}`, carrierCallId, 'not_live');
    await call.transfer(to);
    this.transferred.set(carrierCallId, to);
    if (this.transferred.size > 500) this.transferred.delete(this.transferred.keys().next().value as string);
  }

  /** The number a call was transferred to, if it was. */
  transferredTo(carrierCallId: string): string | undefined {
    return this.transferred.get(carrierCallId);
  }

  /** The simulator's calls live in this process: one it does not hold has ended (or died with a previous run). */
  async fetchCallState(carrierCallId: string): Promise<CarrierCallLookup> {
    const call = this.calls.get(carrierCallId);
    if (call) return { up: true, status: call.progress };
    return this.transferred.has(carrierCallId) ? { up: false, status: 'transferred' } : { up: false, status: 'not found' };
  }

  /** Calls still in progress (for tests and shutdown). */
  get activeCalls(): number {
    return this.calls.size;
  }
}

type PlaybackItem = { kind: 'audio'; bytes: Buffer } | { kind: 'mark'; name: string };

/** What a scripted call needs: the callee's voice and pacing, and the carrier wire it speaks. */
export interface SimulatedCallOptions {
  speak: CalleeVoice;
  improvise?: CalleeImproviser;
  agentTurnFinished?: AgentTurnFinished;
  sideChannel: SpeechSideChannel;
  /** Signs the Twilio dialect's webhooks; unused when another wire is given. */
  webhookSecret: string;
  logger: Logger;
  timing?: SimulatorTiming;
  /** The carrier dialect; Twilio's by default. */
  wire?: CalleeWire;
}

/**
 * One scripted callee: signed callbacks, the answer document fetched by POST, and a media-stream
 * socket in real time, all in the dialect of `options.wire` (Twilio's unless told). The
 * simulator carrier runs these in-process; the fake Twilio and Plivo servers in tests run the
 * same behind their REST APIs.
 */
export class SimulatedCall {
  private readonly log: Logger;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly wire: CalleeCallWire;
  private socket?: WebSocket;
  private stream?: CalleeStreamWire;
  private ended = false;
  private answeredAt?: number;
  private lastProgress: CallProgress = 'initiated';
  /** The callee's lines in object form; a voicemail's is its greeting. */
  private readonly script: CalleeLine[];
  /** Each scripted line's audio (none for a line that says nothing). */
  private readonly voiced: Promise<Buffer | undefined>[];
  private nextLine = 0;
  /** A barge-in line waits for its moment in the agent's turn. */
  private bargeInPending = false;
  /** The callee is saying a barge-in line over the agent; the agent's turn it interrupted is still arriving. */
  private talkingOver = false;
  /**
   * The agent's turn the callee last talked over, until its next line: did the agent stop for it
   * (a `clear`)? One that talked on through a "hmm" is still the turn the callee answers, once it
   * has played out; one that stopped owes the callee a reply.
   */
  private overTurn?: { cleared: boolean };
  private speaking: Buffer[] = [];
  private playback: PlaybackItem[] = [];
  private agentSpoke = false;
  private lastAgentAudioAt = 0;
  /** When the callee last heard the agent's audio run out: a pause is measured from here, as a listener hears it. */
  private agentAudioEndedAt = 0;
  /** When the gateway last said, during a pause, that the agent's sentence goes on. */
  private sentenceOpenAt = 0;
  private calleeTurnPending = false;
  private chunk = 0;
  /** Whose words these are on the side channel: our call id, from the stream's parameters when given. */
  private sideChannelCallId: string;

  constructor(
    sid: string,
    private readonly request: PlaceCallRequest,
    private readonly profile: CalleeProfile,
    private readonly options: SimulatedCallOptions,
    private readonly onEnded: () => void,
  ) {
    this.log = options.logger.child({ carrierCallId: sid });
    this.wire = (options.wire ?? new TwilioCalleeWire(options.webhookSecret)).forCall({ carrierCallId: sid, request });
    this.sideChannelCallId = request.callId;
    this.script = scriptOf(profile);
    // Synthesised while the phone rings, so the callee answers without a synthesis delay; one line
    // after the other, so with many calls dialled at once every callee's first line comes before
    // anyone's second, and each line is usable as soon as it is ready.
    let previous: Promise<unknown> = Promise.resolve();
    this.voiced = this.script.map((line) => {
      const voice = previous.then(() => (line.say ? options.speak(line.say, profile.language) : undefined));
      previous = voice.catch(() => undefined);
      return voice;
    });
    for (const voice of this.voiced) voice.catch(() => undefined);
  }

  begin(): void {
    this.log.info({ to: this.request.to, answer: this.profile.answer }, 'simulated call ringing');
    // What comes after the ringing is reported after it, as a carrier's callbacks come in order.
    const rang = this.status('initiated').then(() => this.status('ringing'));
    const ringMs = this.profile.ringSeconds !== undefined ? this.profile.ringSeconds * 1000 : (this.options.timing?.ringMs ?? 800);
    const afterRinging = (ms: number, then: () => Promise<void>) => this.after(ms, () => rang.then(then));
    switch (this.profile.answer) {
      case 'busy':
        return afterRinging(ringMs, () => this.finish('busy'));
      case 'failed':
        return afterRinging(ringMs, () => this.finish('failed'));
      case 'no_answer':
        return afterRinging(Math.min(ringMs, this.request.ringTimeoutSeconds * 1000), () => this.finish('no-answer'));
      default:
        return afterRinging(ringMs, () => this.answer());
    }
  }

  get answered(): boolean {
    return this.answeredAt !== undefined;
  }

  /** Where the call is, in Twilio's words: what a carrier's call lookup answers. */
  get progress(): CallProgress {
    return this.lastProgress;
  }

  async end(reason: string): Promise<void> {
    if (this.ended) return;
    this.log.info({ reason }, 'simulated call ending');
    if (this.socket?.readyState === WebSocket.OPEN) {
      const stop = this.stream?.stop();
      if (stop) this.send(stop);
      this.socket.close(1000, 'call ended');
    }
    await this.finish('completed');
  }

  private async answer(): Promise<void> {
    if (this.ended) return;
    this.answeredAt = Date.now();
    await this.status('in-progress');
    // Like async AMD: a machine reported soon after answering, or (where the carrier can tell)
    // once its greeting and beep have played, to leave a message.
    if (this.profile.answer === 'voicemail' && this.request.machineDetection && this.request.machineDetectionMode !== 'message_end') {
      this.after(600, () => void this.reportMachine('machine_start'));
    }
    let document: string;
    try {
      const response = await this.post(this.wire.answer());
      document = await response.text();
      if (!response.ok) throw new Error(`answer URL answered ${response.status}`);
    } catch (error) {
      this.log.warn({ err: error }, 'simulated call could not fetch its answer document');
      return void this.finish('failed');
    }
    const stream = this.wire.stream(document);
    if (!stream) {
      this.log.warn('answer document has no stream: hanging up');
      return void this.end('no stream in answer document');
    }
    this.openStream(stream);
  }

  private openStream(stream: CalleeStreamWire): void {
    if (this.ended) return;
    this.stream = stream;
    if (stream.callId) this.sideChannelCallId = stream.callId;
    const socket = new WebSocket(stream.url);
    this.socket = socket;
    socket.on('open', () => {
      for (const message of stream.opening()) this.send(message);
      this.startClock();
      if (this.profile.answer === 'voicemail') this.takeTurn();
    });
    socket.on('message', (data) => this.onGatewayMessage(data.toString()));
    socket.on('close', (code, reason) => {
      if (code === 1008) this.log.warn({ code, reason: reason.toString() }, 'gateway refused the media stream');
      void this.end('stream closed');
    });
    socket.on('error', (error) => this.log.warn({ err: error }, 'simulated media socket error'));
  }

  private onGatewayMessage(text: string): void {
    const command = this.stream?.read(text);
    if (!command) return;
    if (command.kind === 'audio') {
      this.playback.push({ kind: 'audio', bytes: command.bytes });
      // Audio that arrives while the callee talks over the agent (a barge-in) is the tail of the turn
      // they interrupted, not the agent's answer to them: counting it, the callee took its tail's end
      // for the end of the answer and said its next line over the reply.
      // Audio after the agent stopped for them (a `clear`) is the agent resuming or replying.
      if (!this.talkingOver || this.overTurn?.cleared) {
        if (!this.agentSpoke) this.onAgentTurnStarted();
        this.agentSpoke = true;
      }
      this.lastAgentAudioAt = Date.now();
    } else if (command.kind === 'mark') {
      this.playback.push({ kind: 'mark', name: command.name });
    } else {
      // The agent stopped for the callee who talked over it: what it says next is a new turn.
      if (this.overTurn) {
        this.overTurn.cleared = true;
        this.agentSpoke = false;
      }
      // Everything buffered is dropped; the carrier's dialect says what becomes of its marks.
      const dropped = this.playback.filter((item): item is { kind: 'mark'; name: string } => item.kind === 'mark').map((mark) => mark.name);
      this.playback = [];
      for (const message of this.stream?.cleared(dropped) ?? []) this.send(message);
    }
  }

  /** Real-time 20 ms clock: one inbound frame out, one frame of agent audio played, per tick. */
  private startClock(): void {
    const started = Date.now();
    let tick = 0;
    const step = () => {
      if (this.ended) return;
      tick++;
      this.sendInboundFrame();
      if (this.talkingOver && !this.calleeTurnPending && this.speaking.length === 0) {
        this.talkingOver = false;
        // The agent talked on through it (a backchannel): the callee answers that turn when it ends.
        if (this.overTurn && !this.overTurn.cleared) this.agentSpoke = true;
      }
      this.playOneFrame();
      this.maybeTakeTurn();
      this.after(Math.max(0, started + tick * FRAME_MS - Date.now()), step);
    };
    this.after(FRAME_MS, step);
  }

  private sendInboundFrame(): void {
    const frame = this.speaking.shift() ?? silenceFrame();
    this.chunk++;
    if (this.stream) this.send(this.stream.audio(frame, this.chunk));
  }

  private playOneFrame(): void {
    let budget = FRAME_BYTES;
    while (this.playback.length > 0) {
      const head = this.playback[0];
      if (head.kind === 'mark') {
        this.playback.shift();
        if (this.stream) this.send(this.stream.played(head.name));
        continue;
      }
      if (budget === 0) break;
      const take = Math.min(budget, head.bytes.length);
      budget -= take;
      if (take === head.bytes.length) {
        this.playback.shift();
        if (!this.playback.some((item) => item.kind === 'audio')) this.agentAudioEndedAt = Date.now();
      } else head.bytes = head.bytes.subarray(take);
    }
  }

  private maybeTakeTurn(): void {
    if (this.calleeTurnPending || this.bargeInPending || this.speaking.length > 0 || !this.agentSpoke) return;
    if (this.playback.some((item) => item.kind === 'audio')) return;
    // The agent's turn is over once the callee has heard it fall quiet for the gap, not merely
    // once its audio was sent: on a busy gateway the next sentence may still be synthesising.
    const gap = this.profile.turnGapMs ?? this.options.timing?.agentTurnGapMs ?? 400;
    const quietFor = Date.now() - Math.max(this.lastAgentAudioAt, this.agentAudioEndedAt);
    if (quietFor < gap) return;
    // Mid-sentence (the rest still being synthesised): wait for it, as a person would, within reason.
    if (this.options.agentTurnFinished && !this.options.agentTurnFinished(this.request.callId)) {
      this.sentenceOpenAt = Date.now();
      if (quietFor < SENTENCE_PATIENCE_MS) return;
    } else if (Date.now() - this.sentenceOpenAt < gap) return; // the gateway says so as it sends the last clause, before its audio has arrived
    // A barge-in line is said over the agent's next turn, not after this one.
    if (this.script[this.nextLine]?.bargeInAfterMs !== undefined) return;
    this.agentSpoke = false;
    this.takeTurn();
  }

  /** The agent's first audio since the callee last spoke: a barge-in line's clock starts now. */
  private onAgentTurnStarted(): void {
    const line = this.script[this.nextLine];
    if (line?.bargeInAfterMs === undefined || this.calleeTurnPending || this.bargeInPending) return;
    this.bargeInPending = true;
    this.after(line.bargeInAfterMs, () => {
      this.bargeInPending = false;
      // The callee talks now, over whatever is still playing; the agent's reply is its next turn.
      this.agentSpoke = false;
      this.talkingOver = true;
      this.takeTurn();
      this.overTurn = { cleared: false };
    });
  }

  /** The callee's next turn: the script's next line, or the improviser's once the script has run out. */
  private takeTurn(): void {
    const index = this.nextLine;
    const scripted = index < this.script.length;
    if (!scripted && !(this.profile.persona && this.options.improvise)) return; // out of lines: the callee stays silent
    this.nextLine++;
    this.overTurn = undefined;
    this.calleeTurnPending = true;
    const line = this.script[index];
    if (line?.silent) {
      this.log.info({ turn: index }, 'simulated callee stays silent this turn');
      this.calleeTurnPending = false;
      return;
    }
    const delay = line?.bargeInAfterMs !== undefined ? 0 : (line?.pauseMs ?? this.options.timing?.thinkMs ?? 300);
    this.after(delay, async () => {
      try {
        if (scripted) await this.say(line, await this.voiced[index]);
        else await this.improviseLine(index);
      } catch (error) {
        this.log.warn({ err: error }, 'simulated callee could not speak');
        this.calleeTurnPending = false;
      }
    });
  }

  private async improviseLine(turn: number): Promise<void> {
    const improvise = this.options.improvise;
    const persona = this.profile.persona;
    if (!improvise || !persona) return;
    const line = await improvise({ callId: this.request.callId, persona, language: this.profile.language, turn });
    if (this.ended) return;
    if (!line || line.silent || (!line.say && !line.dtmf)) {
      this.calleeTurnPending = false;
      return;
    }
    // An improvised line is heard at once: the model's own latency was the callee's pause.
    await this.say({ say: line.say, dtmf: line.dtmf }, line.say ? await this.options.speak(line.say, this.profile.language) : undefined);
  }

  /** Speaks a line's audio (with the side channel's copy of its words), then presses its keys. */
  private async say(line: CalleeLine, audio: Buffer | undefined): Promise<void> {
    if (this.ended) return;
    const frames = audio ? splitFrames(audio) : [];
    if (this.profile.answer === 'voicemail') {
      frames.push(...splitFrames(beep()));
      if (this.request.machineDetection && this.request.machineDetectionMode === 'message_end') {
        this.after(frames.length * FRAME_MS + 200, () => void this.reportMachine('machine_end_beep'));
      }
    }
    if (line.say) this.options.sideChannel.publish({ callId: this.sideChannelCallId, text: line.say, frames: frames.length });
    this.speaking.push(...frames);
    if (!line.dtmf) {
      this.calleeTurnPending = false;
      return;
    }
    // Keys follow the words, a press every 150 ms, as a person taps them.
    const digits = [...line.dtmf];
    const spokenMs = frames.length * FRAME_MS;
    digits.forEach((digit, i) =>
      this.after(spokenMs + 100 + i * 150, () => {
        const message = this.stream?.dtmf?.(digit);
        if (message) this.send(message);
        else if (i === 0) this.log.warn('this carrier dialect carries no DTMF: the keys were not sent');
        if (i === digits.length - 1) this.calleeTurnPending = false;
      }),
    );
  }

  /** Bridges the line elsewhere: the stream stops as Twilio stops it on `<Dial>`; no hangup is reported. */
  async transfer(to: string): Promise<void> {
    if (this.ended || this.socket?.readyState !== WebSocket.OPEN) {
      throw new CallTransferError(`simulated call has no live stream to transfer to ${maskPhone(to)}`, this.request.callId, 'not_live');
    }
    this.log.info({ to: maskPhone(to) }, 'simulated call transferred');
    const stop = this.stream?.stop();
    if (stop) this.send(stop);
    this.ended = true;
    this.socket.close(1000, 'call transferred');
    this.lastProgress = 'in-progress';
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.options.sideChannel.release(this.sideChannelCallId);
    this.onEnded();
  }

  private async reportMachine(result: 'machine_start' | 'machine_end_beep'): Promise<void> {
    const webhook = this.wire.machine(result);
    if (!webhook) return;
    await this.post(webhook).catch((error) => this.log.warn({ err: error }, 'machine detection callback failed'));
  }

  private send(message: unknown): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private async finish(status: 'completed' | 'busy' | 'failed' | 'no-answer'): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.options.sideChannel.release(this.sideChannelCallId);
    const duration = this.answeredAt ? Math.round((Date.now() - this.answeredAt) / 1000) : 0;
    await this.status(status, duration);
    this.onEnded();
  }

  private async status(status: CallProgress, durationSeconds?: number): Promise<void> {
    this.lastProgress = status;
    const webhook = this.wire.progress(status, durationSeconds);
    if (!webhook) return;
    try {
      const response = await this.post(webhook);
      if (!response.ok) this.log.warn({ status: response.status }, 'status callback rejected');
    } catch (error) {
      this.log.warn({ err: error }, 'status callback failed');
    }
  }

  private post(webhook: CarrierWebhook): Promise<Response> {
    return fetch(webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...webhook.headers },
      body: new URLSearchParams(webhook.params).toString(),
      signal: AbortSignal.timeout(10_000),
    });
  }

  private after(ms: number, fn: () => void | Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void fn();
    }, ms);
    this.timers.add(timer);
  }
}

/** The lines a call plays: a machine plays only its greeting (the script's first line, or a stock one). */
function scriptOf(profile: CalleeProfile): CalleeLine[] {
  if (profile.answer === 'voicemail') {
    const greeting = calleeLines(profile).find((line) => line.say)?.say ?? VOICEMAIL_GREETING;
    return [{ say: greeting }];
  }
  return profile.answer === 'human' ? calleeLines(profile) : [];
}

/** The answering machine's tone: 400 ms at 1 kHz. */
function beep(): Buffer {
  const pcm = Int16Array.from({ length: 3200 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
  return pcm16ToMulaw(pcm);
}
