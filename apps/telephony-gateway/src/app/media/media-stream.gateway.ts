import type { IncomingMessage } from 'node:http';
import { Inject, Logger } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { CallOrchestrator } from '@codcall/call-orchestration';
import type { CarrierName } from '@codcall/telephony-providers';

/**
 * The largest media-stream message taken: Twilio's and Plivo's are under 1 KB (20 ms of audio in
 * base64); ws closes a socket that sends more with 1009 before reading it into memory.
 */
export const MAX_MEDIA_MESSAGE_BYTES = 64 * 1024;

/** Binds each carrier's media-stream socket to the orchestrator; the path names the protocol. */
abstract class MediaStreamGateway implements OnGatewayConnection {
  protected abstract readonly carrier: CarrierName;
  private readonly logger = new Logger('MediaStream');

  constructor(@Inject(CallOrchestrator) private readonly calls: CallOrchestrator) {}

  handleConnection(socket: WebSocket, request?: IncomingMessage): void {
    const handler = this.calls.openMediaStream(
      this.carrier,
      {
        send: (text) => {
          if (socket.readyState === socket.OPEN) socket.send(text);
        },
        close: (code, reason) => socket.close(code, reason),
      },
      { remoteAddress: request?.socket.remoteAddress },
    );
    socket.on('message', (data, isBinary) => {
      if (isBinary) return socket.close(1003, 'media streams carry JSON text frames');
      handler.onMessage(data.toString());
    });
    socket.on('close', () => handler.onClose());
    // One line per bad socket, not the adapter's stack trace: anyone can open these sockets.
    socket.removeAllListeners('error');
    socket.on('error', (error) => this.logger.warn(`media socket error: ${error.message}`));
  }
}

@WebSocketGateway({ path: '/media-stream/twilio', maxPayload: MAX_MEDIA_MESSAGE_BYTES })
export class TwilioMediaStreamGateway extends MediaStreamGateway {
  protected readonly carrier = 'twilio' as const;
}

@WebSocketGateway({ path: '/media-stream/sim', maxPayload: MAX_MEDIA_MESSAGE_BYTES })
export class SimulatorMediaStreamGateway extends MediaStreamGateway {
  protected readonly carrier = 'sim' as const;
}

@WebSocketGateway({ path: '/media-stream/plivo', maxPayload: MAX_MEDIA_MESSAGE_BYTES })
export class PlivoMediaStreamGateway extends MediaStreamGateway {
  protected readonly carrier = 'plivo' as const;
}
