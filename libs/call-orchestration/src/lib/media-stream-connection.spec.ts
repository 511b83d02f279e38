import { silentLogger } from '@codcall/logging';
import type { CallMediaEvent } from '@codcall/media';
import type { MediaStreamCodec } from '@codcall/telephony-providers';
import { MAX_AUDIO_MESSAGE_BYTES, MediaSocketAdmission, MediaStreamConnection, POLICY_VIOLATION, type MediaSocket, type StreamBinding, type StreamedCall, type StreamEvent } from './media-stream-connection';

const codec: MediaStreamCodec = {
  parse: (message) => [JSON.parse(message) as CallMediaEvent],
  formatAudio: (mulaw) => JSON.stringify({ audio: mulaw.length }),
  formatMark: (name) => JSON.stringify({ mark: name }),
  formatClear: () => JSON.stringify({ clear: true }),
};

class FakeSocket implements MediaSocket {
  private resolveClosed!: (value: { code: number; reason: string }) => void;
  sent: string[] = [];
  closed = new Promise<{ code: number; reason: string }>((resolve) => (this.resolveClosed = resolve));
  closedWith?: { code: number; reason: string };
  send(text: string) {
    this.sent.push(text);
  }
  close(code: number, reason: string) {
    this.closedWith = { code, reason };
    this.resolveClosed({ code, reason });
  }
}

class RecordingCall implements StreamedCall {
  events: StreamEvent[] = [];
  opened = 0;
  ended = 0;
  streamOpened() {
    this.opened++;
  }
  handleStreamEvent(event: StreamEvent) {
    this.events.push(event);
  }
  streamEnded() {
    this.ended++;
  }
}

function connect(options: { startTimeoutMs?: number; idleTimeoutMs?: number; bind?: () => StreamBinding } = {}) {
  const socket = new FakeSocket();
  const call = new RecordingCall();
  const counts = { started: 0, closed: 0 };
  const connection = new MediaStreamConnection({
    codec,
    socket,
    limits: { startTimeoutMs: options.startTimeoutMs ?? 60_000, idleTimeoutMs: options.idleTimeoutMs ?? 60_000 },
    logger: silentLogger(),
    bind: options.bind ?? (() => ({ call })),
    onStarted: () => counts.started++,
    onClosed: () => counts.closed++,
  });
  return { socket, call, connection, counts };
}

const start = JSON.stringify({ type: 'start', streamId: 'MZ1', carrierCallId: 'CA1', parameters: {} });
const audio = JSON.stringify({ type: 'audio', payload: 'AAAA' });

describe('a media stream socket', () => {
  it('that sends nothing is closed with 1008 once its wait for a start is over', async () => {
    const { socket, counts } = connect({ startTimeoutMs: 10 });
    expect(await socket.closed).toEqual({ code: POLICY_VIOLATION, reason: 'no valid start within 10 ms' });
    expect(counts.closed).toBe(1);
  });

  it('that sends only what is not a start is closed all the same', async () => {
    const { socket, call, connection } = connect({ startTimeoutMs: 10 });
    connection.onMessage(audio);
    connection.onMessage(JSON.stringify({ type: 'mark', name: 'm' }));
    expect((await socket.closed).code).toBe(POLICY_VIOLATION);
    expect(call.events).toEqual([]);
  });

  it('that started, then goes quiet, is closed and its call told the stream is over', async () => {
    const { socket, call, connection, counts } = connect({ startTimeoutMs: 5, idleTimeoutMs: 20 });
    connection.onMessage(start);
    connection.onMessage(audio);
    expect(call.events).toHaveLength(1);
    expect(counts.started).toBe(1);
    expect(await socket.closed).toEqual({ code: POLICY_VIOLATION, reason: 'no media for 20 ms' });
    expect(call.ended).toBe(1);
    expect(counts.closed).toBe(1);
  });

  it('is refused with 1008 for a malformed message, and hears nothing after', () => {
    const { socket, call, connection } = connect();
    connection.onMessage(start);
    connection.onMessage('{not json');
    expect(socket.closedWith?.code).toBe(POLICY_VIOLATION);
    expect(socket.closedWith?.reason).toMatch(/^malformed media message/);
    connection.onMessage(audio);
    expect(call.events).toEqual([]);
    expect(call.ended).toBe(1);
  });

  it('is refused when its start binds to no call, with the reason', () => {
    const { socket, counts, connection } = connect({ bind: () => ({ refused: 'invalid stream token' }) });
    connection.onMessage(start);
    expect(socket.closedWith).toEqual({ code: POLICY_VIOLATION, reason: 'invalid stream token' });
    expect(counts.started).toBe(0);
  });

  it('takes one start; audio before it reaches no call', () => {
    const { call, connection } = connect();
    connection.onMessage(audio);
    connection.onMessage(start);
    connection.onMessage(start);
    connection.onMessage(audio);
    expect(call.opened).toBe(1);
    expect(call.events).toEqual([{ type: 'audio', payload: 'AAAA' }]);
  });

  it('sends each chunk of the agent\'s audio as it comes, in one message up to a second of audio, and nothing once closed', () => {
    const { socket, connection } = connect();
    connection.sendAudio(Buffer.alloc(320));
    expect(socket.sent).toEqual([]); // not streaming yet
    connection.onMessage(start);
    connection.sendAudio(Buffer.alloc(8000)); // a 1 s chunk from the synthesiser
    connection.sendAudio(Buffer.alloc(400)); // 50 ms
    connection.sendMark('m1');
    connection.sendAudio(Buffer.alloc(12000)); // 1.5 s: more than a message carries
    connection.sendAudio(Buffer.alloc(0));
    connection.clear();
    expect(socket.sent).toEqual([
      JSON.stringify({ audio: 8000 }),
      JSON.stringify({ audio: 400 }),
      JSON.stringify({ mark: 'm1' }),
      JSON.stringify({ audio: MAX_AUDIO_MESSAGE_BYTES }),
      JSON.stringify({ audio: 12000 - MAX_AUDIO_MESSAGE_BYTES }),
      JSON.stringify({ clear: true }),
    ]);
    connection.onClose();
    connection.sendAudio(Buffer.alloc(160));
    connection.clear();
    expect(socket.sent).toHaveLength(6);
  });

  it('that keeps talking is never taken for idle, and is once it stops', () => {
    jest.useFakeTimers();
    try {
      const { socket, connection } = connect({ idleTimeoutMs: 40 });
      connection.onMessage(start);
      // A frame every 20 ms for three idle timeouts.
      for (let i = 0; i < 6; i++) {
        connection.onMessage(audio);
        jest.advanceTimersByTime(20);
      }
      // The last frame came at 100 ms: not idle before 140, closed by 150 (a quarter late at most).
      expect(socket.closedWith).toBeUndefined();
      jest.advanceTimersByTime(19);
      expect(socket.closedWith).toBeUndefined();
      jest.advanceTimersByTime(11);
      expect(socket.closedWith).toEqual({ code: POLICY_VIOLATION, reason: 'no media for 40 ms' });
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('media socket admission', () => {
  it('caps the sockets from one address that have not started, and all sockets', () => {
    const admission = new MediaSocketAdmission({ maxAwaitingStartPerAddress: 2, maxSockets: 3 });
    const a1 = admission.admit('10.0.0.1');
    const a2 = admission.admit('10.0.0.1');
    expect(admission.admit('10.0.0.1')).toEqual({ refused: expect.stringMatching(/from one address awaiting their start \(2\)/) });
    // Another address is not held back by the first one's.
    const b1 = admission.admit('10.0.0.2');
    expect(admission.admit('10.0.0.3')).toEqual({ refused: 'too many media sockets (3)' });
    if ('refused' in a1 || 'refused' in a2 || 'refused' in b1) throw new Error('admitted sockets were refused');

    // A socket that started no longer counts against its address; one that closed frees its place.
    a1.started();
    a1.started();
    b1.closed();
    b1.closed();
    expect(admission.openSockets).toBe(2);
    const a3 = admission.admit('10.0.0.1');
    expect('refused' in a3).toBe(false);
    expect(admission.admit('10.0.0.1')).toEqual({ refused: expect.stringMatching(/too many/) });
  });
});
