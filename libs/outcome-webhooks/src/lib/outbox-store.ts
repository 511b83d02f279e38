import Database from 'better-sqlite3';

/**
 * pending: to be sent (or handed to BullMQ) at next_attempt_at; queued: handed to BullMQ, which
 * retries it from Redis; delivered: a 2xx; gone: the receiver answered 410; dead: given up.
 */
export type DeliveryState = 'pending' | 'queued' | 'delivered' | 'gone' | 'dead';

export interface StoredDelivery {
  seq: number;
  eventId: string;
  campaignId: string;
  url: string;
  /** The JSON body exactly as it is sent (and signed). */
  body: string;
  failures: number;
  createdAt: number;
}

/** A file that cannot be the outbox (another program's database, a newer schema). */
export class OutboxFileError extends Error {
  override readonly name = 'OutboxFileError';
}

const SCHEMA_VERSION = 1;
const SCHEMA = `
  CREATE TABLE outcome_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    campaign_id TEXT NOT NULL,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'queued', 'delivered', 'gone', 'dead')),
    failures INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    last_error TEXT,
    finished_at INTEGER
  );
  CREATE INDEX outcome_deliveries_by_state ON outcome_deliveries (state, seq);
`;
const BUSY_TIMEOUT_MS = 5000;
/** Finished deliveries are kept this long (their event ids dedupe an outcome accepted twice), dead ones longer for inspection. */
const KEEP_FINISHED_MS = 7 * 24 * 3_600_000;
const KEEP_DEAD_MS = 30 * 24 * 3_600_000;

/**
 * The outbox on disk. Synchronous (better-sqlite3) and FULL-synchronous in WAL mode: when
 * `accept` returns, the outcome survives a crash or a power cut. Several processes may share the
 * file (two CLIs on two CSVs beside one store): a delivery is claimed by leasing it past the
 * request's timeout in one transaction, so no two senders take it at once, and one whose sender
 * died comes due again. Opening the file makes every pending delivery due at once (a restart is
 * when a receiver that was down is likeliest back), bar those leased to a live sender.
 */
export class OutboxStore {
  private readonly statements;
  private readonly claimTransaction;

  private constructor(private readonly db: Database.Database) {
    const s = (sql: string) => db.prepare(sql);
    this.statements = {
      insert: s(`INSERT OR IGNORE INTO outcome_deliveries (event_id, campaign_id, url, body, state, created_at, next_attempt_at)
        VALUES (@eventId, @campaignId, @url, @body, 'pending', @at, @at)`),
      due: s(`SELECT seq, event_id, campaign_id, url, body, failures, created_at FROM outcome_deliveries
        WHERE state = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now) ORDER BY seq LIMIT @limit`),
      lease: s('UPDATE outcome_deliveries SET lease_until = ? WHERE seq = ?'),
      // A new sender tries what was waiting out a backoff at once; deliveries leased to a live sender stay its own.
      resume: s(`UPDATE outcome_deliveries SET next_attempt_at = @now WHERE state = 'pending' AND next_attempt_at > @now`),
      // The body is dropped once it is done with (a dead one is kept to be replayed by hand): the
      // row stays a week only for its event id, small at 100,000 outcomes a day.
      finish: s(`UPDATE outcome_deliveries SET state = @state, last_error = @error, finished_at = @at, lease_until = NULL,
        body = CASE WHEN @state = 'dead' THEN body ELSE '' END WHERE seq = @seq`),
      fail: s(`UPDATE outcome_deliveries SET failures = failures + 1, last_error = @error, next_attempt_at = @next, lease_until = NULL WHERE seq = @seq`),
      nextDue: s(`SELECT MIN(MAX(next_attempt_at, COALESCE(lease_until, 0))) AS next FROM outcome_deliveries WHERE state = 'pending'`),
      count: s('SELECT COUNT(*) AS n FROM outcome_deliveries WHERE state = ?'),
      state: s('SELECT state FROM outcome_deliveries WHERE event_id = ?'),
      prune: s(`DELETE FROM outcome_deliveries WHERE (state IN ('delivered', 'gone', 'queued') AND finished_at < @finished)
        OR (state = 'dead' AND finished_at < @dead)`),
    };
    this.claimTransaction = db.transaction((now: number, limit: number, leaseMs: number) => {
      const rows = this.statements.due.all({ now, limit }) as DeliveryRecord[];
      for (const row of rows) this.statements.lease.run(now + leaseMs, row.seq);
      return rows.map(toDelivery);
    });
  }

  static open(path: string, now = Date.now()): OutboxStore {
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.transaction(() => migrate(db, path)).immediate();
    } catch (error) {
      if (error instanceof OutboxFileError) throw error;
      throw new OutboxFileError(`${path}: cannot open the outcome webhook outbox (${(error as Error).message})`);
    }
    const store = new OutboxStore(db);
    store.statements.prune.run({ finished: now - KEEP_FINISHED_MS, dead: now - KEEP_DEAD_MS });
    store.statements.resume.run({ now });
    return store;
  }

  /** Writes the delivery, due now; false when this event id was accepted before (the same outcome twice). */
  accept(delivery: { eventId: string; campaignId: string; url: string; body: string; at: number }): boolean {
    return this.statements.insert.run(delivery).changes === 1;
  }

  /** The oldest due deliveries, at most `limit`, each leased to the caller for `leaseMs`. */
  claimDue(now: number, limit: number, leaseMs: number): StoredDelivery[] {
    if (limit <= 0) return [];
    return this.claimTransaction.immediate(now, limit, leaseMs);
  }

  finish(seq: number, state: Exclude<DeliveryState, 'pending'>, at: number, error?: string): void {
    this.statements.finish.run({ seq, state, at, error: error ?? null });
  }

  /** One more failure; due again at `nextAttemptAt`. */
  failed(seq: number, error: string, nextAttemptAt: number): void {
    this.statements.fail.run({ seq, error, next: nextAttemptAt });
  }

  /** When the next pending delivery is due (or its lease runs out), or undefined when none is pending. */
  nextDueAt(): number | undefined {
    return (this.statements.nextDue.get() as { next: number | null }).next ?? undefined;
  }

  count(state: DeliveryState): number {
    return (this.statements.count.get(state) as { n: number }).n;
  }

  stateOf(eventId: string): DeliveryState | undefined {
    return (this.statements.state.get(eventId) as { state: DeliveryState } | undefined)?.state;
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

interface DeliveryRecord {
  seq: number;
  event_id: string;
  campaign_id: string;
  url: string;
  body: string;
  failures: number;
  created_at: number;
}

function toDelivery(record: DeliveryRecord): StoredDelivery {
  return { seq: record.seq, eventId: record.event_id, campaignId: record.campaign_id, url: record.url, body: record.body, failures: record.failures, createdAt: record.created_at };
}

function migrate(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION) throw new OutboxFileError(`${path}: the outcome webhook outbox was written by a newer codcall (schema ${version})`);
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
  if (tables.n > 0) throw new OutboxFileError(`${path}: this SQLite file is not a codcall outcome webhook outbox`);
  db.exec(SCHEMA);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}
