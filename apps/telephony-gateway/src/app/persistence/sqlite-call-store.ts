import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isCallPhase, type CallStore, type CallView, type StoredCall } from '@codcall/call-orchestration';
import type { CarrierName } from '@codcall/telephony-providers';

const LOCK_WAIT_MS = 5_000;
const SCHEMA_VERSION = 1;
export const CALL_STORE_FILE = 'calls.sqlite';

export class CallStoreInUseError extends Error {
  constructor(readonly path: string) {
    super(`the call store ${path} is in use by another gateway: give each gateway its own GATEWAY_DATA_DIR`);
  }
}

interface Row {
  call_id: string;
  agent_id: string;
  to_number: string;
  carrier: string;
  carrier_call_id: string | null;
  live_carrier_call_id: string | null;
  phase: string;
  outcome: string | null;
  idempotency_key: string | null;
  created_at: string;
  ended_at: string | null;
  answer_served: number;
  stream_token_used: number;
  view: string;
}

/**
 * The gateway's call store in SQLite (WAL, one file in GATEWAY_DATA_DIR): one row per call, written
 * synchronously on every change that matters, so a gateway killed at any moment still knows every
 * call it placed, its idempotency key, and whether its answer and stream token were spent.
 */
export class SqliteCallStore implements CallStore {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly byId: Database.Statement;
  private readonly byKey: Database.Statement;
  private readonly open: Database.Statement;

  private constructor(
    readonly path: string,
    lockWaitMs: number,
  ) {
    this.db = new Database(path);
    try {
      // A gateway still stopping may hold the store a moment; nobody else shares it once this one has it.
      this.db.pragma(`busy_timeout = ${lockWaitMs}`);
      // One gateway per store: a second one would end the first one's live calls as "gateway restarted".
      // The lock is the file's, so a killed gateway's is gone with it.
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      // NORMAL in WAL survives a killed process (what a restart recovers from); only a power cut may lose the last writes.
      this.db.pragma('synchronous = NORMAL');
      migrate(this.db);
      this.db.exec('BEGIN EXCLUSIVE; COMMIT;');
    } catch (error) {
      this.db.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new CallStoreInUseError(path);
      throw error;
    }
    this.upsert = this.db.prepare(`
      INSERT INTO calls (call_id, agent_id, to_number, carrier, carrier_call_id, live_carrier_call_id, phase, outcome, idempotency_key,
                         created_at, ended_at, answer_served, stream_token_used, view)
      VALUES (@call_id, @agent_id, @to_number, @carrier, @carrier_call_id, @live_carrier_call_id, @phase, @outcome, @idempotency_key,
              @created_at, @ended_at, @answer_served, @stream_token_used, @view)
      ON CONFLICT (call_id) DO UPDATE SET
        carrier_call_id = excluded.carrier_call_id, live_carrier_call_id = excluded.live_carrier_call_id, phase = excluded.phase,
        outcome = excluded.outcome, ended_at = excluded.ended_at, answer_served = excluded.answer_served,
        stream_token_used = excluded.stream_token_used, view = excluded.view`);
    this.byId = this.db.prepare('SELECT * FROM calls WHERE call_id = ?');
    this.byKey = this.db.prepare('SELECT * FROM calls WHERE idempotency_key = ?');
    this.open = this.db.prepare(`SELECT * FROM calls WHERE phase <> 'settled' ORDER BY created_at`);
  }

  /** Opens (creating if need be) the store in `dataDir`, waiting up to `lockWaitMs` for another gateway to let go of it. */
  static openIn(dataDir: string, options: { lockWaitMs?: number } = {}): SqliteCallStore {
    mkdirSync(dataDir, { recursive: true });
    return new SqliteCallStore(join(dataDir, CALL_STORE_FILE), options.lockWaitMs ?? LOCK_WAIT_MS);
  }

  save(call: StoredCall): void {
    this.upsert.run({
      call_id: call.callId,
      agent_id: call.agentId,
      to_number: call.to,
      carrier: call.carrier,
      carrier_call_id: call.carrierCallId ?? null,
      live_carrier_call_id: call.liveCarrierCallId ?? null,
      phase: call.phase,
      outcome: call.outcome ? JSON.stringify(call.outcome) : null,
      idempotency_key: call.idempotencyKey ?? null,
      created_at: call.createdAt,
      ended_at: call.endedAt ?? null,
      answer_served: call.answerServed ? 1 : 0,
      stream_token_used: call.streamTokenUsed ? 1 : 0,
      view: JSON.stringify(call.view),
    });
  }

  load(callId: string): StoredCall | undefined {
    const row = this.byId.get(callId) as Row | undefined;
    return row && fromRow(row);
  }

  findByIdempotencyKey(key: string): StoredCall | undefined {
    const row = this.byKey.get(key) as Row | undefined;
    return row && fromRow(row);
  }

  unsettled(): StoredCall[] {
    return (this.open.all() as Row[]).map(fromRow);
  }

  /** Forgets settled calls created before `before`: their records stay in RECORDS_DIR. */
  pruneSettledBefore(before: Date): number {
    return this.db.prepare(`DELETE FROM calls WHERE phase = 'settled' AND created_at < ?`).run(before.toISOString()).changes;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) throw new Error(`the call store was written by a newer gateway (schema ${version}; this one knows ${SCHEMA_VERSION})`);
  if (version === SCHEMA_VERSION) return;
  db.exec(`
    CREATE TABLE IF NOT EXISTS calls (
      call_id TEXT PRIMARY KEY,
      agent_id TEXT NOT NULL,
      to_number TEXT NOT NULL,
      carrier TEXT NOT NULL,
      carrier_call_id TEXT,
      live_carrier_call_id TEXT,
      phase TEXT NOT NULL,
      outcome TEXT,
      idempotency_key TEXT UNIQUE,
      created_at TEXT NOT NULL,
      ended_at TEXT,
      answer_served INTEGER NOT NULL DEFAULT 0,
      stream_token_used INTEGER NOT NULL DEFAULT 0,
      view TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS calls_unsettled ON calls (phase) WHERE phase <> 'settled';
    CREATE INDEX IF NOT EXISTS calls_created ON calls (created_at);
  `);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

function fromRow(row: Row): StoredCall {
  if (!isCallPhase(row.phase)) throw new Error(`call ${row.call_id} has an unknown phase "${row.phase}" in the call store`);
  return {
    callId: row.call_id,
    agentId: row.agent_id,
    to: row.to_number,
    carrier: row.carrier as CarrierName,
    ...(row.carrier_call_id ? { carrierCallId: row.carrier_call_id } : {}),
    ...(row.live_carrier_call_id ? { liveCarrierCallId: row.live_carrier_call_id } : {}),
    phase: row.phase,
    ...(row.outcome ? { outcome: JSON.parse(row.outcome) } : {}),
    ...(row.idempotency_key ? { idempotencyKey: row.idempotency_key } : {}),
    createdAt: row.created_at,
    ...(row.ended_at ? { endedAt: row.ended_at } : {}),
    answerServed: row.answer_served === 1,
    streamTokenUsed: row.stream_token_used === 1,
    view: JSON.parse(row.view) as CallView,
  };
}
