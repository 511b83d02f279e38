/**
 * Bumped with every change to SCHEMA, with a step in MIGRATIONS that brings a store of the version
 * before up to it in place; a store written by a newer codcall is refused, not misread.
 */
export const SCHEMA_VERSION = 2;

/** The oldest schema this codcall still reads (a report) and upgrades (a campaign). */
export const OLDEST_READABLE_SCHEMA = 1;

/** SQL that takes a store from version `n - 1` to `n`, by `n`. */
export const MIGRATIONS: Record<number, string> = {
  // Each turn's timing leg by leg, and the characters sent to speech synthesis for the call.
  2: `ALTER TABLE call_records ADD COLUMN turns TEXT;
      ALTER TABLE call_records ADD COLUMN tts_characters INTEGER;`,
};

/** Times are epoch milliseconds; outcomes are JSON ({status, reschedule_date?, reschedule_time?, callback_at?, address_update?, reason?}). */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS campaigns (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  csv_path TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS campaign_rows (
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
  row_key TEXT NOT NULL,
  order_id TEXT NOT NULL,
  phone TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('waiting', 'done')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_due_at INTEGER,
  -- The last attempt's outcome; final once state is done.
  final_outcome TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (campaign_id, row_key)
);
CREATE TABLE IF NOT EXISTS attempts (
  id INTEGER PRIMARY KEY,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
  row_key TEXT NOT NULL,
  phone TEXT NOT NULL,
  attempt_no INTEGER NOT NULL,
  -- Sent to the gateway as the Idempotency-Key of the dial, so a dial in doubt can be re-sent safely.
  ref TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL CHECK (state IN ('dialling', 'placed', 'finished')),
  call_id TEXT,
  carrier TEXT NOT NULL,
  carrier_status TEXT,
  outcome TEXT,
  created_at INTEGER NOT NULL,
  placed_at INTEGER,
  finished_at INTEGER
);
CREATE INDEX IF NOT EXISTS attempts_by_state ON attempts (campaign_id, state);
CREATE TABLE IF NOT EXISTS call_records (
  attempt_id INTEGER PRIMARY KEY REFERENCES attempts(id),
  call_id TEXT NOT NULL,
  duration_seconds REAL,
  cost_estimate REAL,
  transcript TEXT,
  tool_calls TEXT,
  turn_latencies_ms TEXT,
  timeline TEXT,
  recording TEXT,
  turns TEXT,
  tts_characters INTEGER
);
CREATE TABLE IF NOT EXISTS do_not_call (
  phone TEXT PRIMARY KEY,
  source TEXT NOT NULL CHECK (source IN ('list', 'callee')),
  reason TEXT,
  added_at INTEGER NOT NULL
);
`;
