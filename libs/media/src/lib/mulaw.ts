/**
 * G.711 mu-law, the carriers' phone audio: 8 kHz, 8 bits a sample, 160 bytes per 20 ms frame.
 * Tables are built once; encoding and decoding are single lookups on the hot path.
 */
export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
export const FRAME_BYTES = (SAMPLE_RATE * FRAME_MS) / 1000; // 160
/** A mu-law byte that decodes to (near) zero: what carriers send as silence. */
export const MULAW_SILENCE = 0xff;

const BIAS = 0x84;
const CLIP = 32635;

const decodeTable = new Int16Array(256);
for (let i = 0; i < 256; i++) {
  const u = ~i & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  let sample = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  if (sign) sample = -sample;
  decodeTable[i] = sample;
}

/** The 16-bit PCM sample of each mu-law byte. */
export const pcm16OfMulaw: Readonly<Int16Array> = decodeTable;

/** |sample| for each mu-law byte: an energy measure by lookup. */
export const magnitudeOf = Uint16Array.from(decodeTable, (sample) => Math.abs(sample));

function encodeSample(pcm: number): number {
  let sample = pcm;
  const sign = sample < 0 ? 0x80 : 0;
  if (sign) sample = -sample;
  if (sample > CLIP) sample = CLIP;
  sample += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (sample & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (sample >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

const encodeTable = new Uint8Array(65536);
for (let i = -32768; i < 32768; i++) encodeTable[i & 0xffff] = encodeSample(i);

export function mulawToPcm16(mulaw: Uint8Array): Int16Array {
  const out = new Int16Array(mulaw.length);
  for (let i = 0; i < mulaw.length; i++) out[i] = decodeTable[mulaw[i]];
  return out;
}

export function pcm16ToMulaw(pcm: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = encodeTable[pcm[i] & 0xffff];
  return out;
}

/** Linear-interpolating resampler; adequate for speech going down to telephone bandwidth. */
export function resamplePcm16(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) return input;
  const ratio = fromRate / toRate;
  const length = Math.floor(input.length / ratio);
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    const pos = i * ratio;
    const idx = Math.floor(pos);
    const frac = pos - idx;
    const a = input[idx];
    const b = idx + 1 < input.length ? input[idx + 1] : a;
    out[i] = Math.round(a + (b - a) * frac);
  }
  return out;
}

/** Mean absolute amplitude of a mu-law frame in PCM units: a cheap energy measure for VAD. */
export function mulawEnergy(frame: Uint8Array): number {
  if (frame.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += magnitudeOf[frame[i]];
  return sum / frame.length;
}

export function silenceFrame(bytes = FRAME_BYTES): Buffer {
  return Buffer.alloc(bytes, MULAW_SILENCE);
}

/** Cuts audio into carrier frames; the last frame is padded with silence. */
export function splitFrames(audio: Uint8Array, frameBytes = FRAME_BYTES): Buffer[] {
  const frames: Buffer[] = [];
  for (let offset = 0; offset < audio.length; offset += frameBytes) {
    const frame = Buffer.alloc(frameBytes, MULAW_SILENCE);
    frame.set(audio.subarray(offset, Math.min(offset + frameBytes, audio.length)));
    frames.push(frame);
  }
  return frames;
}

export function durationMs(mulawBytes: number): number {
  return (mulawBytes * 1000) / SAMPLE_RATE;
}
