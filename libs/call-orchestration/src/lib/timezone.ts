import { getCountry } from 'countries-and-timezones';
import parsePhoneNumber from 'libphonenumber-js/max';

/**
 * The callee's IANA timezone, for resolving "tomorrow at 3" on their calendar: an explicit
 * `timezone` column wins; otherwise the number's country when it has a single zone (India,
 * UAE, Indonesia's numbers do not say which island, so several-zone countries fall back).
 */
export function timezoneForCallee(e164: string, explicit: string | undefined, fallback: string): string {
  if (explicit && isValidZone(explicit)) return explicit;
  const country = parsePhoneNumber(e164)?.country;
  const zones = country ? getCountry(country)?.timezones : undefined;
  if (zones && zones.length === 1) return zones[0];
  return fallback;
}

function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
