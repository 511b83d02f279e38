import { pcm16ToMulaw, silenceFrame } from './mulaw';
import { SpeechAwareBatcher } from './speech-aware-batcher';

const voiced = () => pcm16ToMulaw(Int16Array.from({ length: 160 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 300 * i) / 8000))));
/** Line noise well under speech: about -60 dBFS. */
const hiss = () => pcm16ToMulaw(Int16Array.from({ length: 160 }, (_, i) => (i % 2 ? 30 : -30)));

/** Feeds frames one by one; answers, per frame, how many frames went out with it (0: held). */
function relay(batcher: { push(frame: Buffer): void }, frames: Buffer[], sent: Buffer[]): number[] {
  return frames.map((frame) => {
    const before = sent.length;
    batcher.push(frame);
    return sent.slice(before).reduce((sum, message) => sum + message.length / 160, 0);
  });
}

describe('SpeechAwareBatcher', () => {
  it('given silence, a word and silence again: holds the silence in 100 ms batches, sends the onset and the endpointing window at once', () => {
    const sent: Buffer[] = [];
    const batcher = new SpeechAwareBatcher({ tailMs: 200, onsetMs: 60 }, (audio) => sent.push(audio));
    const frames = [...Array.from({ length: 10 }, () => silenceFrame()), ...Array.from({ length: 7 }, voiced), ...Array.from({ length: 20 }, () => silenceFrame())];
    expect(relay(batcher, frames, sent)).toEqual([
      ...[0, 0, 0, 0, 5, 0, 0, 0, 0, 5], // long silence: every fifth frame sends five
      1, 1, 1, // the onset, 60 ms of it, as it comes
      0, 0, 0, 0, // the word goes on: held (less than a batch)
      5, // its first silent frame sends the held speech with it
      ...Array(9).fill(1), // the rest of the 200 ms window, frame by frame
      0, 0, 0, 0, 5, 0, 0, 0, 0, 5, // long silence again
    ]);
    expect(Buffer.concat(sent).equals(Buffer.concat(frames))).toBe(true);
  });

  it('takes line noise for silence, and a short dip inside speech for no new onset', () => {
    const sent: Buffer[] = [];
    const batcher = new SpeechAwareBatcher({ tailMs: 100, onsetMs: 20 }, (audio) => sent.push(audio));
    expect(relay(batcher, [hiss(), hiss(), hiss(), hiss(), hiss()], sent)).toEqual([0, 0, 0, 0, 5]);
    // Speech, a 20 ms dip, speech: the dip flushes, the speech after it is not an onset.
    expect(relay(batcher, [voiced(), voiced(), voiced(), silenceFrame(), voiced(), voiced(), voiced(), voiced(), voiced()], sent)).toEqual([1, 0, 0, 3, 0, 0, 0, 0, 5]);
  });

  it('after the frame-by-frame tail, sends a late tail in small batches before the long-silence ones', () => {
    const sent: Buffer[] = [];
    const batcher = new SpeechAwareBatcher({ tailMs: 40, lateTailMs: 160, lateTailBatchMs: 40, onsetMs: 20 }, (audio) => sent.push(audio));
    expect(relay(batcher, [voiced(), ...Array.from({ length: 16 }, () => silenceFrame())], sent)).toEqual([1, 1, 1, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 5, 0, 0, 0]);
  });

  it('can hold long silence longer than speech, and send the onset and the tail two frames at a time, the first sound still at once', () => {
    const sent: Buffer[] = [];
    const batcher = new SpeechAwareBatcher({ tailMs: 120, onsetMs: 100, silenceBatchMs: 160, onsetBatchMs: 40, tailBatchMs: 40 }, (audio) => sent.push(audio));
    const frames = [...Array.from({ length: 10 }, () => silenceFrame()), ...Array.from({ length: 8 }, voiced), ...Array.from({ length: 16 }, () => silenceFrame())];
    expect(relay(batcher, frames, sent)).toEqual([
      ...[0, 0, 0, 0, 0, 0, 0, 8, 0, 0], // long silence: every eighth frame sends eight
      3, // the first sound, with the two silent frames held before it
      0, 2, 0, 2, // the rest of the 100 ms onset, two frames a message
      0, 0, 0, // the word goes on: held
      4, // its first silent frame sends the held speech with it
      0, 2, 0, 2, 1, // the 120 ms window, two frames a message, and its last frame alone
      0, 0, 0, 0, 0, 0, 0, 8, 0, 0, // long silence again
    ]);
    batcher.flush();
    expect(Buffer.concat(sent).equals(Buffer.concat(frames))).toBe(true);
  });

  it('gives out what it holds on flush, in a buffer of its own', () => {
    const sent: Buffer[] = [];
    const batcher = new SpeechAwareBatcher({ tailMs: 0 }, (audio) => sent.push(audio));
    const frame = silenceFrame();
    batcher.push(frame);
    batcher.push(Buffer.alloc(0));
    expect(sent).toEqual([]);
    batcher.flush();
    batcher.flush();
    expect(sent).toEqual([silenceFrame()]);
    expect(sent[0]).not.toBe(frame);
  });
});
