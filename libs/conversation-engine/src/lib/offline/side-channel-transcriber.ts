import { FRAME_MS, mulawEnergy, type SimulatedUtterance, type SpeechSideChannel } from '@codcall/media';
import type { Transcriber, TranscriberOptions, TranscriberStream, TranscriptEvent } from '../providers';
import { AsyncQueue } from '../session/async-queue';

/** Mean absolute amplitude above which a frame counts as speech. */
const SPEECH_ENERGY = 200;

/**
 * The offline transcriber for simulated calls. It cannot recognise speech: it learns the words
 * from the simulator's side channel, and takes its timing from the audio it actually receives,
 * so turn-taking behaves as it would with a real recogniser. On a real call it hears nothing.
 */
export class SideChannelTranscriber implements Transcriber {
  readonly name = 'offline:side-channel';

  constructor(private readonly sideChannel: SpeechSideChannel) {}

  async open(options: TranscriberOptions): Promise<TranscriberStream> {
    return new SideChannelStream(this.sideChannel, options);
  }
}

class SideChannelStream implements TranscriberStream {
  private readonly events = new AsyncQueue<TranscriptEvent>();
  private readonly pending: SimulatedUtterance[] = [];
  private current?: { utterance: SimulatedUtterance; framesHeard: number; wordsSent: number; voicedUntilMs: number };
  /** ms of audio received since open(): the utterance's last voiced frame ends at this position. */
  private receivedMs = 0;
  private trailingFrames = 0;
  private endTimer?: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly endpointingFrames: number;

  constructor(sideChannel: SpeechSideChannel, private readonly options: TranscriberOptions) {
    this.endpointingFrames = Math.max(1, Math.round((options.endpointingMs ?? 300) / FRAME_MS));
    this.unsubscribe = sideChannel.subscribe(options.callId, (utterance) => this.pending.push(utterance));
  }

  sendAudio(mulaw: Buffer): void {
    this.receivedMs += mulaw.length / 8;
    if (!this.current) {
      const next = this.pending[0];
      if (!next || mulawEnergy(mulaw) < SPEECH_ENERGY) return;
      this.pending.shift();
      this.current = { utterance: next, framesHeard: 0, wordsSent: 0, voicedUntilMs: this.receivedMs };
      this.trailingFrames = 0;
      this.events.push({ type: 'speech_started' });
    }
    const current = this.current;
    if (current.framesHeard < current.utterance.frames) {
      current.framesHeard++;
      current.voicedUntilMs = this.receivedMs;
      this.emitInterim(current);
      // Frames normally keep coming (silence included); the timer covers a stream that stops.
      clearTimeout(this.endTimer);
      this.endTimer = setTimeout(() => this.endUtterance(), (this.endpointingFrames + 5) * FRAME_MS);
      return;
    }
    if (++this.trailingFrames >= this.endpointingFrames) this.endUtterance();
  }

  async close(): Promise<void> {
    clearTimeout(this.endTimer);
    this.unsubscribe();
    this.events.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<TranscriptEvent> {
    return this.events[Symbol.asyncIterator]();
  }

  private emitInterim(current: NonNullable<SideChannelStream['current']>): void {
    const words = current.utterance.text.split(/\s+/);
    const due = Math.floor((current.framesHeard / current.utterance.frames) * words.length);
    if (due > current.wordsSent && due < words.length) {
      current.wordsSent = due;
      this.events.push({ type: 'interim', text: words.slice(0, due).join(' ') });
    }
  }

  private endUtterance(): void {
    clearTimeout(this.endTimer);
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    this.events.push({ type: 'final', text: current.utterance.text, endOfTurn: true, speechEndedAtAudioMs: current.voicedUntilMs });
    this.events.push({ type: 'utterance_end' });
  }
}
