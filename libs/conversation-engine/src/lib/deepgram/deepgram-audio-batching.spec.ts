import { FRAME_BYTES, silenceFrame, splitFrames } from '@codcall/media';
import { embeddedSpeech, FakeDeepgramServer } from '@codcall/test-support';
import type { TranscriberStream, TranscriptEvent } from '../providers';
import { DeepgramTranscriber } from './deepgram-transcriber';

const API_KEY = 'dg_test_0123456789abcdef0123456789abcdef';
const ENDPOINTING_MS = 300;
const UTTERANCE_END_MS = 1000;
/** The frame-by-frame window after speech: Deepgram's endpointing and a margin. */
const TAIL_FRAMES = (ENDPOINTING_MS + 200) / 20;
/** Then, up to UtteranceEnd and a margin, two frames a message. */
const LATE_TAIL_FRAMES = (UTTERANCE_END_MS + 200) / 20 - TAIL_FRAMES;

jest.setTimeout(20_000);

/** Waits (on the event loop, not a timer) until the fake has heard `bytes` of audio. */
async function heard(fake: FakeDeepgramServer, bytes: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((fake.connections[0]?.audioBytes ?? 0) < bytes) {
    if (Date.now() > deadline) throw new Error(`the fake heard ${fake.connections[0]?.audioBytes} bytes, not ${bytes}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Byte offsets where one binary message ended and the next began. */
function boundaries(sizes: number[]): Set<number> {
  const ends = new Set<number>();
  let at = 0;
  for (const size of sizes) ends.add((at += size));
  return ends;
}

describe('DeepgramTranscriber relaying a caller to Deepgram in batches, through the official SDK', () => {
  let fake: FakeDeepgramServer;
  let stream: TranscriberStream;
  /** Audio the fake had heard when it sent each speech_final. */
  const speechFinalAt: number[] = [];

  beforeEach(async () => {
    speechFinalAt.length = 0;
    fake = await new FakeDeepgramServer({
      apiKey: API_KEY,
      recognise: { interimEveryMs: 100 },
      onSend: (_index, message) => {
        if (message['type'] === 'Results' && message['speech_final']) speechFinalAt.push(fake.connections[0].audioBytes);
      },
    }).start();
    stream = await new DeepgramTranscriber({ apiKey: API_KEY, baseUrl: fake.url, utteranceEndMs: UTTERANCE_END_MS }).open({ callId: 'c1', language: 'en', endpointingMs: ENDPOINTING_MS });
  });

  afterEach(async () => {
    await stream.close();
    await fake.close();
  });

  it('given a callee who is silent, says a sentence and falls silent, sends the silences in 240 ms batches and the speech in 100 ms ones, but the onset and the endpointing window at once', async () => {
    const events: TranscriptEvent[] = [];
    const listening = (async () => {
      for await (const event of stream) events.push(event);
    })();
    const before = 50; // 1 s of silence
    const speech = splitFrames(embeddedSpeech('yes, deliver it on Friday please'));
    const after = TAIL_FRAMES + LATE_TAIL_FRAMES + 49; // the windows, then about 1 s more
    let sent = 0;
    const send = (frame: Buffer) => {
      stream.sendAudio(frame);
      sent += frame.length;
    };

    for (let i = 0; i < before; i++) send(silenceFrame());
    // The first sound after silence goes out with nothing held back.
    send(speech[0]);
    await heard(fake, sent);
    for (let i = 1; i < speech.length; i++) send(speech[i]);
    const speechEnd = sent;
    // The first silent frame flushes the speech; each frame of the window reaches Deepgram before the next is sent.
    for (let i = 0; i < TAIL_FRAMES; i++) {
      send(silenceFrame());
      await heard(fake, sent);
    }
    // Up to UtteranceEnd: every second frame sends two.
    for (let i = 0; i < LATE_TAIL_FRAMES - 1; i += 2) {
      send(silenceFrame());
      send(silenceFrame());
      await heard(fake, sent);
    }
    for (let i = TAIL_FRAMES + LATE_TAIL_FRAMES - (LATE_TAIL_FRAMES % 2); i < after; i++) send(silenceFrame());
    await stream.close();
    await listening;

    const sizes = fake.audioMessageSizesOf(0);
    const ends = boundaries(sizes);
    const frameEnd = (frame: number) => (frame + 1) * FRAME_BYTES;
    expect(fake.audioOf(0).length).toBe(sent);
    // Silence before the speech: 240 ms messages (the two frames left over go with the onset).
    expect(sizes.slice(0, 4)).toEqual(Array(4).fill(12 * FRAME_BYTES));
    // The onset, 300 ms of it, frame by frame.
    for (let f = before; f < before + 15; f++) expect(ends.has(frameEnd(f))).toBe(true);
    // The rest of the sentence in batches: far fewer messages than frames.
    const duringSpeech = [...ends].filter((end) => end > frameEnd(before + 15) && end < speechEnd).length;
    expect(duringSpeech).toBeLessThanOrEqual(Math.ceil((speech.length - 15) / 5));
    // Its end goes with the first silent frame, and the window frame by frame.
    for (let f = 0; f < TAIL_FRAMES; f++) expect(ends.has(speechEnd + (f + 1) * FRAME_BYTES)).toBe(true);
    for (let f = TAIL_FRAMES + 2; f < TAIL_FRAMES + LATE_TAIL_FRAMES; f += 2) expect(ends.has(speechEnd + f * FRAME_BYTES)).toBe(true);
    // Then 240 ms batches again, and what was held goes before CloseStream.
    expect(sizes.slice(-5)).toEqual([...Array(4).fill(12 * FRAME_BYTES), 2 * FRAME_BYTES]);
    // Deepgram's endpointing saw its 300 ms of silence as it happened: the final came within a frame of it.
    expect(speechFinalAt).toHaveLength(1);
    expect(speechFinalAt[0]).toBeLessThanOrEqual(speechEnd + (ENDPOINTING_MS / 20 + 1) * FRAME_BYTES);
    expect(events).toContainEqual(expect.objectContaining({ type: 'final', text: 'yes, deliver it on Friday please', endOfTurn: true }));
    // A call-second of silence costs about 4 messages instead of 50.
    const frames = before + speech.length + after;
    expect(sizes.length).toBeLessThan(frames * 0.75);
  });

  it('sends what it holds before closing: the caller\'s last words are never lost', async () => {
    for (let i = 0; i < TAIL_FRAMES + 3; i++) stream.sendAudio(silenceFrame());
    await stream.close();
    expect(fake.audioOf(0).length).toBe((TAIL_FRAMES + 3) * FRAME_BYTES);
    expect(fake.connections[0].controlMessages.map((message) => message.type)).toEqual(['CloseStream']);
  });
});
