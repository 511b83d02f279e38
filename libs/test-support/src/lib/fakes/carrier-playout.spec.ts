import { CarrierPlayout } from './carrier-playout';

const ms = (duration: number) => Buffer.alloc(duration * 8, 0x55);

describe('CarrierPlayout, the carrier side of agent audio', () => {
  it('given 50 ms of audio in one message and a mark after it, echoes the mark on the tick that plays its last byte', () => {
    const playout = new CarrierPlayout();
    playout.audio(ms(50));
    playout.mark('m1');

    expect(playout.tick()).toEqual({ playedBytes: 160, marks: [] });
    expect(playout.tick()).toEqual({ playedBytes: 160, marks: [] });
    expect(playout.tick()).toEqual({ playedBytes: 80, marks: ['m1'] });
    expect(playout.idle).toBe(true);
  });

  it('given audio split over messages smaller than a frame, plays a whole frame a tick across them', () => {
    const playout = new CarrierPlayout();
    for (let i = 0; i < 4; i++) playout.audio(ms(10));
    playout.mark('end');

    expect(playout.bufferedMs).toBe(40);
    expect(playout.tick()).toEqual({ playedBytes: 160, marks: [] });
    expect(playout.tick()).toEqual({ playedBytes: 160, marks: ['end'] });
  });

  it('given the callee barges in, a clear drops the buffer and returns the outstanding marks at once', () => {
    const playout = new CarrierPlayout();
    playout.audio(ms(100));
    playout.mark('a');
    playout.audio(ms(100));
    playout.mark('b');
    playout.tick();

    expect(playout.clear()).toEqual(['a', 'b']);
    expect(playout.idle).toBe(true);
    expect(playout.bufferedMs).toBe(0);
    expect(playout.tick()).toEqual({ playedBytes: 0, marks: [] });
  });
});
