import type { Duplex } from 'node:stream';
import type { CarrierName } from '@codcall/telephony-providers';

/**
 * `/media-stream/<carrier>` or `/media-stream/<carrier>/<call id>`: the path names the protocol,
 * and the call, so a multi-process gateway routes the socket to the call's worker at the upgrade.
 */
const MEDIA_STREAM_PATH = /^\/media-stream\/(twilio|plivo|sim)(?:\/([0-9a-fA-F-]{36}))?\/?$/;

export interface MediaStreamTarget {
  carrier: CarrierName;
  callId?: string;
}

/** What a request path asks for, or undefined for a path that is no media stream. */
export function mediaStreamTarget(url: string | undefined): MediaStreamTarget | undefined {
  const path = (url ?? '').split('?')[0];
  const match = MEDIA_STREAM_PATH.exec(path);
  if (!match) return undefined;
  return { carrier: match[1] as CarrierName, callId: match[2]?.toLowerCase() };
}

/** Answers an upgrade that will not become a socket, and drops the connection. */
export function refuseUpgrade(socket: Duplex, status: 400 | 404 | 503, reason: string): void {
  // The client may reset first; an upgraded socket's error has no other listener.
  socket.on('error', () => undefined);
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}
