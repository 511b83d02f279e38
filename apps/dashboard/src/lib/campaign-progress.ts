import type { CallRecordView, CampaignEventView, CampaignView } from '@codcall/gateway-api';

/** What the campaign page knows of one row from the events: its latest status and call. */
export interface LiveRow {
  line: number;
  orderId?: string;
  status: string;
  callId?: string;
  attempts: number;
  final: boolean;
  nextDueAt?: string;
  rescheduleDate?: string;
  rescheduleTime?: string;
  reason?: string;
  /** When the page heard of it (so a page of rows fetched before shows it). */
  atMs: number;
}

/** One point of the outcomes-over-time chart: the count of each outcome seen so far. */
export interface OutcomePoint {
  atMs: number;
  counts: Record<string, number>;
}

export interface CampaignProgress {
  view?: CampaignView;
  rows: Map<number, LiveRow>;
  /** Lines with a call in flight. */
  calling: Set<number>;
  timeline: OutcomePoint[];
  /** The latest `waiting` event's explanation. */
  waiting?: { rows: number; nextDueAt: string; reason: string };
}

/** Points kept for the chart: one per outcome, so a long campaign keeps its last ones. */
export const MAX_CHART_POINTS = 2_000;

export function emptyProgress(): CampaignProgress {
  return { rows: new Map(), calling: new Set(), timeline: [] };
}

/** The page's state after one more server-sent event (a new object, as React wants). */
export function applyCampaignEvent(progress: CampaignProgress, event: CampaignEventView, atMs: number): CampaignProgress {
  const next: CampaignProgress = { ...progress, rows: new Map(progress.rows), calling: new Set(progress.calling) };
  switch (event.type) {
    case 'snapshot':
    case 'finished':
      next.view = event.campaign;
      if (event.type === 'finished') next.calling.clear();
      if (next.timeline.length === 0) next.timeline = [{ atMs, counts: outcomeCounts(event.campaign.by_status) }];
      break;
    case 'state':
      if (next.view) next.view = { ...next.view, state: event.state };
      break;
    case 'row-started':
      next.calling.add(event.line);
      next.rows.set(event.line, { ...(next.rows.get(event.line) ?? { line: event.line, status: 'calling', final: false }), orderId: event.order_id, attempts: event.attempt, status: 'calling', atMs });
      break;
    case 'call-placed': {
      const row = next.rows.get(event.line) ?? { line: event.line, status: 'calling', attempts: 1, final: false, atMs };
      next.rows.set(event.line, { ...row, orderId: event.order_id ?? row.orderId, callId: event.call_id, atMs });
      break;
    }
    case 'outcome': {
      next.calling.delete(event.line);
      const before = next.rows.get(event.line);
      next.rows.set(event.line, {
        line: event.line,
        orderId: event.order_id ?? before?.orderId,
        status: event.status,
        callId: event.call_id ?? before?.callId,
        attempts: event.attempts,
        final: event.final,
        nextDueAt: event.next_due_at,
        rescheduleDate: event.reschedule_date,
        rescheduleTime: event.reschedule_time,
        reason: event.reason,
        atMs,
      });
      const last = next.timeline[next.timeline.length - 1]?.counts ?? {};
      next.timeline = [...next.timeline, { atMs, counts: { ...last, [event.status]: (last[event.status] ?? 0) + 1 } }].slice(-MAX_CHART_POINTS);
      if (next.view && event.final) {
        const rows = next.view.rows;
        next.view = { ...next.view, rows: { ...rows, done: Math.min(rows.total, rows.done + 1) } };
      }
      break;
    }
    case 'waiting':
      next.waiting = { rows: event.rows, nextDueAt: event.next_due_at, reason: event.reason };
      break;
  }
  return next;
}

/** Rows still to call, as a view may count them: no outcome to chart. */
const NOT_OUTCOMES = new Set(['', 'pending']);

/** The statuses a campaign's view counts that are outcomes (not the rows still to call). */
export function outcomeCounts(byStatus: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(byStatus).filter(([status]) => !NOT_OUTCOMES.has(status)));
}

/** Done rows as a whole percentage of all rows (0 for an empty campaign). */
export function percentDone(view: CampaignView): number {
  return view.rows.total ? Math.round((view.rows.done / view.rows.total) * 100) : 0;
}

/**
 * The outcomes-over-time points of a campaign opened after its calls ended: each call's outcome at
 * its end (start plus duration), from the campaign's creation on. The live events take over from here.
 */
export function timelineFromCalls(createdAt: string, calls: readonly CallRecordView[]): OutcomePoint[] {
  const start = Date.parse(createdAt);
  if (Number.isNaN(start)) return [];
  const ended = calls
    .filter((call) => call.status && call.started_at)
    .map((call) => ({ status: call.status!, atMs: Date.parse(call.started_at!) + (call.duration_seconds ?? 0) * 1000 }))
    .filter((call) => !Number.isNaN(call.atMs))
    .sort((a, b) => a.atMs - b.atMs);
  const points: OutcomePoint[] = [{ atMs: start, counts: {} }];
  for (const call of ended.slice(-MAX_CHART_POINTS)) {
    const last = points[points.length - 1].counts;
    points.push({ atMs: Math.max(start, call.atMs), counts: { ...last, [call.status]: (last[call.status] ?? 0) + 1 } });
  }
  return points;
}
