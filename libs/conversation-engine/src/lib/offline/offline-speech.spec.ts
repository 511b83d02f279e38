import { mulawEnergy, pcm16ToMulaw, silenceFrame, SpeechSideChannel } from '@codcall/media';
import type { TranscriptEvent } from '../providers';
import { EspeakSynthesizer, findEspeakWorker, isEspeakInstalled } from './espeak-synthesizer';
import { SideChannelTranscriber } from './side-channel-transcriber';

const speechFrame = () => pcm16ToMulaw(Int16Array.from({ length: 160 }, (_, i) => Math.round(6000 * Math.sin(i / 3))));

describe('SideChannelTranscriber', () => {
  it('takes the words from the side channel and the timing from the audio it hears', async () => {
    const channel = new SpeechSideChannel();
    const stream = await new SideChannelTranscriber(channel).open({ callId: 'c1', language: 'en', endpointingMs: 100 });
    const events: TranscriptEvent[] = [];
    const reading = (async () => {
      for await (const event of stream) events.push(event);
    })();
    for (let i = 0; i < 10; i++) stream.sendAudio(silenceFrame());
    channel.publish({ callId: 'c1', text: 'Yes please deliver it', frames: 8 });
    stream.sendAudio(silenceFrame()); // published, but nobody is speaking yet
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([]);
    for (let i = 0; i < 8; i++) stream.sendAudio(speechFrame());
    await new Promise((resolve) => setImmediate(resolve));
    expect(events[0]).toEqual({ type: 'speech_started' });
    expect(events.filter((e) => e.type === 'final')).toHaveLength(0); // not until the endpointing silence
    for (let i = 0; i < 5; i++) stream.sendAudio(silenceFrame());
    await stream.close();
    await reading;
    expect(events.filter((e) => e.type === 'interim').length).toBeGreaterThan(0);
    // The last voiced frame ends 19 frames (380 ms) into the audio.
    expect(events.slice(-2)).toEqual([{ type: 'final', text: 'Yes please deliver it', endOfTurn: true, speechEndedAtAudioMs: 380 }, { type: 'utterance_end' }]);
  });
});

const espeak = isEspeakInstalled() && findEspeakWorker() ? describe : describe.skip;
espeak('EspeakSynthesizer (optional GPL-3.0 engine)', () => {
  it('speaks real audio as mu-law 8 kHz in pieces', async () => {
    const synthesizer = new EspeakSynthesizer({ workerPath: findEspeakWorker() as string });
    const chunks: Buffer[] = [];
    for await (const chunk of synthesizer.synthesize({ text: 'Hello there, your order is confirmed.', language: 'en', signal: new AbortController().signal })) chunks.push(chunk);
    await synthesizer.close();
    const audio = Buffer.concat(chunks);
    expect(chunks.length).toBeGreaterThan(5);
    expect(audio.length / 8000).toBeGreaterThan(1); // more than a second of speech
    expect(mulawEnergy(audio)).toBeGreaterThan(300);
  }, 30_000);
});
