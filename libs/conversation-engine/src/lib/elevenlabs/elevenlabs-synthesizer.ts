import { ElevenLabsClient, ElevenLabsError } from '@elevenlabs/elevenlabs-js';
import { fetcher as sdkFetcher } from '@elevenlabs/elevenlabs-js/core';
import { silentLogger, type Logger } from '@codcall/logging';
import type { SynthesisRequest, Synthesizer } from '../providers';
import { describeCauses, redactKey } from '../vendor-errors';

export const DEFAULT_ELEVENLABS_MODEL = 'eleven_flash_v2_5';
/** "Rachel", a premade voice every ElevenLabs account has (and the sample agent's voice). */
export const DEFAULT_ELEVENLABS_VOICE_ID = '21m00Tcm4TlvDq8ikWAM';

/**
 * Models that accept `language_code` to enforce the language. Others (multilingual v2, English
 * v1/v2) reject or ignore it, so it is only sent to these.
 */
const LANGUAGE_ENFORCING_MODELS = new Set(['eleven_flash_v2_5', 'eleven_turbo_v2_5']);

/** Premade voices by the names agent configs use for them (`provider_config.voice`). */
const PREMADE_VOICES: Record<string, string> = {
  rachel: '21m00Tcm4TlvDq8ikWAM',
  domi: 'AZnzlk1XvdvUeBnXmlld',
  bella: 'EXAVITQu4vr4xnSDxMaL',
  antoni: 'ErXwobaYiN019PkySvjV',
  elli: 'MF3mGyEYCl7XYWbV9V6O',
  josh: 'TxGEqnHWrfWFTfGW9XjX',
  arnold: 'VR6AewLTigWG4xSOukaG',
  adam: 'pNInz6obpgDQGcFmaJgB',
  sam: 'yoZ06aMxZJJ28mfd3POQ',
};

export interface ElevenLabsSynthesizerOptions {
  apiKey: string;
  /** Another host than api.elevenlabs.io (a regional residency host, or a local fake in tests). */
  baseUrl?: string;
  /** Used when a request names no voice. */
  voiceId: string;
  /** Default `eleven_flash_v2_5`, the lowest-latency model. */
  model?: string;
  /** 0 (none) to 4 (most, text normaliser off). Default 3. */
  optimizeStreamingLatency?: number;
  /**
   * Longest wait for the response, and then for each next chunk, before the request is abandoned
   * as stalled. Default 10 s. (It replaces the SDK's timeout, which stops counting at the headers.)
   */
  stallTimeoutMs?: number;
  logger?: Logger;
}

/** Speech synthesis failed: the vendor refused, broke off, or could not be reached. Never holds a key. */
export class SynthesisError extends Error {
  override readonly name = 'SynthesisError';
  /** The HTTP status, when the vendor answered with one. */
  readonly status?: number;
  readonly voiceId: string;
  readonly model: string;

  constructor(message: string, details: { voiceId: string; model: string; status?: number; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.voiceId = details.voiceId;
    this.model = details.model;
    if (details.status !== undefined) this.status = details.status;
  }
}

/**
 * ElevenLabs voices over the HTTP streaming endpoint, asking for `ulaw_8000`: exactly the
 * carriers' format, so every chunk goes to the caller as it arrives, untouched.
 */
export class ElevenLabsSynthesizer implements Synthesizer {
  readonly name: string;
  private readonly client: ElevenLabsClient;
  private readonly model: string;
  private readonly stallTimeoutMs: number;
  private readonly logger: Logger;

  constructor(private readonly options: ElevenLabsSynthesizerOptions) {
    this.model = options.model ?? DEFAULT_ELEVENLABS_MODEL;
    this.name = `elevenlabs:${this.model}`;
    this.stallTimeoutMs = options.stallTimeoutMs ?? 10_000;
    this.logger = options.logger ?? silentLogger();
    this.client = new ElevenLabsClient({
      apiKey: options.apiKey,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      // A retry after a failed phrase comes too late to be heard; the session decides what to say instead.
      maxRetries: 0,
      // The SDK's own request timer (240 s unless set) is never cleared when fetch rejects, as it does
      // on every barge-in before the first audio: each would hold the process open until it fires.
      // The stall guard in synthesize() bounds the wait instead, headers and body alike.
      fetcher: (args) => sdkFetcher({ ...args, timeoutMs: undefined }),
    });
  }

  async *synthesize(request: SynthesisRequest): AsyncIterable<Buffer> {
    if (request.signal.aborted || !request.text.trim()) return;
    const voiceId = voiceIdFor(request.voice) ?? this.options.voiceId;
    const model = request.model ?? this.model;
    // The call's own code (its language pack's: 'hi' for Hinglish, 'pt' for Brazil) wins over one read off the language tag.
    const languageCode = LANGUAGE_ENFORCING_MODELS.has(model) ? isoLanguage(request.languageCode ?? request.language) : undefined;

    // One controller for the HTTP exchange: the caller's abort, a stall, or the consumer leaving early.
    const http = new AbortController();
    const stopOnAbort = () => http.abort();
    request.signal.addEventListener('abort', stopOnAbort, { once: true });
    let stalled = false;
    let stallTimer: NodeJS.Timeout | undefined;
    // Armed only while waiting on the network, so a slow consumer is never mistaken for a stall.
    const watch = <T>(pending: Promise<T>): Promise<T> => {
      stallTimer = setTimeout(() => {
        stalled = true;
        http.abort();
      }, this.stallTimeoutMs);
      return pending.finally(() => clearTimeout(stallTimer));
    };

    const started = performance.now();
    const where = { voiceId, model, ...(languageCode ? { languageCode } : {}) };
    let bytes = 0;
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    try {
      const audio = await watch(
        this.client.textToSpeech.stream(
          voiceId,
          {
            text: request.text,
            modelId: model,
            outputFormat: 'ulaw_8000',
            optimizeStreamingLatency: this.options.optimizeStreamingLatency ?? 3,
            ...(languageCode ? { languageCode } : {}),
          },
          { abortSignal: http.signal },
        ),
      );
      reader = audio.getReader();
      for (;;) {
        if (request.signal.aborted) return;
        const { done, value } = await watch(reader.read());
        if (done) break;
        if (value.byteLength === 0) continue;
        if (bytes === 0) this.logger.debug({ ...where, firstAudioMs: Math.round(performance.now() - started) }, 'first speech audio');
        bytes += value.byteLength;
        yield Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      }
      this.logger.debug({ ...where, bytes, totalMs: Math.round(performance.now() - started) }, 'speech complete');
    } catch (error) {
      // Barge-in or hang-up: stop without a word.
      if (request.signal.aborted) return;
      throw this.toSynthesisError(error, { voiceId, model, stalled, bytes });
    } finally {
      clearTimeout(stallTimer);
      request.signal.removeEventListener('abort', stopOnAbort);
      // Closes the connection if the audio is not all in (abort, error, or a consumer that stopped).
      http.abort();
      reader?.cancel().catch(() => undefined);
    }
  }

  private toSynthesisError(error: unknown, context: { voiceId: string; model: string; stalled: boolean; bytes: number }): SynthesisError {
    const { voiceId, model } = context;
    const where = `(voice ${voiceId}, model ${model})`;
    let message: string;
    let status: number | undefined;
    if (context.stalled) {
      message = `ElevenLabs sent no audio for ${this.stallTimeoutMs} ms ${context.bytes ? `after ${context.bytes} bytes ` : ''}${where}`;
    } else if (error instanceof ElevenLabsError && error.statusCode !== undefined) {
      status = error.statusCode;
      const reason = describeErrorBody(error.body);
      message = `ElevenLabs refused speech: HTTP ${status}${reason ? ` ${reason}` : ''} ${where}`;
    } else {
      const stage = context.bytes ? `broke off after ${context.bytes} bytes` : 'could not be reached';
      message = `ElevenLabs speech ${stage}: ${describeCauses(error)} ${where}`;
    }
    return new SynthesisError(redactKey(message, this.options.apiKey), { voiceId, model, status, cause: error });
  }
}

/**
 * The synthesiser options for an agent that asks for ElevenLabs, or null when it does not, or
 * when ELEVENLABS_API_KEY is unset. ELEVENLABS_BASE_URL overrides the host (regional residency
 * hosts, a local fake in tests). The voice is the agent's `voice_id`, else a premade voice named
 * by `voice`, else Rachel.
 */
export function elevenLabsConfigFromEnv(
  env: NodeJS.ProcessEnv,
  agentSynth: { provider: string; voiceId?: string; voice?: string; model: string },
): ElevenLabsSynthesizerOptions | null {
  const apiKey = env['ELEVENLABS_API_KEY']?.trim();
  if (agentSynth.provider !== 'elevenlabs' || !apiKey) return null;
  const baseUrl = env['ELEVENLABS_BASE_URL']?.trim() || undefined;
  if (baseUrl && !/^https?:\/\/[^/\s]+/.test(baseUrl)) {
    throw new Error(`ELEVENLABS_BASE_URL must be an http(s) URL, e.g. https://api.elevenlabs.io (got "${baseUrl}")`);
  }
  return {
    apiKey,
    ...(baseUrl ? { baseUrl: baseUrl.replace(/\/+$/, '') } : {}),
    voiceId: agentSynth.voiceId || voiceIdFor(agentSynth.voice) || DEFAULT_ELEVENLABS_VOICE_ID,
    model: agentSynth.model || DEFAULT_ELEVENLABS_MODEL,
  };
}

/**
 * A premade voice's id by name, or the value itself when it already looks like a voice id. A
 * request names its voice either way (the agent's `voice_id`, else its `voice`), so a name is
 * never sent to ElevenLabs as if it were an id; one that is neither means the default voice.
 */
function voiceIdFor(voice: string | undefined): string | undefined {
  if (!voice?.trim()) return undefined;
  return PREMADE_VOICES[voice.trim().toLowerCase()] ?? (/^[A-Za-z0-9]{20}$/.test(voice.trim()) ? voice.trim() : undefined);
}

/** "en-IN" -> "en"; anything that is not an ISO 639-1 code is left out rather than refused. */
function isoLanguage(language: string): string | undefined {
  const code = language.trim().toLowerCase().split(/[-_]/)[0];
  return /^[a-z]{2}$/.test(code) ? code : undefined;
}

/** ElevenLabs answers `{detail: {status, message}}`, or FastAPI's `{detail: [{loc, msg}]}` for 422. */
function describeErrorBody(body: unknown): string {
  const detail = body && typeof body === 'object' && 'detail' in body ? (body as { detail: unknown }).detail : body;
  if (typeof detail === 'string') return detail.slice(0, 300);
  if (Array.isArray(detail)) {
    return detail
      .map((item: { loc?: unknown[]; msg?: string }) => [Array.isArray(item?.loc) ? item.loc.join('.') : '', item?.msg ?? ''].filter(Boolean).join(': '))
      .join('; ')
      .slice(0, 300);
  }
  if (detail && typeof detail === 'object') {
    const { status, message } = detail as { status?: unknown; message?: unknown };
    return [status, message].filter((part) => typeof part === 'string' && part).join(': ').slice(0, 300);
  }
  return '';
}

