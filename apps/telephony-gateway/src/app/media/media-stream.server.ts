import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebSocketServer, type WebSocket } from 'ws';
import { CallOrchestrator } from '@codcall/call-orchestration';
import type { CarrierName } from '@codcall/telephony-providers';
import { mediaStreamTarget, refuseUpgrade } from './media-stream-path';

/**
 * The largest media-stream message taken: Twilio's and Plivo's are under 1 KB (20 ms of audio in
 * base64); ws closes a socket that sends more with 1009 before reading it into memory.
 */
export const MAX_MEDIA_MESSAGE_BYTES = 64 * 1024;

/**
 * The media-stream edge: a plain `ws` server on the app's HTTP server, each text frame handed
 * straight to the orchestrator's handler. Media is 50 messages a second per call, so no framework
 * layer (adapter, rxjs) sits between the socket and the codec.
 */
@Injectable()
export class MediaStreamServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('MediaStream');
  private readonly sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MEDIA_MESSAGE_BYTES, perMessageDeflate: false });

  constructor(
    @Inject(CallOrchestrator) private readonly calls: CallOrchestrator,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head));
  }

  /** Ends the calls first, so each keeps its outcome ("the gateway shut down"), then drops what is left. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.calls.shutdown();
    for (const socket of this.sockets.clients) socket.terminate();
    this.sockets.close();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = mediaStreamTarget(request.url);
    if (!target) return refuseUpgrade(socket, 404, 'Not Found');
    socket.on('error', (error) => this.logger.warn(`media socket error: ${error.message}`));
    this.sockets.handleUpgrade(request, socket, head, (ws) => this.bind(target.carrier, ws, request));
  }

  private bind(carrier: CarrierName, socket: WebSocket, request: IncomingMessage): void {
    const handler = this.calls.openMediaStream(
      carrier,
      {
        send: (text) => {
          if (socket.readyState === socket.OPEN) socket.send(text);
        },
        close: (code, reason) => socket.close(code, reason),
      },
      { remoteAddress: request.socket.remoteAddress },
    );
    socket.on('message', (data, isBinary) => {
      if (isBinary) return socket.close(1003, 'media streams carry JSON text frames');
      handler.onMessage(data.toString());
    });
    socket.on('close', () => handler.onClose());
    // One line per bad socket, never a stack trace: anyone can open these sockets.
    socket.on('error', (error) => this.logger.warn(`media socket error: ${error.message}`));
  }
}
