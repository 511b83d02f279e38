/** Frames remembered: the last ~40 s of caller audio at 20 ms a frame. */
const REMEMBERED_FRAMES = 2048;
/** mu-law 8 kHz: 8 bytes a millisecond. */
const BYTES_PER_MS = 8;

/**
 * When each stretch of the caller's audio reached the session, so a recogniser's timestamp (ms of
 * the audio stream it was given) becomes the moment the callee actually spoke it.
 */
export class AudioTimeline {
  /** Audio ms at the start of each remembered frame, and when that frame arrived. */
  private readonly startsAtAudioMs = new Float64Array(REMEMBERED_FRAMES);
  private readonly arrivedAtMs = new Float64Array(REMEMBERED_FRAMES);
  private frames = 0;
  private audioMs = 0;

  received(bytes: number, atMs: number): void {
    const slot = this.frames++ % REMEMBERED_FRAMES;
    this.startsAtAudioMs[slot] = this.audioMs;
    this.arrivedAtMs[slot] = atMs;
    this.audioMs += bytes / BYTES_PER_MS;
  }

  /**
   * When the frame holding audio position `audioMs` arrived (ms on the session's clock), or
   * undefined when that audio is not remembered (never received, or too long ago).
   */
  arrivalOf(audioMs: number): number | undefined {
    if (audioMs > this.audioMs || audioMs < 0) return undefined;
    const oldest = Math.max(0, this.frames - REMEMBERED_FRAMES);
    // Newest first: the recogniser asks about the last words, which are recent. A frame holds
    // (start, end]: a word ending at 640 ms ended in the frame from 620 to 640.
    for (let frame = this.frames - 1; frame >= oldest; frame--) {
      const slot = frame % REMEMBERED_FRAMES;
      if (audioMs > this.startsAtAudioMs[slot] || frame === 0) return this.arrivedAtMs[slot];
    }
    return undefined;
  }
}
