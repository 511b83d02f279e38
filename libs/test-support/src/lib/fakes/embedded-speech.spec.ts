import { silenceFrame, splitFrames } from '@codcall/media';
import { embeddedSpeech, EmbeddedSpeechListener, type HeardSpeech } from './embedded-speech';

describe('embedded speech: audio that carries its words to a fake recogniser', () => {
  const hearAll = (audio: Buffer, chunk: number) => {
    const listener = new EmbeddedSpeechListener();
    const heard: HeardSpeech[] = [];
    for (let i = 0; i < audio.length; i += chunk) heard.push(...listener.push(audio.subarray(i, i + chunk)));
    return heard;
  };

  it('finds each utterance with its words, where it starts and ends, in any chunking', () => {
    const first = embeddedSpeech('Yes, please deliver it.');
    const second = embeddedSpeech('कल शाम को भेज दीजिए');
    const stream = Buffer.concat([silenceFrame(400), first, silenceFrame(800), second, silenceFrame(160)]);
    for (const chunk of [1, 7, 160, stream.length]) {
      const bounds = hearAll(stream, chunk).filter((event) => event.type !== 'progress');
      expect(bounds).toEqual([
        { type: 'start', at: 400 },
        { type: 'end', at: 400 + first.length, text: 'Yes, please deliver it.' },
        { type: 'start', at: 1200 + first.length },
        { type: 'end', at: 1200 + first.length + second.length, text: 'कल शाम को भेज दीजिए' },
      ]);
    }
  });

  it('lasts as long as the words would take to say, never less than 300 ms, and contains no silence byte', () => {
    expect(embeddedSpeech('Hi').length).toBe(2400);
    const long = embeddedSpeech('I will not be home tomorrow, please come on Friday.');
    expect(long.length).toBe(Math.round(51 * 55 * 8));
    expect([...long].filter((byte) => byte === 0xff || byte === 0x7f)).toHaveLength(0);
  });

  it('reports how much of the utterance has been heard, so interim results can grow with it', () => {
    const frames = splitFrames(embeddedSpeech('one two three four'));
    const listener = new EmbeddedSpeechListener();
    const fractions = frames.map((frame) => listener.push(frame).find((event) => event.type === 'progress')).map((event) => (event?.type === 'progress' ? event.fraction : 1));
    expect(fractions[0]).toBeGreaterThan(0);
    expect(fractions.every((value, i) => i === 0 || value >= fractions[i - 1])).toBe(true);
    expect(fractions[fractions.length - 1]).toBeCloseTo(1, 1);
  });

  it('hears sound without the sync word as speech without words', () => {
    const noise = Buffer.alloc(1600, 0x42);
    const heard = hearAll(Buffer.concat([noise, silenceFrame()]), 160);
    expect(heard.filter((event) => event.type !== 'progress')).toEqual([
      { type: 'start', at: 0 },
      { type: 'end', at: 1600, text: undefined },
    ]);
  });
});
