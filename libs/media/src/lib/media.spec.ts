import { CallRecording, readWavPcm16 } from './call-recording';
import { mulawEnergy, mulawToPcm16, pcm16ToMulaw, silenceFrame, splitFrames } from './mulaw';
import { SpeechSideChannel } from './speech-side-channel';

const tone = (samples: number, amplitude = 8000) =>
  pcm16ToMulaw(Int16Array.from({ length: samples }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / 8000))));

describe('mu-law', () => {
  it('round-trips speech-level samples within the codec quantisation error', () => {
    const pcm = Int16Array.from([0, 100, -100, 1000, -1000, 8000, -8000, 32000, -32000]);
    const back = mulawToPcm16(pcm16ToMulaw(pcm));
    pcm.forEach((value, i) => expect(Math.abs(back[i] - value)).toBeLessThanOrEqual(Math.max(8, Math.abs(value) * 0.07)));
  });

  it('treats 0xFF as silence and a tone as energy', () => {
    expect(mulawEnergy(silenceFrame())).toBeLessThan(10);
    expect(mulawEnergy(tone(160))).toBeGreaterThan(1000);
  });

  it('cuts audio into 160-byte frames, padding the last with silence', () => {
    const frames = splitFrames(tone(400));
    expect(frames.map((f) => f.length)).toEqual([160, 160, 160]);
    expect(frames[2][100]).toBe(0xff);
  });
});

describe('CallRecording', () => {
  it('writes a stereo 8 kHz WAV with the callee left and the agent right, on one timeline', () => {
    const recording = new CallRecording();
    for (let i = 0; i < 50; i++) recording.addInbound(silenceFrame()); // 1 s of callee silence
    recording.addOutbound(tone(800), 0); // agent speaks 100 ms at t=0
    recording.addOutbound(tone(800), 0); // sent at once, but plays after the first chunk
    const { sampleRate, channels, pcm } = readWavPcm16(recording.toWav());
    expect(sampleRate).toBe(8000);
    expect(channels).toBe(2);
    expect(pcm.length / 2).toBe(8000);
    const agentAt = (sample: number) => Math.abs(pcm[sample * 2 + 1]);
    expect(Math.max(...[1500, 1510, 1520].map(agentAt))).toBeGreaterThan(1000); // second chunk at 100-200 ms
    expect(agentAt(4000)).toBe(0);
    expect(Math.abs(pcm[1500 * 2])).toBeLessThan(10); // callee side silent
  });

  it('drops agent audio that a barge-in cleared before it was played', () => {
    const recording = new CallRecording();
    recording.addOutbound(tone(8000), 0); // 1 s queued
    recording.clearOutbound(250);
    for (let i = 0; i < 50; i++) recording.addInbound(silenceFrame());
    const { pcm } = readWavPcm16(recording.toWav());
    const energyAfterCut = pcm.filter((_, i) => i % 2 === 1 && i / 2 > 2100).reduce((sum, v) => sum + Math.abs(v), 0);
    expect(energyAfterCut).toBe(0);
    expect(recording.durationMs).toBe(1000);
  });
});

describe('SpeechSideChannel', () => {
  it('keeps utterances published before the transcriber subscribed, and routes by call', () => {
    const channel = new SpeechSideChannel();
    channel.publish({ callId: 'a', text: 'early', frames: 10 });
    const heard: string[] = [];
    channel.subscribe('a', (u) => heard.push(u.text));
    channel.publish({ callId: 'a', text: 'later', frames: 5 });
    channel.publish({ callId: 'b', text: 'other call', frames: 5 });
    expect(heard).toEqual(['early', 'later']);
  });
});
