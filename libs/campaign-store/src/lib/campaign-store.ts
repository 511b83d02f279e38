import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CampaignStoreError } from './campaign-store-error';
import { MIGRATIONS, OLDEST_READABLE_SCHEMA, SCHEMA, SCHEMA_VERSION } from './schema';
import type { TurnTimingEntry } from './turn-timing-entry';

/** Where a row of a campaign stands: waiting to be dialled (first time or a retry), or done for this campaign. */
export type StoredRowState = 'waiting' | 'done';

export interface StoredRow {
  rowKey: string;
  orderId: string;
  /** E.164. */
  phone: string;
  state: StoredRowState;
  /** Attempts started so far. */
  attempts: number;
  /** Epoch ms before which the row is not dialled (a retry's spacing); undefined = now. */
  nextDueAt?: number;
  /** The outcome the CSV must show once the row is done. */
  finalOutcome?: StoredOutcome;
  /** The last attempt's outcome, done or not (what the CSV gets if the row is not tried again). */
  lastOutcome?: StoredOutcome;
}

/** Stored as JSON: a field added here (callback_at, address_update) needs no schema migration, and older outcomes simply lack it. */
export interface StoredOutcome {
  status: string;
  reschedule_date?: string;
  reschedule_time?: string;
  /** With callback_requested: when the callee asked to be called (ISO 8601 with its offset); the row waits until then. */
  callback_at?: string;
  /** The address the callee corrected during the call. */
  address_update?: string;
  reason?: string;
}

/**
 * One attempt to call a row. `dialling` is written before the gateway is asked to dial; `placed`
 * once the gateway answered with a call id; `finished` with the outcome.
 */
export type AttemptState = 'dialling' | 'placed' | 'finished';

export interface Attempt {
  id: number;
  rowKey: string;
  phone: string;
  attemptNo: number;
  /** The dial's idempotency key at the gateway. */
  ref: string;
  state: AttemptState;
  callId?: string;
  carrier: string;
  carrierStatus?: string;
  outcome?: StoredOutcome;
  createdAt: number;
  placedAt?: number;
  finishedAt?: number;
}

/** What the gateway kept of a finished call, stored beside its attempt. */
export interface CallRecordEntry {
  callId: string;
  durationSeconds?: number;
  costEstimate?: number;
  transcript?: unknown[];
  toolCalls?: unknown[];
  turnLatenciesMs?: number[];
  /** Every turn leg by leg; absent from records kept before schema 2. */
  turns?: TurnTimingEntry[];
  /** Characters sent to speech synthesis for the call; absent from records kept before schema 2. */
  ttsCharacters?: number;
  timeline?: unknown[];
  recording?: string;
}

export interface DoNotCallEntry {
  phone: string;
  source: 'list' | 'callee';
  reason?: string;
  addedAt: number;
}

export interface BeginAttemptInput {
  rowKey: string;
  orderId: string;
  phone: string;
  attemptNo: number;
  carrier: string;
  at: number;
  /** The dial's idempotency key; a new UUID by default. */
  ref?: string;
}

export interface FinishAttemptInput {
  outcome: StoredOutcome;
  carrierStatus?: string;
  at: number;
  row: RowAfterAttempt;
  record?: CallRecordEntry;
  /**
   * Duplicate rows (same order, same number) the call was made for too: once the row is done they
   * are done with the same outcome, in the same transaction, so a crash never splits the group.
   */
  sameOutcomeFor?: readonly { rowKey: string; orderId: string }[];
}

/** How long a statement waits for another campaign's commit on the same store file. */
const BUSY_TIMEOUT_MS = 15_000;

/** What the row becomes once an attempt has ended: done with its final outcome, or waiting for a retry. */
export type RowAfterAttempt = { state: 'done' } | { state: 'waiting'; nextDueAt: number };

interface RowRecord {
  row_key: string;
  order_id: string;
  phone: string;
  state: StoredRowState;
  attempts: number;
  next_due_at: number | null;
  final_outcome: string | null;
}

interface AttemptRecord {
  id: number;
  row_key: string;
  phone: string;
  attempt_no: number;
  ref: string;
  state: AttemptState;
  call_id: string | null;
  carrier: string;
  carrier_status: string | null;
  outcome: string | null;
  created_at: number;
  placed_at: number | null;
  finished_at: number | null;
}

export interface CampaignIdentity {
  /** Names the campaign in the store: by default the CSV's path and a fingerprint of its rows. */
  key: string;
  csvPath: string;
}

/**
 * The campaign's memory in SQLite (better-sqlite3): every attempt, written before the gateway is
 * asked to dial; each row's schedule (attempts made, when it is next due, or done); the call
 * records; and the do-not-call list, shared by every campaign in the same store file.
 *
 * WAL with synchronous=NORMAL: a commit is in the WAL (the OS's page cache) when the call returns,
 * so a killed process (kill -9, OOM) loses nothing; only a power cut can roll back the last
 * commits, and FULL would cost an fsync per attempt (three per call) for that case alone.
 * Set `synchronous: 'FULL'` where power loss matters more than throughput.
 *
 * Every transaction is BEGIN IMMEDIATE: it takes the write lock before its first read, so a
 * second campaign sharing the file waits (busy_timeout) instead of failing. A deferred one that
 * read first and then wrote after the other's commit would get SQLITE_BUSY at once, busy_timeout
 * or not ("database is locked").
 */
export class CampaignStore {
  readonly campaignId: number;
  private readonly statements;
  private readonly transactions;
  /** Prepared on first use: a report reading a store of an older schema never writes, and its table lacks the newer columns. */
  private insertCallRecord?: Database.Statement;
  private callRecordByAttempt?: Database.Statement;
  private callRecordMeasuresQuery?: Database.Statement;
  private attemptByCall?: Database.Statement;

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    campaignId: number,
  ) {
    this.campaignId = campaignId;
    const s = (sql: string) => db.prepare(sql);
    this.statements = {
      rows: s('SELECT * FROM campaign_rows WHERE campaign_id = ?'),
      upsertRow: s(`INSERT INTO campaign_rows (campaign_id, row_key, order_id, phone, state, attempts, next_due_at, final_outcome, updated_at)
        VALUES (@campaign, @rowKey, @orderId, @phone, @state, @attempts, @nextDueAt, @finalOutcome, @at)
        ON CONFLICT (campaign_id, row_key) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
          next_due_at = excluded.next_due_at, final_outcome = excluded.final_outcome, updated_at = excluded.updated_at`),
      insertAttempt: s(`INSERT INTO attempts (campaign_id, row_key, phone, attempt_no, ref, state, carrier, created_at)
        VALUES (@campaign, @rowKey, @phone, @attemptNo, @ref, 'dialling', @carrier, @at)`),
      placeAttempt: s(`UPDATE attempts SET state = 'placed', call_id = @callId, placed_at = @at WHERE id = @id AND state = 'dialling'`),
      finishAttempt: s(`UPDATE attempts SET state = 'finished', outcome = @outcome, carrier_status = @carrierStatus, finished_at = @at WHERE id = @id`),
      openAttempts: s(`SELECT * FROM attempts WHERE campaign_id = ? AND state != 'finished' ORDER BY id`),
      attempts: s('SELECT * FROM attempts WHERE campaign_id = ? ORDER BY id'),
      attemptById: s('SELECT * FROM attempts WHERE id = ?'),
      callRecords: s(`SELECT c.* FROM call_records c JOIN attempts a ON a.id = c.attempt_id WHERE a.campaign_id = ? ORDER BY c.attempt_id`),
      addDnc: s(`INSERT INTO do_not_call (phone, source, reason, added_at) VALUES (@phone, @source, @reason, @addedAt)
        ON CONFLICT (phone) DO UPDATE SET source = CASE WHEN do_not_call.source = 'callee' THEN 'callee' ELSE excluded.source END`),
      isDnc: s('SELECT 1 FROM do_not_call WHERE phone = ?'),
      dnc: s('SELECT * FROM do_not_call ORDER BY phone'),
      rowByKey: s('SELECT * FROM campaign_rows WHERE campaign_id = ? AND row_key = ?'),
      deleteAttempt: s('DELETE FROM attempts WHERE id = ?'),
      uncountAttempt: s('UPDATE campaign_rows SET attempts = attempts - 1 WHERE campaign_id = ? AND row_key = ? AND attempts > 0'),
    };
    // Built once: better-sqlite3 wraps a function per transaction() call, and these run per dial.
    // Each is run as `.immediate` (see the class comment).
    const transactions = {
      begin: db.transaction((input: BeginAttemptInput & { ref: string }) => {
        const { lastInsertRowid } = this.statements.insertAttempt.run({
          campaign: this.campaignId, rowKey: input.rowKey, phone: input.phone, attemptNo: input.attemptNo, carrier: input.carrier, at: input.at, ref: input.ref,
        });
        this.statements.upsertRow.run({
          campaign: this.campaignId, rowKey: input.rowKey, orderId: input.orderId, phone: input.phone,
          state: 'waiting', attempts: input.attemptNo, nextDueAt: null, finalOutcome: null, at: input.at,
        });
        return Number(lastInsertRowid);
      }),
      finish: db.transaction((attemptId: number, input: FinishAttemptInput) => this.finishInTransaction(attemptId, input)),
      cancel: db.transaction((attemptId: number) => {
        const attempt = this.statements.attemptById.get(attemptId) as AttemptRecord | undefined;
        if (!attempt || attempt.state !== 'dialling') return;
        this.statements.deleteAttempt.run(attemptId);
        this.statements.uncountAttempt.run(this.campaignId, attempt.row_key);
      }),
      takeBack: db.transaction((attemptId: number) => {
        const attempt = this.statements.attemptById.get(attemptId) as AttemptRecord | undefined;
        if (!attempt || attempt.state === 'finished') return;
        this.statements.deleteAttempt.run(attemptId);
        this.statements.uncountAttempt.run(this.campaignId, attempt.row_key);
      }),
      addList: db.transaction((phones: Iterable<string>, at: number) => {
        for (const phone of phones) this.addDoNotCall({ phone, source: 'list', addedAt: at });
      }),
      finishWithoutCall: db.transaction((input: { rowKey: string; orderId: string; phone: string; outcome: StoredOutcome; at: number }) => {
        const existing = this.rowRecord(input.rowKey);
        this.statements.upsertRow.run({
          campaign: this.campaignId, rowKey: input.rowKey, orderId: input.orderId, phone: input.phone, state: 'done',
          attempts: existing?.attempts ?? 0, nextDueAt: null, finalOutcome: JSON.stringify(input.outcome), at: input.at,
        });
      }),
    };
    this.transactions = {
      begin: (input: BeginAttemptInput & { ref: string }) => transactions.begin.immediate(input),
      finish: (attemptId: number, input: FinishAttemptInput) => transactions.finish.immediate(attemptId, input),
      cancel: (attemptId: number) => transactions.cancel.immediate(attemptId),
      takeBack: (attemptId: number) => transactions.takeBack.immediate(attemptId),
      addList: (phones: Iterable<string>, at: number) => transactions.addList.immediate(phones, at),
      finishWithoutCall: (input: { rowKey: string; orderId: string; phone: string; outcome: StoredOutcome; at: number }) => transactions.finishWithoutCall.immediate(input),
    };
  }

  /**
   * Opens (creating if need be) the store at `path` (':memory:' for tests) and the campaign named by
   * `identity` in it. Throws CampaignStoreError naming the file when it is not a store or unreadable.
   */
  static open(path: string, identity: CampaignIdentity, options: { synchronous?: 'NORMAL' | 'FULL'; now?: () => number } = {}): CampaignStore {
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      // Two campaigns on different CSVs may share one store file: wait for the other's commit.
      // First, so that even switching a new file to WAL waits rather than fails.
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      // Switching a new file to WAL needs an exclusive lock; when two processes both hold a shared
      // one, SQLite refuses one of them at once (deadlock avoidance, no busy handler): try again.
      const opened = db;
      retryWhileBusy(() => opened.pragma('journal_mode = WAL'), BUSY_TIMEOUT_MS);
      db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
      db.pragma('foreign_keys = ON');
      db.transaction(() => migrate(db, path)).immediate();
    } catch (error) {
      if (error instanceof CampaignStoreError) throw error;
      throw new CampaignStoreError('UNREADABLE', `${path}: cannot open the campaign store (${(error as Error).message})`);
    }
    const now = options.now ?? Date.now;
    const campaignId = db.transaction(() => {
      db.prepare('INSERT OR IGNORE INTO campaigns (key, csv_path, created_at) VALUES (?, ?, ?)').run(identity.key, identity.csvPath, now());
      return (db.prepare('SELECT id FROM campaigns WHERE key = ?').get(identity.key) as { id: number }).id;
    });
    return new CampaignStore(path, db, campaignId.immediate());
  }

  /**
   * Opens an existing store read-only, for reports: undefined when the file does not exist.
   * A campaign the store has never seen reads as empty.
   */
  static openForReading(path: string, identity: Pick<CampaignIdentity, 'key'>): CampaignStore | undefined {
    if (!existsSync(path)) return undefined;
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
      const version = db.pragma('user_version', { simple: true }) as number;
      // A store of an older schema is read as it is (read-only: its next campaign upgrades it).
      if (version < OLDEST_READABLE_SCHEMA || version > SCHEMA_VERSION) {
        throw new CampaignStoreError('NOT_A_STORE', `${path}: not a codcall campaign store this version can read (schema ${version})`);
      }
    } catch (error) {
      if (error instanceof CampaignStoreError) throw error;
      throw new CampaignStoreError('UNREADABLE', `${path}: cannot open the campaign store (${(error as Error).message})`);
    }
    const found = db.prepare('SELECT id FROM campaigns WHERE key = ?').get(identity.key) as { id: number } | undefined;
    return new CampaignStore(path, db, found?.id ?? -1);
  }

  /** Every row this campaign has touched, by row key. */
  rows(): Map<string, StoredRow> {
    const rows = new Map<string, StoredRow>();
    for (const record of this.statements.rows.iterate(this.campaignId) as Iterable<RowRecord>) rows.set(record.row_key, toRow(record));
    return rows;
  }

  /**
   * Writes the attempt as `dialling` (and the row's attempt count) in one transaction. Call it
   * before asking the gateway to dial: after a crash the attempt is found and never forgotten.
   */
  beginAttempt(input: BeginAttemptInput): number {
    return this.transactions.begin({ ...input, ref: input.ref ?? randomUUID() });
  }

  /** The gateway accepted the call: from now on the call can be asked about by id. */
  attemptPlaced(attemptId: number, callId: string, at: number): void {
    this.statements.placeAttempt.run({ id: attemptId, callId, at });
  }

  /** Takes back an attempt whose dial surely never reached the gateway (the connection was refused). */
  cancelAttempt(attemptId: number): void {
    this.transactions.cancel(attemptId);
  }

  /**
   * Takes back an attempt the gateway accepted but never dialled (a queued dial whose calling
   * window closed before a gateway took it): placed or not, it is as if it had never begun.
   */
  takeBackUndialledAttempt(attemptId: number): void {
    this.transactions.takeBack(attemptId);
  }

  /**
   * Ends an attempt with its outcome and says what the row becomes, in one transaction, with the
   * call record if there is one. A callee's do_not_call goes on the shared do-not-call list too.
   */
  finishAttempt(attemptId: number, input: FinishAttemptInput): void {
    this.transactions.finish(attemptId, input);
  }

  /** A row settled without a call (invalid number, on the do-not-call list). */
  finishRowWithoutCall(input: { rowKey: string; orderId: string; phone: string; outcome: StoredOutcome; at: number }): void {
    this.transactions.finishWithoutCall(input);
  }

  /** Attempts a crash (or a drain timeout) left open: `dialling` ones may or may not have reached the gateway. */
  openAttempts(): Attempt[] {
    return (this.statements.openAttempts.all(this.campaignId) as AttemptRecord[]).map(toAttempt);
  }

  attempts(): Attempt[] {
    return (this.statements.attempts.all(this.campaignId) as AttemptRecord[]).map(toAttempt);
  }

  callRecords(): (CallRecordEntry & { attemptId: number })[] {
    return (this.statements.callRecords.all(this.campaignId) as Record<string, unknown>[]).map(toCallRecordEntry);
  }

  /**
   * The call records without what a report never reads (transcripts, tool calls, timelines): a
   * campaign's report reads every record, and those texts are most of a record's bytes.
   */
  callRecordMeasures(): (CallRecordEntry & { attemptId: number })[] {
    if (!this.callRecordMeasuresQuery) {
      // A store of schema 1, read as it is, lacks the newer columns.
      const columns = new Set((this.db.prepare('PRAGMA table_info(call_records)').all() as { name: string }[]).map((column) => column.name));
      const wanted = ['attempt_id', 'call_id', 'duration_seconds', 'cost_estimate', 'turn_latencies_ms', 'turns', 'tts_characters'].filter((name) => columns.has(name));
      this.callRecordMeasuresQuery = this.db.prepare(`SELECT ${wanted.map((name) => `c.${name}`).join(', ')} FROM call_records c JOIN attempts a ON a.id = c.attempt_id WHERE a.campaign_id = ? ORDER BY c.attempt_id`);
    }
    return (this.callRecordMeasuresQuery.all(this.campaignId) as Record<string, unknown>[]).map(toCallRecordEntry);
  }

  /** The attempt that placed `callId` (a call's own URL), found without reading the others. */
  attemptOfCall(callId: string): Attempt | undefined {
    this.attemptByCall ??= this.db.prepare('SELECT * FROM attempts WHERE campaign_id = ? AND call_id = ? ORDER BY id LIMIT 1');
    const record = this.attemptByCall.get(this.campaignId, callId) as AttemptRecord | undefined;
    return record ? toAttempt(record) : undefined;
  }

  /** One attempt's call record, read alone: a page of calls, or one call, of a campaign of 100,000 without parsing them all. */
  callRecordOfAttempt(attemptId: number): (CallRecordEntry & { attemptId: number }) | undefined {
    this.callRecordByAttempt ??= this.db.prepare('SELECT * FROM call_records WHERE attempt_id = ?');
    const record = this.callRecordByAttempt.get(attemptId) as Record<string, unknown> | undefined;
    return record ? toCallRecordEntry(record) : undefined;
  }

  addDoNotCall(entry: DoNotCallEntry): void {
    this.statements.addDnc.run({ phone: entry.phone, source: entry.source, reason: entry.reason ?? null, addedAt: entry.addedAt });
  }

  /** Adds many numbers in one transaction (the --dnc file). */
  addDoNotCallList(phones: Iterable<string>, at: number): void {
    this.transactions.addList(phones, at);
  }

  isDoNotCall(phone: string): boolean {
    return this.statements.isDnc.get(phone) !== undefined;
  }

  doNotCallList(): DoNotCallEntry[] {
    return (this.statements.dnc.all() as { phone: string; source: 'list' | 'callee'; reason: string | null; added_at: number }[]).map((r) => ({
      phone: r.phone,
      source: r.source,
      reason: r.reason ?? undefined,
      addedAt: r.added_at,
    }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private finishInTransaction(attemptId: number, input: FinishAttemptInput): void {
    const attempt = this.statements.attemptById.get(attemptId) as AttemptRecord | undefined;
    if (!attempt) throw new CampaignStoreError('UNKNOWN_ATTEMPT', `${this.path}: no attempt ${attemptId}`);
    const outcome = JSON.stringify(input.outcome);
    this.statements.finishAttempt.run({ id: attemptId, outcome, carrierStatus: input.carrierStatus ?? null, at: input.at });
    const row = this.rowRecord(attempt.row_key);
    this.statements.upsertRow.run({
      campaign: this.campaignId, rowKey: attempt.row_key, orderId: row?.order_id ?? '', phone: attempt.phone,
      state: input.row.state, attempts: Math.max(row?.attempts ?? 0, attempt.attempt_no),
      nextDueAt: input.row.state === 'waiting' ? input.row.nextDueAt : null,
      finalOutcome: outcome, at: input.at,
    });
    if (input.record) this.saveCallRecord(attemptId, input.record);
    if (input.row.state === 'done') {
      for (const duplicate of input.sameOutcomeFor ?? []) {
        const existing = this.rowRecord(duplicate.rowKey);
        this.statements.upsertRow.run({
          campaign: this.campaignId, rowKey: duplicate.rowKey, orderId: duplicate.orderId, phone: attempt.phone, state: 'done',
          attempts: existing?.attempts ?? 0, nextDueAt: null, finalOutcome: outcome, at: input.at,
        });
      }
    }
    if (input.outcome.status === 'do_not_call') this.addDoNotCall({ phone: attempt.phone, source: 'callee', reason: input.outcome.reason, addedAt: input.at });
  }

  private saveCallRecord(attemptId: number, record: CallRecordEntry): void {
    const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
    this.insertCallRecord ??= this.db.prepare(`INSERT OR REPLACE INTO call_records
        (attempt_id, call_id, duration_seconds, cost_estimate, transcript, tool_calls, turn_latencies_ms, timeline, recording, turns, tts_characters)
      VALUES (@attemptId, @callId, @durationSeconds, @costEstimate, @transcript, @toolCalls, @turnLatenciesMs, @timeline, @recording, @turns, @ttsCharacters)`);
    this.insertCallRecord.run({
      attemptId,
      callId: record.callId,
      durationSeconds: record.durationSeconds ?? null,
      costEstimate: record.costEstimate ?? null,
      transcript: json(record.transcript),
      toolCalls: json(record.toolCalls),
      turnLatenciesMs: json(record.turnLatenciesMs),
      timeline: json(record.timeline),
      recording: record.recording ?? null,
      turns: json(record.turns),
      ttsCharacters: record.ttsCharacters ?? null,
    });
  }

  private rowRecord(rowKey: string): RowRecord | undefined {
    return this.statements.rowByKey.get(this.campaignId, rowKey) as RowRecord | undefined;
  }
}

/** Runs `step`, again after a short pause while SQLite answers SQLITE_BUSY, for at most `budgetMs`. */
function retryWhileBusy<T>(step: () => T, budgetMs: number): T {
  const deadline = Date.now() + budgetMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      return step();
    } catch (error) {
      const busy = String((error as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY');
      if (!busy || Date.now() >= deadline) throw error;
      // Synchronous like the rest of better-sqlite3; opening a store happens once per campaign.
      Atomics.wait(pause, 0, 0, Math.min(5 * (attempt + 1), 50));
    }
  }
}

function migrate(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new CampaignStoreError('NEWER_SCHEMA', `${path}: the campaign store was written by a newer codcall (schema ${version}, this one knows ${SCHEMA_VERSION})`);
  }
  if (version === SCHEMA_VERSION) return;
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
  if (version === 0 && tables.n > 0) throw new CampaignStoreError('NOT_A_STORE', `${path}: this SQLite file is not a codcall campaign store`);
  if (version === 0) db.exec(SCHEMA);
  // An older store is upgraded in place, step by step, in the caller's transaction: all steps or none.
  else for (let next = version + 1; next <= SCHEMA_VERSION; next++) db.exec(MIGRATIONS[next]);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

function toRow(record: RowRecord): StoredRow {
  const outcome = record.final_outcome ? (JSON.parse(record.final_outcome) as StoredOutcome) : undefined;
  return {
    rowKey: record.row_key,
    orderId: record.order_id,
    phone: record.phone,
    state: record.state,
    attempts: record.attempts,
    nextDueAt: record.next_due_at ?? undefined,
    finalOutcome: record.state === 'done' ? outcome : undefined,
    lastOutcome: outcome,
  };
}

function toAttempt(record: AttemptRecord): Attempt {
  return {
    id: record.id,
    rowKey: record.row_key,
    phone: record.phone,
    attemptNo: record.attempt_no,
    ref: record.ref,
    state: record.state,
    callId: record.call_id ?? undefined,
    carrier: record.carrier,
    carrierStatus: record.carrier_status ?? undefined,
    outcome: record.outcome ? (JSON.parse(record.outcome) as StoredOutcome) : undefined,
    createdAt: record.created_at,
    placedAt: record.placed_at ?? undefined,
    finishedAt: record.finished_at ?? undefined,
  };
}

function parseJson<T>(value: unknown): T | undefined {
  return typeof value === 'string' ? (JSON.parse(value) as T) : undefined;
}

/** A call_records row as the campaign reads it. */
function toCallRecordEntry(r: Record<string, unknown>): CallRecordEntry & { attemptId: number } {
  return {
    attemptId: r['attempt_id'] as number,
    callId: r['call_id'] as string,
    durationSeconds: (r['duration_seconds'] as number | null) ?? undefined,
    costEstimate: (r['cost_estimate'] as number | null) ?? undefined,
    transcript: parseJson(r['transcript']),
    toolCalls: parseJson(r['tool_calls']),
    turnLatenciesMs: parseJson(r['turn_latencies_ms']),
    timeline: parseJson(r['timeline']),
    recording: (r['recording'] as string | null) ?? undefined,
    // Columns a store of schema 1, read as it is, does not have.
    turns: parseJson(r['turns']),
    ttsCharacters: (r['tts_characters'] as number | null) ?? undefined,
  };
}
