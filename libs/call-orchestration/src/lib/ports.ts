import type { RecordingSink } from '@codcall/media';
import type { CarrierName } from '@codcall/telephony-providers';
import type { CallPhase } from './call-lifecycle';
import type { CallOutcome, CallRecord, CallView } from './call-record';

/**
 * Where a call's two-sided recording (streamed while the call runs) and its finished JSON record
 * are kept. The gateway writes files; the orchestrator only says what to keep.
 */
export interface CallArchive {
  /**
   * Opens the call's recording as it starts; its sink's `finish` answers where it is (the view's
   * `recording`). Nothing appears under that name before `finish`, and `abort` leaves nothing.
   */
  openRecording(callId: string): RecordingSink;
  /** Keeps the record, already masked as the gateway's settings ask. */
  saveRecord(record: CallRecord): Promise<void>;
}

/** What the gateway keeps of one call so that it can answer for it after a restart. */
export interface StoredCall {
  callId: string;
  agentId: string;
  to: string;
  carrier: CarrierName;
  carrierCallId?: string;
  liveCarrierCallId?: string;
  phase: CallPhase;
  outcome?: CallOutcome;
  /** With agentId, to and carrier: a key is honoured only for the dial it first named. */
  idempotencyKey?: string;
  createdAt: string;
  endedAt?: string;
  /** The answer document (and with it the stream token) went out: never a second time. */
  answerServed: boolean;
  /** A media stream started with the call's token: the token is spent. */
  streamTokenUsed: boolean;
  /** What GET /call/:id shows, as of the last write. */
  view: CallView;
}

/**
 * The gateway's memory of calls, written on every change that matters (the dial asked for before
 * the carrier is, its carrier id, the answer, the stream, the outcome). Synchronous: a write is on
 * disk before the next step of the call runs.
 */
export interface CallStore {
  save(call: StoredCall): void;
  load(callId: string): StoredCall | undefined;
  findByIdempotencyKey(key: string): StoredCall | undefined;
  /** Calls a previous run of the gateway left before their end. */
  unsettled(): StoredCall[];
}

/** A store that keeps every call until exit and forgets them then: for tests and short-lived tools, never a gateway. */
export class InMemoryCallStore implements CallStore {
  private readonly calls = new Map<string, StoredCall>();

  save(call: StoredCall): void {
    this.calls.set(call.callId, structuredClone(call));
  }

  load(callId: string): StoredCall | undefined {
    const call = this.calls.get(callId);
    return call && structuredClone(call);
  }

  findByIdempotencyKey(key: string): StoredCall | undefined {
    for (const call of this.calls.values()) if (call.idempotencyKey === key) return structuredClone(call);
    return undefined;
  }

  unsettled(): StoredCall[] {
    return [...this.calls.values()].filter((call) => call.phase !== 'settled').map((call) => structuredClone(call));
  }
}
