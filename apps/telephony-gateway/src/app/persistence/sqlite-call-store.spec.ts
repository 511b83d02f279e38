import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { StoredCall } from '@codcall/call-orchestration';
import { CALL_STORE_FILE, CallStoreInUseError, SqliteCallStore } from './sqlite-call-store';

function call(overrides: Partial<StoredCall> = {}): StoredCall {
  const callId = overrides.callId ?? '5f0c2b1e-8d4a-4c3b-9e2f-1a2b3c4d5e6f';
  return {
    callId,
    agentId: 'agent-1',
    to: '+919876543210',
    carrier: 'twilio',
    phase: 'queued',
    createdAt: '2026-11-24T10:00:00.000Z',
    answerServed: false,
    streamTokenUsed: false,
    view: { call_id: callId, state: 'queued', carrier: 'twilio', transcript: [], timeline: [], tool_calls: [], turn_latencies_ms: [] },
    ...overrides,
  };
}

describe('the SQLite call store', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'call-store-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every field of a call across a reopen, in WAL mode', () => {
    const store = SqliteCallStore.openIn(dir);
    store.save(call({ idempotencyKey: 'attempt-1' }));
    store.save(
      call({
        idempotencyKey: 'attempt-1',
        phase: 'settled',
        carrierCallId: 'CA1',
        liveCarrierCallId: 'uuid-1',
        outcome: { status: 'failed', reason: 'gateway restarted' },
        endedAt: '2026-11-24T10:01:00.000Z',
        answerServed: true,
        streamTokenUsed: true,
      }),
    );
    store.close();

    const again = SqliteCallStore.openIn(dir);
    try {
      expect(again.load(call().callId)).toEqual(
        call({
          idempotencyKey: 'attempt-1',
          phase: 'settled',
          carrierCallId: 'CA1',
          liveCarrierCallId: 'uuid-1',
          outcome: { status: 'failed', reason: 'gateway restarted' },
          endedAt: '2026-11-24T10:01:00.000Z',
          answerServed: true,
          streamTokenUsed: true,
        }),
      );
      expect(again.findByIdempotencyKey('attempt-1')?.callId).toBe(call().callId);
      expect(again.findByIdempotencyKey('attempt-2')).toBeUndefined();
      expect(again.load('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    } finally {
      again.close();
    }
    const raw = new Database(join(dir, CALL_STORE_FILE), { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('lists the calls a run left unsettled, and prunes only settled calls older than the cut-off', () => {
    const store = SqliteCallStore.openIn(dir);
    try {
      store.save(call({ callId: 'a', phase: 'streaming', createdAt: '2026-01-01T00:00:00.000Z' }));
      store.save(call({ callId: 'b', phase: 'settled', createdAt: '2026-01-01T00:00:00.000Z' }));
      store.save(call({ callId: 'c', phase: 'settled', createdAt: '2026-11-24T00:00:00.000Z' }));
      expect(store.unsettled().map((c) => c.callId)).toEqual(['a']);
      expect(store.pruneSettledBefore(new Date('2026-11-17T00:00:00.000Z'))).toBe(1);
      expect(['a', 'b', 'c'].map((id) => store.load(id)?.callId)).toEqual(['a', undefined, 'c']);
    } finally {
      store.close();
    }
  });

  it('belongs to one gateway at a time: a second one is refused with the folder to change', () => {
    const first = SqliteCallStore.openIn(dir);
    try {
      let refusal: unknown;
      try {
        SqliteCallStore.openIn(dir, { lockWaitMs: 20 });
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(CallStoreInUseError);
      expect((refusal as Error).message).toMatch(/in use by another gateway: give each gateway its own GATEWAY_DATA_DIR/);
    } finally {
      first.close();
    }
    SqliteCallStore.openIn(dir).close();
  });
});
