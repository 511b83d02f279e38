import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallArchive, CallRecord } from '@codcall/call-orchestration';
import type { CallRecording } from '@codcall/media';

/**
 * Each finished call as two files in RECORDS_DIR: `<call id>.json` (the record, masked as the
 * orchestrator hands it over) and `<call id>.wav` (both sides, stereo). Written through a temp
 * file and a rename, so a reader never sees half a file.
 */
export class FileCallArchive implements CallArchive {
  constructor(private readonly dir: string) {}

  async saveRecording(callId: string, recording: CallRecording): Promise<string> {
    const path = join(this.dir, `${callId}.wav`);
    await this.write(path, recording.toWav());
    return path;
  }

  async saveRecord(record: CallRecord): Promise<void> {
    await this.write(join(this.dir, `${record.callId}.json`), JSON.stringify(record, null, 2));
  }

  private async write(path: string, content: string | Buffer): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, content);
    await rename(temp, path);
  }
}
