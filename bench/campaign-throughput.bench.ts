/**
 * Campaign throughput: a CSV of 10k, 50k and 100k rows dialled through an in-process gateway
 * whose calls end at once, so what is measured is the campaign itself: the store's attempt
 * records (three SQLite commits per call), the calling-window check, the CSV journal and its
 * batched rewrites. Each size runs in its own process (peak RSS is per process), BENCH_RUNS times,
 * compiled by tsc like the CLI in production (an on-the-fly transpiler would add ~80 MB of its own RSS).
 *
 *   npm run bench:campaign                       (defaults: 10000,50000,100000 rows x 3 runs)
 *   BENCH_SIZES=10000 BENCH_RUNS=1 npm run bench:campaign
 *
 * Targets (issue 5): at least 5,000 outcomes a second and under 300 MB RSS at 100k rows, and the
 * bytes written to the CSV growing linearly with the rows (a constant multiple of the file size).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallListRepository } from '@codcall/call-list';
import { NO_RETRIES, parseCallingWindow, runCampaign } from '@codcall/campaign';
import { CampaignStore } from '@codcall/campaign-store';
// Straight from its file: the test-support index would also load every vendor fake (and its SDK) into the measured process.
import { InProcessGateway } from '../libs/test-support/src/lib/in-process-gateway';
import { table } from './stats';

interface Measurement {
  rows: number;
  seconds: number;
  outcomesPerSecond: number;
  peakRssMb: number;
  csvBytes: number;
  bytesWritten: number;
  rewrites: number;
}

const SIZES = (process.env['BENCH_SIZES'] ?? '10000,50000,100000').split(',').map(Number);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);

/** One campaign over the CSV at `csv` (written by the parent, so making it is not measured), in this process. */
async function measure(rows: number, csv: string): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'codcall-bench-store-'));
  try {
    const csvBytes = statSync(csv).size;

    const repository = await CallListRepository.open(csv);
    const store = CampaignStore.open(join(dir, 'campaigns.sqlite'), { key: 'bench', csvPath: csv });
    const gateway = new InProcessGateway(undefined, Date.now, { keepDials: false });
    const started = process.hrtime.bigint();
    const summary = await runCampaign({
      repository,
      gateway,
      store,
      agentId: 'bench',
      carrier: 'sim',
      concurrency: 100,
      callsPerSecond: Infinity,
      retryPolicy: NO_RETRIES,
      callingWindow: parseCallingWindow('00:00-24:00', 'mon-sun'),
      pollSeconds: 1,
    });
    await repository.close();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    store.close();
    const recorded = Object.values(summary.byStatus).reduce((a, b) => a + b, 0);
    if (recorded !== rows) throw new Error(`expected ${rows} outcomes, got ${recorded}`);
    return {
      rows,
      seconds,
      outcomesPerSecond: rows / seconds,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      csvBytes,
      bytesWritten: repository.stats.bytesWritten,
      rewrites: repository.stats.rewrites,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Numbers across India, the UAE and Mexico, so the window check sees several sets of zones. */
function writeCallList(path: string, rows: number): void {
  const lines = ['name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,address'];
  const prefixes = ['+9198', '+97150', '+5255'];
  for (let i = 0; i < rows; i++) {
    const prefix = prefixes[i % prefixes.length];
    const digits = String(i).padStart(prefix === '+97150' ? 7 : 8, '0');
    lines.push(`Customer ${i},${prefix}${digits},ORD${i},,,,"${i} Long Street, Apartment ${i % 97}"`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const only = process.env['BENCH_CHILD_ROWS'];
  if (only) {
    process.stdout.write(`${JSON.stringify(await measure(Number(only), process.env['BENCH_CHILD_CSV']!))}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'codcall-bench-'));
  const results: Measurement[][] = [];
  for (const rows of SIZES) {
    const runs: Measurement[] = [];
    for (let run = 0; run < RUNS; run++) {
      const csv = join(dir, `call_list_${rows}_${run}.csv`);
      writeCallList(csv, rows);
      const env = { ...process.env, BENCH_CHILD_ROWS: String(rows), BENCH_CHILD_CSV: csv };
      const output = execFileSync(process.execPath, [...process.execArgv, __filename], { env, encoding: 'utf8' });
      rmSync(csv, { force: true });
      rmSync(`${csv}.journal`, { force: true });
      runs.push(JSON.parse(output.trim().split('\n').pop()!) as Measurement);
      process.stderr.write(`  ${rows} rows, run ${run + 1}/${RUNS}: ${Math.round(runs[run].outcomesPerSecond)} outcomes/s\n`);
    }
    results.push(runs);
  }
  rmSync(dir, { recursive: true, force: true });
  const base = median(results[0].map((r) => r.bytesWritten)) / results[0][0].rows;
  const rowsOut = results.map((runs) => {
    const written = median(runs.map((r) => r.bytesWritten));
    return [
      runs[0].rows,
      Math.round(median(runs.map((r) => r.outcomesPerSecond))),
      Math.round(Math.min(...runs.map((r) => r.outcomesPerSecond))),
      median(runs.map((r) => r.seconds)),
      Math.round(median(runs.map((r) => r.peakRssMb))),
      Math.round(Math.max(...runs.map((r) => r.peakRssMb))),
      (runs[0].csvBytes / 1e6).toFixed(2),
      (written / 1e6).toFixed(2),
      (written / runs[0].csvBytes).toFixed(1),
      (written / runs[0].rows / base).toFixed(2),
      median(runs.map((r) => r.rewrites)),
    ];
  });
  process.stdout.write(
    `\nCampaign throughput: instant simulated calls, concurrency 100, no CPS limit, ${RUNS} runs per size (medians, with the slowest rate and the largest RSS)\n\n` +
      table(['rows', 'outcomes/s', 'min/s', 'seconds', 'peak RSS MB', 'max RSS MB', 'CSV MB', 'written MB', 'written/CSV', 'bytes/row vs first', 'rewrites'], rowsOut) +
      '\n\nTargets at 100k rows: >= 5000 outcomes/s, < 300 MB RSS; "bytes/row vs first" near 1.00 means bytes written grow linearly with rows.\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
