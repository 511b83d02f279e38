import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { QueueGatewayClient } from '@codcall/call-queue';
import type { CallView, PlaceCallRequest } from '@codcall/campaign';
import { RedisTestServer } from '@codcall/test-support';
import { dialRecords } from './support/distributed-gateways';
import { freePort, MAINS, startService, withApiKey, WORKSPACE, type RunningService } from './support/processes';

/**
 * One built gateway as two worker processes behind its public port (GATEWAY_WORKERS=2) in the
 * distributed mode: each worker is its own queue worker in Redis (GATEWAY_ID.w1, .w2) with half of
 * GATEWAY_MAX_CALLS, and dials the calls it takes with call ids that name it. A small campaign
 * through QueueGatewayClient: every row is called once, both workers take calls, and the carrier's
 * webhooks and media streams, all sent to the one public port, reach the worker that dialled.
 */
const GATEWAY_ID = 'gw-multi';
const WORKERS = 2;
const MAX_CALLS = 6;

interface Stats {
  workers: { pid: number; calls_live: number }[];
}

/** The worker a call id names: its last byte (see call-ownership.ts). */
const ownerOf = (callId: string) => Number.parseInt(callId.slice(-2), 16);

/**
 * Ten rows: four who answer and say one line (their words cross the media stream to the worker,
 * and the agent ends the call on them), six whose call ends at the ring.
 */
function rowOf(i: number): { request: PlaceCallRequest; talks: boolean; expected: string } {
  const talks = i % 5 < 2;
  const simulation = talks ? { answer: 'human' as const, says: ['No, there is nobody of that name here. You have the wrong number.'] } : { answer: i % 2 ? ('busy' as const) : ('no_answer' as const), ringSeconds: 1 };
  const to = `+9198${String(76_500_000 + i)}`;
  return {
    request: { agentId: '', to, context: { name: `Customer ${i}`, order_id: `W${i}`, order_total: '499', recipient_phone_number: to }, carrier: 'sim', simulation, idempotencyKey: `workers-e2e-row-${i}` },
    talks,
    expected: talks ? 'wrong_person' : simulation.answer === 'busy' ? 'busy' : 'no_answer',
  };
}

describe('a gateway of two worker processes taking queued calls from Redis', () => {
  let work: string;
  let redis: RedisTestServer;
  let peek: Redis;
  let agentApi: RunningService | undefined;
  let gateway: RunningService | undefined;
  let queue: QueueGatewayClient | undefined;
  let agentId: string;

  beforeAll(async () => {
    for (const main of [MAINS.agentApi, MAINS.gateway]) if (!existsSync(main)) throw new Error(`${main} is missing: build the apps first (npm test does)`);
    work = mkdtempSync(join(tmpdir(), 'codcall-workers-redis-'));
    redis = await new RedisTestServer().start();
    peek = new Redis(redis.url, { maxRetriesPerRequest: null });
    const agentPort = await freePort();
    agentApi = await startService(MAINS.agentApi, { AGENT_API_PORT: String(agentPort), DATA_DIR: join(work, 'agents') }, agentPort);
    agentId = (
      await fetch(`${agentApi.url}/agent`, { method: 'POST', headers: withApiKey({ 'content-type': 'application/json' }), body: readFileSync(join(WORKSPACE, 'agent_data/cod_confirmation_agent.json')) }).then(
        (response) => response.json() as Promise<{ agent_id: string }>,
      )
    ).agent_id;
    const port = await freePort();
    gateway = await startService(
      MAINS.gateway,
      {
        GATEWAY_WORKERS: String(WORKERS),
        GATEWAY_PORT: String(port),
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        GATEWAY_ID,
        REDIS_URL: redis.url,
        GATEWAY_MAX_CALLS: String(MAX_CALLS),
        AGENT_API_URL: agentApi.url,
        RECORDS_DIR: join(work, 'calls'),
        LOG_LEVEL: 'warn',
      },
      port,
      // Two workers each build the whole app: on a shared, loaded machine that takes a while.
      { readyWithinMs: 90_000 },
    );
    queue = new QueueGatewayClient({ redisUrl: redis.url, campaignId: 'workers-e2e', callsPerSecond: 20 });
  }, 120_000);

  afterAll(async () => {
    await queue?.close();
    await gateway?.stop();
    await agentApi?.stop();
    peek?.disconnect();
    await redis?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 30_000);

  it('calls every row once, spread over both workers, each call\'s webhooks and media reaching the worker that dialled it', async () => {
    // Each worker is its own gateway in Redis, with its share of the calls and the one public URL.
    const registered = (await peek.smembers('codcall:gateways')).sort();
    expect(registered).toEqual([`${GATEWAY_ID}.w1`, `${GATEWAY_ID}.w2`]);
    const registrations = await Promise.all(registered.map(async (id) => JSON.parse((await peek.get(`codcall:gateway:${id}`))!) as { maxCalls: number; publicBaseUrl: string }));
    expect(registrations.map((registration) => registration.maxCalls)).toEqual([MAX_CALLS / WORKERS, MAX_CALLS / WORKERS]);
    expect(new Set(registrations.map((registration) => registration.publicBaseUrl))).toEqual(new Set([gateway!.url]));

    // While the campaign runs, each worker's live calls as the gateway's /stats reports them.
    const busiest = new Map<number, number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        // A sample lost (a test that timed out and stopped the gateway) is no sample.
        const stats = (await fetch(`${gateway!.url}/stats`, { headers: withApiKey() }).then((response) => response.json(), () => ({ workers: [] }))) as Stats;
        for (const worker of stats.workers) busiest.set(worker.pid, Math.max(busiest.get(worker.pid) ?? 0, worker.calls_live));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    const rows = Array.from({ length: 10 }, (_, i) => rowOf(i));
    const finals: CallView[] = await Promise.all(
      rows.map(async (row) => {
        const job = await queue!.placeCall({ ...row.request, agentId });
        for (;;) {
          const view = await queue!.waitForCall(job.callId, 20);
          if (view.state === 'completed') return view;
        }
      }),
    );
    sampling = false;
    await sampler;

    const seen = finals.map((view, i) => ({ row: i, status: view.outcome?.status, heard: rows[i].talks ? JSON.stringify(view.transcript).includes('wrong number') : false }));
    expect(seen).toEqual(rows.map((row, i) => ({ row: i, status: row.expected, heard: row.talks })));
    // Both workers dialled, the talking calls among them: their answer webhooks and media streams came in at the public port.
    expect(new Set(finals.map((view) => ownerOf(view.callId)))).toEqual(new Set([1, 2]));
    expect([...busiest.values()].filter((most) => most > 0)).toHaveLength(WORKERS);

    // Every row was dialled once, by the worker its call id names, which kept the call's state in Redis.
    const records = await dialRecords(peek);
    expect(records.map((record) => record.key).sort()).toEqual(rows.map((row) => row.request.idempotencyKey).sort());
    for (const record of records) expect(record.gateway).toBe(`${GATEWAY_ID}.w${ownerOf(record.callId!)}`);
    for (const worker of [1, 2]) expect(await peek.scard(`codcall:gateway:${GATEWAY_ID}.w${worker}:calls`)).toBe(0);
    expect(await peek.exists(...finals.map((view) => `codcall:call-state:${view.callId}`))).toBe(finals.length);
  }, 120_000);
});
