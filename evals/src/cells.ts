import { getCountry } from 'countries-and-timezones';
import parsePhoneNumber from 'libphonenumber-js/max';
import { DateTime } from 'luxon';
import { RELATIVE_CELL } from './scenario';

/**
 * The row's zone, as the gateway chooses it: a `timezone` column, else the number's country when
 * it has one zone. The relative days of a scenario are counted on this calendar.
 */
export function rowZone(row: Record<string, string>): string {
  const explicit = row['timezone'];
  if (explicit && DateTime.now().setZone(explicit).isValid) return explicit;
  const country = row['recipient_phone_number'] ? parsePhoneNumber(row['recipient_phone_number'])?.country : undefined;
  const zones = country ? getCountry(country)?.timezones : undefined;
  return zones?.length === 1 ? zones[0] : 'UTC';
}

/**
 * What a cell should hold for a call placed at `placedAt`: `+1d` is the day after the call's date
 * in `zone`, `+0dT18:00` that day at 18:00 (compared without the offset); anything else as written.
 */
export function expectedCell(expected: string, placedAt: Date, zone: string): string {
  const relative = RELATIVE_CELL.exec(expected);
  if (!relative) return expected;
  const day = DateTime.fromJSDate(placedAt).setZone(zone).startOf('day').plus({ days: Number(relative[1]) }).toISODate() as string;
  return relative[2] ? `${day}T${relative[2]}` : day;
}

/**
 * True when `actual` is what `expected` asks for; a day-and-time expectation ignores seconds and
 * the offset; `~words` asks only that the cell contain them (a corrected address in the callee's words).
 */
export function cellMatches(expected: string, actual: string | undefined, placedAt: Date, zone: string): boolean {
  if (expected.startsWith('~')) return actual !== undefined && actual.toLowerCase().includes(expected.slice(1).trim().toLowerCase());
  const want = expectedCell(expected, placedAt, zone);
  if (actual === undefined) return want === '';
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(want)) return actual.slice(0, 16) === want;
  return actual.trim() === want;
}
