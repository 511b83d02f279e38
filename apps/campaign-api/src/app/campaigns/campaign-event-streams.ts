import { HttpException, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { FeedEntry } from '@codcall/campaign-service';

/** A comment line this often keeps proxies from closing a quiet stream. */
export const HEARTBEAT_MS = 15_000;
/** A client that reads slower than the campaign writes is cut off past this; it reconnects with Last-Event-ID. */
const MAX_UNSENT_BYTES = 1024 * 1024;

/** The open server-sent event streams, bounded in number, all ended when the service stops. */
@Injectable()
export class CampaignEventStreams implements BeforeApplicationShutdown {
  private readonly open = new Map<Response, () => void>();
  private maxStreams = 100;

  configure(maxStreams: number): void {
    this.maxStreams = maxStreams;
  }

  /**
   * Starts a stream on `res` (503 when as many are open as allowed): `initial` first, then what
   * `follow` hands on. The stream ends after a `finished` event, when the client leaves, or on shutdown.
   */
  start(req: Request, res: Response, follow: (send: (entry: FeedEntry) => void) => { initial: FeedEntry[]; unsubscribe: () => void }): void {
    if (this.open.size >= this.maxStreams) {
      throw new HttpException({ statusCode: 503, message: `too many event streams open (${this.maxStreams}); try again later` }, 503);
    }
    let ended = false;
    let stop = () => undefined as void;
    const end = () => {
      if (ended) return;
      ended = true;
      stop();
      clearInterval(heartbeat);
      this.open.delete(res);
      res.end();
    };
    const send = (entry: FeedEntry) => {
      if (ended) return;
      res.write(`id: ${entry.seq}\nevent: ${entry.event.type}\ndata: ${JSON.stringify(entry.event)}\n\n`);
      if (entry.event.type === 'finished' || res.writableLength > MAX_UNSENT_BYTES) end();
    };
    const { initial, unsubscribe } = follow(send);
    stop = unsubscribe;
    this.open.set(res, end);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    const heartbeat = setInterval(() => !ended && res.write(': heartbeat\n\n'), HEARTBEAT_MS);
    res.on('close', end);
    for (const entry of initial) send(entry);
  }

  get count(): number {
    return this.open.size;
  }

  beforeApplicationShutdown(): void {
    for (const end of [...this.open.values()]) end();
  }
}
