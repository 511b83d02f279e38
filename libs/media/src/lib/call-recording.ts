import { mulawToPcm16, SAMPLE_RATE } from './mulaw';

/**
 * Both sides of a call on one timeline, as the callee heard it: inbound audio arrives in real
 * time, so its position is its frame count; outbound audio is sent faster than real time, so each
 * chunk is placed where its playback begins (after whatever was still queued), and a barge-in's
 * clear drops what had not been played yet.
 */
export class CallRecording {
  private inbound: Buffer[] = [];
  private inboundBytes = 0;
  private readonly outbound: { startSample: number; audio: Buffer }[] = [];
  private outboundEndSample = 0;

  addInbound(frame: Buffer): void {
    this.inbound.push(frame);
    this.inboundBytes += frame.length;
  }

  addOutbound(mulaw: Buffer, atMs: number): void {
    const startSample = Math.max(msToSamples(atMs), this.outboundEndSample);
    this.outbound.push({ startSample, audio: Buffer.from(mulaw) });
    this.outboundEndSample = startSample + mulaw.length;
  }

  clearOutbound(atMs: number): void {
    const cut = msToSamples(atMs);
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

  /** Stereo 16-bit PCM at 8 kHz: left is the callee, right is the agent. */
  toWav(): Buffer {
    const samples = Math.max(this.inboundBytes, this.outboundEndSample);
    const wav = Buffer.alloc(44 + samples * 4);
    writeWavHeader(wav, { sampleRate: SAMPLE_RATE, channels: 2, samples });
    const inbound = mulawToPcm16(Buffer.concat(this.inbound, this.inboundBytes));
    for (let i = 0; i < inbound.length; i++) wav.writeInt16LE(inbound[i], 44 + i * 4);
    for (const chunk of this.outbound) {
      const pcm = mulawToPcm16(chunk.audio);
      for (let i = 0; i < pcm.length; i++) wav.writeInt16LE(pcm[i], 44 + (chunk.startSample + i) * 4 + 2);
    }
    return wav;
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
