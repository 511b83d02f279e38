import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { MediaSocket } from '@codcall/call-orchestration';
import { mediaSocketOf } from './media-socket';

/**
 * A carrier's socket as the gateway writes to it: an audio chunk and its mark, sent in one tick,
 * reach the carrier as two WebSocket messages (Twilio and Plivo read one JSON message a frame)
 * but leave the gateway in one write to the TCP socket.
 */
describe('the gateway writing to a carrier media socket', () => {
  let http: Server;
  let server: WebSocketServer;
  let carrier: WebSocket;
  let gateway: MediaSocket;
  /** Every write the gateway's TCP socket made to the kernel (one per `_write` or `_writev`). */
  let writes: number;
  const received: string[] = [];

  beforeAll(async () => {
    http = createServer();
    server = new WebSocketServer({ server: http, perMessageDeflate: false });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<void>((resolve) =>
      server.once('connection', (socket, request) => {
        const transport = request.socket as Socket & { _write: (...args: unknown[]) => void; _writev?: (...args: unknown[]) => void };
        const write = transport._write.bind(transport);
        const writev = transport._writev?.bind(transport);
        transport._write = (...args) => (writes++, write(...args));
        if (writev) transport._writev = (...args) => (writes++, writev(...args));
        gateway = mediaSocketOf(socket, transport);
        resolve();
      }),
    );
    carrier = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/media-stream/twilio`);
    carrier.on('message', (data) => received.push(data.toString()));
    await Promise.all([accepted, new Promise((resolve) => carrier.once('open', resolve))]);
  });

  afterAll(async () => {
    carrier?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  beforeEach(() => {
    writes = 0;
    received.length = 0;
  });

  const carrierHas = async (count: number) => {
    while (received.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it('sends a chunk and its mark as two messages, in order, in one write', async () => {
    const audio = JSON.stringify({ event: 'media', streamSid: 'MZ1', media: { payload: Buffer.alloc(1200, 0x7e).toString('base64') } });
    const mark = JSON.stringify({ event: 'mark', streamSid: 'MZ1', mark: { name: 'm1' } });
    gateway.send(audio);
    gateway.send(mark);
    // Nothing has left yet: the writes wait for the end of the tick.
    expect(writes).toBe(0);
    await carrierHas(2);
    expect(received).toEqual([audio, mark]);
    expect(writes).toBe(1);
  });

  it('holds no message past its own tick: a clear sent later goes out on its own', async () => {
    gateway.send('{"event":"mark","streamSid":"MZ1","mark":{"name":"m2"}}');
    await carrierHas(1);
    gateway.send('{"event":"clear","streamSid":"MZ1"}');
    await carrierHas(2);
    expect(received.map((text) => (JSON.parse(text) as { event: string }).event)).toEqual(['mark', 'clear']);
    expect(writes).toBe(2);
  });
});
