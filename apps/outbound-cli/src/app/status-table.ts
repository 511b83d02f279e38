import { countStatuses } from '@codcall/campaign';

/** How a status reads in a table; uncalled rows have an empty status cell. */
export function statusLabel(status: string): string {
  return status === '' ? '(not called)' : status;
}

/**
 * A plain-text table, status | count | share, with a total line:
 *
 *   status       | count | share
 *   -------------+-------+------
 *   confirmed    |     2 |   40%
 */
export function renderStatusTable(counts: Record<string, number>): string {
  const rows = countStatuses(counts).map(({ status, count, share }) => [statusLabel(status), String(count), `${Math.round(share * 100)}%`]);
  const total = rows.reduce((sum, [, count]) => sum + Number(count), 0);
  const width = Math.max('status'.length, 'total'.length, ...rows.map(([label]) => label.length));
  const line = (label: string, count: string, share: string) => `${label.padEnd(width)} | ${count.padStart(5)} | ${share.padStart(5)}`;
  return [
    line('status', 'count', 'share'),
    `${'-'.repeat(width)}-+-------+------`,
    ...rows.map(([label, count, share]) => line(label, count, share)),
    `${'-'.repeat(width)}-+-------+------`,
    line('total', String(total), total ? '100%' : ''),
  ].join('\n');
}

/** "confirmed 3 · cancelled 1 · rescheduled 1": the live tally beside the progress bar. */
export function renderTally(counts: Record<string, number>): string {
  return countStatuses(counts)
    .map(({ status, count }) => `${statusLabel(status)} ${count}`)
    .join(' · ');
}
