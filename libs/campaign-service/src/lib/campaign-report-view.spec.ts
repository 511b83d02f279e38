import type { CampaignReportView } from '@codcall/gateway-api';
import { CampaignReportCache, REPORT_REUSE_MS } from './campaign-report-view';

/** A report told apart by its row count; the cache never looks inside. */
const reportOf = (rows: number) => ({ rows }) as CampaignReportView;

describe('the campaign report cache', () => {
  let now: number;
  let computed: number;
  let cache: CampaignReportCache;
  const compute = () => Promise.resolve(reportOf(++computed));
  beforeEach(() => {
    now = 1_000_000;
    computed = 0;
    cache = new CampaignReportCache(() => now);
  });

  it('computes a running campaign’s report once for every request within a few seconds, then again', async () => {
    expect((await cache.get('c1', 'running t1', true, compute)).rows).toBe(1);
    now += REPORT_REUSE_MS - 1;
    expect((await cache.get('c1', 'running t2', true, compute)).rows).toBe(1);
    now += 1;
    expect((await cache.get('c1', 'running t2', true, compute)).rows).toBe(2);
  });

  it('keeps a stopped campaign’s report until the campaign changes, and each campaign’s its own', async () => {
    await cache.get('c1', 'finished t1', false, compute);
    now += 60 * 60_000;
    expect((await cache.get('c1', 'finished t1', false, compute)).rows).toBe(1);
    expect((await cache.get('c2', 'finished t1', false, compute)).rows).toBe(2);
    expect((await cache.get('c1', 'running t2', false, compute)).rows).toBe(3);
  });

  it('gives requests that arrive while the report is computed that same computation, and forgets one that failed', async () => {
    let finish!: (report: CampaignReportView) => void;
    const slow = () => new Promise<CampaignReportView>((resolve) => (finish = resolve));
    const first = cache.get('c1', 'running t1', true, slow);
    now += REPORT_REUSE_MS * 3; // a 100,000-row campaign takes a while
    const second = cache.get('c1', 'running t1', true, compute);
    finish(reportOf(42));
    expect([(await first).rows, (await second).rows, computed]).toEqual([42, 42, 0]);

    const failing = cache.get('c2', 'finished t1', false, () => Promise.reject(new Error('the store is unreadable')));
    await expect(failing).rejects.toThrow('the store is unreadable');
    expect((await cache.get('c2', 'finished t1', false, compute)).rows).toBe(1);
  });
});
