import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CampaignLock } from './campaign-lock';
import { CampaignStore } from './campaign-store';

const CAMPAIGN = { key: '/lists/today.csv#abc', csvPath: '/lists/today.csv' };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'campaign-store-'));
}

describe('CampaignStore', () => {
  it('keeps an attempt written before dialling across a reopen, with its call id once placed', () => {
    const path = join(tempDir(), 'store.sqlite');
    const store = CampaignStore.open(path, CAMPAIGN);
    const first = store.beginAttempt({ rowKey: 'row:0', orderId: 'O1', phone: '+919876543210', attemptNo: 1, carrier: 'sim', at: 1000 });
    const second = store.beginAttempt({ rowKey: 'row:1', orderId: 'O2', phone: '+971501234567', attemptNo: 1, carrier: 'sim', at: 1001 });
    store.attemptPlaced(second, 'call-2', 1002);
    store.close();

    const reopened = CampaignStore.open(path, CAMPAIGN);
    expect(reopened.openAttempts()).toEqual([
      expect.objectContaining({ id: first, rowKey: 'row:0', state: 'dialling', callId: undefined, attemptNo: 1 }),
      expect.objectContaining({ id: second, rowKey: 'row:1', state: 'placed', callId: 'call-2', placedAt: 1002 }),
    ]);
    expect(reopened.rows().get('row:0')).toMatchObject({ state: 'waiting', attempts: 1, phone: '+919876543210' });
    reopened.close();
  });

  it('finishes an attempt with the row done or waiting for its retry, and the call record beside it', () => {
    const store = CampaignStore.open(':memory:', CAMPAIGN);
    const a = store.beginAttempt({ rowKey: 'row:0', orderId: 'O1', phone: '+919876543210', attemptNo: 1, carrier: 'sim', at: 0 });
    store.attemptPlaced(a, 'call-a', 1);
    store.finishAttempt(a, { outcome: { status: 'no_answer' }, carrierStatus: 'no-answer', at: 10, row: { state: 'waiting', nextDueAt: 1_800_010 } });
    expect(store.rows().get('row:0')).toMatchObject({ state: 'waiting', attempts: 1, nextDueAt: 1_800_010, finalOutcome: undefined });

    const b = store.beginAttempt({ rowKey: 'row:0', orderId: 'O1', phone: '+919876543210', attemptNo: 2, carrier: 'sim', at: 1_800_010 });
    store.attemptPlaced(b, 'call-b', 1_800_011);
    const record = { callId: 'call-b', durationSeconds: 42, costEstimate: 0.7, transcript: [{ speaker: 'agent', text: 'Hello', atMs: 0 }], turnLatenciesMs: [640, 810] };
    store.finishAttempt(b, { outcome: { status: 'confirmed' }, at: 1_800_060, row: { state: 'done' }, record });

    expect(store.rows().get('row:0')).toMatchObject({ state: 'done', attempts: 2, finalOutcome: { status: 'confirmed' }, nextDueAt: undefined });
    expect(store.attempts().map((attempt) => [attempt.attemptNo, attempt.state, attempt.outcome?.status, attempt.carrierStatus])).toEqual([
      [1, 'finished', 'no_answer', 'no-answer'],
      [2, 'finished', 'confirmed', undefined],
    ]);
    expect(store.callRecords()).toEqual([expect.objectContaining({ attemptId: b, ...record })]);
    expect(store.openAttempts()).toEqual([]);
  });

  it('given a callee who asked to be called back at 18:00 and corrected the address, the row waits for that time with both across a reopen', () => {
    const path = join(tempDir(), 'store.sqlite');
    const store = CampaignStore.open(path, CAMPAIGN);
    const a = store.beginAttempt({ rowKey: 'row:0', orderId: 'O1', phone: '+919876543210', attemptNo: 1, carrier: 'sim', at: 0 });
    const callbackAt = Date.parse('2026-12-01T18:00+05:30');
    const outcome = { status: 'callback_requested', callback_at: '2026-12-01T18:00+05:30', address_update: 'Flat 4B, MG Road, Jaipur' };
    store.finishAttempt(a, { outcome, at: 10, row: { state: 'waiting', nextDueAt: callbackAt } });
    store.close();

    const reopened = CampaignStore.open(path, CAMPAIGN);
    expect(reopened.rows().get('row:0')).toEqual(expect.objectContaining({ state: 'waiting', attempts: 1, nextDueAt: callbackAt, lastOutcome: outcome, finalOutcome: undefined }));
    expect(reopened.attempts()[0].outcome).toEqual(outcome);
    reopened.close();
  });

  it('given one call made for two duplicate rows, both rows are done with its outcome in the same commit', () => {
    const store = CampaignStore.open(':memory:', CAMPAIGN);
    const a = store.beginAttempt({ rowKey: 'row:0', orderId: 'O1', phone: '+919876543210', attemptNo: 1, carrier: 'sim', at: 0 });
    // A retry waits for the first row alone: its duplicate is not touched yet.
    store.finishAttempt(a, { outcome: { status: 'busy' }, at: 1, row: { state: 'waiting', nextDueAt: 100 }, sameOutcomeFor: [{ rowKey: 'row:4', orderId: 'O1' }] });
    expect(store.rows().has('row:4')).toBe(false);

    const b = store.beginAttempt({ rowKey: 'row:0', orderId: 'O1', phone: '+919876543210', attemptNo: 2, carrier: 'sim', at: 100 });
    store.finishAttempt(b, { outcome: { status: 'confirmed' }, at: 101, row: { state: 'done' }, sameOutcomeFor: [{ rowKey: 'row:4', orderId: 'O1' }] });
    expect(store.rows().get('row:4')).toMatchObject({ state: 'done', orderId: 'O1', phone: '+919876543210', attempts: 0, finalOutcome: { status: 'confirmed' } });
    expect(store.rows().get('row:0')).toMatchObject({ state: 'done', attempts: 2, finalOutcome: { status: 'confirmed' } });
    store.close();
  });

  it('puts a callee who asked not to be called on the do-not-call list every campaign in the file shares', () => {
    const path = join(tempDir(), 'store.sqlite');
    const monday = CampaignStore.open(path, CAMPAIGN);
    const a = monday.beginAttempt({ rowKey: 'row:3', orderId: 'O4', phone: '+6281234567890', attemptNo: 1, carrier: 'sim', at: 0 });
    monday.finishAttempt(a, { outcome: { status: 'do_not_call', reason: 'asked not to be called' }, at: 5, row: { state: 'done' } });
    monday.addDoNotCallList(['+525512345678'], 6);
    monday.close();

    const tuesday = CampaignStore.open(path, { key: '/lists/tomorrow.csv#def', csvPath: '/lists/tomorrow.csv' });
    expect(tuesday.isDoNotCall('+6281234567890')).toBe(true);
    expect(tuesday.isDoNotCall('+525512345678')).toBe(true);
    expect(tuesday.isDoNotCall('+919876543210')).toBe(false);
    expect(tuesday.rows().size).toBe(0); // the other campaign's rows are its own
    // A list import never downgrades a callee's own request.
    tuesday.addDoNotCallList(['+6281234567890'], 7);
    expect(tuesday.doNotCallList().find((entry) => entry.phone === '+6281234567890')).toMatchObject({ source: 'callee', reason: 'asked not to be called' });
    tuesday.close();
  });

  it('runs in WAL mode and refuses a SQLite file that is not a store', () => {
    const dir = tempDir();
    const path = join(dir, 'store.sqlite');
    CampaignStore.open(path, CAMPAIGN).close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();

    const other = join(dir, 'other.sqlite');
    const foreign = new Database(other);
    foreign.exec('CREATE TABLE orders (id INTEGER)');
    foreign.close();
    expect(() => CampaignStore.open(other, CAMPAIGN)).toThrow(`${other}: this SQLite file is not a codcall campaign store`);

    writeFileSync(join(dir, 'garbage.sqlite'), 'not a database at all, just text that is long enough to look like a header');
    expect(() => CampaignStore.open(join(dir, 'garbage.sqlite'), CAMPAIGN)).toThrow(/garbage\.sqlite: cannot open the campaign store/);
  });
});

describe('CampaignLock', () => {
  it('refuses a second holder while the first is alive, naming its pid', () => {
    const path = join(tempDir(), 'calls.csv.lock');
    const lock = CampaignLock.acquire(path);
    expect(() => CampaignLock.acquire(path, { pid: process.pid + 1 })).toThrow(
      expect.objectContaining({ code: 'LOCKED', message: expect.stringContaining(`another campaign (pid ${process.pid} on`) }),
    );
    lock.release();
    expect(existsSync(path)).toBe(false);
    CampaignLock.acquire(path).release();
  });

  it('takes over a lock left by a process that died', () => {
    const path = join(tempDir(), 'calls.csv.lock');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // a pid that has exited
    writeFileSync(path, JSON.stringify({ pid: dead, host: hostname(), startedAt: '2026-01-01T00:00:00Z' }));
    const lock = CampaignLock.acquire(path);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock file cut short by a crash', () => {
    const path = join(tempDir(), 'calls.csv.lock');
    writeFileSync(path, '{"pid": 12');
    CampaignLock.acquire(path).release();
    expect(existsSync(path)).toBe(false);
  });
});
