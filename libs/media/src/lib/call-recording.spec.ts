import { CallRecording, readWavPcm16, writeWavHeader } from './call-recording';
import { mulawToPcm16, pcm16ToMulaw, SAMPLE_RATE, silenceFrame } from './mulaw';
import { MemoryRecordingSink } from './recording-sink';

const tone = (samples: number, amplitude = 8000, hz = 440) =>
  pcm16ToMulaw(Int16Array.from({ length: samples }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8000))));

/** The recording as it was encoded at hang-up before it streamed: the reference the streamed file must equal. */
class HangUpEncodedRecording {
  private inbound: Buffer[] = [];
  private readonly outbound: { startSample: number; audio: Buffer }[] = [];
  private outboundEndSample = 0;
  addInbound(frame: Buffer) {
    this.inbound.push(frame);
  }
  addOutbound(mulaw: Buffer, atMs: number) {
    const startSample = Math.max(Math.round((atMs * SAMPLE_RATE) / 1000), this.outboundEndSample);
    this.outbound.push({ startSample, audio: Buffer.from(mulaw) });
    this.outboundEndSample = startSample + mulaw.length;
  }
  clearOutbound(atMs: number) {
    const cut = Math.round((atMs * SAMPLE_RATE) / 1000);
    for (let i = this.outbound.length - 1; i >= 0; i--) {
      const chunk = this.outbound[i];
      if (chunk.startSample >= cut) this.outbound.splice(i, 1);
      else if (chunk.startSample + chunk.audio.length > cut) chunk.audio = chunk.audio.subarray(0, cut - chunk.startSample);
    }
    this.outboundEndSample = Math.min(this.outboundEndSample, cut);
  }
  toWav(): Buffer {
    const inboundBytes = this.inbound.reduce((sum, frame) => sum + frame.length, 0);
    const samples = Math.max(inboundBytes, this.outboundEndSample);
    const wav = Buffer.alloc(44 + samples * 4);
    writeWavHeader(wav, { sampleRate: SAMPLE_RATE, channels: 2, samples });
    const inbound = mulawToPcm16(Buffer.concat(this.inbound));
    for (let i = 0; i < inbound.length; i++) wav.writeInt16LE(inbound[i], 44 + i * 4);
    for (const chunk of this.outbound) {
      const pcm = mulawToPcm16(chunk.audio);
      for (let i = 0; i < pcm.length; i++) wav.writeInt16LE(pcm[i], 44 + (chunk.startSample + i) * 4 + 2);
    }
    return wav;
  }
}

type Step = { inbound: Buffer } | { outbound: Buffer } | 'clear' | { waitMs: number };

/**
 * A call as the recording hears it: the stream opens 300 ms after the answer, the callee's frames
 * come every 20 ms, the agent's audio is sent faster than it plays, a barge-in clears it.
 */
function aCallWithABargeIn(): Step[] {
  const steps: Step[] = [{ waitMs: 300 }];
  const frames = (count: number, frame: () => Buffer) => {
    for (let i = 0; i < count; i++) steps.push({ inbound: frame() }, { waitMs: 20 });
  };
  steps.push({ outbound: tone(8000 * 2, 6000, 300) }); // the greeting, 2 s, sent at once
  frames(120, () => silenceFrame()); // the callee listens for 2.4 s
  frames(60, () => tone(160, 9000, 200)); // and answers for 1.2 s
  steps.push({ outbound: tone(4000) }, { outbound: tone(3000, 5000) }, { outbound: tone(8000 * 3, 7000, 520) }); // the agent's reply, 3.9 s queued
  frames(40, () => silenceFrame());
  frames(25, () => tone(160, 9000, 250)); // the callee talks over it
  steps.push('clear');
  frames(50, () => silenceFrame());
  steps.push({ outbound: tone(8000 * 2.5, 6000, 610) }); // the goodbye outlasts the callee's last frame
  frames(10, () => silenceFrame());
  return steps;
}

function play(steps: Step[], blockMs: number) {
  let now = 0;
  const sink = new MemoryRecordingSink('call-1.wav');
  const streamed = new CallRecording({ sink, now: () => now, blockMs });
  const reference = new HangUpEncodedRecording();
  let writtenDuringCall = 0;
  for (const step of steps) {
    if (step === 'clear') {
      streamed.clearOutbound(now);
      reference.clearOutbound(now);
    } else if ('waitMs' in step) now += step.waitMs;
    else if ('inbound' in step) {
      streamed.addInbound(step.inbound);
      reference.addInbound(step.inbound);
    } else {
      streamed.addOutbound(step.outbound, now);
      reference.addOutbound(step.outbound, now);
    }
    writtenDuringCall = sink.writtenBytes;
  }
  return { sink, streamed, reference, writtenDuringCall };
}

describe('CallRecording, streamed to its sink during the call', () => {
  it.each([20, 100, 1000])('writes, in %i ms blocks, the very file the hang-up encoder wrote for the same call (inbound, queued outbound, a clear, a goodbye past the end)', async (blockMs) => {
    const { sink, streamed, reference } = play(aCallWithABargeIn(), blockMs);
    await expect(streamed.finish()).resolves.toBe('call-1.wav');
    expect(sink.bytes!.equals(reference.toWav())).toBe(true);
  });

  it('writes the settled timeline while the call runs, so memory holds about a block, not the call', () => {
    const steps: Step[] = [];
    for (let i = 0; i < 3000; i++) steps.push({ inbound: tone(160, 3000) }, { waitMs: 20 }); // a minute of the callee
    const { writtenDuringCall } = play(steps, 1000);
    const minute = 60 * SAMPLE_RATE * 4;
    expect(writtenDuringCall).toBeGreaterThanOrEqual(44 + minute - SAMPLE_RATE * 4);
  });

  it('holds back agent audio queued for the future: a clear still drops what was not played', async () => {
    let now = 0;
    const sink = new MemoryRecordingSink();
    const recording = new CallRecording({ sink, now: () => now, blockMs: 100 });
    recording.addOutbound(tone(8000), 0); // 1 s queued at once
    for (let i = 0; i < 50; i++) {
      recording.addInbound(silenceFrame());
      now += 20;
      if (i === 12) recording.clearOutbound(now); // at 260 ms
    }
    expect(recording.durationMs).toBe(1000);
    await recording.finish();
    const { sampleRate, channels, pcm } = readWavPcm16(sink.bytes!);
    expect([sampleRate, channels, pcm.length / 2]).toEqual([8000, 2, 8000]);
    const agentEnergy = (fromSample: number, toSample: number) => pcm.filter((_, i) => i % 2 === 1 && i / 2 >= fromSample && i / 2 < toSample).reduce((sum, v) => sum + Math.abs(v), 0);
    expect(agentEnergy(0, 2080)).toBeGreaterThan(0);
    expect(agentEnergy(2080, 8000)).toBe(0);
    expect(Math.max(...pcm.filter((_, i) => i % 2 === 0).map(Math.abs))).toBeLessThan(10); // the callee was silent
  });

  it('keeps nothing once aborted', async () => {
    const sink = new MemoryRecordingSink();
    const recording = new CallRecording({ sink, now: () => 0 });
    recording.addInbound(silenceFrame());
    await recording.abort();
    expect(sink.aborted).toBe(true);
    await expect(recording.finish()).rejects.toThrow(/aborted/);
  });
});
