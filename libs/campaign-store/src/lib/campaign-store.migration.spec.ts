import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CampaignStore } from './campaign-store';
import { SCHEMA_VERSION } from './schema';
import { SCHEMA_V1 } from './schema-v1.fixture';
import type { TurnTimingEntry } from './turn-timing-entry';

const CAMPAIGN = { key: '/lists/today.csv#abc', csvPath: '/lists/today.csv' };

/**
 * A store as codcall wrote it under schema 1: one campaign, a row done after two attempts with a
 * call record (latencies, no turns: they did not exist), a row waiting for its retry, an attempt
 * a crash left dialling, and a callee on the do-not-call list.
 */
function writeSchema1Store(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA_V1);
  db.pragma('user_version = 1');
  db.prepare('INSERT INTO campaigns (id, key, csv_path, created_at) VALUES (1, ?, ?, 1000)').run(CAMPAIGN.key, CAMPAIGN.csvPath);
  const row = db.prepare(`INSERT INTO campaign_rows (campaign_id, row_key, order_id, phone, state, attempts, next_due_at, final_outcome, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, 2000)`);
  row.run('row:0', 'O1', '+919876543210', 'done', 2, null, '{"status":"confirmed"}');
  row.run('row:1', 'O2', '+971501234567', 'waiting', 1, 5_000, '{"status":"busy"}');
  const attempt = db.prepare(`INSERT INTO attempts (id, campaign_id, row_key, phone, attempt_no, ref, state, call_id, carrier, outcome, created_at, placed_at, finished_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, 'sim', ?, ?, ?, ?)`);
  attempt.run(1, 'row:0', '+919876543210', 1, 'ref-1', 'finished', 'call-1', '{"status":"no_answer"}', 1000, 1001, 1030);
  attempt.run(2, 'row:0', '+919876543210', 2, 'ref-2', 'finished', 'call-2', '{"status":"confirmed"}', 1500, 1501, 1560);
  attempt.run(3, 'row:1', '+971501234567', 1, 'ref-3', 'finished', 'call-3', '{"status":"busy"}', 1600, 1601, 1610);
  attempt.run(4, 'row:2', '+6281234567890', 1, 'ref-4', 'dialling', null, null, 1700, null, null);
  db.prepare(`INSERT INTO call_records (attempt_id, call_id, duration_seconds, cost_estimate, transcript, tool_calls, turn_latencies_ms, timeline, recording) VALUES (2, 'call-2', 41.5, 0.7, ?, '[]', '[640,810]', '[]', '/records/call-2.wav')`).run(
    JSON.stringify([{ speaker: 'agent', text: 'Hello', atMs: 0 }]),
  );
  db.prepare(`INSERT INTO do_not_call (phone, source, reason, added_at) VALUES ('+525512345678', 'callee', 'asked not to be called', 1200)`).run();
  db.close();
}

describe('a campaign store written by the previous schema', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'campaign-store-migration-'));
    path = join(dir, 'store.sqlite');
    writeSchema1Store(path);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is read as it is by a report, older records without turns or TTS characters', () => {
    const store = CampaignStore.openForReading(path, CAMPAIGN)!;
    expect(store.callRecords()).toEqual([
      expect.objectContaining({ attemptId: 2, callId: 'call-2', turnLatenciesMs: [640, 810], turns: undefined, ttsCharacters: undefined }),
    ]);
    store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(1); // reading never upgrades
    db.close();
  });

  it('is upgraded in place when a campaign opens it, keeping every row, attempt, call record and do-not-call entry', () => {
    const store = CampaignStore.open(path, CAMPAIGN);
    expect(store.campaignId).toBe(1);
    expect([...store.rows().values()]).toEqual([
      expect.objectContaining({ rowKey: 'row:0', orderId: 'O1', state: 'done', attempts: 2, finalOutcome: { status: 'confirmed' } }),
      expect.objectContaining({ rowKey: 'row:1', state: 'waiting', attempts: 1, nextDueAt: 5_000, lastOutcome: { status: 'busy' } }),
    ]);
    expect(store.attempts().map((a) => [a.id, a.rowKey, a.attemptNo, a.state, a.callId, a.outcome?.status])).toEqual([
      [1, 'row:0', 1, 'finished', 'call-1', 'no_answer'],
      [2, 'row:0', 2, 'finished', 'call-2', 'confirmed'],
      [3, 'row:1', 1, 'finished', 'call-3', 'busy'],
      [4, 'row:2', 1, 'dialling', undefined, undefined],
    ]);
    expect(store.openAttempts().map((a) => a.ref)).toEqual(['ref-4']); // the crash's attempt is still found
    expect(store.callRecords()).toEqual([
      {
        attemptId: 2,
        callId: 'call-2',
        durationSeconds: 41.5,
        costEstimate: 0.7,
        transcript: [{ speaker: 'agent', text: 'Hello', atMs: 0 }],
        toolCalls: [],
        turnLatenciesMs: [640, 810],
        timeline: [],
        recording: '/records/call-2.wav',
        turns: undefined,
        ttsCharacters: undefined,
      },
    ]);
    expect(store.isDoNotCall('+525512345678')).toBe(true);

    // The upgraded store takes the new columns.
    const turns: TurnTimingEntry[] = [
      { kind: 'text', calleeSpeechEndedAtMs: 1000, sttFinalAtMs: 1100, firstFrameSentAtMs: 1502, latencyMs: 502 },
      { kind: 'barge_in', speechStartedAtMs: 2000, clearedAtMs: 2002, latencyMs: 2, resolution: 'resumed' },
    ];
    store.attemptPlaced(4, 'call-4', 1800);
    store.finishAttempt(4, { outcome: { status: 'confirmed' }, at: 1900, row: { state: 'done' }, record: { callId: 'call-4', turnLatenciesMs: [502], turns, ttsCharacters: 212 } });
    store.close();

    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    const reread = CampaignStore.openForReading(path, CAMPAIGN)!;
    expect(reread.callRecords().map((record) => [record.callId, record.turns, record.ttsCharacters])).toEqual([
      ['call-2', undefined, undefined],
      ['call-4', turns, 212],
    ]);
    reread.close();
  });

  it('is upgraded once: opening it again finds it current', () => {
    CampaignStore.open(path, CAMPAIGN).close();
    const again = CampaignStore.open(path, CAMPAIGN);
    expect(again.callRecords()).toHaveLength(1);
    again.close();
  });
});

describe('a store written by a newer codcall', () => {
  it('is refused, not misread, by a campaign and by a report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'campaign-store-newer-'));
    try {
      const path = join(dir, 'store.sqlite');
      CampaignStore.open(path, CAMPAIGN).close();
      const db = new Database(path);
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      db.close();
      expect(() => CampaignStore.open(path, CAMPAIGN)).toThrow(/written by a newer codcall/);
      expect(() => CampaignStore.openForReading(path, CAMPAIGN)).toThrow(/not a codcall campaign store this version can read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
