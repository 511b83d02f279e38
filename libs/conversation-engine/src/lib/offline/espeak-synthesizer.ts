import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { pcm16ToMulaw, readWavPcm16, resamplePcm16, SAMPLE_RATE } from '@codcall/media';
import { findLanguage } from '@codcall/languages';
import type { Logger } from '@codcall/logging';
import type { SynthesisRequest, Synthesizer } from '../providers';
import { ClauseQueue } from './clause-queue';

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
  /** The clause this worker is rendering: one at a time, so the queue decides what comes next. */
  rendering?: { id: number; job: RenderJob };
}

interface RenderJob {
  text: string;
  voice: string;
  resolve: (wav: Uint8Array | undefined) => void;
  reject: (error: Error) => void;
}

/**
 * Real speech from eSpeak-NG (GPL-3.0-or-later, an optional dependency: the offline stand-in, not
 * part of what a production deployment needs). It runs in worker threads shared by every call of
 * the process, so synthesis never stalls the 20 ms audio clock of a call in progress. Clauses wait
 * in one queue and a worker takes the next only when free: a later clause of a sentence being
 * heard goes before other calls' first clauses (see ClauseQueue).
 */
export class EspeakSynthesizer implements Synthesizer {
  readonly name = 'offline:espeak-ng';
  private readonly pool: WorkerSlot[];
  private readonly queue = new ClauseQueue<RenderJob>();
  private nextId = 0;

  /** `workers`: synthesis threads; greetings for many calls dialled at once are prepared in parallel. */
  constructor(private readonly options: { workerPath: string; rate?: number; workers?: number; logger?: Logger }) {
    this.pool = Array.from({ length: Math.max(1, options.workers ?? 2) }, () => ({}));
  }

  async *synthesize(request: SynthesisRequest): AsyncIterable<Buffer> {
    if (request.signal.aborted || !request.text.trim()) return;
    const voice = this.voiceFor(request);
    const wav = await this.render(request, voice);
    if (!wav || request.signal.aborted) return;
    const { pcm, sampleRate } = readWavPcm16(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength));
    const mulaw = pcm16ToMulaw(resamplePcm16(pcm, sampleRate, SAMPLE_RATE));
    // Hand it over in 100 ms pieces so a barge-in can stop between them.
    const piece = SAMPLE_RATE / 10;
    for (let offset = 0; offset < mulaw.length; offset += piece) {
      if (request.signal.aborted) return;
      yield mulaw.subarray(offset, offset + piece);
    }
  }

  /** Stops the workers; a clause they were rendering fails, queued ones wait for the next start. */
  async close(): Promise<void> {
    const rendering = this.pool.flatMap((slot) => (slot.rendering ? [slot.rendering.job] : []));
    await Promise.all(this.pool.map((slot) => slot.worker?.terminate()));
    for (const slot of this.pool) {
      slot.worker = undefined;
      slot.ready = undefined;
      slot.rendering = undefined;
    }
    for (const job of rendering) job.reject(new Error('espeak-ng: the synthesiser was closed'));
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

  /** The clause's WAV once a worker has rendered it; undefined if it was cancelled while it waited. */
  private render(request: SynthesisRequest, voice: string): Promise<Uint8Array | undefined> {
    return new Promise((resolve, reject) => {
      const { signal } = request;
      // Cancelled while waiting: it leaves the queue and no worker spends time on it.
      const onAbort = () => remove() && resolve(undefined);
      const settle = <A>(then: (value: A) => void) => (value: A) => {
        signal.removeEventListener('abort', onAbort);
        then(value);
      };
      const remove = this.queue.push({ text: request.text, voice, resolve: settle(resolve), reject: settle(reject) }, request.utterance);
      signal.addEventListener('abort', onAbort, { once: true });
      this.dispatch();
    });
  }

  /** Gives each free worker the queue's next clause. */
  private dispatch(): void {
    for (const slot of this.pool) {
      if (slot.rendering) continue;
      const job = this.queue.take();
      if (!job) return;
      const id = ++this.nextId;
      slot.rendering = { id, job };
      this.start(slot).then(
        (worker) => worker.postMessage({ id, text: job.text, voice: job.voice, rate: this.options.rate ?? 170 }),
        (error: Error) => this.finish(slot, id, (rendered) => rendered.reject(error)),
      );
    }
  }

  /** The worker is done with clause `id` (or failed): settle it and take the next. */
  private finish(slot: WorkerSlot, id: number, settle: (job: RenderJob) => void): void {
    if (slot.rendering?.id !== id) return;
    const { job } = slot.rendering;
    slot.rendering = undefined;
    settle(job);
    this.dispatch();
  }

  private start(slot: WorkerSlot): Promise<Worker> {
    slot.ready ??= new Promise((resolve, reject) => {
      const worker = new Worker(this.options.workerPath);
      worker.unref();
      worker.on('message', (message: { ready?: boolean; id?: number; wav?: Uint8Array; error?: string }) => {
        if (message.ready) return resolve(worker);
        if (message.id === undefined) return;
        const { wav, error } = message;
        this.finish(slot, message.id, (job) => (wav ? job.resolve(wav) : job.reject(new Error(`espeak-ng: ${error ?? 'no audio'}`))));
      });
      worker.on('error', (error) => {
        this.options.logger?.error({ err: error }, 'espeak-ng worker failed');
        slot.ready = undefined;
        slot.worker = undefined;
        reject(error);
        if (slot.rendering) this.finish(slot, slot.rendering.id, (job) => job.reject(error));
      });
      slot.worker = worker;
    });
    return slot.ready;
  }
}
