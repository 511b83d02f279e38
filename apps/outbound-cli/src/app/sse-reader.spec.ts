import { EventStreamTooLargeError, readEventStream, SseParser, type ServerSentEvent } from './sse-reader';

function parseAll(chunks: string[]): ServerSentEvent[] {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.feed(chunk));
}

describe('the server-sent events parser', () => {
  it('reads named events with their ids and JSON data, and skips comments', () => {
    const events = parseAll([': keep-alive\n\nid: 1\nevent: snapshot\ndata: {"a":1}\n\nid: 2\nevent: outcome\ndata: {"b":2}\n\n']);
    expect(events).toEqual([
      { type: 'snapshot', data: '{"a":1}', lastEventId: '1' },
      { type: 'outcome', data: '{"b":2}', lastEventId: '2' },
    ]);
  });

  it('joins multi-line data with LF and names an unnamed event "message"', () => {
    expect(parseAll(['data: one\ndata:two\ndata\n\n'])).toEqual([{ type: 'message', data: 'one\ntwo\n', lastEventId: '' }]);
  });

  it('takes CRLF, CR and LF line ends, even when a CRLF is split across chunks', () => {
    const events = parseAll(['id: 7\r', '\nevent: state\r', '\ndata: x\r\r', 'data: y\n\n']);
    expect(events).toEqual([
      { type: 'state', data: 'x', lastEventId: '7' },
      { type: 'message', data: 'y', lastEventId: '7' },
    ]);
  });

  it('waits for the blank line that ends an event when a chunk ends mid-field', () => {
    const parser = new SseParser();
    expect(parser.feed('id: 3\nevent: outc')).toEqual([]);
    expect(parser.feed('ome\ndata: {"line"')).toEqual([]);
    expect(parser.feed(':2}\n\n')).toEqual([{ type: 'outcome', data: '{"line":2}', lastEventId: '3' }]);
    expect(parser.lastEventId).toBe('3');
  });

  it('dispatches nothing for an event without data, but keeps its id, and reads retry', () => {
    const parser = new SseParser();
    expect(parser.feed('id: 9\nretry: 1500\nevent: ping\n\n')).toEqual([]);
    expect(parser.lastEventId).toBe('9');
    expect(parser.retryMs).toBe(1500);
  });

  it('strips a byte order mark that opens the stream', () => {
    expect(parseAll(['\ufeffdata: hi\n\n'])).toEqual([{ type: 'message', data: 'hi', lastEventId: '' }]);
  });

  it('refuses an event longer than its limit instead of buffering without end', () => {
    const parser = new SseParser(100);
    expect(() => parser.feed(`data: ${'x'.repeat(200)}`)).toThrow(EventStreamTooLargeError);
    const lines = new SseParser(100);
    expect(() => lines.feed('data: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n'.repeat(3))).toThrow(EventStreamTooLargeError);
  });

  it('reads a fetch body byte by byte, a multi-byte character split between chunks included', async () => {
    const bytes = new TextEncoder().encode('id: 1\nevent: outcome\ndata: {"name":"María"}\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(Uint8Array.of(byte));
        controller.close();
      },
    });
    const seen: ServerSentEvent[] = [];
    await expect(readEventStream(body, new SseParser(), (event) => void seen.push(event))).resolves.toBe('ended');
    expect(seen).toEqual([{ type: 'outcome', data: '{"name":"María"}', lastEventId: '1' }]);
  });

  it('gives up on a stream that goes silent, keep-alives included, past its idle limit', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(': keep-alive\n\nid: 1\ndata: x\n\n'));
      },
    });
    const seen: ServerSentEvent[] = [];
    await expect(readEventStream(body, new SseParser(), (event) => void seen.push(event), { idleMs: 50 })).resolves.toBe('idle');
    expect(seen.map((event) => event.data)).toEqual(['x']);
  });
});
