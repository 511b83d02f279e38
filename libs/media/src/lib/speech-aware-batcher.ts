import { magnitudeOf, SAMPLE_RATE } from './mulaw';

export interface SpeechAwareBatchingOptions {
  /** How much audio goes in one message during continuous speech. Default 100 ms. */
  batchMs?: number;
  /**
   * How much goes in one message in long silence, after the late tail: nothing there waits on
   * the recogniser, and the first voiced frame sends whatever is held at once. Default `batchMs`.
   */
  silenceBatchMs?: number;
  /** The onset and the tail go out in messages of this much (default one frame: as it comes). */
  onsetBatchMs?: number;
  tailBatchMs?: number;
  /** The first stretch of speech after silence goes out frame by frame (the recogniser's speech start). Default 300 ms. */
  onsetMs?: number;
  /**
   * After the last voiced frame, frames go out one by one for this long: the recogniser's
   * endpointing (and utterance-end) window, so its verdict on the end of a turn is never late.
   */
  tailMs: number;
  /**
   * After the tail, up to this long after the last voiced frame, frames go out in small batches of
   * `lateTailBatchMs` (default 40 ms): a slower verdict's window (Deepgram's UtteranceEnd), late by
   * at most that batch. Default: no late tail.
   */
  lateTailMs?: number;
  lateTailBatchMs?: number;
  /** Mean magnitude (16-bit PCM units) above which a frame counts as voiced. Default 100 (about -50 dBFS). */
  voicedThreshold?: number;
}

/**
 * Relays a caller's 20 ms frames to a recogniser in fewer, larger messages (Deepgram suggests
 * 20-250 ms of audio a message) without moving a turn's timing: the first voiced frame after
 * silence and the speech onset go out at once, the frame that follows speech flushes whatever
 * was held, and the endpointing window after speech goes out frame by frame. Only continuous
 * speech (its interim words, up to `batchMs` later) and long silence (which the recogniser
 * answers with nothing) wait to fill a batch.
 */
export class SpeechAwareBatcher {
  private readonly batchBytes: number;
  private readonly silenceBatchBytes: number;
  private readonly onsetBatchBytes: number;
  private readonly tailBatchBytes: number;
  private readonly onsetBytes: number;
  private readonly tailBytes: number;
  private readonly lateTailBytes: number;
  private readonly lateTailBatchBytes: number;
  private readonly threshold: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Audio since the last voiced frame; starts past the tail, as after a long silence. */
  private sinceVoice: number;
  private onsetLeft = 0;

  constructor(
    options: SpeechAwareBatchingOptions,
    /** Gets a buffer of its own (never one the caller passed in). */
    private readonly send: (audio: Buffer) => void,
  ) {
    const bytes = (ms: number) => Math.round((ms * SAMPLE_RATE) / 1000);
    this.batchBytes = bytes(options.batchMs ?? 100);
    this.silenceBatchBytes = options.silenceBatchMs === undefined ? this.batchBytes : bytes(options.silenceBatchMs);
    this.onsetBatchBytes = bytes(options.onsetBatchMs ?? 0);
    this.tailBatchBytes = bytes(options.tailBatchMs ?? 0);
    this.onsetBytes = bytes(options.onsetMs ?? 300);
    this.tailBytes = bytes(options.tailMs);
    this.lateTailBytes = Math.max(this.tailBytes, bytes(options.lateTailMs ?? 0));
    this.lateTailBatchBytes = bytes(options.lateTailBatchMs ?? 40);
    this.threshold = options.voicedThreshold ?? 100;
    this.sinceVoice = this.lateTailBytes + 1;
  }

  push(frame: Buffer): void {
    if (frame.length === 0) return;
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    if (this.isVoiced(frame)) {
      const onset = this.sinceVoice > this.lateTailBytes;
      if (onset) this.onsetLeft = this.onsetBytes;
      this.sinceVoice = 0;
      if (this.onsetLeft > 0) {
        this.onsetLeft -= frame.length;
        // The first sound after silence goes at once (the recogniser's speech start), with what was held.
        if (onset || this.pendingBytes >= this.onsetBatchBytes || this.onsetLeft <= 0) this.flush();
        return;
      }
    } else {
      const wasSpeaking = this.sinceVoice === 0;
      this.sinceVoice += frame.length;
      // The end of speech at once, and the endpointing window after it as it comes (or in small batches).
      if (wasSpeaking) return this.flush();
      if (this.sinceVoice <= this.tailBytes) {
        if (this.pendingBytes >= this.tailBatchBytes || this.sinceVoice === this.tailBytes) this.flush();
        return;
      }
      if (this.sinceVoice <= this.lateTailBytes) {
        if (this.pendingBytes >= this.lateTailBatchBytes) this.flush();
        return;
      }
      if (this.pendingBytes >= this.silenceBatchBytes) this.flush();
      return;
    }
    if (this.pendingBytes >= this.batchBytes) this.flush();
  }

  /** Sends what is held (before a close, or a Finalize). */
  flush(): void {
    if (this.pendingBytes === 0) return;
    const audio = this.pending.length === 1 ? Buffer.from(this.pending[0]) : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.send(audio);
  }

  private isVoiced(frame: Buffer): boolean {
    // Stops reading as soon as the frame is loud enough: speech frames cost a few samples.
    const limit = this.threshold * frame.length;
    let sum = 0;
    for (let i = 0; i < frame.length; i++) {
      sum += magnitudeOf[frame[i]];
      if (sum > limit) return true;
    }
    return false;
  }
}
