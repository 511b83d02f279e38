/** One field's bytes in the original file; `start..end` includes its quotes when quoted. */
export interface FieldSpan {
  start: number;
  end: number;
  quoted: boolean;
  value: string;
}

/** One record (a CSV row, possibly spanning lines inside quotes); `end` stops before its line break. */
export interface RecordSpan {
  start: number;
  end: number;
  /** 1-based line number where the record starts. */
  line: number;
  fields: FieldSpan[];
  blank: boolean;
  /** Where the next record starts (after this one's line break), and its line number. */
  next: number;
  nextLine: number;
}

export class CsvScanError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/**
 * An RFC 4180 scanner that records where every field sits in the file's bytes. Parsing values is
 * fast-csv's job; this exists so an outcome can be written into exactly the bytes of its cells
 * and nowhere else. Works on UTF-8 bytes: no multi-byte sequence contains a comma, quote or break.
 */
export function scanCsv(bytes: Buffer, offset = 0, maxRecords = Infinity, firstLine = 1): RecordSpan[] {
  const records: RecordSpan[] = [];
  let pos = offset;
  let line = firstLine;
  while (pos < bytes.length && records.length < maxRecords) {
    const recordStart = pos;
    const recordLine = line;
    const fields: FieldSpan[] = [];
    for (;;) {
      const fieldStart = pos;
      if (bytes[pos] === QUOTE) {
        pos++;
        const parts: Buffer[] = [];
        let chunkStart = pos;
        for (;;) {
          if (pos >= bytes.length) throw new CsvScanError(`unterminated quoted field starting on line ${recordLine}`, recordLine);
          const byte = bytes[pos];
          if (byte === QUOTE) {
            if (bytes[pos + 1] === QUOTE) {
              parts.push(bytes.subarray(chunkStart, pos + 1));
              pos += 2;
              chunkStart = pos;
              continue;
            }
            parts.push(bytes.subarray(chunkStart, pos));
            pos++;
            break;
          }
          if (byte === LF) line++;
          pos++;
        }
        if (pos < bytes.length && bytes[pos] !== COMMA && bytes[pos] !== CR && bytes[pos] !== LF) {
          throw new CsvScanError(`unexpected text after a closing quote on line ${line}`, line);
        }
        fields.push({ start: fieldStart, end: pos, quoted: true, value: Buffer.concat(parts).toString('utf8') });
      } else {
        while (pos < bytes.length && bytes[pos] !== COMMA && bytes[pos] !== CR && bytes[pos] !== LF) {
          if (bytes[pos] === QUOTE) throw new CsvScanError(`a quote inside an unquoted field on line ${line}`, line);
          pos++;
        }
        fields.push({ start: fieldStart, end: pos, quoted: false, value: bytes.toString('utf8', fieldStart, pos) });
      }
      if (bytes[pos] === COMMA) {
        pos++;
        continue;
      }
      break;
    }
    const recordEnd = pos;
    if (bytes[pos] === CR) pos++;
    if (bytes[pos] === LF) pos++;
    line++;
    const blank = fields.length === 1 && !fields[0].quoted && fields[0].start === fields[0].end;
    records.push({ start: recordStart, end: recordEnd, line: recordLine, fields, blank, next: pos, nextLine: line });
  }
  return records;
}

/** A cell's text as CSV: quoted when it must be, or when the cell it replaces was quoted. */
export function formatCell(value: string, keepQuoted: boolean): string {
  if (keepQuoted || /[",\r\n]/.test(value) || /^\s|\s$/.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}
