/**
 * A server-sent events parser, as the HTML standard's "event stream interpretation" describes it
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
 * No SSE client package is installed and the browser's EventSource cannot send a bearer key, so the
 * CLI reads the campaign-api's stream through fetch and this small parser.
 */

export interface ServerSentEvent {
  /** `event:` field; "message" when the event named none. */
  type: string;
  data: string;
  /** The last `id:` seen on the stream so far (the standard's "last event ID"), '' before any. */
  lastEventId: string;
}

/** An event (or a line) longer than the reader accepts: a runaway or hostile server, not a campaign. */
export class EventStreamTooLargeError extends Error {
  override readonly name = 'EventStreamTooLargeError';
}

export const DEFAULT_MAX_EVENT_CHARS = 1_000_000;

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private dataChars = 0;
  private type = '';
  private lastId = '';
  private firstChunk = true;
  /** A chunk ended on CR: a LF opening the next chunk belongs to the same line break. */
  private pendingCr = false;
  /** The `retry:` reconnection time the server asked for, in ms. */
  retryMs?: number;

  constructor(private readonly maxEventChars = DEFAULT_MAX_EVENT_CHARS) {}

  get lastEventId(): string {
    return this.lastId;
  }

  /** Feeds decoded text; answers the events it completed. */
  feed(text: string): ServerSentEvent[] {
    if (this.firstChunk && text.length) {
      this.firstChunk = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const events: ServerSentEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const char = this.buffer.charCodeAt(i);
      if (char !== 0x0a && char !== 0x0d) continue;
      const line = this.buffer.slice(start, i);
      if (char === 0x0d) {
        if (i + 1 === this.buffer.length) this.pendingCr = true;
        else if (this.buffer.charCodeAt(i + 1) === 0x0a) i++;
      }
      start = i + 1;
      const event = this.processLine(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length + this.dataChars > this.maxEventChars) {
      throw new EventStreamTooLargeError(`an event of the stream is longer than ${this.maxEventChars} characters`);
    }
    return events;
  }

  private processLine(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined; // a comment: keep-alives
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.type = value;
        break;
      case 'data':
        this.data.push(value);
        this.dataChars += value.length + 1;
        if (this.dataChars > this.maxEventChars) throw new EventStreamTooLargeError(`an event of the stream is longer than ${this.maxEventChars} characters`);
        break;
      case 'id':
        if (!value.includes('\u0000')) this.lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    const type = this.type || 'message';
    const hadData = this.data.length > 0;
    const data = this.data.join('\n');
    this.data = [];
    this.dataChars = 0;
    this.type = '';
    return hadData ? { type, data, lastEventId: this.lastId } : undefined;
  }
}

/**
 * Reads a fetch body as an event stream, calling `onEvent` for each event until the body ends.
 * `idleMs`: a stream that sends nothing at all (not even a keep-alive comment) this long is taken
 * for a dead connection ('idle'), so a half-open socket cannot keep the reader waiting for ever.
 */
export async function readEventStream(
  body: ReadableStream<Uint8Array>,
  parser: SseParser,
  onEvent: (event: ServerSentEvent) => void | 'stop',
  options: { idleMs?: number } = {},
): Promise<'ended' | 'stopped' | 'idle'> {
  const decoder = new TextDecoder('utf-8');
  const reader = body.getReader();
  let timer: NodeJS.Timeout | undefined;
  try {
    for (;;) {
      const read = reader.read();
      const next = options.idleMs === undefined
        ? await read
        : await Promise.race([read, new Promise<'idle'>((resolve) => (timer = setTimeout(() => resolve('idle'), options.idleMs)))]);
      clearTimeout(timer);
      if (next === 'idle') return 'idle';
      const { done, value } = next;
      const events = parser.feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
      for (const event of events) if (onEvent(event) === 'stop') return 'stopped';
      if (done) return 'ended';
    }
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => undefined);
  }
}
