/** Statuses in the order people read them: conversations first, then unanswered calls, then never-called rows. */
export const STATUS_ORDER: readonly string[] = [
  'confirmed',
  'cancelled',
  'rescheduled',
  'callback_requested',
  'transferred',
  'wrong_person',
  'no_answer',
  'busy',
  'voicemail',
  'no_response',
  'failed',
  'invalid_number',
  'do_not_call',
];

export interface StatusCount {
  /** '' for rows never called. */
  status: string;
  count: number;
  /** count / total, 0..1. */
  share: number;
}

/** Counts per status, in STATUS_ORDER, unknown statuses after (alphabetically), uncalled rows last. */
export function countStatuses(counts: Record<string, number>): StatusCount[] {
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  const rank = (status: string) => (status === '' ? Infinity : STATUS_ORDER.includes(status) ? STATUS_ORDER.indexOf(status) : STATUS_ORDER.length);
  return Object.entries(counts)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([status, count]) => ({ status, count, share: total ? count / total : 0 }));
}

/** Tallies the status cell of each row (trimmed, lower-cased as the CSV repository compares them). */
export function tallyRowStatuses(rows: readonly { status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const status = row.status.trim().toLowerCase();
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
}
