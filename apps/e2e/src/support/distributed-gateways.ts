import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { MAINS, startService, type RunningService } from './processes';

/** One gateway process of the distributed mode: its own port, PUBLIC_BASE_URL, data and records, the same Redis. */
export async function startQueuedGateway(options: { id: string; port: number; redisUrl: string; agentApiUrl: string; work: string; maxCalls: number; lockSeconds: number }): Promise<RunningService> {
  const { id, port } = options;
  return startService(
    MAINS.gateway,
    {
      GATEWAY_PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      GATEWAY_ID: id,
      REDIS_URL: options.redisUrl,
      QUEUE_LOCK_SECONDS: String(options.lockSeconds),
      GATEWAY_MAX_CALLS: String(options.maxCalls),
      AGENT_API_URL: options.agentApiUrl,
      RECORDS_DIR: join(options.work, `records-${id}`),
      LOG_LEVEL: 'warn',
    },
    port,
  );
}

export interface DialRecordSeen {
  key: string;
  gateway: string;
  at: number;
  callId?: string;
  outcome?: { status: string; reason?: string };
}

/** Every dial record in Redis (codcall:dial:<key>): which gateway claimed the key, when, and how the call ended. */
export async function dialRecords(redis: Redis): Promise<DialRecordSeen[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', 'codcall:dial:*', 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  const records: DialRecordSeen[] = [];
  for (const key of keys) {
    const fields = await redis.hgetall(key);
    const outcome = fields['outcome'] ? (JSON.parse(fields['outcome']) as { outcome?: { status: string; reason?: string } }).outcome : undefined;
    records.push({ key: key.slice('codcall:dial:'.length), gateway: fields['gateway'], at: Date.parse(fields['at']), callId: fields['callId'], outcome });
  }
  return records;
}

/** The most starts found in any `windowMs` window of sorted start times. */
export function mostStartsWithin(startsMs: number[], windowMs: number): number {
  const sorted = [...startsMs].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last] - sorted[first] >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
