/**
 * The dashboard's page of rows (GET /campaigns/:id/rows) over a finished 100,000-row campaign:
 * the first page (the file parsed once, the store read once) and warm pages (nothing re-read),
 * plain, deep, filtered and searched; then a page after a run ended (the store read whole again;
 * while a run goes on its events keep the rows current instead). Times are the service's, the
 * response's JSON included (the HTTP edge adds the socket only).
 *
 *   node -r @swc-node/register bench/campaign-rows.bench.ts          (BENCH_ROWS=100000 by default)
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignStore } from '@codcall/campaign-store';
import { CampaignFolder, CampaignRowsView, type CampaignRowsQuery } from '@codcall/campaign-service';
import { summarise, table } from './stats';

const ROWS = Number(process.env['BENCH_ROWS'] ?? 100_000);
const WARM_RUNS = 200;
const CAMPAIGN = 'bench-rows-campaign';
const NAMES = ['John Doe', 'अनीता शर्मा', 'فاطمة الزهراء', 'สมชาย ใจดี', 'María García'];
const STATUSES = ['confirmed', 'cancelled', 'rescheduled', 'no_answer', ''];

function status(i: number): string {
  return STATUSES[i % STATUSES.length];
}

/** The CSV a finished campaign leaves, and its store: one attempt and call per called row. */
function writeCampaign(dir: string): void {
  const lines = ['name,recipient_phone_number,order_id,status,reschedule_date,reschedule_time,city,amount'];
  for (let i = 0; i < ROWS; i++) {
    const rescheduled = status(i) === 'rescheduled';
    lines.push(`${NAMES[i % NAMES.length]} ${i},+9198${String(i).padStart(8, '0')},ORD${String(i).padStart(6, '0')},${status(i)},${rescheduled ? '2026-12-24' : ''},${rescheduled ? '15:00' : ''},Mumbai,"₹1,299"`);
  }
  writeFileSync(join(dir, 'call_list.csv'), `${lines.join('\n')}\n`);
  const store = CampaignStore.open(join(dir, 'store.sqlite'), { key: CAMPAIGN, csvPath: join(dir, 'call_list.csv') });
  const at = Date.now();
  for (let i = 0; i < ROWS; i++) {
    if (!status(i)) continue;
    const rowKey = `row:${i}`;
    const attempt = store.beginAttempt({ rowKey, orderId: `ORD${i}`, phone: `+9198${String(i).padStart(8, '0')}`, attemptNo: 1, carrier: 'sim', at });
    store.attemptPlaced(attempt, `call-${i}`, at);
    const outcome = status(i) === 'rescheduled' ? { status: 'rescheduled', reschedule_date: '2026-12-24', reschedule_time: '15:00' } : { status: status(i) };
    store.finishAttempt(attempt, { outcome, at, row: { state: 'done' }, record: { callId: `call-${i}`, durationSeconds: 20 } });
  }
  store.close();
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  JSON.stringify(await run());
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'codcall-bench-rows-'));
  try {
    writeCampaign(dir);
    const csvMb = statSync(join(dir, 'call_list.csv')).size / 1e6;
    const view = new CampaignRowsView(new CampaignFolder(dir), CAMPAIGN);
    const page = (query: Partial<CampaignRowsQuery>) => () => view.page(undefined, { offset: 0, limit: 50, ...query });
    const first = await timed(page({}));
    const queries: [string, Partial<CampaignRowsQuery>][] = [
      ['first page', {}],
      ['offset 90,000', { offset: 90_000 }],
      ['500 rows', { limit: 500 }],
      ['status=pending', { statuses: ['pending'] }],
      ['status=confirmed,rescheduled', { statuses: ['confirmed', 'rescheduled'], offset: 20_000 }],
      ['q=ord0999 (11 rows)', { search: 'ord0999' }],
      ['q=शर्मा', { search: 'शर्मा' }],
    ];
    const rows: (string | number)[][] = [];
    for (const [name, query] of queries) {
      const times: number[] = [];
      for (let run = 0; run < WARM_RUNS; run++) times.push(await timed(page(query)));
      const { p50, p95 } = summarise(times);
      rows.push([name, p50, p95]);
    }
    const reread: number[] = [];
    for (let run = 0; run < 5; run++) {
      view.runEnded();
      reread.push(await timed(page({})));
    }
    console.log(`${ROWS} rows, CSV ${csvMb.toFixed(1)} MB; first page (file parsed, store read): ${first.toFixed(0)} ms`);
    console.log(table(['warm page', 'p50 ms', 'p95 ms'], rows));
    const { p50, max } = summarise(reread);
    console.log(`a page after a run ended (the store's rows and attempts read again): p50 ${p50.toFixed(0)} ms, max ${max.toFixed(0)} ms`);
    console.log(`heap used: ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
