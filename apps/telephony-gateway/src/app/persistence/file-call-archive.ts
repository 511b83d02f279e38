import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { mkdir, open, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallArchive, CallRecord } from '@codcall/call-orchestration';
import type { RecordingSink } from '@codcall/media';

/**
 * Each call as two files in RECORDS_DIR: `<call id>.wav` (both sides, stereo), streamed while the
 * call runs, and `<call id>.json` (the record, masked as the orchestrator hands it over) at its
 * end. Both are written under a temp name and renamed when complete, so a reader (or a crash)
 * never leaves half a file under the final name.
 */
export class FileCallArchive implements CallArchive {
  private dirMade = false;

  constructor(private readonly dir: string) {}

  openRecording(callId: string): RecordingSink {
    if (!this.dirMade) {
      // Once per archive, at the first call: the stream below opens its file at once.
      mkdirSync(this.dir, { recursive: true });
      this.dirMade = true;
    }
    return new WavFileSink(join(this.dir, `${callId}.wav`));
  }

  async saveRecord(record: CallRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${record.callId}.json`);
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(record, null, 2));
    await rename(temp, path);
  }
}

/** One recording: appended to `<path>.<pid>.tmp` as the call runs, its header written last, then renamed to `path`. */
class WavFileSink implements RecordingSink {
  private readonly temp: string;
  private readonly stream: WriteStream;
  private failure?: Error;

  constructor(private readonly path: string) {
    this.temp = `${path}.${process.pid}.tmp`;
    this.stream = createWriteStream(this.temp);
    // A write that fails (disk full, folder gone) ends the recording, not the call: finish() reports it.
    this.stream.on('error', (error) => (this.failure ??= error));
  }

  write(block: Buffer): void {
    if (!this.failure && !this.stream.destroyed) this.stream.write(block);
  }

  async finish(header: Buffer): Promise<string> {
    await new Promise<void>((resolve) => {
      if (this.stream.closed) return resolve();
      this.stream.once('close', () => resolve());
      this.stream.end();
    });
    try {
      if (this.failure) throw this.failure;
      const file = await open(this.temp, 'r+');
      try {
        await file.write(header, 0, header.length, 0);
      } finally {
        await file.close();
      }
      await rename(this.temp, this.path);
      return this.path;
    } catch (error) {
      await this.abort();
      throw new Error(`could not write the recording ${this.temp}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  async abort(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.stream.closed) return resolve();
      this.stream.once('close', () => resolve());
      this.stream.destroy();
    });
    await unlink(this.temp).catch(() => undefined);
  }
}
