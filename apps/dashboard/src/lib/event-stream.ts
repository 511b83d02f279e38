/**
 * Server-sent events read from a fetch() body. The browser's EventSource cannot send an
 * Authorization header, and every campaign-api route but /health needs one, so the dashboard
 * reads the stream itself (the HTML standard's interpretation, bounded per event).
 */
export interface StreamedEvent {
  id?: string;
  event: string;
  data: string;
}

/** An event bigger than this is no event the campaign-api sends: the stream is dropped. */
const MAX_EVENT_CHARS = 1_000_000;

export class EventStreamParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private size = 0;

  /** Feeds decoded text; answers the events it completed. */
  push(text: string): StreamedEvent[] {
    this.buffer += text;
    const events: StreamedEvent[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith('\r\n', end) ? 2 : 1));
      const done = this.line(line);
      if (done) events.push(done);
    }
    if (this.buffer.length + this.size > MAX_EVENT_CHARS) throw new Error(`an event of the stream is larger than ${MAX_EVENT_CHARS} characters`);
    return events;
  }

  private line(line: string): StreamedEvent | undefined {
    if (line === '') {
      const event = this.data.length ? { id: this.id, event: this.event || 'message', data: this.data.join('\n') } : undefined;
      this.data = [];
      this.event = '';
      this.size = 0;
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.size += value.length;
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    return undefined;
  }
}
