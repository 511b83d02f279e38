import { createHash } from 'node:crypto';
import { open, readdir, readFile, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { parse, parseString } from 'fast-csv';
import { silentLogger, type Logger } from '@codcall/logging';
import { CallListError } from './call-list-error';
import { CsvScanError, formatCell, scanCsv, type RecordSpan } from './csv-scanner';
import { OutcomeCellIndex } from './outcome-cell-index';
import { findDuplicateRows } from './duplicates';
import { MAX_ADDRESS_UPDATE_CHARS, OPTIONAL_OUTCOME_COLUMNS, OUTCOME_STATUSES, type Outcome } from './outcome';
import { checkPhone, type PhoneCheck } from './phone';
import { recogniseStatus, type StatusKind } from './status';
import { assertUtf8 } from './text-encoding';

export const REQUIRED_COLUMNS = ['name', 'recipient_phone_number', 'order_id', 'status', 'reschedule_date', 'reschedule_time'] as const;
const REQUIRED_OUTCOME_COLUMNS = ['status', 'reschedule_date', 'reschedule_time'] as const;
type OutcomeColumn = (typeof REQUIRED_OUTCOME_COLUMNS)[number] | (typeof OPTIONAL_OUTCOME_COLUMNS)[number];
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/**
 * Timer-driven rewrites of a big file are spaced so that they write at most this many bytes a
 * second on average: with a fixed interval, a campaign twice as long over a file twice as big
 * would write four times the bytes. Outcomes are durable in the journal meanwhile.
 */
const TIMED_REWRITE_BYTES_PER_SECOND = 4_000_000;

export interface CallListRow {
  /** Stable for the life of the file: the row's position, so duplicate phones or order ids never collide. */
  key: string;
  index: number;
  line: number;
  values: Record<string, string>;
  phone: PhoneCheck;
  /**
   * The status as codcall reads it: an outcome status however it was written ("Confirmed." is
   * confirmed, "DNC" do_not_call), '' for an empty cell or a "to do" word, or the cell's own
   * trimmed text when codcall does not know it. The cell itself changes only when an outcome is recorded.
   */
  status: string;
  /** final: never dialled; pending: to call; unknown: a status codcall does not know, not dialled by default. */
  statusKind: StatusKind;
}

export interface CallListOptions {
  /** Also require libphonenumber's isValid (assigned ranges), not only a possible length. */
  strictNumbers?: boolean;
  /** Longest time an accepted outcome waits before the file is rewritten. */
  flushIntervalMs?: number;
  /**
   * Never write: outcomes journalled by a run still going on (or one that crashed) are shown but
   * left in the journal for their own campaign to write. For reports.
   */
  readOnly?: boolean;
  logger?: Logger;
}

interface JournalEntry {
  key: string;
  index: number;
  order_id: string;
  phone: string;
  outcome: Outcome;
  ts: string;
}

/**
 * The call list on disk. Reading never changes the file; each outcome is journalled durably
 * (append + fsync, grouped across concurrent callers) before `record` resolves, and the file is
 * rewritten in batches by one writer: only the outcome cells' bytes of a row change (status,
 * the reschedule cells, and callback_at / address_update where the file has those columns),
 * through a temp file, fsync and rename. A journal left by a crash is replayed on open.
 *
 * A symlinked CSV is written through to its target (`targetPath`, the link resolved when opened):
 * the temp file sits beside the target and is renamed onto it, so the link stays a link. The
 * journal (and the CLI's lock) are keyed by the target too, beside it: two links to one file
 * share one journal and one lock. Messages name the path as given.
 */
export class CallListRepository {
  readonly headers: readonly string[];
  /** Rewrites done and bytes written to the CSV, for benchmarks and the O(rows) guarantee. */
  readonly stats = { rewrites: 0, bytesWritten: 0 };
  private content: Buffer;
  /**
   * The buffer the previous content lived in, reused by the next rewrite: two buffers take turns
   * instead of a fresh file-sized allocation per rewrite, which the allocator may never give back.
   */
  private spare?: Buffer;
  /** The whole allocation `content` is a view of, once a rewrite made it (never a pooled slice). */
  private contentAllocation?: Buffer;
  private cells!: OutcomeCellIndex;
  private rowList: CallListRow[] = [];
  private readonly columnIndex: Record<string, number>;
  /** The cells an outcome writes: the three required ones, then callback_at and address_update where the file has them. */
  private readonly outcomeColumns: readonly OutcomeColumn[];
  private readonly pending = new Map<number, Outcome>();
  private writer: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private journalQueue: { line: string; done: () => void; fail: (e: Error) => void }[] = [];
  private journalBusy = false;
  /** A rewrite triggered by the pending count is queued or running: one is enough. */
  private countFlushQueued = false;
  private closed = false;
  private lastWritten: { size: number; mtimeMs: number };
  private readonly log: Logger;

  private constructor(
    readonly path: string,
    /** `path` with every symlink resolved: the file that is read and written. */
    readonly targetPath: string,
    content: Buffer,
    headers: string[],
    fileStat: { size: number; mtimeMs: number },
    private readonly options: CallListOptions,
  ) {
    this.content = content;
    this.headers = headers;
    this.columnIndex = Object.fromEntries(headers.map((name, i) => [name, i]));
    this.outcomeColumns = [...REQUIRED_OUTCOME_COLUMNS, ...OPTIONAL_OUTCOME_COLUMNS.filter((name) => name in this.columnIndex)];
    this.lastWritten = fileStat;
    this.log = options.logger ?? silentLogger();
  }

  get journalPath(): string {
    return `${this.targetPath}.journal`;
  }

  static async open(path: string, options: CallListOptions = {}): Promise<CallListRepository> {
    let content: Buffer;
    let fileStat;
    let target: string;
    try {
      target = await realpath(path);
      fileStat = await stat(target);
      content = await readFile(target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new CallListError('NOT_FOUND', `${path}: no such file`);
      throw new CallListError('UNREADABLE', `${path}: cannot read (${code ?? String(error)})`);
    }
    if (content.length > 0x7fffffff) throw new CallListError('UNREADABLE', `${path}: larger than 2 GiB; split the call list`);
    assertUtf8(path, content);
    const { headers } = await parseHeaderAndCheck(path, content);
    const repository = new CallListRepository(path, target, content, headers, fileStat, options);
    await repository.index();
    if (!options.readOnly) await removeStaleTempFiles(target);
    await repository.replayJournal();
    return repository;
  }

  rows(): readonly CallListRow[] {
    return this.rowList;
  }

  /** Rows to call (empty, retried or "to do" statuses), in file order, bad numbers included. */
  pendingRows(): CallListRow[] {
    return this.rowList.filter((row) => row.statusKind === 'pending' && !this.pending.has(row.index));
  }

  /** Rows whose status codcall does not know: a campaign lists them and, unless told otherwise, leaves them alone. */
  unknownStatusRows(): CallListRow[] {
    return this.rowList.filter((row) => row.statusKind === 'unknown' && !this.pending.has(row.index));
  }

  /** Rows that are the same order to the same number, grouped (see findDuplicateRows). */
  duplicateGroups(): CallListRow[][] {
    return findDuplicateRows(this.rowList);
  }

  async record(key: string, outcome: Outcome): Promise<void> {
    if (this.closed) throw new CallListError('CLOSED', `${this.path}: the call list is closed`);
    if (this.options.readOnly) throw new CallListError('READ_ONLY', `${this.path}: opened read-only`);
    const row = this.rowByKey(key);
    const clean = validateOutcome(outcome);
    await this.appendJournal({ key, index: row.index, order_id: row.values['order_id'], phone: row.values['recipient_phone_number'], outcome: clean, ts: new Date().toISOString() });
    this.pending.set(row.index, clean);
    setStatus(row, clean.status);
    if (this.pending.size >= Math.max(64, Math.ceil(this.rowList.length / 16))) {
      if (!this.countFlushQueued) {
        this.countFlushQueued = true;
        void this.flush()
          .catch((error) => this.log.error({ err: error }, 'call list flush failed'))
          .finally(() => (this.countFlushQueued = false));
      }
    } else if (!this.timer) {
      const delay = Math.max(this.options.flushIntervalMs ?? 500, (this.content.length / TIMED_REWRITE_BYTES_PER_SECOND) * 1000);
      this.timer = setTimeout(() => void this.flush().catch((error) => this.log.error({ err: error }, 'call list flush failed')), delay);
      // An abandoned repository must not hold the process open; close() flushes anyway.
      this.timer.unref();
    }
  }

  flush(): Promise<void> {
    if (this.options.readOnly) return Promise.resolve();
    const run = this.writer.then(() => this.writeOutcomes());
    this.writer = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    clearTimeout(this.timer);
  }

  // ---- reading ----

  /**
   * Reads every row once, in a single pass: fast-csv parses the bytes as a stream and each row it
   * yields is checked against the byte scanner's record for the same row (a file two parsers
   * disagree on is never written). Only the rows' values and a compact index of the outcome cells
   * are kept, so a 100,000-row file costs tens of megabytes, not hundreds.
   */
  private async index(): Promise<void> {
    const bomLength = this.content.subarray(0, 3).equals(BOM) ? 3 : 0;
    const content = this.content;
    this.cells = new OutcomeCellIndex(this.outcomeColumns.map((name) => this.columnIndex[name]));
    let pos = bomLength;
    let line = 1;
    const nextRecord = (): RecordSpan | undefined => {
      while (pos < content.length) {
        const [record] = scanCsv(content, pos, 1, line);
        pos = record.next;
        line = record.nextLine;
        if (!record.blank) return record;
      }
      return undefined;
    };
    let seenHeader = false;
    const disagree = (near: number) => new CallListError('MALFORMED', `${this.path}: could not read the file unambiguously near line ${near}`);
    try {
      await new Promise<void>((resolve, reject) => {
        const parser = parse({ ignoreEmpty: true })
          .on('error', (error) => reject(error instanceof CallListError ? error : new CallListError('MALFORMED', `${this.path}: ${error.message}`)))
          .on('data', (values: string[]) => {
            const near = line;
            const record = nextRecord();
            if (!record || record.fields.length !== values.length || record.fields.some((field, i) => field.value !== values[i])) {
              parser.destroy(disagree(record?.line ?? near));
              return;
            }
            if (!seenHeader) {
              seenHeader = true;
              return;
            }
            this.addRow(record);
          })
          .on('end', () => resolve());
        Readable.from(chunks(content.subarray(bomLength))).on('error', reject).pipe(parser);
      });
    } catch (error) {
      if (error instanceof CsvScanError) throw new CallListError('MALFORMED', `${this.path}: ${error.message}`);
      throw error;
    }
    const extra = nextRecord();
    if (extra) throw disagree(extra.line);
  }

  private addRow(record: RecordSpan): void {
    const index = this.rowList.length;
    const values: Record<string, string> = {};
    this.headers.forEach((name, i) => (values[name] = record.fields[i]?.value ?? ''));
    this.cells.push(record);
    const recognised = recogniseStatus(values['status']);
    this.rowList.push({
      key: `row:${index}`,
      index,
      line: record.line,
      values,
      phone: checkPhone(values['recipient_phone_number'], this.options.strictNumbers),
      status: recognised.status ?? values['status'].trim(),
      statusKind: recognised.kind,
    });
  }

  private async replayJournal(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.journalPath, 'utf8');
    } catch {
      return;
    }
    const lines = text.split('\n').filter((line) => line.trim());
    let replayed = 0;
    for (const [i, line] of lines.entries()) {
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        // Only a last line cut short by a crash can be partial, and it was never acknowledged.
        if (i === lines.length - 1) break;
        throw new CallListError('MALFORMED', `${this.journalPath}: line ${i + 1} is not a journal entry`);
      }
      const row = this.rowList[entry.index];
      if (!row || row.values['order_id'] !== entry.order_id || row.values['recipient_phone_number'] !== entry.phone) {
        throw new CallListError(
          'CHANGED_ON_DISK',
          `${this.path}: the journal of an interrupted run does not match row ${entry.index + 1} (order ${entry.order_id}); the CSV was edited since. Restore it or remove ${this.journalPath}.`,
        );
      }
      this.pending.set(row.index, validateOutcome(entry.outcome));
      setStatus(row, entry.outcome.status);
      replayed++;
    }
    if (this.options.readOnly) return;
    if (replayed) {
      this.log.info({ replayed }, 'applying outcomes journalled before an interruption');
      await this.flush();
    } else await this.truncateJournal();
  }

  // ---- writing ----

  private appendJournal(entry: JournalEntry): Promise<void> {
    return new Promise((done, fail) => {
      this.journalQueue.push({ line: `${JSON.stringify(entry)}\n`, done, fail });
      void this.drainJournal();
    });
  }

  /** Group commit: everything queued while one fsync runs goes out in the next single write. */
  private async drainJournal(): Promise<void> {
    if (this.journalBusy) return;
    this.journalBusy = true;
    try {
      while (this.journalQueue.length) {
        const batch = this.journalQueue.splice(0);
        let handle: FileHandle | undefined;
        try {
          handle = await open(this.journalPath, 'a');
          await handle.write(batch.map((item) => item.line).join(''));
          await handle.datasync();
          batch.forEach((item) => item.done());
        } catch (error) {
          batch.forEach((item) => item.fail(error as Error));
        } finally {
          await handle?.close();
        }
      }
    } finally {
      this.journalBusy = false;
    }
  }

  private async writeOutcomes(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    await this.assertUnchangedOnDisk();
    const batch = new Map(this.pending);
    const { next, allocation } = this.patch(batch);
    // Beside the target, so the rename stays on its filesystem and replaces the file, not a link to it.
    const temp = join(dirname(this.targetPath), `.${basename(this.targetPath)}.${process.pid}.tmp`);
    const mode = (await stat(this.targetPath)).mode;
    const handle = await open(temp, 'w', mode);
    try {
      await handle.write(next);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.targetPath);
    await syncDirectory(dirname(this.targetPath));
    this.stats.rewrites++;
    this.stats.bytesWritten += next.length;
    const written = await stat(this.targetPath);
    this.lastWritten = { size: written.size, mtimeMs: written.mtimeMs };
    this.spare = this.contentAllocation;
    this.contentAllocation = allocation;
    this.content = next;
    this.cells.rebase(next, new Set(batch.keys()));
    for (const [index, outcome] of batch) if (this.pending.get(index) === outcome) this.pending.delete(index);
    // Entries that arrived during this write are still pending and still journalled.
    if (this.pending.size === 0 && this.journalQueue.length === 0) await this.truncateJournal();
  }

  private patch(batch: Map<number, Outcome>): { next: Buffer; allocation: Buffer } {
    const edits: { start: number; end: number; text: string }[] = [];
    for (const [index, outcome] of batch) {
      const record = this.cells.get(index);
      const cells = outcomeCells(outcome);
      // A cell whose text is undefined is left as it is (an address_update the call did not correct).
      const targets = this.outcomeColumns
        .map((name, i) => ({ column: this.columnIndex[name], text: cells[name], field: record.cells[i] }))
        .filter((target): target is { column: number; text: string; field: (typeof record.cells)[number] } => target.text !== undefined);
      const missing = targets.filter((t) => t.column >= record.fieldCount);
      for (const target of targets) {
        const field = target.field;
        if (!field) continue;
        const text = formatCell(target.text, field.quoted);
        if (this.content.toString('utf8', field.start, field.end) !== text) edits.push({ start: field.start, end: field.end, text });
      }
      if (missing.length) {
        // A short row: add the separators (and values) it lacks, up to the last cell we write.
        const last = Math.max(...missing.map((t) => t.column));
        let tail = '';
        for (let column = record.fieldCount; column <= last; column++) tail += `,${formatCell(targets.find((t) => t.column === column)?.text ?? '', false)}`;
        edits.push({ start: record.end, end: record.end, text: tail });
      }
    }
    edits.sort((a, b) => a.start - b.start);
    // Straight into one buffer of the final size: no slice or buffer per edit for the GC to chase.
    let size = this.content.length;
    for (const edit of edits) size += Buffer.byteLength(edit.text, 'utf8') - (edit.end - edit.start);
    // Room to grow: the status cells of an untouched list fill up as the campaign goes.
    const allocation = this.spare && this.spare.length >= size ? this.spare : Buffer.allocUnsafeSlow(Math.ceil(size * 1.125));
    this.spare = undefined;
    const next = allocation.subarray(0, size);
    let cursor = 0;
    let at = 0;
    for (const edit of edits) {
      at += this.content.copy(next, at, cursor, edit.start);
      at += next.write(edit.text, at, 'utf8');
      cursor = edit.end;
    }
    this.content.copy(next, at, cursor);
    return { next, allocation };
  }

  private async assertUnchangedOnDisk(): Promise<void> {
    const now = await stat(this.targetPath).catch(() => undefined);
    if (now && now.size === this.lastWritten.size && now.mtimeMs === this.lastWritten.mtimeMs) return;
    const onDisk = await readFile(this.targetPath).catch(() => undefined);
    if (onDisk && sha256(onDisk) === sha256(this.content)) {
      this.lastWritten = { size: now!.size, mtimeMs: now!.mtimeMs };
      return;
    }
    throw new CallListError(
      'CHANGED_ON_DISK',
      `${this.path} was changed by another program during the campaign; outcomes are kept in ${this.journalPath} and were not written`,
    );
  }

  private async truncateJournal(): Promise<void> {
    const handle = await open(this.journalPath, 'w').catch(() => undefined);
    if (!handle) return;
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private rowByKey(key: string): CallListRow {
    const match = /^row:(\d+)$/.exec(key);
    const row = match ? this.rowList[Number(match[1])] : undefined;
    if (!row) throw new CallListError('UNKNOWN_ROW', `${this.path}: no row with key ${key}`);
    return row;
  }
}

/**
 * The text of each outcome cell: the reschedule cells belong to rescheduled and callback_at to
 * callback_requested (emptied for any other status, so a row never shows a stale time); the
 * address correction is written when the call made one and otherwise left as the file has it.
 */
function outcomeCells(outcome: Outcome): Record<OutcomeColumn, string | undefined> {
  return {
    status: outcome.status,
    reschedule_date: outcome.status === 'rescheduled' ? (outcome.reschedule_date ?? '') : '',
    reschedule_time: outcome.status === 'rescheduled' ? (outcome.reschedule_time ?? '') : '',
    callback_at: outcome.status === 'callback_requested' ? (outcome.callback_at ?? '') : '',
    address_update: outcome.address_update,
  };
}

/** After an outcome is recorded (or replayed): the row's status is that outcome's. */
function setStatus(row: CallListRow, status: Outcome['status']): void {
  row.status = status;
  row.statusKind = recogniseStatus(status).kind;
}

async function parseHeaderAndCheck(path: string, content: Buffer): Promise<{ headers: string[] }> {
  const text = (content.subarray(0, 3).equals(BOM) ? content.subarray(3) : content).toString('utf8');
  if (!text.trim()) throw new CallListError('EMPTY', `${path}: the file is empty`);
  const firstLine = await new Promise<string[]>((resolve, reject) => {
    let header: string[] | undefined;
    parseString(text, { maxRows: 1, ignoreEmpty: true })
      .on('error', (error) => reject(new CallListError('MALFORMED', `${path}: ${error.message}`)))
      .on('data', (row: string[]) => (header ??= row))
      .on('end', () => resolve(header ?? []));
  });
  const headers = firstLine.map((name) => name.trim());
  const missing = REQUIRED_COLUMNS.filter((column) => !headers.includes(column));
  if (missing.length) {
    throw new CallListError(
      'MISSING_COLUMNS',
      `${path}: missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the header has: ${headers.join(', ')})`,
    );
  }
  const duplicates = headers.filter((name, i) => headers.indexOf(name) !== i);
  if (duplicates.length) throw new CallListError('DUPLICATE_COLUMNS', `${path}: column ${[...new Set(duplicates)].join(', ')} appears more than once`);
  return { headers };
}

/**
 * A rewrite killed between writing its temp file and renaming it leaves `.<name>.<pid>.tmp`
 * beside the CSV's target; the CSV itself is whole (rename is atomic). Removes those whose process is gone.
 */
async function removeStaleTempFiles(path: string): Promise<void> {
  const name = basename(path);
  const prefix = `.${name}.`;
  const entries = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue;
    const pid = Number(entry.slice(prefix.length, -'.tmp'.length));
    if (!Number.isInteger(pid) || pid <= 0 || processIsAlive(pid)) continue;
    await unlink(join(dirname(path), entry)).catch(() => undefined);
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The file in 64 KiB pieces, for the streaming parser. */
function* chunks(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += 65_536) yield bytes.subarray(at, at + 65_536);
}

function validateOutcome(outcome: Outcome): Outcome {
  if (!OUTCOME_STATUSES.includes(outcome.status)) {
    throw new CallListError('INVALID_OUTCOME', `unknown status "${outcome.status}" (one of ${OUTCOME_STATUSES.join(', ')})`);
  }
  const clean: Outcome = { status: outcome.status };
  if (outcome.status === 'rescheduled') {
    const date = outcome.reschedule_date ?? '';
    const time = outcome.reschedule_time ?? '';
    if (!isCalendarDate(date)) throw new CallListError('INVALID_OUTCOME', `reschedule_date must be a real YYYY-MM-DD date, got "${date}"`);
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) throw new CallListError('INVALID_OUTCOME', `reschedule_time must be HH:MM (24 h), got "${time}"`);
    Object.assign(clean, { reschedule_date: date, reschedule_time: time });
  }
  if (outcome.status === 'callback_requested' && outcome.callback_at !== undefined && outcome.callback_at !== '') {
    if (!isIsoMoment(outcome.callback_at)) {
      throw new CallListError('INVALID_OUTCOME', `callback_at must be an ISO 8601 time with its offset (2026-12-01T18:00+05:30), got "${outcome.callback_at}"`);
    }
    clean.callback_at = outcome.callback_at;
  }
  const address = outcome.address_update?.replace(/\s+/g, ' ').trim();
  if (address) {
    if (address.length > MAX_ADDRESS_UPDATE_CHARS) {
      throw new CallListError('INVALID_OUTCOME', `address_update is ${address.length} characters long; at most ${MAX_ADDRESS_UPDATE_CHARS} are written`);
    }
    clean.address_update = asSpreadsheetText(address);
  }
  return clean;
}

/** '2026-12-01T18:00+05:30' (seconds and fractions allowed, Z or an offset required): a moment, not a wall-clock time without a zone. */
function isIsoMoment(text: string): boolean {
  const match = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/.exec(text);
  return match !== null && isCalendarDate(match[1]);
}

/**
 * What a callee said is written as text a spreadsheet will not run: a cell starting with = + - @
 * (or a tab or carriage return) is a formula to Excel and LibreOffice, so it gets a leading apostrophe (OWASP's CSV-injection advice).
 */
function asSpreadsheetText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === text;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
