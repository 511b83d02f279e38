/**
 * Where a call's recording goes while the call runs: bytes appended in order, then, at the end,
 * the first bytes (a file header whose sizes are known only then) overwritten. The gateway
 * implements it with a file; nothing here does I/O.
 */
export interface RecordingSink {
  /** Appends `block` (the sink may keep it: the caller never reuses it). */
  write(block: Buffer): void;
  /** Overwrites the start with `header` and keeps the whole; answers where it is. */
  finish(header: Buffer): Promise<string>;
  /** Throws away everything written. */
  abort(): Promise<void>;
}

/** A sink that keeps the recording in memory: for tests and tools, never for a live gateway. */
export class MemoryRecordingSink implements RecordingSink {
  private blocks: Buffer[] = [];
  private finished?: Buffer;
  aborted = false;

  constructor(private readonly name = 'memory') {}

  write(block: Buffer): void {
    this.blocks.push(block);
  }

  async finish(header: Buffer): Promise<string> {
    const all = Buffer.concat(this.blocks);
    header.copy(all, 0);
    this.finished = all;
    this.blocks = [];
    return this.name;
  }

  async abort(): Promise<void> {
    this.aborted = true;
    this.blocks = [];
  }

  /** The finished file; undefined until finish(). */
  get bytes(): Buffer | undefined {
    return this.finished;
  }

  /** What was written so far, before finish(). */
  get writtenBytes(): number {
    return this.blocks.reduce((sum, block) => sum + block.length, 0);
  }
}
