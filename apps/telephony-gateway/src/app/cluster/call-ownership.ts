import { createHash, randomUUID } from 'node:crypto';

/**
 * Which worker of a multi-process gateway owns a call, read from the call id alone: the carrier's
 * webhooks and media stream name the call, and nothing else, before the request reaches a worker.
 * The last byte of the UUID holds the worker's index (1-based), so the id stays a valid v4 UUID
 * (the version and variant bits are elsewhere) with 114 random bits, and an id keeps its owner
 * whatever the worker count is later.
 */
export function newCallIdOwnedBy(worker: number): string {
  if (!Number.isInteger(worker) || worker < 1 || worker > 255) throw new RangeError(`worker index ${worker} does not fit in a call id`);
  return randomUUID().slice(0, -2) + worker.toString(16).padStart(2, '0');
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** The worker a call id names, or undefined for a string that is not one of ours (the worker then answers 400 or 404). */
export function ownerOfCallId(callId: string, workers: number): number | undefined {
  if (!UUID_V4.test(callId)) return undefined;
  const owner = Number.parseInt(callId.slice(-2), 16);
  return owner >= 1 && owner <= workers ? owner : undefined;
}

/**
 * The worker that places every dial sent with this Idempotency-Key, so a replay finds the call in
 * that worker's store. The mapping depends on the worker count: after a change of GATEWAY_WORKERS,
 * a key sent before it may reach another worker, which dials again.
 */
export function workerForIdempotencyKey(key: string, workers: number): number {
  return (createHash('sha256').update(key).digest().readUInt32BE(0) % workers) + 1;
}
