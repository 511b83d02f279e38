import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { EmbeddedSpeechListener } from './embedded-speech';

/** mu-law 8 kHz: one byte per sample, so 8 bytes make a millisecond. */
const BYTES_PER_MS = 8;

/** What Deepgram says, once the connection has received `afterAudioMs` of audio. */
export type FakeDeepgramUtterance =
  | 'speech_started'
  | { interim: string }
  /** `speechFinal` (default false) is Deepgram's endpointing verdict: the speaker finished. */
  | { final: string; speechFinal?: boolean }
  | 'utterance_end';

export interface FakeDeepgramScriptStep {
  afterAudioMs: number;
  send: FakeDeepgramUtterance;
}

export interface FakeDeepgramOptions {
  /** The only key accepted in `Authorization: Token <key>`. */
  apiKey: string;
  /**
   * What each connection hears, keyed by that connection's own audio (Deepgram's timestamps
   * restart on every connection). A function gives each connection, by index, its own script.
   */
  script?: FakeDeepgramScriptStep[] | ((connectionIndex: number) => FakeDeepgramScriptStep[]);
  /** Terminates the next connection (no close frame) once it has received this much audio. Used once. */
  dropAfterAudioMs?: number;
  /** Refuses this many of the next upgrade requests with `rejectStatus`. */
  rejectNextConnections?: number;
  /** Status for refused upgrades (default 503). */
  rejectStatus?: number;
  /** Deepgram closes a socket that hears neither audio nor KeepAlive for 10 s (code 1011, NET-0001). */
  idleTimeoutMs?: number;
  /**
   * Hear the words of `embeddedSpeech()` audio instead of (or as well as) a script, as Deepgram
   * would: SpeechStarted at its first sound (with vad_events), interim words as it goes on, a
   * speech_final Results once `endpointing` ms of silence followed it, and UtteranceEnd after
   * `utterance_end_ms`. All timing is the connection's audio time, like Deepgram's own.
   */
  /** Told of every message the fake sends, as it sends it (benchmarks time the path after it). */
  onSend?: (connectionIndex: number, message: Record<string, unknown>) => void;
  recognise?: {
    /** Audio between two interim results (default 200 ms). */
    interimEveryMs?: number;
    /** Wall-clock wait before a final is sent, like the model's processing time (default 0). */
    finalDelayMs?: number;
  };
}

/** A text frame the client sent: Deepgram's control messages. */
export interface FakeDeepgramControlMessage {
  type: string;
  /** How much audio the connection had received when it came. */
  atAudioMs: number;
}

export interface FakeDeepgramConnection {
  index: number;
  /** The query string, e.g. `{ model: 'nova-3', encoding: 'mulaw', sample_rate: '8000', ... }` (a repeated parameter's last value). */
  query: Record<string, string>;
  /** Every value of each parameter, in order: Deepgram reads repeated ones (`language_hint=hi&language_hint=en`) as a list. */
  queryValues: Record<string, string[]>;
  /** The `Authorization` header exactly as sent. */
  authorization?: string;
  openedAt: number;
  audioBytes: number;
  /** KeepAlive, Finalize, CloseStream (and anything else the client sent as text), in order. */
  controlMessages: FakeDeepgramControlMessage[];
  /** Every JSON message the fake sent to the client. */
  sent: Record<string, unknown>[];
  /** Set once the socket is closed: by whom, with what code (1006 for a drop). */
  closed?: { code: number; reason: string; by: 'client' | 'server'; at: number };
  /** True when the fake terminated it on purpose (`dropAfterAudioMs`). */
  dropped: boolean;
}

/** An upgrade the fake refused before any socket existed. */
export interface FakeDeepgramRejection {
  status: number;
  authorization?: string;
  query: Record<string, string>;
  at: number;
}

interface LiveConnection {
  record: FakeDeepgramConnection;
  socket: WebSocket;
  audio: Buffer[];
  script: FakeDeepgramScriptStep[];
  nextStep: number;
  /** Deepgram's timeline (seconds) for this connection: where the last finalised stretch ended. */
  finalisedUntil: number;
  /** The words of the last interim not yet followed by a final: what Finalize/CloseStream flush. */
  pendingInterim?: string;
  idleTimer?: NodeJS.Timeout;
  recogniser?: Recogniser;
}

/** One connection's hearing of embedded speech (see `recognise`). Positions are audio bytes. */
interface Recogniser {
  listener: EmbeddedSpeechListener;
  lastInterimAt: number;
  /** Speech that ended and waits for `endpointing` ms of silence before its final. */
  ended?: { at: number; text?: string };
  utteranceEndDue?: number;
  timers: Set<NodeJS.Timeout>;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };

/**
 * Deepgram live transcription (`/v1/listen`) as far as the official SDK can tell: a real local
 * WebSocket server that checks the key on upgrade, insists on phone audio (mu-law 8 kHz), counts
 * the audio it hears and answers from a script keyed by that audio, with Deepgram's JSON shapes.
 * Faults (a dropped socket, refused reconnects) are injected per connection.
 */
export class FakeDeepgramServer {
  readonly connections: FakeDeepgramConnection[] = [];
  readonly rejections: FakeDeepgramRejection[] = [];
  /** Mutable between connections; see the options. */
  dropAfterAudioMs?: number;
  rejectNextConnections: number;
  private readonly live = new Map<number, LiveConnection>();
  /** Audio by connection, kept after the connection ends. */
  private readonly audio = new Map<number, Buffer[]>();
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private started = false;

  constructor(private readonly options: FakeDeepgramOptions) {
    this.dropAfterAudioMs = options.dropAfterAudioMs;
    this.rejectNextConnections = options.rejectNextConnections ?? 0;
    this.http = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ err_code: 'NOT_FOUND', err_msg: 'This fake only speaks WebSocket on /v1/listen' }));
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.started = true;
    return this;
  }

  /** The base URL to give the SDK (`baseUrl`), e.g. `ws://127.0.0.1:40123`; it appends `/v1/listen`. */
  get url(): string {
    if (!this.started) throw new Error('FakeDeepgramServer.start() first');
    return `ws://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  /** Everything connection `index` has heard so far, byte for byte. */
  audioOf(index: number): Buffer {
    return Buffer.concat(this.audio.get(index) ?? []);
  }

  /** The size of each binary message connection `index` received, in order: how the client batched its audio. */
  audioMessageSizesOf(index: number): number[] {
    return (this.audio.get(index) ?? []).map((message) => message.length);
  }

  /** Audio bytes heard over all connections. */
  get totalAudioBytes(): number {
    return this.connections.reduce((sum, connection) => sum + connection.audioBytes, 0);
  }

  async close(): Promise<void> {
    for (const connection of this.live.values()) {
      clearTimeout(connection.idleTimer);
      connection.recogniser?.timers.forEach((timer) => clearTimeout(timer));
      connection.socket.terminate();
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      if (!this.started) return resolve();
      this.http.closeAllConnections();
      this.http.close(() => resolve());
    });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A client that gives up mid-handshake resets the socket: not the fake's failure.
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const queryValues: Record<string, string[]> = {};
    for (const [name, value] of url.searchParams) (queryValues[name] ??= []).push(value);
    const authorization = headerOf(req, 'authorization');
    const refuse = (status: number, body: Record<string, unknown>) => {
      this.rejections.push({ status, authorization, query, at: Date.now() });
      const text = JSON.stringify({ ...body, request_id: randomUUID() });
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
          `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
      );
    };
    if (url.pathname !== '/v1/listen') return refuse(404, { err_code: 'NOT_FOUND', err_msg: `No route for ${url.pathname}` });
    if (authorization !== `Token ${this.options.apiKey}`) {
      return refuse(401, { err_code: 'INVALID_AUTH', err_msg: 'Invalid credentials.' });
    }
    // The SDK documents empty hints as rejected; a client that sends one has built its query wrong.
    if (queryValues['language_hint']?.some((hint) => !hint.trim())) {
      return refuse(400, { err_code: 'Bad Request', err_msg: 'language_hint must not be empty' });
    }
    if (this.rejectNextConnections > 0) {
      this.rejectNextConnections--;
      return refuse(this.options.rejectStatus ?? 503, { err_code: 'SERVICE_UNAVAILABLE', err_msg: 'The fake was told to refuse this connection' });
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, query, queryValues, authorization));
  }

  private accept(socket: WebSocket, query: Record<string, string>, queryValues: Record<string, string[]>, authorization: string | undefined): void {
    const index = this.connections.length;
    const record: FakeDeepgramConnection = {
      index,
      query,
      queryValues,
      authorization,
      openedAt: Date.now(),
      audioBytes: 0,
      controlMessages: [],
      sent: [],
      dropped: false,
    };
    this.connections.push(record);
    const script = typeof this.options.script === 'function' ? this.options.script(index) : (this.options.script ?? []);
    const connection: LiveConnection = {
      record,
      socket,
      audio: [],
      script: [...script].sort((a, b) => a.afterAudioMs - b.afterAudioMs),
      nextStep: 0,
      finalisedUntil: 0,
      ...(this.options.recognise ? { recogniser: { listener: new EmbeddedSpeechListener(), lastInterimAt: 0, timers: new Set() } } : {}),
    };
    this.live.set(index, connection);
    this.audio.set(index, connection.audio);

    let closedByServer = false;
    socket.on('close', (code, reason) => {
      clearTimeout(connection.idleTimer);
      connection.recogniser?.timers.forEach((timer) => clearTimeout(timer));
      record.closed ??= { code, reason: reason.toString(), by: closedByServer || record.dropped ? 'server' : 'client', at: Date.now() };
      this.live.delete(index);
    });
    socket.on('error', () => undefined);
    const closeWith = (code: number, reason: string) => {
      closedByServer = true;
      socket.close(code, reason);
    };

    // Deepgram refuses what it cannot decode; a phone call is mu-law at 8 kHz, nothing else.
    if (query['encoding'] !== 'mulaw' || query['sample_rate'] !== '8000') {
      return closeWith(1008, `DATA-0000: this fake hears only encoding=mulaw&sample_rate=8000, not ${query['encoding'] ?? '(none)'}/${query['sample_rate'] ?? '(none)'}`);
    }

    this.send(connection, {
      type: 'Metadata',
      transaction_key: 'deprecated',
      request_id: randomUUID(),
      sha256: '',
      created: new Date().toISOString(),
      duration: 0,
      channels: Number(query['channels'] ?? 1),
    });
    this.armIdleTimer(connection, closeWith);

    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (record.closed) return;
      this.armIdleTimer(connection, closeWith);
      if (isBinary) return this.hear(connection, toBuffer(data));
      const type = parseType(toBuffer(data).toString('utf8'));
      record.controlMessages.push({ type, atAudioMs: record.audioBytes / BYTES_PER_MS });
      if (type === 'Finalize') this.flush(connection);
      if (type === 'CloseStream') {
        this.flush(connection);
        this.send(connection, {
          type: 'Metadata',
          transaction_key: 'deprecated',
          request_id: randomUUID(),
          sha256: '',
          created: new Date(record.openedAt).toISOString(),
          duration: record.audioBytes / BYTES_PER_MS / 1000,
          channels: Number(query['channels'] ?? 1),
        });
        closeWith(1000, '');
      }
    });
  }

  private hear(connection: LiveConnection, audio: Buffer): void {
    const { record } = connection;
    record.audioBytes += audio.length;
    connection.audio.push(audio);
    const heardMs = record.audioBytes / BYTES_PER_MS;
    const dropAt = this.dropAfterAudioMs;
    const dropping = dropAt !== undefined && heardMs >= dropAt;
    while (connection.nextStep < connection.script.length) {
      const step = connection.script[connection.nextStep];
      if (step.afterAudioMs > heardMs || (dropping && step.afterAudioMs >= dropAt)) break;
      connection.nextStep++;
      this.play(connection, step);
    }
    if (connection.recogniser && !dropping) this.recognise(connection, connection.recogniser, audio);
    if (dropping) {
      this.dropAfterAudioMs = undefined;
      record.dropped = true;
      connection.socket.terminate();
    }
  }

  private play(connection: LiveConnection, step: FakeDeepgramScriptStep): void {
    const at = step.afterAudioMs / 1000;
    const { send } = step;
    if (send === 'speech_started') {
      this.send(connection, { type: 'SpeechStarted', channel: [0], timestamp: at });
    } else if (send === 'utterance_end') {
      this.send(connection, { type: 'UtteranceEnd', channel: [0, 1], last_word_end: connection.finalisedUntil });
    } else if ('interim' in send) {
      connection.pendingInterim = send.interim;
      this.sendResults(connection, send.interim, at, { isFinal: false, speechFinal: false });
    } else {
      this.sendResults(connection, send.final, at, { isFinal: true, speechFinal: send.speechFinal ?? false });
    }
  }

  private recognise(connection: LiveConnection, recogniser: Recogniser, audio: Buffer): void {
    const { query } = connection.record;
    const interimBytes = (this.options.recognise?.interimEveryMs ?? 200) * BYTES_PER_MS;
    const endpointingBytes = (query['endpointing'] === 'false' ? 10 : Number(query['endpointing'] ?? 10)) * BYTES_PER_MS;
    for (const heard of recogniser.listener.push(audio)) {
      if (heard.type === 'start') {
        // Speech again before the endpoint: the earlier words are final, the turn goes on.
        if (recogniser.ended?.text) this.sendResults(connection, recogniser.ended.text, recogniser.ended.at / BYTES_PER_MS / 1000, { isFinal: true, speechFinal: false });
        recogniser.ended = undefined;
        recogniser.utteranceEndDue = undefined;
        recogniser.lastInterimAt = heard.at;
        if (query['vad_events'] === 'true') this.send(connection, { type: 'SpeechStarted', channel: [0], timestamp: round(heard.at / BYTES_PER_MS / 1000) });
      } else if (heard.type === 'progress') {
        if (!heard.text || heard.at - recogniser.lastInterimAt < interimBytes) continue;
        recogniser.lastInterimAt = heard.at;
        const words = heard.text.split(/\s+/).filter(Boolean);
        const sofar = words.slice(0, Math.max(1, Math.ceil(words.length * heard.fraction))).join(' ');
        connection.pendingInterim = sofar;
        this.sendResults(connection, sofar, heard.at / BYTES_PER_MS / 1000, { isFinal: false, speechFinal: false });
      } else {
        recogniser.ended = { at: heard.at, text: heard.text };
      }
    }
    const heardBytes = connection.record.audioBytes;
    const ended = recogniser.ended;
    if (ended && heardBytes - ended.at >= endpointingBytes) {
      recogniser.ended = undefined;
      if (query['utterance_end_ms']) recogniser.utteranceEndDue = ended.at + Number(query['utterance_end_ms']) * BYTES_PER_MS;
      if (ended.text) this.later(recogniser, this.options.recognise?.finalDelayMs ?? 0, () => this.sendResults(connection, ended.text!, ended.at / BYTES_PER_MS / 1000, { isFinal: true, speechFinal: true }));
    }
    if (recogniser.utteranceEndDue !== undefined && heardBytes >= recogniser.utteranceEndDue) {
      recogniser.utteranceEndDue = undefined;
      this.later(recogniser, this.options.recognise?.finalDelayMs ?? 0, () =>
        this.send(connection, { type: 'UtteranceEnd', channel: [0, 1], last_word_end: round(connection.finalisedUntil) }),
      );
    }
  }

  private later(recogniser: Recogniser, ms: number, fn: () => void): void {
    if (ms <= 0) return fn();
    const timer = setTimeout(() => {
      recogniser.timers.delete(timer);
      fn();
    }, ms);
    recogniser.timers.add(timer);
  }

  /** Finalize and CloseStream: what was only heard as an interim comes back as a final. */
  private flush(connection: LiveConnection): void {
    const text = connection.pendingInterim;
    if (text === undefined) return;
    const endsAt = connection.record.audioBytes / BYTES_PER_MS / 1000;
    this.sendResults(connection, text, endsAt, { isFinal: true, speechFinal: false, fromFinalize: true });
  }

  /** Deepgram's Results: the words since the last final, with start and duration in seconds. */
  private sendResults(
    connection: LiveConnection,
    transcript: string,
    endsAt: number,
    flags: { isFinal: boolean; speechFinal: boolean; fromFinalize?: boolean },
  ): void {
    const start = connection.finalisedUntil;
    const duration = Math.max(0, endsAt - start);
    const words = transcript.split(/\s+/).filter(Boolean);
    const wordSeconds = words.length ? duration / words.length : 0;
    if (flags.isFinal) {
      connection.finalisedUntil = endsAt;
      connection.pendingInterim = undefined;
    }
    this.send(connection, {
      type: 'Results',
      channel_index: [0, 1],
      duration: round(duration),
      start: round(start),
      is_final: flags.isFinal,
      speech_final: flags.speechFinal,
      from_finalize: flags.fromFinalize ?? false,
      channel: {
        alternatives: [
          {
            transcript,
            confidence: words.length ? 0.98 : 0,
            words: words.map((word, i) => ({
              word: word.toLowerCase().replace(/[^\p{L}\p{N}']/gu, ''),
              start: round(start + i * wordSeconds),
              end: round(start + (i + 1) * wordSeconds),
              confidence: 0.98,
              punctuated_word: word,
            })),
          },
        ],
      },
      metadata: {
        request_id: randomUUID(),
        model_info: { name: connection.record.query['model'] ?? 'general', version: '2025-01-01.0', arch: 'fake' },
        model_uuid: '00000000-0000-0000-0000-000000000000',
      },
    });
  }

  private send(connection: LiveConnection, message: Record<string, unknown>): void {
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    connection.record.sent.push(message);
    this.options.onSend?.(connection.record.index, message);
    connection.socket.send(JSON.stringify(message));
  }

  private armIdleTimer(connection: LiveConnection, closeWith: (code: number, reason: string) => void): void {
    clearTimeout(connection.idleTimer);
    connection.idleTimer = setTimeout(
      () => closeWith(1011, 'NET-0001: Deepgram did not receive audio data or a text message within the timeout window'),
      this.options.idleTimeoutMs ?? 10_000,
    );
  }
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function parseType(text: string): string {
  try {
    const value: unknown = JSON.parse(text);
    const type = value && typeof value === 'object' ? (value as { type?: unknown }).type : undefined;
    return typeof type === 'string' ? type : `(unknown) ${text.slice(0, 80)}`;
  } catch {
    return `(not JSON) ${text.slice(0, 80)}`;
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
