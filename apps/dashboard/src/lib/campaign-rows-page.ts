import { CAMPAIGN_ROWS_LIMITS, type CampaignRowView } from '@codcall/gateway-api';
import type { LiveRow } from './campaign-progress';

/** The page of rows the campaign page shows: the table's paging, status filter and search. */
export interface RowsQuery {
  offset: number;
  limit: number;
  /** A by_status name; '' for every status. */
  status: string;
  search: string;
}

export const FIRST_ROWS_PAGE: RowsQuery = { offset: 0, limit: CAMPAIGN_ROWS_LIMITS.defaultLimit, status: '', search: '' };

/** GET /campaigns/:id/rows's query for `query`: only what differs from the defaults, the search trimmed and cut to what the service takes. */
export function rowsQueryString(query: RowsQuery): string {
  const params = new URLSearchParams();
  if (query.offset > 0) params.set('offset', String(query.offset));
  if (query.limit !== CAMPAIGN_ROWS_LIMITS.defaultLimit) params.set('limit', String(query.limit));
  if (query.status) params.set('status', query.status);
  const search = query.search.trim().slice(0, CAMPAIGN_ROWS_LIMITS.maxSearchChars);
  if (search) params.set('q', search);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The offset of the page before or after, within the rows that match (the first page when there are none). */
export function pageOffset(query: RowsQuery, matching: number, step: -1 | 1): number {
  const last = Math.max(0, Math.floor((matching - 1) / query.limit) * query.limit);
  return Math.min(last, Math.max(0, query.offset + step * query.limit));
}

/**
 * The page's rows with what the event stream said of them after the page was fetched: a call in
 * flight shows as `calling`, a newer outcome shows at once (the page itself is fetched again soon after).
 */
export function withLiveRows(rows: readonly CampaignRowView[], fetchedAtMs: number, live: ReadonlyMap<number, LiveRow>, calling: ReadonlySet<number>): CampaignRowView[] {
  return rows.map((row) => {
    const event = live.get(row.line);
    const newer = event && event.atMs > fetchedAtMs ? event : undefined;
    const status = calling.has(row.line) ? 'calling' : (newer?.status ?? row.status);
    if (!newer && status === row.status) return row;
    const callId = newer?.callId ?? row.call_id;
    const outcome = newer && newer.status !== 'calling';
    return {
      ...row,
      status,
      attempts: Math.max(row.attempts, newer?.attempts ?? 0),
      reschedule_date: outcome ? (newer.rescheduleDate ?? '') : row.reschedule_date,
      reschedule_time: outcome ? (newer.rescheduleTime ?? '') : row.reschedule_time,
      ...(callId ? { call_id: callId } : {}),
    };
  });
}

/** Timers as the browser has them; a spec passes its own. */
export interface Timers {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const BROWSER_TIMERS: Timers = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Runs `run` after something changed, at most once per `intervalMs`: the first change runs it at
 * once (when the last run is that long ago), changes meanwhile run it once at the interval's end,
 * and with no change it never runs.
 */
export class Throttle {
  private lastRunAt = -Infinity;
  private timer: unknown;
  private scheduled = false;

  constructor(
    private readonly run: () => void,
    private readonly intervalMs: number,
    private readonly timers: Timers = BROWSER_TIMERS,
  ) {}

  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = Math.max(0, this.lastRunAt + this.intervalMs - this.timers.now());
    this.timer = this.timers.setTimeout(() => {
      this.scheduled = false;
      this.lastRunAt = this.timers.now();
      this.run();
    }, wait);
  }

  cancel(): void {
    if (this.scheduled) this.timers.clearTimeout(this.timer);
    this.scheduled = false;
  }
}
