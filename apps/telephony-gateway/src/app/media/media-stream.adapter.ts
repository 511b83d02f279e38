import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { WebSocketServer } from 'ws';
import { mediaStreamTarget, refuseUpgrade } from './media-stream-path';

/**
 * NestJS's `ws` adapter for the media streams, with two changes that matter at 50 messages a
 * second per call:
 * - the upgrade is matched by prefix (`/media-stream/<carrier>[/<call id>]`): the stock adapter
 *   matches one exact path per gateway, and the call id in the path is what routes a socket to
 *   the worker owning the call;
 * - no per-message handler pipeline: the stock adapter JSON-parses every frame and runs it through
 *   rxjs to find an `@SubscribeMessage` handler; the media gateway has none and hands each text
 *   frame to the carrier codec itself.
 */
export class MediaStreamAdapter extends WsAdapter {
  private readonly upgradeListeners: { server: Server; listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void }[] = [];

  constructor(app: INestApplicationContext) {
    super(app);
  }

  override create(_port: number, options: Record<string, unknown> = {}): WebSocketServer {
    const { path: _path, server: _server, namespace: _namespace, ...wsOptions } = options;
    const sockets = new WebSocketServer({ ...wsOptions, noServer: true });
    const server = this.httpServer as Server;
    const listener = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!mediaStreamTarget(request.url)) return refuseUpgrade(socket, 404, 'Not Found');
      sockets.handleUpgrade(request, socket, head, (client) => sockets.emit('connection', client, request));
    };
    server.on('upgrade', listener);
    this.upgradeListeners.push({ server, listener });
    return sockets;
  }

  override bindMessageHandlers(): void {
    // The gateway reads its own frames (see the class comment).
  }

  override async dispose(): Promise<void> {
    for (const { server, listener } of this.upgradeListeners.splice(0)) server.off('upgrade', listener);
    await super.dispose();
  }
}
