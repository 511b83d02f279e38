import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { Logger } from '@codcall/logging';
import { FRAME_BYTES, FRAME_MS, pcm16ToMulaw, silenceFrame, splitFrames, type SpeechSideChannel } from '@codcall/media';
import type { Carrier, CarrierCallLookup, PlaceCallRequest, PlacedCall } from '../carrier';
import { TwilioProtocol } from '../twilio/twilio-protocol';
import { DEFAULT_CALLEE, parseCalleeProfile, type CalleeBook, type CalleeProfile } from './callee-book';
import { TwilioCalleeWire, type CallProgress, type CalleeCallWire, type CalleeStreamWire, type CalleeWire, type CarrierWebhook } from './callee-wire';

export interface SimulatorTiming {
  /** How long the phone rings before a callee picks up (or is found busy / failed). */
  ringMs?: number;
  /** The callee's pause before answering the agent. */
  thinkMs?: number;
  /** Quiet after the agent's audio has played out before the callee takes the turn. */
  agentTurnGapMs?: number;
}

export interface SimulatorCarrierOptions {
  /** The callee's voice: mu-law 8 kHz audio for one line. */
  speak: (text: string) => Promise<Buffer>;
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

  /** A script for one call, overriding the book; validated here so a bad one fails the request. */
  setCallee(callId: string, profile: unknown): void {
    this.perCall.set(callId, parseCalleeProfile(profile, `simulation for call ${callId}`));
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

  // Temporary, so the Carrier contract compiles: H6 replaces it with a recorded transfer event.
  async transfer(carrierCallId: string, to: string): Promise<void> {
    throw new Error(`Simulator transfer not yet built (call ${carrierCallId} to a number ending ${to.slice(-2)})`);
  }

  /** The simulator's calls live in this process: one it does not hold has ended (or died with a previous run). */
  async fetchCallState(carrierCallId: string): Promise<CarrierCallLookup> {
    const call = this.calls.get(carrierCallId);
    return call ? { up: true, status: call.progress } : { up: false, status: 'not found' };
  }

  /** Calls still in progress (for tests and shutdown). */
  get activeCalls(): number {
    return this.calls.size;
  }
}

type PlaybackItem = { kind: 'audio'; bytes: Buffer } | { kind: 'mark'; name: string };

/** What a scripted call needs: the callee's voice and pacing, and the carrier wire it speaks. */
export interface SimulatedCallOptions {
  speak: (text: string) => Promise<Buffer>;
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
  private lines: Promise<Buffer[]>;
  private nextLine = 0;
  private speaking: Buffer[] = [];
  private playback: PlaybackItem[] = [];
  private agentSpoke = false;
  private lastAgentAudioAt = 0;
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
    const says = profile.answer === 'voicemail' ? [VOICEMAIL_GREETING] : (profile.says ?? []);
    // Synthesised while the phone rings, so the callee answers without a synthesis delay.
    this.lines = profile.answer === 'human' || profile.answer === 'voicemail' ? Promise.all(says.map((line) => options.speak(line))) : Promise.resolve([]);
    this.lines.catch(() => undefined);
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
      if (this.profile.answer === 'voicemail') this.queueCalleeLine();
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
      this.agentSpoke = true;
      this.lastAgentAudioAt = Date.now();
    } else if (command.kind === 'mark') {
      this.playback.push({ kind: 'mark', name: command.name });
    } else {
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
      if (take === head.bytes.length) this.playback.shift();
      else head.bytes = head.bytes.subarray(take);
    }
  }

  private maybeTakeTurn(): void {
    if (this.calleeTurnPending || this.speaking.length > 0 || !this.agentSpoke) return;
    if (this.playback.some((item) => item.kind === 'audio')) return;
    if (Date.now() - this.lastAgentAudioAt < (this.options.timing?.agentTurnGapMs ?? 400)) return;
    this.agentSpoke = false;
    this.queueCalleeLine();
  }

  private queueCalleeLine(): void {
    const says = this.profile.answer === 'voicemail' ? [VOICEMAIL_GREETING] : (this.profile.says ?? []);
    if (this.nextLine >= says.length) return; // out of lines: the callee stays silent
    const index = this.nextLine++;
    this.calleeTurnPending = true;
    this.after(this.options.timing?.thinkMs ?? 300, async () => {
      try {
        const audio = (await this.lines)[index];
        if (this.ended) return;
        const frames = splitFrames(audio);
        if (this.profile.answer === 'voicemail') {
          frames.push(...splitFrames(beep()));
          if (this.request.machineDetection && this.request.machineDetectionMode === 'message_end') {
            this.after(frames.length * FRAME_MS + 200, () => void this.reportMachine('machine_end_beep'));
          }
        }
        this.options.sideChannel.publish({ callId: this.sideChannelCallId, text: says[index], frames: frames.length });
        this.speaking.push(...frames);
      } catch (error) {
        this.log.warn({ err: error }, 'simulated callee could not speak');
      } finally {
        this.calleeTurnPending = false;
      }
    });
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

/** The answering machine's tone: 400 ms at 1 kHz. */
function beep(): Buffer {
  const pcm = Int16Array.from({ length: 3200 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
  return pcm16ToMulaw(pcm);
}
