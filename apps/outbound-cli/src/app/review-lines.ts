import { numberForMessages, type CallListRow } from '@codcall/call-list';
import type { CallListReview } from '@codcall/campaign';
import { LANGUAGE_PACKS } from '@codcall/languages';

const KNOWN_LANGUAGES = LANGUAGE_PACKS.map((pack) => pack.code).join(', ');

/** Rows shown per list before "... and N more": enough to find the pattern, short enough to read. */
const SHOWN = 20;

/**
 * What the campaign found in the CSV before dialling, as the lines an operator reads: rows left
 * alone for a status or a language codcall does not know, duplicates called once, rows skipped for the
 * gateway's limits. Numbers are masked. Empty when there is nothing to say.
 */
export function reviewLines(review: CallListReview): string[] {
  const lines: string[] = [];
  const unknown = review.unknownStatuses;
  if (unknown.length) {
    lines.push(
      review.dialUnknownStatuses
        ? `${rows(unknown.length)} ${have(unknown.length)} a status codcall does not know; --dial-unknown-statuses: they are dialled and their status cell gets the outcome:`
        : `${rows(unknown.length)} ${have(unknown.length)} a status codcall does not know, so ${unknown.length === 1 ? 'it is' : 'they are'} left as ${unknown.length === 1 ? 'it is' : 'they are'}, not dialled (--dial-unknown-statuses dials them):`,
      ...list(unknown, ({ row, text }) => `  line ${row.line}  ${numberOf(row)}  ${JSON.stringify(text)}`),
    );
  }
  const languages = review.unknownLanguages;
  if (languages.length) {
    lines.push(
      `${rows(languages.length)} ${have(languages.length)} a language cell that names no language codcall knows (${KNOWN_LANGUAGES}, or names such as Hindi, Hinglish, Arabic), so ${languages.length === 1 ? 'it is' : 'they are'} left as ${languages.length === 1 ? 'it is' : 'they are'}, not dialled; fix the cell (empty: the agent's language) and run again:`,
      ...list(languages, ({ row, text }) => `  line ${row.line}  ${numberOf(row)}  ${JSON.stringify(text)}`),
    );
  }
  const groups = review.duplicates;
  if (groups.length) {
    lines.push(
      `${groups.length === 1 ? '1 order appears' : `${groups.length} orders appear`} in more than one row (same order id, same number); each is called once and every row gets the outcome:`,
      ...list(groups, (group) => `  lines ${group.map((row) => row.line).join(', ')}  order ${group[0].values['order_id']}  ${numberOf(group[0])}`),
    );
  }
  // When they are not skipped the run is refused, and the error names them.
  const over = review.overLimits;
  if (over.length && review.overLimitRows === 'skip') {
    lines.push(
      `${rows(over.length)} ${over.length === 1 ? 'does' : 'do'} not fit what the gateway accepts; --skip-oversized-rows: ${over.length === 1 ? 'it is' : 'they are'} skipped and left as ${over.length === 1 ? 'it is' : 'they are'}:`,
      ...list(over, ({ row, problems }) => `  line ${row.line}  ${numberOf(row)}  ${problems.join(', ')}`),
    );
  }
  return lines;
}

function list<T>(items: readonly T[], line: (item: T) => string): string[] {
  const shown = items.slice(0, SHOWN).map(line);
  return items.length > SHOWN ? [...shown, `  ... and ${items.length - SHOWN} more`] : shown;
}

function numberOf(row: CallListRow): string {
  return numberForMessages(row.values['recipient_phone_number'] ?? '') || '(no number)';
}

function rows(count: number): string {
  return count === 1 ? '1 row' : `${count} rows`;
}

function have(count: number): string {
  return count === 1 ? 'has' : 'have';
}
