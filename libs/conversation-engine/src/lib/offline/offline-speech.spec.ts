import { mulawEnergy, pcm16ToMulaw, silenceFrame, SpeechSideChannel } from '@codcall/media';
import type { TranscriptEvent } from '../providers';
import { EspeakSynthesizer, findEspeakWorker, isEspeakInstalled } from './espeak-synthesizer';
import { SideChannelTranscriber } from './side-channel-transcriber';

const speechFrame = () => pcm16ToMulaw(Int16Array.from({ length: 160 }, (_, i) => Math.round(6000 * Math.sin(i / 3))));

/** Plays one simulated utterance through a side-channel stream and returns its events. */
async function transcribe(text: string, language: string): Promise<TranscriptEvent[]> {
  const channel = new SpeechSideChannel();
  const stream = await new SideChannelTranscriber(channel).open({ callId: 'c1', language, endpointingMs: 100 });
  const events: TranscriptEvent[] = [];
  const reading = (async () => {
    for await (const event of stream) events.push(event);
  })();
  channel.publish({ callId: 'c1', text, frames: 10 });
  for (let i = 0; i < 10; i++) stream.sendAudio(speechFrame());
  for (let i = 0; i < 6; i++) stream.sendAudio(silenceFrame());
  await stream.close();
  await reading;
  return events;
}

describe('SideChannelTranscriber', () => {
  it.each([
    ['hi', 'हाँ जी, कल शाम पाँच बजे भेज दीजिए।'],
    ['ar', 'أيوه، بكرة الساعة خمسة المسا لو سمحت.'],
    ['hi-Latn', 'Haan ji, kal shaam 5 baje bhej dena.'],
  ])('passes %s words through untouched, script and punctuation included', async (language, said) => {
    const events = await transcribe(said, language);
    expect(events.find((event) => event.type === 'final')).toMatchObject({ type: 'final', text: said, endOfTurn: true });
    // Interim words are the utterance's own words, never re-spelled.
    for (const event of events) if (event.type === 'interim') expect(said.startsWith(event.text)).toBe(true);
  });

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

describe('EspeakSynthesizer voice choice', () => {
  const synthesizer = new EspeakSynthesizer({ workerPath: 'never-started.mjs' });
  it.each([
    ['hi', 'hi'],
    ['Hindi', 'hi'],
    ['hi-Latn', 'hi'],
    ['Hinglish', 'hi'],
    ['ar', 'ar'],
    ['ar-EG', 'ar'],
    ['es', 'es-419'],
    ['pt-BR', 'pt-br'],
    ['id', 'id'],
    ['en', 'en-us'],
    ['th', 'th'],
  ])('a call in %s speaks with the eSpeak voice %s', (language, voice) => {
    expect(synthesizer.voiceFor({ language })).toBe(voice);
  });

  it('takes an eSpeak voice named by the agent, never a vendor voice id or name', () => {
    expect(synthesizer.voiceFor({ language: 'hi', voice: 'hi+f3' })).toBe('hi+f3');
    expect(synthesizer.voiceFor({ language: 'hi', voice: 'EXAVITQu4vr4xnSDxMaL' })).toBe('hi');
    expect(synthesizer.voiceFor({ language: 'es', voice: 'Eva' })).toBe('es-419');
  });
});

/** Speaks `text` and returns the mu-law audio and its pieces. */
async function speak(synthesizer: EspeakSynthesizer, text: string, language: string): Promise<{ audio: Buffer; pieces: number }> {
  const chunks: Buffer[] = [];
  for await (const chunk of synthesizer.synthesize({ text, language, signal: new AbortController().signal })) chunks.push(chunk);
  return { audio: Buffer.concat(chunks), pieces: chunks.length };
}

const espeak = isEspeakInstalled() && findEspeakWorker() ? describe : describe.skip;
espeak('EspeakSynthesizer (optional GPL-3.0 engine)', () => {
  it.each([
    ['hi', 'धन्यवाद! आपका ऑर्डर कन्फ़र्म हो गया है और तय समय पर डिलीवर होगा।'],
    ['ar', 'شكرًا! تم تأكيد الطلب وسيصلك في موعده. مع السلامة.'],
    ['hi-Latn', 'Theek hai, delivery ab kal shaam paanch baje hogi.'],
  ])('speaks a %s phrase as real, non-silent audio of a plausible length', async (language, text) => {
    const synthesizer = new EspeakSynthesizer({ workerPath: findEspeakWorker() as string });
    const { audio, pieces } = await speak(synthesizer, text, language);
    await synthesizer.close();
    const seconds = audio.length / 8000;
    // Each phrase is 15 to 25 syllables; eSpeak at 170 words a minute says about five a second (5 s
    // measured for the Hindi and the Arabic). A voice that fails says nothing; one that spells the
    // characters out one by one takes far longer.
    expect(seconds).toBeGreaterThan(2);
    expect(seconds).toBeLessThan(9);
    expect(pieces).toBeGreaterThan(10);
    expect(mulawEnergy(audio)).toBeGreaterThan(300);
    // Speech has pauses and syllables: its 100 ms pieces are not all equally loud, as a tone or noise would be.
    const loudness = Array.from({ length: Math.floor(audio.length / 800) }, (_, i) => mulawEnergy(audio.subarray(i * 800, (i + 1) * 800)));
    expect(Math.max(...loudness)).toBeGreaterThan(3 * Math.min(...loudness));
  }, 60_000);

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
