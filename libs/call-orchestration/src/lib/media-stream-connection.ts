import type { Logger } from '@codcall/logging';
import { SAMPLE_RATE, type CallMediaEvent } from '@codcall/media';
import type { MediaStreamCodec } from '@codcall/telephony-providers';

/** What the gateway's WebSocket edge hands us for one media-stream connection. */
export interface MediaSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

export interface MediaStreamHandler {
  onMessage(text: string): void;
  onClose(): void;
}

/** WebSocket close code for a stream refused on policy grounds (bad token, ended call, a limit). */
export const POLICY_VIOLATION = 1008;

export interface MediaStreamLimits {
  /** A socket that has sent no valid `start` by then is closed: nobody holds a socket for free. */
  startTimeoutMs: number;
  /** A started stream that sends nothing for this long is over (carriers send audio every 20 ms). */
  idleTimeoutMs: number;
}

export const DEFAULT_MEDIA_STREAM_LIMITS: MediaStreamLimits = { startTimeoutMs: 5_000, idleTimeoutMs: 15_000 };

/**
 * The most agent audio one message carries. Neither Twilio nor Plivo documents a limit (call-gpt
 * sends whole synthesiser chunks); one second of mu-law (8,000 bytes, ~11 kB of base64) is a
 * conservative cap, and a longer chunk goes out as several messages.
 */
export const MAX_AUDIO_MESSAGE_BYTES = SAMPLE_RATE;

/** The idle watch wakes this many times per idle timeout to look whether anything came. */
const IDLE_CHECKS_PER_TIMEOUT = 4;

export type StartEvent = Extract<CallMediaEvent, { type: 'start' }>;
export type StreamEvent = Exclude<CallMediaEvent, { type: 'start' }>;

/** What a media stream needs of the call it carries. */
export interface StreamedCall {
  /** The stream is bound and carries audio both ways from now on. */
  streamOpened(connection: MediaStreamConnection): void;
  handleStreamEvent(event: StreamEvent): void;
  /** The socket closed, went idle, or said stop: the call's stream is over. */
  streamEnded(connection: MediaStreamConnection): void;
}

/** A `start` either binds the stream to a call or is refused, with a reason for the close frame. */
export type StreamBinding = { call: StreamedCall } | { refused: string };

export interface MediaStreamConnectionOptions {
  codec: MediaStreamCodec;
  socket: MediaSocket;
  limits: MediaStreamLimits;
  logger: Logger;
  bind(start: StartEvent, connection: MediaStreamConnection): StreamBinding;
  /** The stream bound to a call: it no longer counts as a socket waiting for its start. */
  onStarted?(): void;
  /** The socket is gone, whichever way. */
  onClosed?(): void;
}

/**
 * One carrier media-stream socket: waits (a bounded time) for a `start` that binds it to a call,
 * then carries the callee's audio to the call and the agent's audio, marks and clears back out
 * through the carrier's codec. A socket that stays silent, sends garbage, or outlives its call
 * is closed here.
 */
export class MediaStreamConnection implements MediaStreamHandler {
  private state: 'awaiting_start' | 'streaming' | 'closed' = 'awaiting_start';
  private call?: StreamedCall;
  private readonly startTimer: NodeJS.Timeout;
  private idleTimer?: NodeJS.Timeout;
  /** Set by every message; the idle watch reads and resets it (cheaper than re-arming a timer 50 times a second). */
  private heardSinceCheck = false;
  private quietChecks = 0;

  constructor(private readonly options: MediaStreamConnectionOptions) {
    const { startTimeoutMs } = options.limits;
    this.startTimer = setTimeout(() => this.refuse(`no valid start within ${startTimeoutMs} ms`), startTimeoutMs);
    this.startTimer.unref();
  }

  get streaming(): boolean {
    return this.state === 'streaming';
  }

  /** A getter, not a field read: an event handled above may have closed the stream. */
  private get closed(): boolean {
    return this.state === 'closed';
  }

  onMessage(text: string): void {
    if (this.state === 'closed') return;
    this.heardSinceCheck = true;
    let events: CallMediaEvent[];
    try {
      events = this.options.codec.parse(text);
    } catch (error) {
      return this.refuse(`malformed media message: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (let i = 0; i < events.length; i++) {
      if (this.closed) return;
      const event = events[i];
      if (event.type === 'start') this.start(event);
      else if (this.call) this.call.handleStreamEvent(event);
    }
  }

  onClose(): void {
    this.finish();
  }

  /** mu-law of any length, sent as it comes: one message a chunk, cut only above MAX_AUDIO_MESSAGE_BYTES. */
  sendAudio(mulaw: Buffer): void {
    if (this.state !== 'streaming' || mulaw.length === 0) return;
    const { codec, socket } = this.options;
    for (let offset = 0; offset < mulaw.length; offset += MAX_AUDIO_MESSAGE_BYTES) socket.send(codec.formatAudio(mulaw.subarray(offset, offset + MAX_AUDIO_MESSAGE_BYTES)));
  }

  sendMark(name: string): void {
    if (this.state === 'streaming') this.options.socket.send(this.options.codec.formatMark(name));
  }

  clear(): void {
    if (this.state === 'streaming') this.options.socket.send(this.options.codec.formatClear());
  }

  /** Closes the socket from our side; the call hears of it like any other end of stream. */
  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.options.socket.close(code, reason);
    this.finish();
  }

  private start(event: StartEvent): void {
    // One start per stream; a second one changes nothing.
    if (this.state !== 'awaiting_start') return;
    const binding = this.options.bind(event, this);
    if ('refused' in binding) return this.refuse(binding.refused);
    this.call = binding.call;
    this.state = 'streaming';
    clearTimeout(this.startTimer);
    this.watchIdle();
    this.options.onStarted?.();
    this.call.streamOpened(this);
  }

  /** Closes the stream once nothing came for the idle timeout (or up to a quarter of it longer). */
  private watchIdle(): void {
    const { idleTimeoutMs } = this.options.limits;
    this.heardSinceCheck = false;
    this.idleTimer = setInterval(() => {
      if (this.heardSinceCheck) {
        this.heardSinceCheck = false;
        this.quietChecks = 0;
        return;
      }
      if (++this.quietChecks < IDLE_CHECKS_PER_TIMEOUT) return;
      this.options.logger.warn({ idleTimeoutMs }, 'media stream idle: closing it');
      this.close(POLICY_VIOLATION, `no media for ${idleTimeoutMs} ms`);
    }, idleTimeoutMs / IDLE_CHECKS_PER_TIMEOUT);
    this.idleTimer.unref();
  }

  private refuse(reason: string): void {
    if (this.state === 'closed') return;
    this.options.logger.warn({ reason }, 'media stream refused');
    this.close(POLICY_VIOLATION, reason.slice(0, 120));
  }

  private finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.startTimer);
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.options.onClosed?.();
    this.call?.streamEnded(this);
  }
}

export interface MediaSocketCaps {
  /** Sockets from one remote address that have not sent a valid start yet. */
  maxAwaitingStartPerAddress: number;
  /** Every media socket at once; a live call holds one. */
  maxSockets: number;
}

/**
 * Counts media sockets so a flood of idle ones cannot pile up: a cap per remote address on those
 * still waiting for their start, and one on all of them.
 */
export class MediaSocketAdmission {
  private open = 0;
  private readonly awaitingStart = new Map<string, number>();

  constructor(private readonly caps: MediaSocketCaps) {}

  /** Takes a place for a new socket, or says why there is none. The release callbacks are idempotent. */
  admit(remoteAddress: string | undefined): { refused: string } | { started: () => void; closed: () => void } {
    const address = remoteAddress ?? 'unknown';
    if (this.open >= this.caps.maxSockets) return { refused: `too many media sockets (${this.caps.maxSockets})` };
    const waiting = this.awaitingStart.get(address) ?? 0;
    if (waiting >= this.caps.maxAwaitingStartPerAddress) return { refused: `too many media sockets from one address awaiting their start (${this.caps.maxAwaitingStartPerAddress})` };
    this.open++;
    this.awaitingStart.set(address, waiting + 1);
    let awaiting = true;
    let closed = false;
    const started = () => {
      if (!awaiting) return;
      awaiting = false;
      const left = (this.awaitingStart.get(address) ?? 1) - 1;
      if (left > 0) this.awaitingStart.set(address, left);
      else this.awaitingStart.delete(address);
    };
    return {
      started,
      closed: () => {
        if (closed) return;
        closed = true;
        started();
        this.open--;
      },
    };
  }

  get openSockets(): number {
    return this.open;
  }
}
