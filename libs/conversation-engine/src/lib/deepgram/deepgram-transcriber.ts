import { DeepgramClient } from '@deepgram/sdk';
import { silentLogger, type Logger } from '@codcall/logging';
import { SAMPLE_RATE, SpeechAwareBatcher, type SpeechAwareBatchingOptions } from '@codcall/media';
import type { Transcriber, TranscriberOptions, TranscriberStream, TranscriptEvent } from '../providers';
import { describeCauses, redactKey } from '../vendor-errors';
import { TranscriptQueue } from './transcript-queue';

export const DEFAULT_DEEPGRAM_MODEL = 'nova-3';
const DEFAULT_DEEPGRAM_BASE_URL = 'wss://api.deepgram.com';
/** At most this much unfinalised caller audio is kept for replay after a dropped socket: 10 s of mu-law. */
const REPLAY_LIMIT_BYTES = 10 * SAMPLE_RATE;
/** A socket that lived this long, or produced a transcript, counts as working: its drop starts a fresh retry budget. */
const STABLE_CONNECTION_MS = 5000;
/** Statuses a retry cannot change: bad parameters, key, payment, permission, route. */
const FINAL_REFUSALS = new Set([400, 401, 402, 403, 404]);

type ListenSocket = Awaited<ReturnType<DeepgramClient['listen']['v1']['connect']>>;
type ListenConnectArgs = Parameters<DeepgramClient['listen']['v1']['connect']>[0];
/** The query string of a phone call's socket, every value as the string the URL carries. */
interface PhoneCallQuery {
  model: string;
  language: string;
  encoding: 'mulaw';
  sample_rate: string;
  channels: string;
  interim_results: 'true';
  endpointing: string;
  utterance_end_ms: string;
  vad_events: 'true';
  smart_format: 'true';
  punctuate: 'true';
  /** Nova-3 multilingual (`language=multi`) only: repeated `language_hint` parameters biasing detection. */
  language_hint?: string[];
}
type SocketCloseEvent = { code: number; reason?: string };

export interface DeepgramTranscriberOptions {
  apiKey: string;
  /**
   * Another host than `wss://api.deepgram.com`, given as a base without the path: `wss://host`,
   * `ws://127.0.0.1:PORT`, or `http(s)://...` (the socket library turns http into ws). The SDK
   * appends `/v1/listen` (after any path prefix the base has).
   */
  baseUrl?: string;
  /** Default `nova-3`; a model named in `open()` wins. */
  model?: string;
  /** The agent's language hints for a multilingual model; hints named in `open()` win. */
  languageHints?: readonly string[];
  /** Silence after the last word before Deepgram sends UtteranceEnd. Default 1000 ms. */
  utteranceEndMs?: number;
  /**
   * Caller audio goes to Deepgram in messages of this much during continuous speech and long
   * silence (Deepgram suggests 20-250 ms); speech onsets and the endpointing window after speech
   * go out frame by frame. Default 100 ms; 0 sends every frame as it comes.
   */
  audioBatchMs?: number;
  /**
   * Long silence (after the utterance-end window) goes in messages of this much: no verdict waits
   * on it, and the caller's first sound sends what is held at once. Default 240 ms (twelve
   * frames), near the top of Deepgram's suggested 20-250 ms.
   */
  silenceBatchMs?: number;
  /** Send a KeepAlive once no audio has gone out for this long (Deepgram closes after 10 s). Default 4000 ms. */
  keepAliveMs?: number;
  /** Wait before the first reconnection attempt; the n-th waits n times as long. Default 250 ms. */
  reconnectDelayMs?: number;
  /** Failed connection attempts in a row after which the stream gives up. Default 3. */
  maxReconnectAttempts?: number;
  /** Longest wait for one connection attempt. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** How long `close()` waits for Deepgram's last results after CloseStream. Default 2000 ms. */
  closeTimeoutMs?: number;
  logger?: Logger;
}

/** Live transcription could not start or could not go on. Never holds the key. */
export class TranscriptionError extends Error {
  override readonly name = 'TranscriptionError';
  /** The HTTP status of a refused connection, when Deepgram answered with one. */
  readonly status?: number;
  /** The WebSocket close code, when Deepgram closed the stream. */
  readonly closeCode?: number;
  readonly model: string;

  constructor(message: string, details: { model: string; status?: number; closeCode?: number; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.model = details.model;
    if (details.status !== undefined) this.status = details.status;
    if (details.closeCode !== undefined) this.closeCode = details.closeCode;
  }
}

/**
 * Deepgram live speech recognition over its WebSocket, through the official SDK. The carrier's
 * mu-law 8 kHz goes to Deepgram untouched; interim and final transcripts, speech starts and
 * utterance ends come back as the engine's transcript events. A dropped socket is reopened by
 * this class (the SDK's own reconnection is switched off), and the audio Deepgram had not
 * finalised is sent again, so a caller's words survive the gap.
 */
export class DeepgramTranscriber implements Transcriber {
  readonly name: string;
  private readonly model: string;
  private readonly logger: Logger;

  constructor(private readonly options: DeepgramTranscriberOptions) {
    this.model = options.model ?? DEFAULT_DEEPGRAM_MODEL;
    this.name = `deepgram:${this.model}`;
    this.logger = options.logger ?? silentLogger();
  }

  async open(options: TranscriberOptions): Promise<TranscriberStream> {
    const model = options.model ?? this.model;
    const languageHints = hintsFor(options.language, options.languageHints ?? this.options.languageHints);
    const endpointingMs = options.endpointingMs ?? 300;
    const utteranceEndMs = this.options.utteranceEndMs ?? 1000;
    const stream = new DeepgramStream({
      // One client per call: its session id (sent to Deepgram) then names one call.
      client: new DeepgramClient({ apiKey: this.options.apiKey, ...(this.options.baseUrl ? { baseUrl: this.options.baseUrl } : {}) }),
      apiKey: this.options.apiKey,
      where: this.options.baseUrl ?? DEFAULT_DEEPGRAM_BASE_URL,
      model,
      query: {
        model,
        language: options.language,
        encoding: 'mulaw',
        sample_rate: String(SAMPLE_RATE),
        channels: '1',
        interim_results: 'true',
        endpointing: String(endpointingMs),
        utterance_end_ms: String(utteranceEndMs),
        vad_events: 'true',
        smart_format: 'true',
        punctuate: 'true',
        ...(languageHints.length ? { language_hint: languageHints } : {}),
      },
      // Deepgram's endpointing (speech_final) hears its silence frame by frame; the UtteranceEnd fallback, in 40 ms batches.
      batching: {
        batchMs: this.options.audioBatchMs ?? 100,
        silenceBatchMs: this.options.silenceBatchMs ?? 240,
        tailMs: endpointingMs + 200,
        lateTailMs: utteranceEndMs + 200,
        lateTailBatchMs: 40,
      },
      keepAliveMs: this.options.keepAliveMs ?? 4000,
      reconnectDelayMs: this.options.reconnectDelayMs ?? 250,
      maxReconnectAttempts: this.options.maxReconnectAttempts ?? 3,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 5000,
      closeTimeoutMs: this.options.closeTimeoutMs ?? 2000,
      logger: this.logger.child({ callId: options.callId, transcriber: `deepgram:${model}` }),
    });
    await stream.start();
    return stream;
  }
}

interface StreamSettings {
  client: DeepgramClient;
  apiKey: string;
  /** The base URL, for error messages. */
  where: string;
  model: string;
  query: PhoneCallQuery;
  batching: SpeechAwareBatchingOptions;
  keepAliveMs: number;
  reconnectDelayMs: number;
  maxReconnectAttempts: number;
  connectTimeoutMs: number;
  closeTimeoutMs: number;
  logger: Logger;
}

/** Why one connection attempt failed, and whether another could succeed. */
class ConnectFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly details: { status?: number; closeCode?: number; cause?: unknown } = {},
  ) {
    super(message);
  }
}

/** close() was called while a connection attempt or a retry wait was under way. */
const CANCELLED = new ConnectFailure('cancelled by close()', false);

type StreamState = 'connecting' | 'waiting' | 'open' | 'closing' | 'ended';

class DeepgramStream implements TranscriberStream {
  private readonly events = new TranscriptQueue();
  private state: StreamState = 'connecting';
  /** close() was called: no more audio, no more reconnection. */
  private stopped = false;
  private closed?: Promise<void>;
  private resolveClosed?: () => void;
  private socket?: ListenSocket;
  private readonly retired = new WeakSet<ListenSocket>();
  private cancelAttempt?: () => void;
  private wakeFromPause?: () => void;
  private keepAliveTimer?: NodeJS.Timeout;
  private closeTimer?: NodeJS.Timeout;
  private lastSentAt = 0;
  private connectedAt = 0;
  private heardTranscript = false;
  /** Drops in a row of sockets that never worked; bounds an accept-then-drop loop. */
  private unstableDrops = 0;

  // The caller's audio, counted in bytes since open(). Deepgram's timestamps count seconds of
  // the current socket's audio, which starts at `socketStart`.
  private received = 0;
  private socketStart = 0;
  /** Everything before this byte is settled in a final result and is never sent again. */
  private finalisedUntil = 0;
  /** Audio from `tailStart` on, kept until finalised (at most REPLAY_LIMIT_BYTES). */
  private tail: Buffer[] = [];
  private tailStart = 0;
  /** Holds caller frames back to send them in batches, except where a turn's timing lives. */
  private readonly batcher: SpeechAwareBatcher;

  constructor(private readonly settings: StreamSettings) {
    this.batcher = new SpeechAwareBatcher(settings.batching, (audio) => this.relay(audio));
  }

  async start(): Promise<void> {
    try {
      await this.connectWithRetries(false);
    } catch (failure) {
      this.end();
      throw this.toError(failure, 'Deepgram live transcription could not start');
    }
  }

  sendAudio(mulaw: Buffer): void {
    // An empty binary frame used to mean "end of stream" to Deepgram: never send one.
    if (this.stopped || this.state === 'ended' || mulaw.length === 0) return;
    if (this.settings.batching.batchMs === 0) return this.relay(Buffer.from(mulaw));
    this.batcher.push(mulaw);
  }

  /** One message of caller audio, a buffer of our own: it may be replayed long after the carrier reused its frames. */
  private relay(chunk: Buffer): void {
    if (this.stopped || this.state === 'ended') return;
    this.tail.push(chunk);
    this.received += chunk.length;
    this.trimTail();
    if (this.state !== 'open' || !this.socket) return;
    try {
      this.socket.sendMedia(chunk);
      this.lastSentAt = Date.now();
    } catch {
      // The socket is going: its close event follows, and the tail replays this chunk.
    }
  }

  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    // What the batcher holds is the last of the caller's words: it goes before CloseStream.
    this.batcher.flush();
    this.stopped = true;
    if (this.state === 'ended') this.resolveClosed?.();
    else if (this.state === 'open' && this.socket) {
      // CloseStream makes Deepgram finish the audio it has, send the last results, and close.
      this.state = 'closing';
      clearTimeout(this.keepAliveTimer);
      try {
        this.socket.sendCloseStream({ type: 'CloseStream' });
        this.closeTimer = setTimeout(() => {
          this.settings.logger.warn({ waitedMs: this.settings.closeTimeoutMs }, 'Deepgram did not close the stream after CloseStream; closing it');
          this.end();
        }, this.settings.closeTimeoutMs);
      } catch {
        this.end();
      }
    } else {
      // Between sockets: nothing can flush what the caller said during the gap.
      if (this.received > this.finalisedUntil) {
        this.settings.logger.warn({ untranscribedMs: Math.round(((this.received - this.finalisedUntil) * 1000) / SAMPLE_RATE) }, 'closed while reconnecting to Deepgram');
      }
      this.cancelAttempt?.();
      this.wakeFromPause?.();
      this.end();
    }
    return this.closed;
  }

  [Symbol.asyncIterator](): AsyncIterator<TranscriptEvent> {
    const iterator = this.events[Symbol.asyncIterator]();
    return {
      next: () => iterator.next(),
      // A consumer that stops listening closes the stream.
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  // ---- connecting ----

  /**
   * Opens a socket, retrying what a retry can fix. At start-up the first attempt is immediate;
   * after a drop every attempt waits `reconnectDelayMs` times its number.
   */
  private async connectWithRetries(afterDrop: boolean): Promise<void> {
    const { reconnectDelayMs, maxReconnectAttempts, logger } = this.settings;
    const attempts = afterDrop ? maxReconnectAttempts : maxReconnectAttempts + 1;
    let failure: ConnectFailure = CANCELLED;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const wait = reconnectDelayMs * (afterDrop ? attempt : attempt - 1);
      if (wait > 0) {
        this.state = 'waiting';
        await this.pause(wait);
      }
      if (this.stopped) throw CANCELLED;
      this.state = 'connecting';
      try {
        return await this.connectOnce();
      } catch (error) {
        failure = error instanceof ConnectFailure ? error : new ConnectFailure(describeCauses(error), false, { cause: error });
        if (!failure.retryable || this.stopped) break;
        logger.warn({ attempt, of: attempts, reason: redactKey(failure.message, this.settings.apiKey) }, 'Deepgram connection attempt failed');
      }
    }
    if (failure.retryable) {
      throw new ConnectFailure(`${failure.message} (gave up after ${attempts} attempts)`, false, failure.details);
    }
    throw failure;
  }

  private async connectOnce(): Promise<void> {
    const { client, connectTimeoutMs } = this.settings;
    const { language_hint, ...query } = this.settings.query;
    const args: ListenConnectArgs = {
      ...query,
      // The SDK's v1 arguments have no language_hint (only v2's do); its socket repeats an array
      // parameter (`language_hint=hi&language_hint=en`), which is how Deepgram reads several hints.
      ...(language_hint ? { queryParams: { language_hint } } : {}),
      // Reconnection is ours (with replay); the SDK's would reconnect without the audio in between.
      reconnectAttempts: 0,
      shouldReconnect: () => false,
      connectionTimeoutInSeconds: connectTimeoutMs / 1000,
    };
    const socket = await client.listen.v1.connect(args);
    if (this.stopped) {
      this.retire(socket);
      throw CANCELLED;
    }
    await new Promise<void>((resolve, reject) => {
      let opened = false;
      let error: Error | undefined;
      this.cancelAttempt = () => {
        this.cancelAttempt = undefined;
        this.retire(socket);
        reject(CANCELLED);
      };
      socket.on('open', () => {
        if (this.retired.has(socket)) return;
        opened = true;
        this.cancelAttempt = undefined;
        this.adopt(socket);
        resolve();
      });
      socket.on('message', (message: unknown) => {
        if (this.socket === socket) this.onMessage(message);
      });
      socket.on('error', (event: Error) => (error = event));
      // The SDK reports an error's close before the error itself, in the same turn: decide after both.
      socket.on('close', (event: SocketCloseEvent) =>
        queueMicrotask(() => {
          if (this.retired.has(socket)) return;
          if (opened) return this.onSocketClosed(socket, event, error);
          this.cancelAttempt = undefined;
          this.retire(socket);
          reject(this.describeConnectFailure(event, error));
        }),
      );
      socket.connect();
    });
  }

  /** A socket is open: it becomes the stream's, and hears first what Deepgram has not finalised. */
  private adopt(socket: ListenSocket): void {
    this.socket = socket;
    this.state = 'open';
    this.connectedAt = Date.now();
    this.heardTranscript = false;
    const replay = this.unfinalisedAudio();
    this.socketStart = this.received - replay.length;
    if (replay.length > 0) {
      try {
        socket.sendMedia(replay);
      } catch {
        // Closed again at once: its close event follows, and the tail is still there.
      }
      this.settings.logger.info({ replayedMs: Math.round((replay.length * 1000) / SAMPLE_RATE) }, 'reconnected to Deepgram; replayed the unfinalised audio');
    }
    this.lastSentAt = Date.now();
    this.scheduleKeepAlive();
  }

  private onSocketClosed(socket: ListenSocket, event: SocketCloseEvent, error: Error | undefined): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.retire(socket);
    clearTimeout(this.keepAliveTimer);
    if (this.state === 'closing') return this.end();
    if (this.state !== 'open') return;
    const { logger, model } = this.settings;
    const reason = redactKey(describeClose(event, error), this.settings.apiKey);
    // 1008: Deepgram refused the stream itself (its parameters or the audio); a new socket would be refused too.
    if (event.code === 1008) {
      return this.fail(new TranscriptionError(`Deepgram refused the audio stream: ${reason}`, { model, closeCode: event.code, cause: error }));
    }
    const worked = this.heardTranscript || Date.now() - this.connectedAt >= STABLE_CONNECTION_MS;
    this.unstableDrops = worked ? 0 : this.unstableDrops + 1;
    if (this.unstableDrops > this.settings.maxReconnectAttempts) {
      return this.fail(new TranscriptionError(`Deepgram keeps dropping the stream right after it opens: ${reason}`, { model, closeCode: event.code, cause: error }));
    }
    logger.warn({ reason, code: event.code }, 'Deepgram connection dropped; reconnecting');
    void this.recover();
  }

  private async recover(): Promise<void> {
    try {
      await this.connectWithRetries(true);
    } catch (failure) {
      if (this.stopped) return;
      const lostMs = Math.round(((this.received - this.finalisedUntil) * 1000) / SAMPLE_RATE);
      this.fail(this.toError(failure, `Deepgram connection lost and could not be restored (${lostMs} ms of the caller's audio untranscribed)`));
    }
  }

  private describeConnectFailure(event: SocketCloseEvent, error: Error | undefined): ConnectFailure {
    const { where, connectTimeoutMs } = this.settings;
    const status = Number(/server response: (\d{3})/i.exec(error?.message ?? '')?.[1]) || undefined;
    if (status !== undefined) {
      const hint = status === 401 || status === 403 ? ': check DEEPGRAM_API_KEY' : status === 400 ? ': a parameter it does not accept (model, language?)' : '';
      return new ConnectFailure(`Deepgram refused the connection with HTTP ${status}${hint} (${where})`, !FINAL_REFUSALS.has(status), { status, cause: error });
    }
    if (error?.message === 'TIMEOUT') return new ConnectFailure(`Deepgram did not answer within ${connectTimeoutMs} ms (${where})`, true, { cause: error });
    if (error) return new ConnectFailure(`Deepgram could not be reached at ${where}: ${error.message || 'connection failed'}`, true, { cause: error });
    return new ConnectFailure(`Deepgram closed the connection while it opened: ${describeClose(event, error)}`, true, { closeCode: event.code });
  }

  // ---- listening ----

  private onMessage(message: unknown): void {
    if (!message || typeof message !== 'object') return;
    const type = (message as { type?: unknown }).type;
    if (type === 'Results') return this.onResults(message as DeepgramResults);
    if (type === 'SpeechStarted') return this.events.push({ type: 'speech_started' });
    if (type === 'UtteranceEnd') return this.events.push({ type: 'utterance_end' });
    if (type === 'Metadata') this.settings.logger.debug({ requestId: (message as { request_id?: unknown }).request_id }, 'Deepgram metadata');
  }

  private onResults(results: DeepgramResults): void {
    this.heardTranscript = true;
    const text = (results.channel?.alternatives?.[0]?.transcript ?? '').trim();
    if (!results.is_final) {
      if (text) this.events.push({ type: 'interim', text });
      return;
    }
    // Deepgram's clock is this socket's audio: all before start + duration is settled.
    const end = this.socketStart + Math.round(((results.start ?? 0) + (results.duration ?? 0)) * SAMPLE_RATE);
    this.finalisedUntil = Math.min(this.received, Math.max(this.finalisedUntil, end));
    this.trimTail();
    // An empty final is silence, except that an empty speech_final still ends the turn.
    if (!text && !results.speech_final) return;
    const speechEndedAtAudioMs = this.lastWordEndMs(results);
    this.events.push({ type: 'final', text, endOfTurn: results.speech_final === true, ...(speechEndedAtAudioMs !== undefined ? { speechEndedAtAudioMs } : {}) });
  }

  /** The last word's end, in ms of all the audio given to this stream (Deepgram counts seconds of the current socket's audio). */
  private lastWordEndMs(results: DeepgramResults): number | undefined {
    const end = results.channel?.alternatives?.[0]?.words?.at(-1)?.end;
    if (typeof end !== 'number' || !Number.isFinite(end)) return undefined;
    return Math.round((this.socketStart * 1000) / SAMPLE_RATE + end * 1000);
  }

  private scheduleKeepAlive(): void {
    clearTimeout(this.keepAliveTimer);
    const due = Math.max(0, this.lastSentAt + this.settings.keepAliveMs - Date.now());
    this.keepAliveTimer = setTimeout(() => {
      if (this.state !== 'open' || !this.socket) return;
      if (Date.now() - this.lastSentAt >= this.settings.keepAliveMs) {
        try {
          this.socket.sendKeepAlive({ type: 'KeepAlive' });
          this.lastSentAt = Date.now();
        } catch {
          // The close event follows.
        }
      }
      this.scheduleKeepAlive();
    }, due);
  }

  // ---- the unfinalised audio ----

  private trimTail(): void {
    const keepFrom = Math.max(this.finalisedUntil, this.received - REPLAY_LIMIT_BYTES);
    while (this.tail.length > 0 && this.tailStart + this.tail[0].length <= keepFrom) {
      this.tailStart += this.tail.shift()!.length;
    }
  }

  private unfinalisedAudio(): Buffer {
    this.trimTail();
    const keepFrom = Math.max(this.finalisedUntil, this.received - REPLAY_LIMIT_BYTES);
    return Buffer.concat(this.tail).subarray(Math.max(0, keepFrom - this.tailStart));
  }

  // ---- ending ----

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeFromPause = undefined;
        resolve();
      }, ms);
      this.wakeFromPause = () => {
        clearTimeout(timer);
        this.wakeFromPause = undefined;
        resolve();
      };
    });
  }

  private retire(socket: ListenSocket): void {
    if (this.retired.has(socket)) return;
    this.retired.add(socket);
    try {
      socket.close();
    } catch {
      // Already closed.
    }
  }

  /** Ends the stream normally: the iterator completes after the events already queued. */
  private end(): void {
    this.shutDown();
    this.events.end();
  }

  /** Ends the stream with an error the consumer's `for await` throws, after the events already queued. */
  private fail(error: TranscriptionError): void {
    this.settings.logger.error({ err: error }, 'Deepgram transcription failed');
    this.shutDown();
    this.events.fail(error);
  }

  private shutDown(): void {
    this.state = 'ended';
    clearTimeout(this.keepAliveTimer);
    clearTimeout(this.closeTimer);
    this.wakeFromPause?.();
    if (this.socket) this.retire(this.socket);
    this.socket = undefined;
    this.tail = [];
    this.resolveClosed?.();
  }

  private toError(failure: unknown, prefix: string): TranscriptionError {
    const { model } = this.settings;
    if (failure instanceof ConnectFailure) {
      return new TranscriptionError(redactKey(`${prefix}: ${failure.message}`, this.settings.apiKey), { model, ...failure.details });
    }
    return new TranscriptionError(redactKey(`${prefix}: ${describeCauses(failure)}`, this.settings.apiKey), { model, cause: failure });
  }
}

/** The parts of Deepgram's Results message this adapter reads. */
interface DeepgramResults {
  type: 'Results';
  start?: number;
  duration?: number;
  is_final?: boolean;
  speech_final?: boolean;
  /** Word timings in seconds of the socket's audio. */
  channel?: { alternatives?: { transcript?: string; words?: { end?: number }[] }[] };
}

/**
 * Deepgram takes language hints only with its multilingual model (`language=multi`), and rejects an
 * empty one: hints for a monolingual language are dropped, blanks removed, duplicates once.
 */
function hintsFor(language: string, hints: readonly string[] | undefined): string[] {
  if (language.trim().toLowerCase() !== 'multi' || !hints) return [];
  return [...new Set(hints.map((hint) => hint.trim()).filter(Boolean))];
}

/** "code 1011 NET-0001: ..." or "code 1006 (connection lost)"; the error's message when there was one. */
function describeClose(event: SocketCloseEvent, error: Error | undefined): string {
  const reason = event.reason ? ` ${event.reason}` : event.code === 1006 ? ' (connection lost)' : '';
  return `code ${event.code}${reason}${error?.message ? ` (${error.message})` : ''}`;
}


/**
 * The transcriber options for an agent that asks for Deepgram, or null when it does not, or when
 * DEEPGRAM_API_KEY is unset. DEEPGRAM_BASE_URL overrides the host and takes a base without the
 * path: `wss://api.deepgram.com` (the default), `ws://127.0.0.1:PORT` for a local fake, or
 * `http(s)://host[:port]` (sent as ws(s)://); the SDK appends `/v1/listen`. The agent's language
 * and endpointing reach Deepgram through `open()`, per call; its language hints (the call's
 * localised agent: Hinglish is `multi` with hints hi and en) are kept here too, for a session that
 * does not name them in `open()`.
 */
export function deepgramConfigFromEnv(
  env: NodeJS.ProcessEnv,
  agentTranscriber: { provider: string; model: string; language: string; endpointingMs: number; languageHints?: readonly string[] },
): DeepgramTranscriberOptions | null {
  const apiKey = env['DEEPGRAM_API_KEY']?.trim();
  if (agentTranscriber.provider !== 'deepgram' || !apiKey) return null;
  const baseUrl = env['DEEPGRAM_BASE_URL']?.trim().replace(/\/+$/, '') || undefined;
  if (baseUrl && !/^(wss?|https?):\/\/[^/\s]+/i.test(baseUrl)) {
    throw new Error(`DEEPGRAM_BASE_URL must be a ws(s):// or http(s):// base URL, e.g. wss://api.deepgram.com (got "${baseUrl}")`);
  }
  if (baseUrl && /\/v1\/listen$/i.test(baseUrl)) {
    throw new Error(`DEEPGRAM_BASE_URL must not include /v1/listen: the SDK appends it (got "${baseUrl}")`);
  }
  return {
    apiKey,
    ...(baseUrl ? { baseUrl } : {}),
    model: agentTranscriber.model || DEFAULT_DEEPGRAM_MODEL,
    ...(agentTranscriber.languageHints?.length ? { languageHints: agentTranscriber.languageHints } : {}),
  };
}
