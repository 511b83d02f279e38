import { endianness } from 'node:os';
import { pcm16OfMulaw, SAMPLE_RATE } from './mulaw';
import type { RecordingSink } from './recording-sink';

export interface CallRecordingOptions {
  /** Where the WAV goes while the call runs. */
  sink: RecordingSink;
  /** Now, in ms on the timeline of `addOutbound`'s and `clearOutbound`'s `atMs`: no clear can reach back before it. */
  now: () => number;
  /** How much settled timeline is written at a time. Default 1000 ms (32 kB of stereo PCM). */
  blockMs?: number;
}

const WAV_HEADER_BYTES = 44;
const BIG_ENDIAN = endianness() === 'BE';

/**
 * Both sides of a call on one timeline, as the callee heard it, written to a sink as the call
 * runs: inbound audio arrives in real time, so its position is its frame count; outbound audio
 * is sent faster than real time, so each chunk is placed where its playback begins (after
 * whatever was still queued), and a barge-in's clear drops what had not been played yet. A
 * stretch of the timeline is written once it is settled: the callee's frames for it have come,
 * and it lies before now, where no clear can reach. Only the unwritten frames and the agent
 * audio still queued for the future are held in memory. Stereo 16-bit PCM at 8 kHz: left is the
 * callee, right is the agent.
 */
export class CallRecording {
  private readonly blockSamples: number;
  /** Samples of the timeline already handed to the sink. */
  private written = 0;
  /** Inbound frames not yet (wholly) written; the first one starts at sample `inboundFrom`. */
  private inbound: Buffer[] = [];
  private inboundFrom = 0;
  private inboundBytes = 0;
  /** Agent audio not yet (wholly) written, in timeline order. */
  private outbound: { startSample: number; audio: Buffer }[] = [];
  private outboundEndSample = 0;
  private state: 'recording' | 'finished' | 'aborted' = 'recording';

  constructor(private readonly options: CallRecordingOptions) {
    this.blockSamples = msToSamples(options.blockMs ?? 1000);
    // Sizes unknown yet: finish() writes them over this.
    const header = Buffer.alloc(WAV_HEADER_BYTES);
    writeWavHeader(header, { sampleRate: SAMPLE_RATE, channels: 2, samples: 0 });
    options.sink.write(header);
  }

  addInbound(frame: Buffer): void {
    if (this.state !== 'recording') return;
    this.inbound.push(frame);
    this.inboundBytes += frame.length;
    if (this.inboundBytes - this.written >= this.blockSamples) this.writeSettled();
  }

  addOutbound(mulaw: Buffer, atMs: number): void {
    if (this.state !== 'recording') return;
    // Never before what is written: a clock that stepped back cannot rewrite the file.
    const startSample = Math.max(msToSamples(atMs), this.outboundEndSample, this.written);
    this.outbound.push({ startSample, audio: Buffer.from(mulaw) });
    this.outboundEndSample = startSample + mulaw.length;
  }

  clearOutbound(atMs: number): void {
    const cut = Math.max(msToSamples(atMs), this.written);
    for (let i = this.outbound.length - 1; i >= 0; i--) {
      const chunk = this.outbound[i];
      if (chunk.startSample >= cut) this.outbound.splice(i, 1);
      else if (chunk.startSample + chunk.audio.length > cut) chunk.audio = chunk.audio.subarray(0, cut - chunk.startSample);
    }
    this.outboundEndSample = Math.min(this.outboundEndSample, cut);
  }

  get durationMs(): number {
    return (Math.max(this.inboundBytes, this.outboundEndSample) * 1000) / SAMPLE_RATE;
  }

  /** Writes the rest of the timeline and the header's sizes; answers where the sink kept it. */
  async finish(): Promise<string> {
    if (this.state !== 'recording') throw new Error(`the recording was ${this.state} already`);
    const samples = Math.max(this.inboundBytes, this.outboundEndSample);
    this.writeUpTo(samples);
    this.state = 'finished';
    const header = Buffer.alloc(WAV_HEADER_BYTES);
    writeWavHeader(header, { sampleRate: SAMPLE_RATE, channels: 2, samples });
    return this.options.sink.finish(header);
  }

  /** Drops the recording: nothing of it is kept. */
  async abort(): Promise<void> {
    if (this.state !== 'recording') return;
    this.state = 'aborted';
    this.inbound = [];
    this.outbound = [];
    await this.options.sink.abort();
  }

  private writeSettled(): void {
    const settled = Math.min(this.inboundBytes, msToSamples(this.options.now()));
    if (settled - this.written >= this.blockSamples) this.writeUpTo(settled);
  }

  /** Hands the sink the timeline from `written` to `end`, and forgets the audio wholly before `end`. */
  private writeUpTo(end: number): void {
    const from = this.written;
    const samples = end - from;
    if (samples <= 0) return;
    // Interleaved 16-bit samples in a typed array (a fraction of DataView's cost a sample), made
    // little-endian for the file on the rare big-endian host.
    const pcm = new Int16Array(samples * 2);

    let position = this.inboundFrom;
    let done = 0;
    for (const frame of this.inbound) {
      if (position >= end) break;
      const last = Math.min(position + frame.length, end);
      for (let sample = Math.max(position, from); sample < last; sample++) pcm[(sample - from) * 2] = pcm16OfMulaw[frame[sample - position]];
      if (position + frame.length > end) break;
      position += frame.length;
      done++;
    }
    this.inbound.splice(0, done);
    this.inboundFrom = position;

    let kept = 0;
    for (const chunk of this.outbound) {
      const { startSample, audio } = chunk;
      if (startSample < end) {
        const last = Math.min(startSample + audio.length, end);
        for (let sample = Math.max(startSample, from); sample < last; sample++) pcm[(sample - from) * 2 + 1] = pcm16OfMulaw[audio[sample - startSample]];
      }
      if (startSample + audio.length > end) this.outbound[kept++] = chunk;
    }
    this.outbound.length = kept;

    this.written = end;
    const block = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
    if (BIG_ENDIAN) block.swap16();
    this.options.sink.write(block);
  }
}

function msToSamples(ms: number): number {
  return Math.max(0, Math.round((ms * SAMPLE_RATE) / 1000));
}

/** Writes a canonical 44-byte RIFF/WAVE header for 16-bit PCM into the start of `target`. */
export function writeWavHeader(target: Buffer, format: { sampleRate: number; channels: number; samples: number }): void {
  const blockAlign = format.channels * 2;
  const dataBytes = format.samples * blockAlign;
  target.write('RIFF', 0, 'ascii');
  target.writeUInt32LE(36 + dataBytes, 4);
  target.write('WAVE', 8, 'ascii');
  target.write('fmt ', 12, 'ascii');
  target.writeUInt32LE(16, 16);
  target.writeUInt16LE(1, 20);
  target.writeUInt16LE(format.channels, 22);
  target.writeUInt32LE(format.sampleRate, 24);
  target.writeUInt32LE(format.sampleRate * blockAlign, 28);
  target.writeUInt16LE(blockAlign, 32);
  target.writeUInt16LE(16, 34);
  target.write('data', 36, 'ascii');
  target.writeUInt32LE(dataBytes, 40);
}

/** Reads the PCM samples out of a 16-bit PCM WAV file (any chunk layout), for decoding synthesiser output. */
export function readWavPcm16(wav: Buffer): { sampleRate: number; channels: number; pcm: Int16Array } {
  if (wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let offset = 12;
  let sampleRate = 0;
  let channels = 0;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    let size = wav.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (wav.readUInt16LE(body) !== 1 || wav.readUInt16LE(body + 14) !== 16) throw new Error('only 16-bit PCM WAV is supported');
      channels = wav.readUInt16LE(body + 2);
      sampleRate = wav.readUInt32LE(body + 4);
    } else if (id === 'data') {
      // Streaming writers leave the size unset (0 or 0xFFFFFFFF): take what is there.
      if (size === 0 || body + size > wav.length) size = wav.length - body;
      const bytes = wav.subarray(body, body + size - (size % 2));
      const pcm = new Int16Array(bytes.length / 2);
      for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(i * 2);
      if (!sampleRate) throw new Error('WAV data before its format chunk');
      return { sampleRate, channels, pcm };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('WAV file has no data chunk');
}
