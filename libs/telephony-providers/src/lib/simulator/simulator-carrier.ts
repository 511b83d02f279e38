import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import type { Logger } from '@codcall/logging';
import { FRAME_BYTES, FRAME_MS, pcm16ToMulaw, silenceFrame, splitFrames, type SpeechSideChannel } from '@codcall/media';
import type { Carrier, PlaceCallRequest, PlacedCall } from '../carrier';
import { signTwilioRequest } from '../twilio/signature';
import { TwilioProtocol } from '../twilio/twilio-protocol';
import { DEFAULT_CALLEE, parseCalleeProfile, type CalleeBook, type CalleeProfile } from './callee-book';

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

const ACCOUNT_SID = 'AC' + '5'.repeat(32);
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


  /** Calls still in progress (for tests and shutdown). */
  get activeCalls(): number {
    return this.calls.size;
  }
}

type PlaybackItem = { kind: 'audio'; bytes: Buffer } | { kind: 'mark'; name: string };

/**
 * One scripted callee on Twilio's wire: signed status callbacks, the answer document fetched by
 * POST, and a Media Streams socket in real time. The simulator carrier runs these in-process;
 * a fake Twilio server in tests runs the same behind Twilio's REST API.
 */
export class SimulatedCall {
  private readonly log: Logger;
  private readonly timers = new Set<NodeJS.Timeout>();
  private socket?: WebSocket;
  private streamSid = 'MZ' + randomBytes(16).toString('hex');
  private ended = false;
  private answeredAt?: number;
  private lines: Promise<Buffer[]>;
  private nextLine = 0;
  private speaking: Buffer[] = [];
  private playback: PlaybackItem[] = [];
  private agentSpoke = false;
  private lastAgentAudioAt = 0;
  private calleeTurnPending = false;
  private chunk = 0;
  private sequence = 0;
  /** Whose words these are on the side channel: our call id, from the stream's parameters when given. */
  private sideChannelCallId: string;

  constructor(
    private readonly sid: string,
    private readonly request: PlaceCallRequest,
    private readonly profile: CalleeProfile,
    private readonly options: SimulatorCarrierOptions,
    private readonly onEnded: () => void,
  ) {
    this.log = options.logger.child({ carrierCallId: sid });
    this.sideChannelCallId = request.callId;
    const says = profile.answer === 'voicemail' ? [VOICEMAIL_GREETING] : (profile.says ?? []);
    // Synthesised while the phone rings, so the callee answers without a synthesis delay.
    this.lines = profile.answer === 'human' || profile.answer === 'voicemail' ? Promise.all(says.map((line) => options.speak(line))) : Promise.resolve([]);
    this.lines.catch(() => undefined);
  }

  begin(): void {
    this.log.info({ to: this.request.to, answer: this.profile.answer }, 'simulated call ringing');
    void this.status('initiated').then(() => this.status('ringing'));
    const ringMs = this.profile.ringSeconds !== undefined ? this.profile.ringSeconds * 1000 : (this.options.timing?.ringMs ?? 800);
    switch (this.profile.answer) {
      case 'busy':
        return this.after(ringMs, () => this.finish('busy'));
      case 'failed':
        return this.after(ringMs, () => this.finish('failed'));
      case 'no_answer':
        return this.after(Math.min(ringMs, this.request.ringTimeoutSeconds * 1000), () => this.finish('no-answer'));
      default:
        return this.after(ringMs, () => void this.answer());
    }
  }

  async end(reason: string): Promise<void> {
    if (this.ended) return;
    this.log.info({ reason }, 'simulated call ending');
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.send({ event: 'stop', sequenceNumber: this.seq(), streamSid: this.streamSid, stop: { accountSid: ACCOUNT_SID, callSid: this.sid } });
      this.socket.close(1000, 'call ended');
    }
    await this.finish('completed');
  }

  private async answer(): Promise<void> {
    if (this.ended) return;
    this.answeredAt = Date.now();
    await this.status('in-progress');
    // Like Twilio's async AMD: machine_start soon after answering, or machine_end_beep once the
    // greeting and its beep have played (DetectMessageEnd, to leave a message).
    if (this.profile.answer === 'voicemail' && this.request.machineDetection && this.request.machineDetectionMode !== 'message_end') {
      this.after(600, () => void this.reportMachine('machine_start'));
    }
    let twiml: string;
    try {
      const response = await this.post(this.request.answerUrl, this.baseParams('in-progress'));
      twiml = await response.text();
      if (!response.ok) throw new Error(`answer URL answered ${response.status}`);
    } catch (error) {
      this.log.warn({ err: error }, 'simulated call could not fetch its answer document');
      return void this.finish('failed');
    }
    const stream = parseStreamTwiml(twiml);
    if (!stream) {
      this.log.warn('answer document has no <Connect><Stream>: hanging up');
      return void this.end('no stream in answer document');
    }
    this.openStream(stream.url, stream.parameters);
  }

  private openStream(url: string, parameters: Record<string, string>): void {
    if (this.ended) return;
    if (parameters['call_id']) this.sideChannelCallId = parameters['call_id'];
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.on('open', () => {
      this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
      this.send({
        event: 'start',
        sequenceNumber: this.seq(),
        streamSid: this.streamSid,
        start: {
          streamSid: this.streamSid,
          accountSid: ACCOUNT_SID,
          callSid: this.sid,
          tracks: ['inbound'],
          customParameters: parameters,
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      });
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
    let message: { event?: string; media?: { payload?: string }; mark?: { name?: string } };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.event === 'media' && message.media?.payload) {
      this.playback.push({ kind: 'audio', bytes: Buffer.from(message.media.payload, 'base64') });
      this.agentSpoke = true;
      this.lastAgentAudioAt = Date.now();
    } else if (message.event === 'mark' && message.mark?.name) {
      this.playback.push({ kind: 'mark', name: message.mark.name });
    } else if (message.event === 'clear') {
      // Everything buffered is dropped; its marks come back at once, as Twilio does.
      const marks = this.playback.filter((item): item is { kind: 'mark'; name: string } => item.kind === 'mark');
      this.playback = [];
      for (const mark of marks) this.sendMark(mark.name);
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
    this.send({
      event: 'media',
      sequenceNumber: this.seq(),
      streamSid: this.streamSid,
      media: { track: 'inbound', chunk: String(this.chunk), timestamp: String(this.chunk * FRAME_MS), payload: frame.toString('base64') },
    });
  }

  private playOneFrame(): void {
    let budget = FRAME_BYTES;
    while (this.playback.length > 0) {
      const head = this.playback[0];
      if (head.kind === 'mark') {
        this.playback.shift();
        this.sendMark(head.name);
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

  private reportMachine(answeredBy: 'machine_start' | 'machine_end_beep'): Promise<Response | void> {
    return this.post(this.request.machineDetectionUrl ?? this.request.statusCallbackUrl, { ...this.baseParams('in-progress'), AnsweredBy: answeredBy }).catch((error) =>
      this.log.warn({ err: error }, 'machine detection callback failed'),
    );
  }

  private sendMark(name: string): void {
    this.send({ event: 'mark', sequenceNumber: this.seq(), streamSid: this.streamSid, mark: { name } });
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
    await this.status(status, { CallDuration: String(duration) });
    this.onEnded();
  }

  private async status(status: string, extra: Record<string, string> = {}): Promise<void> {
    try {
      const response = await this.post(this.request.statusCallbackUrl, { ...this.baseParams(status), ...extra });
      if (!response.ok) this.log.warn({ status: response.status }, 'status callback rejected');
    } catch (error) {
      this.log.warn({ err: error }, 'status callback failed');
    }
  }

  private post(url: string, params: Record<string, string>): Promise<Response> {
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest(this.options.webhookSecret, url, params),
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(10_000),
    });
  }

  private baseParams(status: string): Record<string, string> {
    return {
      CallSid: this.sid,
      AccountSid: ACCOUNT_SID,
      From: this.request.from ?? '+15005550006',
      To: this.request.to,
      Direction: 'outbound-api',
      ApiVersion: '2010-04-01',
      CallStatus: status,
    };
  }

  private after(ms: number, fn: () => void | Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void fn();
    }, ms);
    this.timers.add(timer);
  }

  private seq(): string {
    return String(++this.sequence);
  }
}

/** Reads the stream URL and parameters out of a `<Connect><Stream>` TwiML document. */
export function parseStreamTwiml(twiml: string): { url: string; parameters: Record<string, string> } | null {
  const stream = /<Connect>\s*<Stream\b([^>]*?)(\/>|>([\s\S]*?)<\/Stream>)/.exec(twiml);
  if (!stream) return null;
  const url = attribute(stream[1], 'url');
  if (!url) return null;
  const parameters: Record<string, string> = {};
  for (const match of (stream[3] ?? '').matchAll(/<Parameter\b([^>]*?)\/>/g)) {
    const name = attribute(match[1], 'name');
    if (name) parameters[name] = attribute(match[1], 'value') ?? '';
  }
  return { url, parameters };
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}="([^"]*)"`).exec(attributes);
  return match ? decodeXml(match[1]) : undefined;
}

function decodeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, entity: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[entity] ?? '');
}

/** The answering machine's tone: 400 ms at 1 kHz. */
function beep(): Buffer {
  const pcm = Int16Array.from({ length: 3200 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
  return pcm16ToMulaw(pcm);
}
