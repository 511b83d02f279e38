/** mu-law 8 kHz: one byte per sample, so a 20 ms frame is 160 bytes. */
const FRAME_BYTES = 160;

type Queued = { kind: 'audio'; bytes: Buffer } | { kind: 'mark'; name: string };

/** What one 20 ms tick of playout did. */
export interface PlayoutTick {
  /** Agent audio bytes played to the callee in this tick (at most one frame). */
  playedBytes: number;
  /** Marks whose audio has now all been played: the carrier echoes each back. */
  marks: string[];
}

/**
 * The carrier's outbound buffer, as Twilio keeps it: agent audio arrives in messages of any size,
 * is played to the callee in real time (one 20 ms frame a tick), and a mark is echoed back only
 * once all the audio sent before it has been played. `clear` drops what is buffered and hands
 * back every outstanding mark at once.
 */
export class CarrierPlayout {
  private queue: Queued[] = [];
  private bufferedBytes = 0;

  audio(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.queue.push({ kind: 'audio', bytes });
    this.bufferedBytes += bytes.length;
  }

  mark(name: string): void {
    this.queue.push({ kind: 'mark', name });
  }

  /** Plays up to one frame; marks reached on the way (also marks with no audio before them) come back. */
  tick(): PlayoutTick {
    let budget = FRAME_BYTES;
    const marks: string[] = [];
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (head.kind === 'mark') {
        this.queue.shift();
        marks.push(head.name);
        continue;
      }
      if (budget === 0) break;
      const take = Math.min(budget, head.bytes.length);
      budget -= take;
      this.bufferedBytes -= take;
      if (take === head.bytes.length) this.queue.shift();
      else head.bytes = head.bytes.subarray(take);
    }
    return { playedBytes: FRAME_BYTES - budget, marks };
  }

  /** Drops the buffered audio; the marks that were waiting on it are returned, in order. */
  clear(): string[] {
    const marks = this.queue.filter((item): item is { kind: 'mark'; name: string } => item.kind === 'mark').map((item) => item.name);
    this.queue = [];
    this.bufferedBytes = 0;
    return marks;
  }

  /** Agent audio still to be played, in milliseconds. */
  get bufferedMs(): number {
    return this.bufferedBytes / 8;
  }

  /** Nothing left to play and no mark outstanding. */
  get idle(): boolean {
    return this.queue.length === 0;
  }
}
