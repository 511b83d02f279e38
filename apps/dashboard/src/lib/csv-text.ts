/**
 * A CSV read in the browser for the New campaign preview only (RFC 4180: quoted cells, doubled
 * quotes, CRLF or LF). The campaign-api's preflight is the authority on the file; this shows the
 * operator their rows before they upload (the campaign page asks the service for its rows a page at a time).
 */
export interface CsvTable {
  headers: string[];
  /** Each row's cells, with its line number in the file as the CLI counts it (the header is line 1). */
  rows: { line: number; cells: string[] }[];
  /** True when more rows were in the text than `maxRows` kept. */
  truncated: boolean;
}

export function parseCsvText(text: string, maxRows = 100_000): CsvTable {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let truncated = false;
  const source = text.replace(/^\uFEFF/, '');
  const endRecord = () => {
    cells.push(cell);
    cell = '';
    if (!(cells.length === 1 && cells[0] === '')) records.push({ line: recordLine, cells });
    cells = [];
  };
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (quoted) {
      if (char === '"') {
        if (source[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (char === '\n') line++;
        cell += char;
      }
      continue;
    }
    if (char === '"') quoted = true;
    else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && source[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
      if (records.length > maxRows) {
        truncated = true;
        break;
      }
    } else cell += char;
  }
  if (!truncated && (cell !== '' || cells.length > 0)) endRecord();
  const [header, ...rows] = records;
  return { headers: header?.cells.map((name) => name.trim()) ?? [], rows: rows.slice(0, maxRows), truncated: truncated || rows.length > maxRows };
}

/** The columns a call list must have (libs/call-list's REQUIRED_COLUMNS). */
export const REQUIRED_CALL_LIST_COLUMNS = ['name', 'recipient_phone_number', 'order_id', 'status', 'reschedule_date', 'reschedule_time'] as const;

export function missingCallListColumns(headers: readonly string[]): string[] {
  return REQUIRED_CALL_LIST_COLUMNS.filter((column) => !headers.includes(column));
}

/** A row as an object keyed by column name. */
export function rowValues(table: CsvTable, cells: readonly string[]): Record<string, string> {
  return Object.fromEntries(table.headers.map((name, index) => [name, cells[index] ?? '']));
}
