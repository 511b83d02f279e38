import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { pcm16ToMulaw, readWavPcm16, resamplePcm16, SAMPLE_RATE } from '@codcall/media';
import { findLanguage } from '@codcall/languages';
import type { Logger } from '@codcall/logging';
import type { SynthesisRequest, Synthesizer } from '../providers';

/** espeak voices for languages no language pack covers (a row's language cell); others fall back to the code itself. */
const OTHER_VOICES: Record<string, string> = { th: 'th', ms: 'ms', fr: 'fr', ta: 'ta', bn: 'bn' };

/** Locates the worker script beside this file, in the built output or in the source tree. */
export function findEspeakWorker(): string | undefined {
  const candidates = [join(__dirname, 'espeak-worker.mjs')];
  for (let dir = __dirname; ; dir = dirname(dir)) {
    candidates.push(join(dir, 'libs/conversation-engine/src/lib/offline/espeak-worker.mjs'));
    if (dirname(dir) === dir) break;
  }
  return candidates.find((path) => existsSync(path));
}

export function isEspeakInstalled(): boolean {
  try {
    require.resolve('espeak-ng');
    return true;
  } catch {
    return false;
  }
}

interface WorkerSlot {
  worker?: Worker;
  ready?: Promise<Worker>;
  /** Phrases queued on this worker: new ones go to the least busy. */
  pending: number;
  waiting: Map<number, { resolve: (wav: Uint8Array) => void; reject: (error: Error) => void }>;
}

/**
 * Real speech from eSpeak-NG (GPL-3.0-or-later, an optional dependency: the offline stand-in, not
 * part of what a production deployment needs). It runs in one worker thread per synthesiser, so
 * synthesis never stalls the 20 ms audio clock of a call in progress.
 */
export class EspeakSynthesizer implements Synthesizer {
  readonly name = 'offline:espeak-ng';
  private readonly pool: WorkerSlot[];
  private nextId = 0;

  /** `workers`: synthesis threads; greetings for many calls dialled at once are prepared in parallel. */
  constructor(private readonly options: { workerPath: string; rate?: number; workers?: number; logger?: Logger }) {
    this.pool = Array.from({ length: Math.max(1, options.workers ?? 2) }, () => ({ pending: 0, waiting: new Map() }));
  }

  async *synthesize(request: SynthesisRequest): AsyncIterable<Buffer> {
    if (request.signal.aborted || !request.text.trim()) return;
    const voice = this.voiceFor(request);
    const wav = await this.render(request.text, voice);
    if (request.signal.aborted) return;
    const { pcm, sampleRate } = readWavPcm16(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength));
    const mulaw = pcm16ToMulaw(resamplePcm16(pcm, sampleRate, SAMPLE_RATE));
    // Hand it over in 100 ms pieces so a barge-in can stop between them.
    const piece = SAMPLE_RATE / 10;
    for (let offset = 0; offset < mulaw.length; offset += piece) {
      if (request.signal.aborted) return;
      yield mulaw.subarray(offset, offset + piece);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.pool.map((slot) => slot.worker?.terminate()));
    for (const slot of this.pool) {
      slot.worker = undefined;
      slot.ready = undefined;
    }
  }

  /**
   * The voice for a request: an espeak voice name ("en-us", "en-us+m3", lower case as eSpeak's
   * are) is used as is (a vendor's voice id or name, "Sarah", "Eva", is not one); else the language pack's voice for the request's language,
   * by code or alias. Hinglish gets the Hindi voice: eSpeak reads Latin-letter words with its
   * English rules under either voice (it switches by script), so the English words of a
   * Hinglish sentence sound the same, and the Devanagari a row may carry (a name) stays Hindi.
   */
  voiceFor(request: Pick<SynthesisRequest, 'language' | 'voice'>): string {
    if (request.voice && /^[a-z]{2,3}(-[a-z0-9]+)?(\+[a-z0-9]+)?$/.test(request.voice)) return request.voice;
    const pack = findLanguage(request.language);
    if (pack) return pack.espeakVoice;
    const language = request.language.toLowerCase().split(/[-_]/)[0];
    return OTHER_VOICES[language] ?? language;
  }

  private async render(text: string, voice: string): Promise<Uint8Array> {
    const slot = this.pool.reduce((least, candidate) => (candidate.pending < least.pending ? candidate : least));
    slot.pending++;
    try {
      const worker = await this.start(slot);
      const id = ++this.nextId;
      return await new Promise<Uint8Array>((resolve, reject) => {
        slot.waiting.set(id, { resolve, reject });
        worker.postMessage({ id, text, voice, rate: this.options.rate ?? 170 });
      });
    } finally {
      slot.pending--;
    }
  }

  private start(slot: WorkerSlot): Promise<Worker> {
    slot.ready ??= new Promise((resolve, reject) => {
      const worker = new Worker(this.options.workerPath);
      worker.unref();
      worker.on('message', (message: { ready?: boolean; id?: number; wav?: Uint8Array; error?: string }) => {
        if (message.ready) return resolve(worker);
        const waiter = message.id !== undefined ? slot.waiting.get(message.id) : undefined;
        if (!waiter || message.id === undefined) return;
        slot.waiting.delete(message.id);
        if (message.wav) waiter.resolve(message.wav);
        else waiter.reject(new Error(`espeak-ng: ${message.error ?? 'no audio'}`));
      });
      worker.on('error', (error) => {
        this.options.logger?.error({ err: error }, 'espeak-ng worker failed');
        for (const waiter of slot.waiting.values()) waiter.reject(error);
        slot.waiting.clear();
        slot.ready = undefined;
        reject(error);
      });
      slot.worker = worker;
    });
    return slot.ready;
  }
}
