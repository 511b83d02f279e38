import { newCallIdOwnedBy, ownerOfCallId, workerForIdempotencyKey } from './call-ownership';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('which worker owns a call', () => {
  it('draws call ids that are UUID v4 and name their worker, whatever the worker count is later', () => {
    const ids = Array.from({ length: 200 }, (_, i) => newCallIdOwnedBy((i % 3) + 1));
    for (const [i, id] of ids.entries()) {
      expect(id).toMatch(UUID_V4);
      expect(ownerOfCallId(id, 3)).toBe((i % 3) + 1);
      expect(ownerOfCallId(id, 8)).toBe((i % 3) + 1);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('owns no id that is not ours: a plain UUID, a worker beyond the count, or no UUID at all', () => {
    expect(ownerOfCallId('6f1c2a3b-4d5e-4f60-8a71-9b8c7d6e5f00', 2)).toBeUndefined();
    expect(ownerOfCallId(newCallIdOwnedBy(3), 2)).toBeUndefined();
    expect(ownerOfCallId('not-a-call', 2)).toBeUndefined();
    expect(() => newCallIdOwnedBy(0)).toThrow(RangeError);
  });

  it('sends every dial with the same Idempotency-Key to the same worker, and spreads keys over all of them', () => {
    const keys = Array.from({ length: 100 }, (_, i) => `campaign-7:row-${i}:attempt-1`);
    for (const key of keys) expect(workerForIdempotencyKey(key, 2)).toBe(workerForIdempotencyKey(key, 2));
    const counts = [1, 2].map((worker) => keys.filter((key) => workerForIdempotencyKey(key, 2) === worker).length);
    expect(Math.min(...counts)).toBeGreaterThan(25);
  });
});
