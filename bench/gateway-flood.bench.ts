/**
 * A flood against a real gateway process (issue 9): first FLOOD_DIALS `POST /call` at FLOOD_RATE a
 * second, each with its own greeting (a distinct name, so nothing is shared by the greeting cache),
 * then a FLOOD_ROWS-row simulated campaign through the real CLI at --cps FLOOD_CPS. The gateway must
 * stay up, answer 503 with Retry-After beyond GATEWAY_MAX_CALLS, and keep its peak RSS under 1 GB.
 *
 *   npm run bench:flood                                  (1,000 dials at 50/s, then 100,000 rows at --cps 50)
 *   FLOOD_ROWS=5000 npm run bench:flood                  (a shorter campaign)
 *   FLOOD_MAX_CALLS=40 FLOOD_DIALS=300 npm run bench:flood
 *
 * The agent-api, gateway and CLI are the built apps (dist/), each its own process, on loopback only.
 * The gateway's RSS is sampled from /proc every 250 ms.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { plot } from 'asciichart';
// Straight from its file: the test-support index would also load every vendor fake into this process.
import { freePort } from '../libs/test-support/src/lib/free-port';
import { children, MAINS, sleep, startService, WORKSPACE, type Service } from './services';
import { summarise, table } from './stats';

const DIALS = positive('FLOOD_DIALS', 1000);
const RATE = positive('FLOOD_RATE', 50);
const ROWS = Number(process.env['FLOOD_ROWS'] ?? 100_000);
const CPS = positive('FLOOD_CPS', 50);
const MAX_CALLS = process.env['FLOOD_MAX_CALLS'];
const TALK_EVERY = positive('FLOOD_TALK_EVERY', 50);
const RSS_LIMIT_MB = 1024;

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** Samples a process's resident memory from /proc, as the kernel counts it. */
class RssSampler {
  readonly samples: { atMs: number; mb: number }[] = [];
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 250);
  }

  get peakMb(): number {
    return Math.max(0, ...this.samples.map((s) => s.mb));
  }

  latestMb(): number {
    return this.samples.at(-1)?.mb ?? 0;
  }

  /** The kernel's own high-water mark (VmHWM), which catches a peak between two samples. */
  highWaterMb(): number {
    return this.statusField('VmHWM') ?? this.peakMb;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const mb = this.statusField('VmRSS');
    if (mb !== undefined) this.samples.push({ atMs: Date.now() - this.started, mb });
  }

  private statusField(name: string): number | undefined {
    try {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return match ? Number(match[1]) / 1024 : undefined;
    } catch {
      return undefined;
    }
  }
}

interface FloodResult {
  sent: number;
  accepted: number;
  atCapacity: number;
  retryAfterGiven: number;
  other: Record<string, number>;
  completed: Record<string, number>;
  dialMs: number[];
}

/** Phase 1: DIALS POST /call at RATE a second, then every accepted call waited for to its outcome. */
async function flood(gateway: string, key: string, agentId: string, progress: (line: string) => void): Promise<FloodResult> {
  const result: FloodResult = { sent: 0, accepted: 0, atCapacity: 0, retryAfterGiven: 0, other: {}, completed: {}, dialMs: [] };
  const callIds: string[] = [];
  const requests: Promise<void>[] = [];
  const started = Date.now();
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  for (let i = 0; i < DIALS; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    const body = {
      agent_id: agentId,
      recipient_phone_number: `+9197${String(10_000_000 + i)}`,
      // A distinct name per call: every greeting is a new text to synthesise.
      context: { name: `Flood Customer ${i} ${randomBytes(3).toString('hex')}`, order_id: `FLOOD${i}`, amount: `₹${100 + i}` },
      carrier: 'sim',
      simulation: { answer: 'human', ringSeconds: 1, says: ['Yes, speaking.', 'Yes, please deliver it.'] },
    };
    result.sent++;
    const sentAt = performance.now();
    requests.push(
      fetch(`${gateway}/call`, { method: 'POST', headers, body: JSON.stringify(body) })
        .then(async (response) => {
          result.dialMs.push(performance.now() - sentAt);
          const answer = (await response.json().catch(() => ({}))) as { call_id?: string };
          if (response.status === 201 && answer.call_id) {
            result.accepted++;
            callIds.push(answer.call_id);
          } else if (response.status === 503) {
            result.atCapacity++;
            if (response.headers.get('retry-after')) result.retryAfterGiven++;
          } else {
            result.other[response.status] = (result.other[response.status] ?? 0) + 1;
          }
        })
        .catch((error: Error) => {
          result.other[error.message] = (result.other[error.message] ?? 0) + 1;
        }),
    );
    if (i % RATE === RATE - 1) progress(`flood: ${result.sent}/${DIALS} sent, ${result.accepted} accepted, ${result.atCapacity} answered 503`);
  }
  await Promise.all(requests);
  progress(`flood: all ${DIALS} sent; waiting for ${callIds.length} accepted calls to end`);
  // Long-polls, a few dozen at a time, until every accepted call has its outcome.
  let next = 0;
  const waitOne = async (): Promise<void> => {
    while (next < callIds.length) {
      const id = callIds[next++];
      for (let tries = 0; tries < 10; tries++) {
        const view = (await fetch(`${gateway}/call/${id}?wait=60`, { headers }).then((r) => r.json())) as { state?: string; outcome?: { status: string } };
        if (view.state === 'completed' && view.outcome) {
          result.completed[view.outcome.status] = (result.completed[view.outcome.status] ?? 0) + 1;
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 40 }, waitOne));
  return result;
}

/**
 * Phase 2's callees: quick busy and unanswered calls, and one in FLOOD_TALK_EVERY (default 50) a
 * short conversation. The campaign measures the gateway's memory and pace over many calls; on two
 * cores the offline voice (eSpeak-NG, in the gateway for the agent and the simulated callee alike)
 * would otherwise be the bottleneck: with one call in five a conversation the pace fell to 8 calls a second.
 */
function writeCampaign(dir: string): { csv: string; callees: string } {
  const lines = ['name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,city'];
  const callees: Record<string, unknown> = {};
  for (let i = 0; i < ROWS; i++) {
    const phone = `+9198${String(i).padStart(8, '0')}`;
    lines.push(`Customer ${i},${phone},ORD${i},,,,Pune`);
    callees[phone] =
      i % TALK_EVERY === TALK_EVERY - 1
        ? { answer: 'human', ringSeconds: 0.5, says: ['Yes, speaking.', 'Yes, please deliver it.'] }
        : i % 4 === 0
          ? { answer: 'no_answer', ringSeconds: 1 }
          : { answer: 'busy', ringSeconds: 0.5 };
  }
  const csv = join(dir, 'call_list.csv');
  const calleesPath = join(dir, 'callees.json');
  writeFileSync(csv, `${lines.join('\n')}\n`);
  writeFileSync(calleesPath, JSON.stringify(callees));
  return { csv, callees: calleesPath };
}

async function campaign(gateway: Service, agentApi: Service, key: string, agentId: string, dir: string, progress: (line: string) => void) {
  const { csv, callees } = writeCampaign(dir);
  const log = join(dir, 'cli.log');
  const out = createWriteStream(log);
  const started = Date.now();
  const cli = spawn(
    process.execPath,
    [MAINS.cli, `--agentId=${agentId}`, '--csv', csv, '--simulate', callees, '--provider', 'sim', '--cps', String(CPS), '--concurrency', '100', '--window', '00:00-24:00', '--max-attempts', '1', '--no-progress'],
    { env: { ...process.env, CODCALL_API_KEY: key, GATEWAY_URL: gateway.url, AGENT_API_URL: agentApi.url, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(cli);
  cli.stdout?.pipe(out);
  cli.stderr?.pipe(out);
  const ticker = setInterval(() => {
    const done = (readFileSync(log, 'utf8').match(/\n/g) ?? []).length;
    progress(`campaign: about ${done} of ${ROWS} rows reported after ${Math.round((Date.now() - started) / 1000)} s`);
  }, 10_000);
  const code = await new Promise<number | null>((resolve) => cli.on('exit', resolve));
  clearInterval(ticker);
  const seconds = (Date.now() - started) / 1000;
  const byStatus: Record<string, number> = {};
  const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1);
  for (const row of rows) {
    const status = row.split(',')[3] || '(none)';
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }
  return { code, seconds, byStatus, written: rows.length - (byStatus['(none)'] ?? 0), log };
}

function tally(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([status, n]) => `${status} ${n}`)
    .join(', ') || '-';
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'codcall-flood-'));
  const key = randomBytes(24).toString('base64url');
  const progress = (line: string) => process.stderr.write(`  ${line}\n`);
  const [agentPort, gatewayPort] = [await freePort(), await freePort()];
  const common = { CODCALL_API_KEYS: key, CODCALL_API_KEY: key };
  const agentApi = await startService('agent-api', MAINS.agentApi, { ...common, AGENT_API_HOST: '127.0.0.1', AGENT_API_PORT: String(agentPort), DATA_DIR: join(dir, 'agents') }, agentPort, dir);
  const gateway = await startService(
    'gateway',
    MAINS.gateway,
    {
      ...common,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(gatewayPort),
      AGENT_API_URL: agentApi.url,
      SIMULATOR_ENABLED: 'true',
      GATEWAY_DATA_DIR: join(dir, 'gateway'),
      RECORDS_DIR: join(dir, 'calls'),
      ...(MAX_CALLS ? { GATEWAY_MAX_CALLS: MAX_CALLS } : {}),
    },
    gatewayPort,
    dir,
  );
  const rss = new RssSampler(gateway.child.pid!);
  try {
    const agent = readFileSync(join(WORKSPACE, 'agent_data/cod_confirmation_agent.json'), 'utf8');
    const created = await fetch(`${agentApi.url}/agent`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: agent });
    const { agent_id: agentId } = (await created.json()) as { agent_id: string };
    if (!agentId) throw new Error(`POST /agent answered ${created.status}`);
    const health = (await fetch(`${gateway.url}/health`).then((r) => r.json())) as Record<string, unknown>;
    progress(`gateway up (pid ${gateway.child.pid}), RSS ${Math.round(rss.latestMb())} MB; health: ${JSON.stringify(health)}`);

    const floodStarted = Date.now();
    const floodResult = await flood(gateway.url, key, agentId, (line) => progress(`${line}; gateway RSS ${Math.round(rss.latestMb())} MB`));
    const floodSeconds = (Date.now() - floodStarted) / 1000;
    const floodPeak = rss.peakMb;
    const upAfterFlood = await fetch(`${gateway.url}/health`).then((r) => r.ok, () => false);

    const run = ROWS > 0 ? await campaign(gateway, agentApi, key, agentId, dir, (line) => progress(`${line}; gateway RSS ${Math.round(rss.latestMb())} MB`)) : undefined;
    const upAtEnd = gateway.child.exitCode === null && (await fetch(`${gateway.url}/health`).then((r) => r.ok, () => false));
    rss.stop();
    const peak = Math.max(rss.peakMb, rss.highWaterMb());
    const dial = summarise(floodResult.dialMs);
    const completedFlood = Object.values(floodResult.completed).reduce((a, b) => a + b, 0);

    const rows: (string | number)[][] = [
      [
        `flood: ${DIALS} POST /call at ${RATE}/s`,
        floodResult.sent,
        floodResult.accepted,
        `${floodResult.atCapacity} (${floodResult.retryAfterGiven} with Retry-After)`,
        tally(floodResult.other),
        `${completedFlood}: ${tally(floodResult.completed)}`,
        Math.round(floodSeconds),
        Math.round(floodPeak),
        upAfterFlood ? 'yes' : 'NO',
      ],
    ];
    if (run) {
      rows.push([
        `campaign: ${ROWS} rows at --cps ${CPS}`,
        ROWS,
        run.written,
        '-',
        `CLI exit ${run.code}`,
        tally(run.byStatus),
        Math.round(run.seconds),
        Math.round(peak),
        upAtEnd ? 'yes' : 'NO',
      ]);
    }
    const chartPoints = downsample(rss.samples.map((s) => s.mb), 100);
    process.stdout.write(
      `\nGateway under a flood (GATEWAY_MAX_CALLS ${MAX_CALLS ?? `default: 50 per core, ${50 * availableParallelism()} here`}), one gateway process on this machine\n\n` +
        table(['phase', 'requests', 'accepted', '503', 'other answers', 'calls completed (by outcome)', 'seconds', 'peak RSS MB', 'gateway up'], rows) +
        `\n\nPOST /call answer time: p50 ${dial.p50.toFixed(1)} ms, p95 ${dial.p95.toFixed(1)} ms, p99 ${dial.p99.toFixed(1)} ms, max ${dial.max.toFixed(1)} ms` +
        `\nGateway peak RSS ${Math.round(peak)} MB (kernel high-water mark) against a limit of ${RSS_LIMIT_MB} MB: ${peak < RSS_LIMIT_MB ? 'within' : 'OVER'}\n` +
        `\nGateway RSS (MB) over the whole run, ${Math.round((rss.samples.at(-1)?.atMs ?? 0) / 1000)} s:\n` +
        plot(chartPoints, { height: 12, format: (x: number) => x.toFixed(0).padStart(6) }) +
        '\n',
    );
    if (run && run.code !== 0) {
      // A campaign that stopped early is a failed run, whatever the memory did: say why, as the CLI did.
      const said = readFileSync(run.log, 'utf8').trim().split('\n').slice(-3).join('\n');
      process.stdout.write(`\nThe campaign stopped early (CLI exit ${run.code}); its last words:\n${said}\n`);
    }
    if (!upAtEnd || peak >= RSS_LIMIT_MB || (run && run.code !== 0)) process.exitCode = 1;
  } finally {
    rss.stop();
    for (const service of [gateway, agentApi]) service.child.kill('SIGTERM');
    await sleep(500);
    if (process.env['FLOOD_KEEP'] !== 'true') rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`  logs and files kept in ${dir}\n`);
  }
}

function downsample(values: number[], width: number): number[] {
  if (values.length <= width) return values.length ? values : [0];
  const step = values.length / width;
  return Array.from({ length: width }, (_, i) => Math.max(...values.slice(Math.floor(i * step), Math.floor((i + 1) * step))));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
