export class CallNotFoundError extends Error {
  constructor(readonly callId: string) {
    super(`call ${callId} not found`);
  }
}

export class CarrierNotConfiguredError extends Error {
  constructor(readonly carrier: string) {
    super(`carrier ${carrier} is not configured on this gateway`);
  }
}

/** The same idempotency key came with another agent, number or carrier: a client bug, never a dial. */
export class IdempotencyConflictError extends Error {
  constructor(readonly key: string) {
    super(`Idempotency-Key ${key} was already used for a call to another number, with another agent or through another carrier`);
  }
}

export class SimulationNotSupportedError extends Error {
  constructor(readonly carrier: string) {
    super(`a simulated callee was given, but carrier ${carrier} dials real phones; use carrier "sim"`);
  }
}

/**
 * The gateway already runs as many calls as it may: the client should send the same dial again
 * (same Idempotency-Key) after `retryAfterSeconds`; nothing was dialled.
 */
export class GatewayAtCapacityError extends Error {
  constructor(
    readonly callsInProgress: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`gateway at capacity: ${callsInProgress} calls in progress`);
  }
}

/**
 * An answer webhook the call cannot take: its document (and stream token) was served already, the
 * call is past answering, or the webhook names another carrier call than the dial returned. A
 * replay gets no token; the live call is not touched.
 */
export class AnswerRefusedError extends Error {
  constructor(
    readonly callId: string,
    readonly why: string,
  ) {
    super(`no answer document for call ${callId}: ${why}`);
  }
}

/**
 * A fetch of a call's transfer document the call cannot take: no transfer is under way (none was
 * asked for, the carrier refused it, or its window has passed), the document was served already,
 * or the fetch names another carrier call than the dial returned. Nothing about the call changes.
 */
export class TransferDocumentRefusedError extends Error {
  constructor(
    readonly callId: string,
    readonly why: string,
  ) {
    super(`no transfer document for call ${callId}: ${why}`);
  }
}
