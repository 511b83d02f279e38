/**
 * Campaigns spread over gateways (issue 12): one campaign of BENCH_ROWS simulated rows (short callee
 * scripts) started through the campaign-api's POST /campaigns, run in the embedded mode (one
 * gateway over HTTP, no Redis) and in the distributed mode (BullMQ on Debian's redis-server) with
 * 1, 2 and 4 gateway processes, each holding at most BENCH_GATEWAY_CALLS calls at once. Every
 * service is the built app in its own process. Reported per mode: calls completed per minute and
 * the ratio to one gateway, Redis commands per call (by command kind, and by sender up to 300 rows),
 * campaign-api peak RSS, gateway CPU, wall time; and a chart of rows done over time.
 *
 *   npm run bench:scale:campaigns
 *   BENCH_ROWS=500 BENCH_GATEWAYS=1,2 npm run bench:scale:campaigns
 *
 * Env: BENCH_ROWS (2000), BENCH_GATEWAYS (1,2,4), BENCH_EMBEDDED (true), BENCH_GATEWAY_CALLS (25),
 * BENCH_CPS (100), BENCH_TALKING_PERCENT (10), BENCH_STUCK_SECONDS (180),
 * BENCH_REDIS_BY_SENDER (true up to 300 rows: MONITOR's breakdown by sender), BENCH_KEEP=true keeps
 * the folders and logs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import * as asciichart from 'asciichart';
import type { CampaignView } from '@codcall/gateway-api';
import { freePort } from '../libs/test-support/src/lib/free-port';
import { RedisTestServer } from '../libs/test-support/src/lib/redis-server';
import { RedisCommandTally, type RedisCommandReport } from './redis-commands';
import { MAINS, ProcessTreeMeter, sleep, startService, stopChild, WORKSPACE, type Service } from './services';
import { table } from './stats';

const ROWS = Number(process.env['BENCH_ROWS'] ?? 2000);
const GATEWAY_COUNTS = (process.env['BENCH_GATEWAYS'] ?? '1,2,4').split(',').map(Number).filter((n) => n > 0);
const EMBEDDED = process.env['BENCH_EMBEDDED'] !== 'false';
const GATEWAY_CALLS = Number(process.env['BENCH_GATEWAY_CALLS'] ?? 25);
const CPS = Number(process.env['BENCH_CPS'] ?? 100);
/** Talking rows cost the gateways' CPU most (eSpeak, the turn loop): 10% keeps 2,000 rows in four modes within about 15 min on 2 idle cores. */
const TALKING_PERCENT = Number(process.env['BENCH_TALKING_PERCENT'] ?? 10);
/** A mode whose rows done stand still this long with calls in flight is stuck (a call that never ends): reported, not waited for. */
const STUCK_SECONDS = Number(process.env['BENCH_STUCK_SECONDS'] ?? 180);
/** Who sent each Redis command (MONITOR): on by default for runs of up to 300 rows, where its cost does not matter. */
const BY_SENDER = (process.env['BENCH_REDIS_BY_SENDER'] ?? String(ROWS <= 300)) === 'true';
/** The campaign's own cap on calls in flight (the CLI's --concurrency, at most 100): above what four gateways hold. */
const CONCURRENCY = 100;
const CAMPAIGN_API_MAIN = join(WORKSPACE, 'dist/apps/campaign-api/apps/campaign-api/src/main.js');
const API_KEY = randomBytes(24).toString('base64url');

interface ModeResult {
  mode: string;
  gateways: number;
  rows: number;
  done: number;
  state: string;
  wallMs: number;
  /** Rows done at each second since the campaign was accepted. */
  progress: number[];
  redis?: RedisCommandReport;
  campaignApiPeakRssBytes: number;
  /** CPU the gateway processes used during the campaign, together. */
  gatewayCpuMs: number;
  byStatus: Record<string, number>;
  error?: string;
}

/** Row i's callee: TALKING_PERCENT answer, say who they are and confirm (two turns: the agent asks who it speaks with first); of the rest, half busy, half ring out. */
function calleeFor(index: number): unknown {
  const percent = (index * 37) % 100; // spread over the file, not in blocks
  if (percent < TALKING_PERCENT) return { answer: 'human', ringSeconds: 0.5, says: ['Yes, speaking.', 'Yes, please deliver it.'] };
  if (percent < TALKING_PERCENT + (100 - TALKING_PERCENT) / 2) return { answer: 'busy', ringSeconds: 0.5 };
  return { answer: 'no_answer', ringSeconds: 1 };
}

function writeCampaignFiles(dir: string): { csv: string; callees: string } {
  const lines = ['name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,city,amount'];
  const callees: Record<string, unknown> = {};
  for (let i = 0; i < ROWS; i++) {
    const phone = `+9198${String(10_000_000 + i).padStart(8, '0')}`;
    lines.push(`Customer ${i},${phone},ORD${String(i).padStart(6, '0')},,,,Pune,₹499`);
    callees[phone] = calleeFor(i);
  }
  const csv = join(dir, 'call_list.csv');
  const calleesFile = join(dir, 'callees.json');
  writeFileSync(csv, lines.join('\n') + '\n');
  writeFileSync(calleesFile, JSON.stringify(callees));
  return { csv, callees: calleesFile };
}

async function startGateway(index: number, dir: string, agentApiUrl: string, redisUrl?: string): Promise<Service> {
  const port = await freePort();
  return startService(
    `gateway-${index}`,
    MAINS.gateway,
    {
      CODCALL_API_KEYS: API_KEY,
      CODCALL_API_KEY: API_KEY,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      AGENT_API_URL: agentApiUrl,
      GATEWAY_DATA_DIR: join(dir, `gateway-${index}`),
      RECORDS_DIR: join(dir, `gateway-${index}`, 'calls'),
      GATEWAY_MAX_CALLS: String(GATEWAY_CALLS),
      GATEWAY_WORKERS: '1',
      GATEWAY_ID: `bench-gateway-${index}`,
      SIMULATOR_ENABLED: 'true',
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    },
    port,
    dir,
  );
}

async function runMode(gateways: number, distributed: boolean, files: { csv: string; callees: string }, agent: { id: string; api: Service }, root: string, redisServer?: RedisTestServer): Promise<ModeResult> {
  const mode = distributed ? 'distributed' : 'embedded';
  const dir = mkdtempSync(join(root, `${mode}-${gateways}-`));
  const result: ModeResult = { mode, gateways, rows: ROWS, done: 0, state: 'not started', wallMs: 0, progress: [], campaignApiPeakRssBytes: 0, gatewayCpuMs: 0, byStatus: {} };
  const services: Service[] = [];
  let redis: Redis | undefined;
  try {
    if (distributed && redisServer) {
      redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
      await redis.flushall();
    }
    for (let i = 1; i <= gateways; i++) services.push(await startGateway(i, dir, agent.api.url, distributed ? redisServer?.url : undefined));
    const apiPort = await freePort();
    const campaignApi = await startService(
      'campaign-api',
      CAMPAIGN_API_MAIN,
      {
        CODCALL_API_KEYS: API_KEY,
        CODCALL_API_KEY: API_KEY,
        CAMPAIGN_API_HOST: '127.0.0.1',
        CAMPAIGN_API_PORT: String(apiPort),
        DATA_DIR: join(dir, 'campaign-api'),
        AGENT_API_URL: agent.api.url,
        GATEWAY_URL: services[0].url,
        ...(distributed && redisServer ? { REDIS_URL: redisServer.url } : {}),
      },
      apiPort,
      dir,
    );
    services.push(campaignApi);
    const meter = new ProcessTreeMeter(campaignApi.child.pid!);
    meter.start();
    const gatewayMeters = services.filter((service) => service !== campaignApi).map((service) => new ProcessTreeMeter(service.child.pid!));
    gatewayMeters.forEach((gatewayMeter) => gatewayMeter.start());
    const tally = distributed && redisServer ? new RedisCommandTally(redisServer.url, { bySender: BY_SENDER }) : undefined;
    const names = new Map(services.map((service) => [service.child.pid!, service.name]));
    const headers = { authorization: `Bearer ${API_KEY}` };
    const form = new FormData();
    form.set('agent_id', agent.id);
    form.set('provider', 'sim');
    form.set('concurrency', String(CONCURRENCY));
    form.set('cps', String(CPS));
    form.set('window', '00:00-24:00');
    form.set('days', 'mon-sun');
    form.set('max_attempts', '1');
    form.set('csv', new Blob([readFileSync(files.csv)], { type: 'text/csv' }), 'call_list.csv');
    form.set('simulate', new Blob([readFileSync(files.callees)], { type: 'application/json' }), 'callees.json');
    await tally?.start();
    const started = performance.now();
    const created = await fetch(`${campaignApi.url}/campaigns`, { method: 'POST', headers, body: form });
    if (created.status !== 201) throw new Error(`POST /campaigns answered ${created.status}: ${await created.text()}`);
    const { campaign_id } = (await created.json()) as CampaignView;
    const deadline = started + Math.max(600_000, ROWS * 2_000);
    let view: CampaignView | undefined;
    for (;;) {
      await sleep(1000);
      const answer = await fetch(`${campaignApi.url}/campaigns/${campaign_id}`, { headers });
      if (!answer.ok) continue;
      view = (await answer.json()) as CampaignView;
      result.progress.push(view.rows.done);
      if (result.progress.length % 10 === 0) process.stderr.write(`  ${mode}, ${gateways} gateway(s): ${view.rows.done}/${ROWS} rows done, ${view.rows.in_flight} in flight\n`);
      if (['finished', 'failed', 'cancelled'].includes(view.state)) break;
      const standing = result.progress.length - 1 - result.progress.findIndex((done) => done === view!.rows.done);
      if (standing >= STUCK_SECONDS) throw new Error(`stuck: ${view.rows.in_flight} calls in flight and no row done for ${STUCK_SECONDS} s (${view.rows.done} rows done)`);
      if (performance.now() > deadline) throw new Error(`the campaign did not finish within ${Math.round((deadline - started) / 1000)} s (${view.rows.done} rows done)`);
    }
    result.wallMs = performance.now() - started;
    result.done = view.rows.done;
    result.state = view.state;
    result.byStatus = view.by_status;
    result.error = view.error;
    result.redis = await tally?.stop(names);
    result.campaignApiPeakRssBytes = meter.stop().peakRssBytes;
    result.gatewayCpuMs = gatewayMeters.reduce((sum, gatewayMeter) => sum + gatewayMeter.stop().cpuMs, 0);
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    for (const service of services.reverse()) await stopChild(service.child);
    redis?.disconnect();
    if (process.env['BENCH_KEEP'] !== 'true') rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'codcall-campaign-scale-'));
  const files = writeCampaignFiles(root);
  const agentPort = await freePort();
  const agentApi = await startService('agent-api', MAINS.agentApi, { CODCALL_API_KEYS: API_KEY, AGENT_API_HOST: '127.0.0.1', AGENT_API_PORT: String(agentPort), DATA_DIR: join(root, 'agents') }, agentPort, root);
  const redisServer = GATEWAY_COUNTS.length ? await new RedisTestServer({ dir: mkdtempSync(join(root, 'redis-')) }).start() : undefined;
  const results: ModeResult[] = [];
  try {
    const body = readFileSync(join(WORKSPACE, 'agent_data/cod_confirmation_agent.json'), 'utf8');
    const created = await fetch(`${agentApi.url}/agent`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` }, body });
    if (!created.ok) throw new Error(`POST /agent answered ${created.status}`);
    const agentId = ((await created.json()) as { agent_id: string }).agent_id;
    process.stderr.write(`${ROWS} rows; gateways hold ${GATEWAY_CALLS} calls each; campaign concurrency ${CONCURRENCY}, ${CPS} calls/s; ${availableParallelism()} cores\n`);
    if (EMBEDDED) results.push(await runMode(1, false, files, { id: agentId, api: agentApi }, root));
    for (const count of GATEWAY_COUNTS) results.push(await runMode(count, true, files, { id: agentId, api: agentApi }, root, redisServer));
  } finally {
    await redisServer?.stop();
    await stopChild(agentApi.child);
    if (process.env['BENCH_KEEP'] !== 'true') rmSync(root, { recursive: true, force: true });
  }
  report(results);
  if (results.some((r) => r.error || r.done !== r.rows)) process.exitCode = 1;
}

function report(results: ModeResult[]): void {
  const perMinute = (r: ModeResult) => (r.wallMs > 0 ? r.done / (r.wallMs / 60_000) : 0);
  const oneGateway = results.find((r) => r.mode === 'distributed' && r.gateways === 1);
  console.log(`\nCampaign of ${ROWS} simulated rows through POST /campaigns (${TALKING_PERCENT}% answer and confirm, the rest busy or no answer; gateways hold ${GATEWAY_CALLS} calls each).\n`);
  console.log(
    table(
      ['mode', 'gateways', 'rows done', 'state', 'wall s', 'calls/min', 'ratio to 1 gateway', 'Redis commands/call', 'campaign-api peak RSS MB', 'gateway CPU s', 'gateway CPU ms/call', 'outcomes', 'error'],
      results.map((r) => [
        r.mode,
        r.gateways,
        `${r.done}/${r.rows}`,
        r.state,
        r.wallMs / 1000,
        perMinute(r),
        oneGateway && perMinute(oneGateway) > 0 ? (perMinute(r) / perMinute(oneGateway)).toFixed(2) : 'n/a',
        r.redis && r.done > 0 ? (r.redis.total / r.done).toFixed(1) : '-',
        r.campaignApiPeakRssBytes / 2 ** 20,
        r.gatewayCpuMs / 1000,
        r.done > 0 ? r.gatewayCpuMs / r.done : 0,
        Object.entries(r.byStatus).filter(([, n]) => n > 0).map(([status, n]) => `${status} ${n}`).join(', '),
        r.error ?? '',
      ]),
    ),
  );
  const distributed = results.filter((r) => r.redis && r.done > 0);
  if (distributed.length) {
    console.log('\nRedis commands per call by kind, top 5 (commandstats: the commands inside BullMQ\'s Lua scripts counted one by one):\n');
    console.log(table(['gateways', 'commands/call', 'top 5 (per call)'], distributed.map((r) => [r.gateways, (r.redis!.total / r.done).toFixed(1), r.redis!.byCommand.slice(0, 5).map((c) => `${c.kind} ${(c.calls / r.done).toFixed(1)}`).join(', ')])));
  }
  const bySender = distributed.filter((r) => r.redis!.bySender);
  if (bySender.length) {
    console.log('\nRedis commands per call by sender (MONITOR): sent = round trips or pipeline slots, run = with the commands inside its scripts; top 6 kinds sent (per call):\n');
    console.log(
      table(
        ['gateways', 'sender', 'sent/call', 'run/call', 'top kinds sent'],
        bySender.flatMap((r) => r.redis!.bySender!.map((tally) => [r.gateways, tally.sender, (tally.sent / r.done).toFixed(1), (tally.run / r.done).toFixed(1), tally.bySent.slice(0, 6).map((c) => `${c.kind} ${(c.calls / r.done).toFixed(1)}`).join(', ')])),
      ),
    );
  }
  const series = results.filter((r) => r.progress.length > 1);
  if (series.length) {
    const width = Math.max(...series.map((r) => r.progress.length));
    const step = Math.max(1, Math.ceil(width / 100));
    const sampled = series.map((r) => Array.from({ length: Math.ceil(width / step) }, (_, i) => r.progress[Math.min(i * step, r.progress.length - 1)]));
    const colors = [asciichart.blue, asciichart.green, asciichart.yellow, asciichart.magenta, asciichart.red];
    console.log(`\nRows done over time (one column = ${step} s): ${series.map((r, i) => `${['blue', 'green', 'yellow', 'magenta', 'red'][i % 5]} ${r.mode} x${r.gateways}`).join(', ')}\n`);
    console.log(asciichart.plot(sampled, { height: 14, colors: series.map((_, i) => colors[i % colors.length]) }));
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
