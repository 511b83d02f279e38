import { Redis } from 'ioredis';
import type { Logger } from '@codcall/logging';

export class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError';
}

/**
 * REDIS_URL, validated: unset or empty is the embedded mode (undefined); anything else must be a
 * redis:// or rediss:// URL with a host, a port if given, and a database number if given. The
 * error names the variable and never repeats a password.
 */
export function redisUrlFrom(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env['REDIS_URL']?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RedisUrlError(`REDIS_URL must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379, got "${withoutPassword(raw)}"`);
  }
  const shown = withoutPassword(raw);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new RedisUrlError(`REDIS_URL must use redis:// or rediss://, got "${shown}"`);
  if (!url.hostname) throw new RedisUrlError(`REDIS_URL has no host, got "${shown}"`);
  const db = url.pathname.replace(/^\//, '');
  if (db && !/^\d{1,2}$/.test(db)) throw new RedisUrlError(`REDIS_URL's path is the database number (0-15), got "${shown}"`);
  if (url.search || url.hash) throw new RedisUrlError(`REDIS_URL must not carry a query string or fragment, got "${shown}"`);
  return raw;
}

/** The URL as it may be shown in logs and errors: user kept, password replaced. */
export function withoutPassword(raw: string): string {
  return raw.replace(/^(rediss?:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/**
 * One ioredis connection as BullMQ wants it: commands wait through a Redis restart (no retry cap,
 * offline queue on) instead of failing, reconnecting every 50 ms to 1 s. Errors while Redis is away
 * are logged once per outage, not per reconnect attempt.
 */
export function openRedis(url: string, logger?: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(50 * times, 1000),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger?.warn({ redis: withoutPassword(url), err: { message: error.message } }, 'Redis unreachable: waiting for it');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger?.info({ redis: withoutPassword(url) }, 'Redis reachable again');
  });
  return redis;
}

/** quit(), or disconnect() when Redis is not there to answer QUIT. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
