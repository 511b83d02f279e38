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
