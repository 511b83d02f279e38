import { scanCsv, type RecordSpan } from './csv-scanner';

/** Where one row's outcome cells sit in the file's bytes; a cell is undefined when the row is too short to have it. */
export interface RowCells {
  start: number;
  end: number;
  fieldCount: number;
  cells: ({ start: number; end: number; quoted: boolean } | undefined)[];
}

/**
 * The byte positions of every row's outcome cells, as numbers in one typed array rather than an
 * object per field: 100,000 rows take 5 MB instead of hundreds. Int32 positions: files up to 2 GiB. After a rewrite only the rows
 * that changed are scanned again; every other row's positions just shift.
 */
export class OutcomeCellIndex {
  private readonly width: number;
  private table: Int32Array;

  private rows = 0;

  /** `columns`: the outcome columns' positions in a row. Rows are added in file order with `push`. */
  constructor(private readonly columns: readonly number[]) {
    this.width = 3 + columns.length * 3;
    this.table = new Int32Array(1024 * this.width);
  }

  get size(): number {
    return this.rows;
  }

  /** Adds the next data row. */
  push(record: RecordSpan): void {
    if ((this.rows + 1) * this.width > this.table.length) {
      const grown = new Int32Array(this.table.length * 2);
      grown.set(this.table);
      this.table = grown;
    }
    this.write(this.rows++, record);
  }

  get(row: number): RowCells {
    const t = this.table;
    const at = row * this.width;
    const cells = this.columns.map((_, i) => {
      const start = t[at + 3 + i * 3];
      return start < 0 ? undefined : { start, end: t[at + 4 + i * 3], quoted: t[at + 5 + i * 3] === 1 };
    });
    return { start: t[at], end: t[at + 1], fieldCount: t[at + 2], cells };
  }

  /**
   * Moves the index onto `next`: the old content with edits inside (or at the end of) the rows in
   * `editedRows`, and nowhere else. Edited rows are scanned again at their new place; the others shift.
   */
  rebase(next: Buffer, editedRows: ReadonlySet<number>): void {
    const t = this.table;
    const rows = this.rows;
    let delta = 0;
    for (let row = 0; row < rows; row++) {
      const at = row * this.width;
      if (!editedRows.has(row)) {
        if (delta !== 0) {
          t[at] += delta;
          t[at + 1] += delta;
          for (let i = 0; i < this.columns.length; i++) {
            if (t[at + 3 + i * 3] >= 0) {
              t[at + 3 + i * 3] += delta;
              t[at + 4 + i * 3] += delta;
            }
          }
        }
        continue;
      }
      const oldEnd = t[at + 1];
      const [record] = scanCsv(next, t[at] + delta, 1);
      this.write(row, record);
      delta = record.end - oldEnd;
    }
  }

  private write(row: number, record: RecordSpan): void {
    const t = this.table;
    const at = row * this.width;
    t[at] = record.start;
    t[at + 1] = record.end;
    t[at + 2] = record.fields.length;
    this.columns.forEach((column, i) => {
      const field = record.fields[column];
      t[at + 3 + i * 3] = field ? field.start : -1;
      t[at + 4 + i * 3] = field ? field.end : -1;
      t[at + 5 + i * 3] = field?.quoted ? 1 : 0;
    });
  }
}
