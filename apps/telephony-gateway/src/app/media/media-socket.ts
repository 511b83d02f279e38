import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { MediaSocket } from '@codcall/call-orchestration';

/**
 * The orchestrator's view of one carrier WebSocket: text out, and a close. Messages sent in the
 * same tick (an audio chunk and the mark after it) leave in one write to the TCP socket: each is
 * still its own WebSocket frame, as Twilio and Plivo read one JSON message a frame, but the kernel
 * is entered once instead of once a message.
 */
export function mediaSocketOf(socket: WebSocket, transport: Socket): MediaSocket {
  let corked = false;
  const uncork = () => {
    corked = false;
    transport.uncork();
  };
  return {
    send: (text) => {
      if (socket.readyState !== socket.OPEN) return;
      if (!corked) {
        corked = true;
        transport.cork();
        process.nextTick(uncork);
      }
      socket.send(text);
    },
    close: (code, reason) => socket.close(code, reason),
  };
}
