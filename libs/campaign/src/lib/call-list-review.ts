import { findDuplicateRows, numberForMessages, type CallListRow } from '@codcall/call-list';
import { findLanguage } from '@codcall/languages';
import { RowsOverGatewayLimitsError } from './errors';
import { placeCallPayload, type GatewayLimits, type PlaceCallRequest } from './gateway-client';

/** A row with a status codcall does not know, and the cell's text. */
export interface UnknownStatusRow {
  row: CallListRow;
  text: string;
}

/** The column whose language (a code or a name) overrides the agent's for the row; empty means the agent's default. */
export const LANGUAGE_COLUMN = 'language';

/** A row whose language cell names no language codcall knows, and the cell's text. */
export interface UnknownLanguageRow {
  row: CallListRow;
  text: string;
}

/** A row the gateway would refuse, and why (each problem names the column or the size). */
export interface RowOverLimits {
  row: CallListRow;
  problems: string[];
}

/** What the campaign found in the call list before dialling anything. */
export interface CallListReview {
  /** Rows whose status codcall does not know; dialled only when `dialUnknownStatuses`. */
  unknownStatuses: UnknownStatusRow[];
  dialUnknownStatuses: boolean;
  /**
   * Rows whose `language` cell names no language ("Hindustani", "fr"): left as they are, never
   * dialled nor written, as the gateway would refuse the call rather than guess a language. Fix the cell and run again.
   */
  unknownLanguages: UnknownLanguageRow[];
  /** Rows to process that are the same order to the same number, each group in file order: called once, recorded in every row. */
  duplicates: CallListRow[][];
  /** Rows to dial that do not fit what the gateway accepts (its /health `limits`). */
  overLimits: RowOverLimits[];
  /** The call list has more columns than a call's context may have: every row would be refused. */
  tooManyColumns?: { columns: number; max: number };
  /** What happens to `overLimits`: the run is refused before dialling, or they are skipped. */
  overLimitRows: 'refuse' | 'skip';
  /** The rows the campaign processes, in file order. */
  toProcess: CallListRow[];
}

export interface ReviewInput {
  pending: readonly CallListRow[];
  unknown: readonly CallListRow[];
  dialUnknownStatuses: boolean;
  skipRowsOverLimits: boolean;
  limits?: GatewayLimits;
  /** The POST /call a row would be dialled with. */
  requestFor: (row: CallListRow, e164: string) => PlaceCallRequest;
}

/**
 * Decides which rows a campaign processes and lists what the user should know before any dial:
 * unknown statuses (left alone unless told), languages nobody knows (left alone), duplicate
 * groups, and rows the gateway would refuse.
 * Pure: nothing is written.
 */
export function reviewCallList(input: ReviewInput): CallListReview {
  const statusCandidates = input.dialUnknownStatuses ? [...input.pending, ...input.unknown].sort((a, b) => a.index - b.index) : [...input.pending];
  const unknownLanguages: UnknownLanguageRow[] = [];
  const candidates = statusCandidates.filter((row) => {
    const cell = row.values[LANGUAGE_COLUMN]?.trim();
    if (!cell || findLanguage(cell)) return true;
    unknownLanguages.push({ row, text: cell });
    return false;
  });
  const limits = input.limits ?? {};
  const columns = candidates[0] ? Object.keys(candidates[0].values).length : 0;
  const tooManyColumns = limits.maxContextColumns !== undefined && columns > limits.maxContextColumns ? { columns, max: limits.maxContextColumns } : undefined;
  const overLimits: RowOverLimits[] = [];
  for (const row of candidates) {
    if (!row.phone.ok) continue; // recorded invalid_number, never sent
    const problems = rowProblems(row, input.requestFor(row, row.phone.e164), limits);
    if (problems.length) overLimits.push({ row, problems });
  }
  const skipped = input.skipRowsOverLimits ? new Set(overLimits.map((entry) => entry.row.key)) : new Set<string>();
  const toProcess = skipped.size ? candidates.filter((row) => !skipped.has(row.key)) : candidates;
  return {
    unknownStatuses: input.unknown.map((row) => ({ row, text: row.values['status'] ?? row.status })),
    dialUnknownStatuses: input.dialUnknownStatuses,
    unknownLanguages,
    duplicates: findDuplicateRows(toProcess),
    overLimits,
    tooManyColumns,
    overLimitRows: input.skipRowsOverLimits ? 'skip' : 'refuse',
    toProcess,
  };
}

function rowProblems(row: CallListRow, request: PlaceCallRequest, limits: GatewayLimits): string[] {
  const problems: string[] = [];
  if (limits.maxContextValueChars !== undefined) {
    for (const [column, value] of Object.entries(row.values)) {
      if (value.length > limits.maxContextValueChars) {
        problems.push(`column ${column} has ${value.length.toLocaleString('en')} characters (the gateway takes at most ${limits.maxContextValueChars.toLocaleString('en')})`);
      }
    }
  }
  if (limits.maxBodyBytes !== undefined) {
    const bytes = Buffer.byteLength(JSON.stringify(placeCallPayload(request)), 'utf8');
    if (bytes > limits.maxBodyBytes) {
      problems.push(`its dial would be ${bytes.toLocaleString('en')} bytes (the gateway takes at most ${limits.maxBodyBytes.toLocaleString('en')})`);
    }
  }
  return problems;
}

/** Refuses the run before any dial when rows do not fit and they are not to be skipped, naming lines and columns. */
export function assertRowsFit(review: CallListReview, csvName: string): void {
  if (review.tooManyColumns) {
    const { columns, max } = review.tooManyColumns;
    throw new RowsOverGatewayLimitsError(
      `${csvName} has ${columns} columns; the gateway takes at most ${max} in a call's context: remove the columns the agent does not need and run again`,
      [],
    );
  }
  if (review.overLimitRows === 'skip' || review.overLimits.length === 0) return;
  const count = review.overLimits.length;
  throw new RowsOverGatewayLimitsError(
    `${count} ${count === 1 ? 'row does' : 'rows do'} not fit what the gateway accepts, so nothing was dialled: ${describeRowsOverLimits(review.overLimits, 10)}; shorten ${count === 1 ? 'it' : 'them'}, or run with --skip-oversized-rows to dial the others`,
    review.overLimits.map((entry) => entry.row.line),
  );
}

/** "line 4 (+15*******67): column notes has 2,345 characters (...); line 9 ..." with at most `max` lines. */
export function describeRowsOverLimits(rows: readonly RowOverLimits[], max: number): string {
  const shown = rows.slice(0, max).map((entry) => `line ${entry.row.line} (${numberForMessages(entry.row.values['recipient_phone_number'] ?? '')}): ${entry.problems.join(', ')}`);
  return rows.length > max ? `${shown.join('; ')}; and ${rows.length - max} more` : shown.join('; ');
}
