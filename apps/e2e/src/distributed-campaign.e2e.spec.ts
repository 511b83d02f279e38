import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import type { CalleeProfile, SimulatedCallees } from '@codcall/campaign';
import { FINAL_CAMPAIGN_STATES, type CampaignView } from '@codcall/gateway-api';
import { RedisTestServer } from '@codcall/test-support';
import { CAMPAIGN_API_MAIN, startCampaignApi, uploadCampaign } from './support/campaign-api';
import { dialRecords, mostStartsWithin, startQueuedGateway } from './support/distributed-gateways';
import { freePort, MAINS, startService, withApiKey, WORKSPACE, type RunningService } from './support/processes';

/**
 * The distributed mode end to end: Redis, two gateway processes (simulator carrier, one process
 * each, their own ports, PUBLIC_BASE_URLs and data) taking a 300-row campaign's calls from its
 * BullMQ queue, and the built campaign-api with REDIS_URL, the campaign started by POST /campaigns
 * and its CSV read back from GET /campaigns/:id/csv. Three rows talk with the agent (confirms,
 * cancels or moves the delivery) over the media stream of whichever gateway placed it. One gateway
 * is SIGKILLed mid-campaign and Redis is restarted later on: every row is called once, the dead
 * gateway's live calls end failed with its reason (no retries here, so the CSV shows them), the
 * other gateway takes the rest, and the calls started across both stay within the campaign's calls
 * per second.
 */
const ROWS = 300;
const CPS = 20;
/** A job lock renewed every half of it: at 2 s, a live gateway's renewals ran late on a loaded machine and its own conversations' jobs were taken for stalled. */
const LOCK_SECONDS = 5;
const HEADER = 'name,recipient_phone_number,order_id,order_total,status,reschedule_date,reschedule_time';
const DEAD_GATEWAY_REASON = 'the gateway that dialled this call stopped before it ended (gateway gw-b)';

/**
 * The rows that answer and talk: a confirmation, a cancellation or a new delivery date, in turn.
 * Dialled 6 to 7.5 s in (20 a second), about when one gateway is killed: their conversations run
 * beside the rest of the campaign instead of after it. Three, as each one more at once slows
 * them all on a shared 2-core machine (six made the story 30 s longer than the ringing alone).
 */
const TALKING_ROWS = [120, 135, 150];
/**
 * "Tomorrow at 3 pm" on the callee's calendar (an Indian number: Asia/Kolkata), as the agent resolves
 * it; the date is read before and after the campaign, in case it ran over midnight there.
 */
const tomorrowInIndia = () => DateTime.now().setZone('Asia/Kolkata').plus({ days: 1 }).toISODate()!;

/**
 * Row i's callee and the cells its outcome writes. Most calls end at the ring (busy, no answer): each
 * still goes through the simulator's dial, its status webhooks to the gateway that placed it, and the
 * outcome, in a second or two (long enough that a gateway always holds live calls). Each of
 * TALKING_ROWS picks up and talks with the agent over the media stream of the gateway that placed it,
 * in short scripts, patient ones (they answer after 1.5 s of the agent's silence, so a loaded machine's
 * offline voice pausing inside a sentence is not taken for its end). Few on purpose: sixty live
 * conversations at once on a shared 2-core machine end no_response, not the outcome they script,
 * and one in ten kept calls live for minutes there (a conversation took over a minute at load 15).
 */
function calleeOf(i: number, tomorrow: string): { profile: CalleeProfile; cells: string } {
  if (TALKING_ROWS.includes(i)) {
    const talking = { answer: 'human' as const, ringSeconds: 0.5, turnGapMs: 1500 };
    const kind = TALKING_ROWS.indexOf(i) % 3;
    if (kind === 0) return { profile: { ...talking, says: ['Yes, speaking.', 'Yes, please deliver it.'] }, cells: 'confirmed,,' };
    if (kind === 1) return { profile: { ...talking, says: ['Yes, speaking.', 'No, please cancel it. I ordered it by mistake.'] }, cells: 'cancelled,,' };
    return { profile: { ...talking, says: ['Yes, speaking.', "I won't be home. Can you deliver it tomorrow at 3 pm?"] }, cells: `rescheduled,${tomorrow},15:00` };
  }
  if (i % 2 === 0) return { profile: { answer: 'busy', ringSeconds: 1.5 }, cells: 'busy,,' };
  return { profile: { answer: 'no_answer', ringSeconds: 2.5 }, cells: 'no_answer,,' };
}

const phoneOf = (i: number) => `+9198${String(76_600_000 + i)}`;
const orderOf = (i: number) => `D${String(i).padStart(3, '0')}`;
const lineOf = (i: number, cells = ',,') => `Customer ${i},${phoneOf(i)},${orderOf(i)},499,${cells}`;

describe('a campaign spread over two gateways through Redis', () => {
  let work: string;
  let redis: RedisTestServer;
  let agentApi: RunningService | undefined;
  let campaignApi: RunningService | undefined;
  const gateways: RunningService[] = [];
  let agentId: string;

  beforeAll(async () => {
    for (const main of [MAINS.agentApi, MAINS.gateway, CAMPAIGN_API_MAIN]) if (!existsSync(main)) throw new Error(`${main} is missing: build the apps first (npm test does)`);
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
    // GATEWAY_URL is not dialled with REDIS_URL set: the calls go to the queue.
    campaignApi = await startCampaignApi({ port: await freePort(), dataDir: join(work, 'campaigns'), agentApiUrl: agentApi.url, gatewayUrl: gateways[0].url, env: { REDIS_URL: redis.url } });
  }, 90_000);

  afterAll(async () => {
    await campaignApi?.stop();
    for (const gateway of gateways) await gateway.stop();
    await agentApi?.stop();
    await redis?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('calls every row once, survives a gateway SIGKILL and a Redis restart, and keeps to the CPS across both gateways', async () => {
    const upload = `${HEADER}\n${Array.from({ length: ROWS }, (_, i) => lineOf(i)).join('\n')}\n`;
    const tomorrowBefore = tomorrowInIndia();
    const simulation: SimulatedCallees = Object.fromEntries(Array.from({ length: ROWS }, (_, i) => [phoneOf(i), calleeOf(i, tomorrowBefore).profile]));
    const api = campaignApi!.url;
    const created = await uploadCampaign(
      api,
      { agent_id: agentId, provider: 'sim', concurrency: '100', cps: String(CPS), max_attempts: '1', window: '00:00-24:00' },
      { csv: Buffer.from(upload, 'utf8'), fileName: 'orders.csv', simulate: Buffer.from(JSON.stringify(simulation)) },
    );
    const campaignId = created.campaign_id;
    const [, gatewayB] = gateways;
    let killedAt = 0;
    let redisRestarted: Promise<void> | undefined;
    let view: CampaignView = created;
    const deadline = Date.now() + 150_000;
    while (!FINAL_CAMPAIGN_STATES.includes(view.state)) {
      if (Date.now() > deadline) throw new Error(`the campaign did not finish: ${JSON.stringify(view)}\n${campaignApi!.output().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      view = (await (await fetch(`${api}/campaigns/${campaignId}`, { headers: withApiKey() })).json()) as CampaignView;
      if (!killedAt && view.rows.done >= 60) {
        killedAt = Date.now();
        gatewayB.process.kill('SIGKILL');
      }
      if (!redisRestarted && view.rows.done >= 160) redisRestarted = redis.restart(300);
    }
    await redisRestarted;
    expect(view).toMatchObject({ state: 'finished', rows: { total: ROWS, done: ROWS } });
    expect(killedAt).toBeGreaterThan(0);
    expect(redisRestarted).toBeDefined();

    const inspect = new Redis(redis.url);
    const records = await dialRecords(inspect);
    // Each job's row, from the request the job carries (job id = the attempt's idempotency key).
    const rowOfJob = new Map<string, number>();
    for (const record of records) {
      const data = JSON.parse((await inspect.hget(`codcall:calls-${campaignId}:${record.key}`, 'data')) ?? '{}') as { request?: { context: Record<string, string> } };
      rowOfJob.set(record.key, Number(data.request?.context['order_id']?.slice(1)));
    }
    inspect.disconnect();
    // One job, one claim, one dial per row: nothing dialled twice.
    expect(records).toHaveLength(ROWS);
    expect(new Set(records.map((record) => rowOfJob.get(record.key))).size).toBe(ROWS);
    const cutOff = records.filter((record) => record.outcome?.reason === DEAD_GATEWAY_REASON);
    expect(cutOff.length).toBeGreaterThan(0);
    expect(cutOff.every((record) => record.gateway === 'gw-b' && record.at < killedAt)).toBe(true);
    expect(records.some((record) => record.gateway === 'gw-a' && record.at > killedAt)).toBe(true);
    expect(records.filter((record) => record.gateway === 'gw-b' && record.at > killedAt)).toEqual([]);

    const talkingRows = records.filter((record) => TALKING_ROWS.includes(rowOfJob.get(record.key)!));
    // The CSV is the upload plus each row's outcome, byte for byte: the talking rows' confirmation,
    // cancellation or new date and time; the dead gateway's live calls (talking ones too) say failed.
    const failedRows = new Set(cutOff.map((record) => rowOfJob.get(record.key)));
    const expectedCsv = (tomorrow: string) => `${HEADER}\n${Array.from({ length: ROWS }, (_, i) => lineOf(i, failedRows.has(i) ? 'failed,,' : calleeOf(i, tomorrow).cells)).join('\n')}\n`;
    const csv = await (await fetch(`${api}/campaigns/${campaignId}/csv`, { headers: withApiKey() })).text();
    const tomorrowAfter = tomorrowInIndia();
    expect(csv).toBe(expectedCsv(csv === expectedCsv(tomorrowAfter) ? tomorrowAfter : tomorrowBefore));
    // Most talking rows were not cut off: the outcomes above are conversations over the gateways' media streams, not failures.
    const talked = talkingRows.filter((record) => !failedRows.has(rowOfJob.get(record.key)));
    expect(talked.length).toBeGreaterThanOrEqual(2);

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
  }, 180_000);
});
