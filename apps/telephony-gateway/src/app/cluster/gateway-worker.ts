import type { Server } from 'node:http';
import { Socket } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { CallOrchestrator } from '@codcall/call-orchestration';
import type { Logger } from '@codcall/logging';
import { isMediaSocketHandOff, WORKER_KEEP_ALIVE_MS, type MediaSocketHandOff, type WorkerReport } from './worker-messages';

/** How often a worker tells the primary its live calls (only when they changed). */
const LOAD_REPORT_MS = 200;

/**
 * Runs a built gateway app as one worker of a multi-process gateway: it listens on a loopback
 * port of its own for what the primary forwards, takes the media-stream connections the primary
 * hands it as if it had accepted them, reports its live calls, and shuts down with the primary.
 * In distributed mode its queue worker (GatewayCallQueue) takes calls once the primary says its
 * public port is open, so the webhooks of the calls it dials always find someone to take them.
 */
export async function serveAsWorker(app: INestApplication, logger: Logger): Promise<void> {
  const send = (report: WorkerReport) => process.send?.(report);
  await app.init();
  const server = app.getHttpServer() as Server;
  // Only the primary connects here (loopback): its idle connections are let go before this closes them.
  server.keepAliveTimeout = WORKER_KEEP_ALIVE_MS;
  process.on('message', (message, handle) => {
    if (isMediaSocketHandOff(message) && handle instanceof Socket) acceptHandedSocket(server, message, handle);
  });
  // An exclusive handle: in a child of the primary a plain listen(0) would be shared with the other workers.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('worker listens on no TCP port');

  const calls = app.get(CallOrchestrator);
  let reported = -1;
  const load = setInterval(() => {
    if (calls.callsInProgress === reported) return;
    reported = calls.callsInProgress;
    send({ type: 'gateway:load', callsLive: reported });
  }, LOAD_REPORT_MS);
  load.unref();
  // A primary that is gone (killed, even with -9) closes the channel: a worker alone serves no one.
  process.once('disconnect', () => {
    logger.warn('the gateway primary is gone: shutting down');
    clearInterval(load);
    void app.close().finally(() => process.exit(0));
  });
  send({ type: 'gateway:ready', port: address.port });
}

/**
 * Takes a connection the primary accepted as if this server had: the primary read the request
 * head, so it is replayed into this server's own HTTP parser, and the upgrade (ws) goes on here.
 */
export function acceptHandedSocket(server: Server, message: MediaSocketHandOff, socket: Socket): void {
  server.emit('connection', socket);
  socket.emit('data', Buffer.from(message.head, 'base64'));
  socket.resume();
}
