import Redis from 'ioredis';
import { RedisTestServer } from './redis-server';

describe('RedisTestServer', () => {
  it('starts Debian redis-server on a free port, keeps data across a restart (AOF), and cleans up', async () => {
    const server = await new RedisTestServer().start();
    try {
      const client = new Redis(server.url, { maxRetriesPerRequest: null, lazyConnect: true });
      await client.connect();
      await client.set('codcall:probe', 'kept');
      await new Promise((resolve) => setTimeout(resolve, 1200)); // appendfsync everysec
      await server.restart();
      await expect(client.get('codcall:probe')).resolves.toBe('kept');
      client.disconnect();
    } finally {
      await server.stop();
    }
  });
});
