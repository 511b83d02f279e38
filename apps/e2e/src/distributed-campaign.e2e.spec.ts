import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { CallListRepository } from '@codcall/call-list';
import { QueueGatewayClient } from '@codcall/call-queue';
import { NO_RETRIES, runCampaign, type CalleeProfile, type CampaignEvent, type SimulatedCallees } from '@codcall/campaign';
import { RedisTestServer } from '@codcall/test-support';
import { dialRecords, mostStartsWithin, startQueuedGateway } from './support/distributed-gateways';
import { freePort, MAINS, startService, withApiKey, WORKSPACE, type RunningService } from './support/processes';

/**
 * The distributed mode end to end: Redis, two gateway processes (simulator carrier, one process
 * each, their own ports, PUBLIC_BASE_URLs and data) taking a 300-row campaign's calls from its
 * BullMQ queue, and the campaign runner (runCampaign with QueueGatewayClient, as the campaign-api
 * runs it with REDIS_URL). One gateway is SIGKILLed mid-campaign and Redis is restarted later on:
 * every row is called once, the dead gateway's live calls end failed with its reason (no retries
 * here, so the CSV shows them), the other gateway takes the rest, and the calls started across
 * both stay within the campaign's calls per second.
 */
const ROWS = 300;
const CPS = 20;
const LOCK_SECONDS = 2;
const HEADER = 'name,recipient_phone_number,order_id,order_total,status,reschedule_date,reschedule_time';
const DEAD_GATEWAY_REASON = 'the gateway that dialled this call stopped before it ended (gateway gw-b)';

/**
 * Callees whose calls end at the ring (busy, no answer): each still goes through the simulator's
 * dial, its status webhooks to the gateway that placed it, and the outcome, in a second or two (long enough that a gateway always holds live calls).
 * (Talking callees are left to the other e2e stories: sixty live conversations at once on a
 * shared 2-core machine end no_response, not the confirmation they script.)
 */
function calleeOf(i: number): { profile: CalleeProfile; status: string } {
  if (i % 2 === 0) return { profile: { answer: 'busy', ringSeconds: 1.5 }, status: 'busy' };
  return { profile: { answer: 'no_answer', ringSeconds: 2.5 }, status: 'no_answer' };
}

const phoneOf = (i: number) => `+9198${String(76_600_000 + i)}`;
const orderOf = (i: number) => `D${String(i).padStart(3, '0')}`;
const lineOf = (i: number, status = '') => `Customer ${i},${phoneOf(i)},${orderOf(i)},499,${status},,`;

describe('a campaign spread over two gateways through Redis', () => {
  let work: string;
  let redis: RedisTestServer;
  let agentApi: RunningService | undefined;
  const gateways: RunningService[] = [];
  let agentId: string;

  beforeAll(async () => {
    for (const main of [MAINS.agentApi, MAINS.gateway]) if (!existsSync(main)) throw new Error(`${main} is missing: build the apps first (npm test does)`);
    work = mkdtempSync(join(tmpdir(), 'codcall-distributed-'));
    redis = await new RedisTestServer().start();
    const agentPort = await freePort();
    agentApi = await startService(MAINS.agentApi, { AGENT_API_PORT: String(agentPort), DATA_DIR: join(work, 'agents') }, agentPort);
    const created = await fetch(`${agentApi.url}/agent`, {
      method: 'POST',
      headers: withApiKey({ 'content-type': 'application/json' }),
      body: readFileSync(join(WORKSPACE, 'agent_data/cod_confirmation_agent.json')),
    }).then((response) => response.json() as Promise<{ agent_id: string }>);
    agentId = created.agent_id;
    for (const id of ['gw-a', 'gw-b']) {
      gateways.push(await startQueuedGateway({ id, port: await freePort(), redisUrl: redis.url, agentApiUrl: agentApi.url, work, maxCalls: 30, lockSeconds: LOCK_SECONDS }));
    }
  }, 90_000);

  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop();
    await agentApi?.stop();
    await redis?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('calls every row once, survives a gateway SIGKILL and a Redis restart, and keeps to the CPS across both gateways', async () => {
    const csvPath = join(work, 'orders.csv');
    writeFileSync(csvPath, `${HEADER}\n${Array.from({ length: ROWS }, (_, i) => lineOf(i)).join('\n')}\n`);
    const simulation: SimulatedCallees = Object.fromEntries(Array.from({ length: ROWS }, (_, i) => [phoneOf(i), calleeOf(i).profile]));
    const repository = await CallListRepository.open(csvPath);
    const client = new QueueGatewayClient({ redisUrl: redis.url, campaignId: 'e2e-distributed', callsPerSecond: CPS });
    const [, gatewayB] = gateways;
    const rowOfJob = new Map<string, number>();
    let finished = 0;
    let killedAt = 0;
    let redisRestarted: Promise<void> | undefined;
    const onEvent = (event: CampaignEvent) => {
      if (event.type === 'call-placed') rowOfJob.set(event.callId, Number(event.row.values['order_id'].slice(1)));
      if (event.type !== 'row-finished') return;
      finished++;
      if (finished === 60) {
        killedAt = Date.now();
        gatewayB.process.kill('SIGKILL');
      }
      if (finished === 160) redisRestarted = redis.restart(300);
    };

    try {
      const health = await client.health();
      expect(health.carriers).toContain('sim');
      // The runner starts calls as fast as rows come: the queue's rate limit, shared by both gateways, is what paces them.
      const summary = await runCampaign({ repository, gateway: client, agentId, carrier: 'sim', simulation, concurrency: 100, callsPerSecond: Infinity, retryPolicy: NO_RETRIES, idempotentDials: true, pollSeconds: 5, onEvent });
      await redisRestarted;
      expect(summary.dialled).toBe(ROWS);
    } finally {
      await repository.close();
      await client.close();
    }
    expect(killedAt).toBeGreaterThan(0);
    expect(redisRestarted).toBeDefined();

    const inspect = new Redis(redis.url);
    const records = await dialRecords(inspect).finally(() => inspect.disconnect());
    // One job, one claim, one dial per row: nothing dialled twice.
    expect(records).toHaveLength(ROWS);
    expect(new Set(records.map((record) => rowOfJob.get(record.key))).size).toBe(ROWS);
    const cutOff = records.filter((record) => record.outcome?.reason === DEAD_GATEWAY_REASON);
    expect(cutOff.length).toBeGreaterThan(0);
    expect(cutOff.every((record) => record.gateway === 'gw-b' && record.at < killedAt)).toBe(true);
    expect(records.some((record) => record.gateway === 'gw-a' && record.at > killedAt)).toBe(true);
    expect(records.filter((record) => record.gateway === 'gw-b' && record.at > killedAt)).toEqual([]);

    // The CSV is the upload plus each row's outcome, byte for byte; the dead gateway's calls say failed.
    const failedRows = new Set(cutOff.map((record) => rowOfJob.get(record.key)));
    const expected = `${HEADER}\n${Array.from({ length: ROWS }, (_, i) => lineOf(i, failedRows.has(i) ? 'failed' : calleeOf(i).status)).join('\n')}\n`;
    expect(readFileSync(csvPath, 'utf8')).toBe(expected);

    // Every call the surviving gateway and the dead one finished was placed once (their call records).
    const recorded = ['gw-a', 'gw-b'].flatMap((id) => {
      const dir = join(work, `records-${id}`);
      return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')).map((name) => (JSON.parse(readFileSync(join(dir, name), 'utf8')) as { context: Record<string, string> }).context['order_id']) : [];
    });
    expect(new Set(recorded).size).toBe(recorded.length);

    // BullMQ's limiter counts fixed windows of a second: any second holds at most two windows' worth, any 5 s at most six.
    const starts = records.map((record) => record.at);
    expect(mostStartsWithin(starts, 1000)).toBeLessThanOrEqual(2 * CPS);
    expect(mostStartsWithin(starts, 5000)).toBeLessThanOrEqual(6 * CPS);
    const spanSeconds = (Math.max(...starts) - Math.min(...starts)) / 1000;
    expect((ROWS - CPS) / spanSeconds).toBeLessThanOrEqual(CPS);
  }, 120_000);
});
