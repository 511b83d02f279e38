import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import type { CallView, PlaceCallRequest } from '@codcall/campaign';
import { RedisTestServer } from '@codcall/test-support';
import { CallQueueWorker } from './call-queue-worker';
import { QueueGatewayClient } from './queue-gateway-client';
import { KEY_PREFIX, queueNameFor } from './queue-layout';

/**
 * Every command Redis runs, one line each, from redis-cli's MONITOR (ioredis's own monitor misreads
 * a busy server's first lines); `caughtUp()` resolves once every command sent before it was seen.
 */
async function watchCommands(url: string, port: number, onCommand: (line: string) => void): Promise<{ caughtUp(): Promise<void>; stop(): void }> {
  const cli = spawn('redis-cli', ['-p', String(port), 'monitor'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: cli.stdout });
  await new Promise<void>((resolve, reject) => {
    cli.once('error', reject);
    lines.once('line', () => resolve()); // MONITOR's "OK"
  });
  const marks = new Map<string, () => void>();
  lines.on('line', (line) => {
    for (const [mark, seen] of marks) if (line.includes(`"echo" "${mark}"`)) seen();
    onCommand(line);
  });
  const marker = new Redis(url);
  return {
    caughtUp: () =>
      new Promise<void>((resolve) => {
        const mark = randomUUID();
        marks.set(mark, resolve);
        void marker.echo(mark);
      }),
    stop: () => {
      marker.disconnect();
      cli.kill();
    },
  };
}

/**
 * What a campaign waiting on a call costs Redis. Every call queued or live has a waiter, so a
 * read a second per call was most of the distributed mode's Redis commands (bench:scale:campaigns):
 * the waiter reads the job when it starts waiting and when the job's completed event arrives.
 */
describe('a campaign waiting on a call through Redis', () => {
  let redis: RedisTestServer;

  beforeAll(async () => {
    redis = await new RedisTestServer().start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('reads the job when it starts waiting and when the call ends, not every second while a 3-second call lasts', async () => {
    const campaignId = `reads-${randomUUID().slice(0, 8)}`;
    const callMs = 3000;
    const worker = new CallQueueWorker({
      redisUrl: redis.url,
      gatewayId: 'gw-reads',
      publicBaseUrl: 'http://gw-reads.test',
      carriers: ['sim'],
      maxCalls: 1,
      placeCall: async () => ({ callId: randomUUID() }),
      waitForCompletion: (callId: string) => new Promise<CallView>((resolve) => setTimeout(() => resolve({ callId, state: 'completed', outcome: { status: 'confirmed' }, durationSeconds: 3 }), callMs)),
      discoveryMs: 100,
      lockMs: 2000,
    });
    const client = new QueueGatewayClient({ redisUrl: redis.url, campaignId, callsPerSecond: 10 });
    const reads: string[] = [];
    let jobKey = '';
    const watching = await watchCommands(redis.url, redis.port, (line) => {
      if (jobKey && line.includes(`"hgetall" "${jobKey}"`)) reads.push(line);
    });
    try {
      await worker.start();
      const request: PlaceCallRequest = { agentId: 'agent-1', to: '+14155550100', context: { order_id: 'R1' }, carrier: 'sim', idempotencyKey: randomUUID() };
      const placed = await client.placeCall(request);
      jobKey = `${KEY_PREFIX}:${queueNameFor(campaignId)}:${placed.callId}`;

      const view = await client.waitForCall(placed.callId, 25);

      await watching.caughtUp();
      expect(view).toMatchObject({ state: 'completed', outcome: { status: 'confirmed' } });
      expect(reads).toHaveLength(2);
    } finally {
      watching.stop();
      await client.close();
      await worker.stop({ force: true });
    }
  }, 20_000);
});
