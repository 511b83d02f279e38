import type { IncomingMessage, ServerResponse } from 'node:http';
import { pcm16ToMulaw, SAMPLE_RATE } from '@codcall/media';
import { FakeHttpVendor, header, parseJsonObject, readBody } from './fake-http-vendor';

/** How the fake misbehaves on one speech request, taken from the queue filled by `failNext`. */
export type FakeElevenLabsFailure =
  /** Answers 500 with ElevenLabs' JSON error body. */
  | 'http500'
  /** Starts streaming, then destroys the socket halfway through the audio. */
  | 'drop'
  /** Sends the headers and the first chunk, then nothing more until the client gives up. */
  | 'stall';

/** How a response ended, as the server saw it. */
export type FakeSpeechOutcome =
  | 'completed'
  /** The client closed the connection before the audio was all sent (an abort, a stall timeout). */
  | 'client_closed'
  /** The server dropped the connection on purpose (`'drop'`). */
  | 'dropped'
  /** Answered with an error status (401, 404, 422, 500). */
  | 'rejected';

export interface RecordedSpeechRequest {
  voiceId: string;
  /** The query string, e.g. `{ output_format: 'ulaw_8000', optimize_streaming_latency: '3' }`. */
  query: Record<string, string>;
  /** The `xi-api-key` header exactly as sent. */
  apiKey?: string;
  /** The parsed JSON body: `text`, `model_id`, `language_code`, ... */
  body: Record<string, unknown>;
  /** Audio bytes written before the response ended. */
  bytesSent: number;
  /** Undefined while the response is still going. */
  outcome?: FakeSpeechOutcome;
}

export interface FakeElevenLabsOptions {
  /** The only key accepted in `xi-api-key`. */
  apiKey: string;
  /** Length of the audio per character of text (default 60 ms). */
  msPerCharacter?: number;
  /** Bytes per streamed chunk (default 800: 100 ms of mu-law 8 kHz). */
  chunkBytes?: number;
  /** Wait before the headers and first chunk, like the model's time to first audio (default 0). */
  firstByteDelayMs?: number;
  /** Wait between chunks (default 0). */
  chunkDelayMs?: number;
}

/** One second of a two-tone mix: the same bytes for the same offset, and never mu-law silence (0xFF, 0x7F). */
const TONE = (() => {
  const pcm = Int16Array.from({ length: SAMPLE_RATE }, (_, i) =>
    Math.round(6000 * Math.sin((2 * Math.PI * 220 * i) / SAMPLE_RATE) + 3000 * Math.sin((2 * Math.PI * 570 * i) / SAMPLE_RATE)),
  );
  const mulaw = pcm16ToMulaw(pcm);
  for (let i = 0; i < mulaw.length; i++) if (mulaw[i] === 0xff || mulaw[i] === 0x7f) mulaw[i] -= 1;
  return mulaw;
})();

const SPEECH_PATH = /^\/v1\/text-to-speech\/([^/]+)\/stream$/;

/**
 * ElevenLabs text to speech, as far as the official SDK can tell: `POST
 * /v1/text-to-speech/{voice_id}/stream` with the `xi-api-key` header, answered with chunked
 * `audio/basic` (mu-law 8 kHz) whose length follows the text. Every request is recorded, and
 * failures can be queued per request.
 */
export class FakeElevenLabsServer extends FakeHttpVendor<FakeSpeechOutcome> {
  readonly requests: RecordedSpeechRequest[] = [];
  private readonly failures: FakeElevenLabsFailure[] = [];

  constructor(private readonly options: FakeElevenLabsOptions) {
    super();
  }

  get baseUrl(): string {
    return this.origin;
  }

  /** Queues failures: each following speech request takes the next one. */
  failNext(...failures: FakeElevenLabsFailure[]): void {
    this.failures.push(...failures);
  }

  /** How many audio bytes the fake streams for `text`. */
  audioBytesFor(text: string): number {
    return Math.round((text.length * (this.options.msPerCharacter ?? 60) * SAMPLE_RATE) / 1000);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const match = SPEECH_PATH.exec(url.pathname);
    const rawBody = await readBody(req);
    if (req.method !== 'POST' || !match) {
      return json(res, 404, { detail: { status: 'not_found', message: `No route for ${req.method} ${url.pathname}` } });
    }

    const index = this.requests.length;
    const record: RecordedSpeechRequest = {
      voiceId: decodeURIComponent(match[1]),
      query: Object.fromEntries(url.searchParams),
      apiKey: header(req, 'xi-api-key'),
      body: parseJsonObject(rawBody),
      bytesSent: 0,
    };
    this.requests.push(record);
    const end = (outcome: FakeSpeechOutcome) => {
      if (record.outcome) return;
      record.outcome = outcome;
      this.ending(index).resolve(outcome);
    };
    res.on('close', () => end('client_closed'));

    if (record.apiKey !== this.options.apiKey) {
      end('rejected');
      return json(res, 401, { detail: { status: 'invalid_api_key', message: 'Invalid API key' } });
    }
    if (record.query['output_format'] !== 'ulaw_8000') {
      end('rejected');
      const msg = `This fake speaks only ulaw_8000, not ${record.query['output_format'] ?? '(none)'}`;
      return json(res, 422, { detail: [{ loc: ['query', 'output_format'], msg, type: 'value_error' }] });
    }
    const text = record.body['text'];
    if (typeof text !== 'string' || !text.trim()) {
      end('rejected');
      return json(res, 422, { detail: [{ loc: ['body', 'text'], msg: 'text must be a non-empty string', type: 'value_error' }] });
    }

    const failure = this.failures.shift();
    if (failure === 'http500') {
      end('rejected');
      return json(res, 500, { detail: { status: 'internal_server_error', message: 'The fake was told to fail this request' } });
    }

    await this.wait(this.options.firstByteDelayMs ?? 0);
    if (this.closing || res.destroyed) return;
    res.writeHead(200, { 'content-type': 'audio/basic', 'request-id': `fake-${index}` });

    const total = this.audioBytesFor(text);
    // A dropped response breaks off halfway, in the middle of a chunk if need be.
    const limit = failure === 'drop' ? Math.max(1, Math.floor(total / 2)) : total;
    const chunkBytes = Math.max(1, this.options.chunkBytes ?? 800);
    for (let offset = 0; offset < limit; offset += chunkBytes) {
      if (offset > 0) await this.wait(this.options.chunkDelayMs ?? 0);
      if (this.closing || res.destroyed) return;
      const chunk = audioAt(offset, Math.min(chunkBytes, limit - offset));
      record.bytesSent += chunk.length;
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
      // Headers and the first chunk are out; the rest never comes. The client or close() ends it.
      if (failure === 'stall') return;
    }
    await this.endStream(res, failure === 'drop', this.options.chunkDelayMs ?? 0, end);
  }
}

function audioAt(offset: number, length: number): Buffer {
  const chunk = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) chunk[i] = TONE[(offset + i) % TONE.length];
  return chunk;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
