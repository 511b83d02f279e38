import type { CallAudioOutput } from '@codcall/media';

/** The carrier side of a conversation in unit tests: counts the agent's audio, keeps its marks until a test plays them. */
export class RecordingAudioOutput implements CallAudioOutput {
  audioBytes = 0;
  /** Marks sent and not yet reported as played; a test hands them back to the session. */
  marks: string[] = [];
  clears = 0;

  sendAudio(mulaw: Buffer): void {
    this.audioBytes += mulaw.length;
  }

  sendMark(name: string): void {
    this.marks.push(name);
  }

  clear(): void {
    this.clears++;
  }
}
