import type { CallListRow } from '@codcall/call-list';
import type { CampaignEvent } from '@codcall/campaign';
import type { CampaignEventView, CampaignView } from '@codcall/gateway-api';
import { maskNumbersInText } from '@codcall/logging';

export const DEFAULT_EVENT_BUFFER = 2_000;

export interface FeedEntry {
  seq: number;
  event: CampaignEventView;
}

export type FeedListener = (entry: FeedEntry) => void;

/**
 * Sequence numbers start at the service's start time in microseconds, so they keep growing across
 * restarts: a client's Last-Event-ID from before a restart is never taken for a later event.
 */
let nextSeq = Date.now() * 1000;

/**
 * One campaign's recent events, numbered, in a bounded ring (the last `capacity`), for server-sent
 * events with Last-Event-ID replay. Holds order ids and line numbers, never phone numbers.
 */
export class CampaignEventFeed {
  private readonly ring: FeedEntry[] = [];
  private readonly listeners = new Set<FeedListener>();

  constructor(private readonly capacity = DEFAULT_EVENT_BUFFER) {}

  get latestSeq(): number {
    return this.ring.length ? this.ring[this.ring.length - 1].seq : nextSeq - 1;
  }

  publish(event: CampaignEventView): FeedEntry {
    const entry = { seq: nextSeq++, event };
    this.ring.push(entry);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const listener of this.listeners) listener(entry);
    return entry;
  }

  /**
   * What a client that saw up to `lastSeq` missed, when the ring still holds all of it; undefined
   * when it does not (or no `lastSeq`), and the client needs a fresh snapshot instead.
   */
  missedSince(lastSeq: number | undefined): FeedEntry[] | undefined {
    if (lastSeq === undefined || !Number.isSafeInteger(lastSeq)) return undefined;
    if (lastSeq >= this.latestSeq) return lastSeq === this.latestSeq ? [] : undefined;
    const oldest = this.ring[0];
    if (!oldest || lastSeq < oldest.seq - 1) return undefined;
    return this.ring.filter((entry) => entry.seq > lastSeq);
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }
}

/** The wire view of a run's event, or undefined for those the feed does not carry (reviews, stops, capacity waits). */
export function eventView(event: CampaignEvent): CampaignEventView | undefined {
  switch (event.type) {
    case 'row-started':
      return { type: 'row-started', ...rowRef(event.row), attempt: event.attempt };
    case 'call-placed':
    case 'call-resumed':
      return { type: 'call-placed', ...rowRef(event.row), call_id: event.callId };
    case 'row-finished':
      return {
        type: 'outcome',
        ...rowRef(event.row),
        status: event.outcome.status,
        ...outcomeCells(event.outcome),
        ...(event.callId ? { call_id: event.callId } : {}),
        attempts: event.attempts,
        final: true,
      };
    case 'retry-scheduled':
      return {
        type: 'outcome',
        ...rowRef(event.row),
        status: event.outcome.status,
        ...outcomeCells(event.outcome),
        attempts: event.attempt,
        final: false,
        next_due_at: new Date(event.nextDueAt).toISOString(),
      };
    case 'waiting':
      return { type: 'waiting', rows: event.rows, next_due_at: new Date(event.nextDueAt).toISOString(), reason: event.reason };
    default:
      return undefined;
  }
}

/** A snapshot or finished event for `campaign`. */
export function campaignEvent(type: 'snapshot' | 'finished', campaign: CampaignView): CampaignEventView {
  return { type, campaign };
}

function rowRef(row: CallListRow): { line: number; order_id?: string } {
  const orderId = row.values['order_id'];
  return { line: row.line, ...(orderId ? { order_id: orderId } : {}) };
}

function outcomeCells(outcome: { reschedule_date?: string; reschedule_time?: string; callback_at?: string; reason?: string }) {
  return {
    ...(outcome.reschedule_date ? { reschedule_date: outcome.reschedule_date } : {}),
    ...(outcome.reschedule_time ? { reschedule_time: outcome.reschedule_time } : {}),
    ...(outcome.callback_at ? { callback_at: outcome.callback_at } : {}),
    // A gateway's reason may quote a number (a carrier's error text): masked like every number we show.
    ...(outcome.reason ? { reason: maskNumbersInText(outcome.reason) } : {}),
  };
}
