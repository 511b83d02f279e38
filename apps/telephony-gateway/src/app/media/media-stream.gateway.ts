import type { IncomingMessage } from 'node:http';
import { Inject, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer as GatewayServer, type OnGatewayConnection } from '@nestjs/websockets';
import type { WebSocket, WebSocketServer } from 'ws';
import { CallOrchestrator } from '@codcall/call-orchestration';
import { mediaSocketOf } from './media-socket';
import { mediaStreamTarget } from './media-stream-path';

/**
 * The largest media-stream message taken: Twilio's and Plivo's are under 1 KB (20 ms of audio in
 * base64); ws closes a socket that sends more with 1009 before reading it into memory.
 */
export const MAX_MEDIA_MESSAGE_BYTES = 64 * 1024;

/**
 * The media-stream edge (mounted by MediaStreamAdapter on the app's HTTP server): each carrier
 * socket is bound to the orchestrator and every text frame handed straight to its handler, with no
 * framework layer per message.
 */
@WebSocketGateway({ path: '/media-stream', maxPayload: MAX_MEDIA_MESSAGE_BYTES, perMessageDeflate: false })
export class MediaStreamGateway implements OnGatewayConnection, BeforeApplicationShutdown {
  private readonly logger = new Logger('MediaStream');
  @GatewayServer() private readonly sockets!: WebSocketServer;

  constructor(@Inject(CallOrchestrator) private readonly calls: CallOrchestrator) {}

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    // The adapter admitted only media-stream paths.
    const target = mediaStreamTarget(request.url);
    if (!target) return socket.close(1008, 'not a media-stream path');
    const handler = this.calls.openMediaStream(
      target.carrier,
      mediaSocketOf(socket, request.socket),
      { remoteAddress: request.socket.remoteAddress },
    );
    socket.on('message', (data, isBinary) => {
      if (isBinary) return socket.close(1003, 'media streams carry JSON text frames');
      handler.onMessage(data.toString());
    });
    socket.on('close', () => handler.onClose());
    // One line per bad socket, never a stack trace: anyone can open these sockets.
    socket.removeAllListeners('error');
    socket.on('error', (error) => this.logger.warn(`media socket error: ${error.message}`));
  }

  /** Ends the calls first, so each keeps its outcome ("the gateway shut down"), then drops what is left. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.calls.shutdown();
    for (const socket of this.sockets?.clients ?? []) socket.terminate();
  }
}
