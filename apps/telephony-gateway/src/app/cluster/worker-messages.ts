/**
 * How long a worker keeps an idle connection from the primary open, and how long the primary keeps
 * one unused: the primary always lets go first, so it never sends a request down a connection the
 * worker is closing (a reset that would otherwise reach the caller as a 502).
 */
export const WORKER_KEEP_ALIVE_MS = 65_000;
export const UPSTREAM_IDLE_MS = 30_000;

/** What a worker tells the primary over the IPC channel. */
export type WorkerReport =
  /** Listening on 127.0.0.1:port; the primary routes to it from now on. */
  | { type: 'gateway:ready'; port: number }
  /** Its live calls changed: the primary sends new dials to workers with room. */
  | { type: 'gateway:load'; callsLive: number };

/**
 * What the primary hands a worker with a socket: a media-stream connection whose request head it
 * read (and the bytes after it), so the worker parses the handshake as if it had accepted it.
 */
export interface MediaSocketHandOff {
  type: 'gateway:media-socket';
  /** The request head and any bytes read after it, base64 (IPC messages are JSON). */
  head: string;
}

/**
 * What the primary tells a worker over the IPC channel: it listens on the public port, so the
 * carrier's webhooks and media streams for the worker's calls reach it. Only then does a worker
 * take calls from the Redis queues (before it, a call's answer webhook would find no one).
 */
export interface PublicPortOpen {
  type: 'gateway:public-port-open';
}

export function isPublicPortOpen(message: unknown): message is PublicPortOpen {
  return (message as { type?: unknown } | null)?.type === 'gateway:public-port-open';
}

export function isWorkerReport(message: unknown): message is WorkerReport {
  const type = (message as { type?: unknown } | null)?.type;
  return type === 'gateway:ready' || type === 'gateway:load';
}

export function isMediaSocketHandOff(message: unknown): message is MediaSocketHandOff {
  return (message as { type?: unknown } | null)?.type === 'gateway:media-socket' && typeof (message as MediaSocketHandOff).head === 'string';
}
