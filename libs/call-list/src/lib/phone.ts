import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { maskPhone } from '@codcall/logging';

export type PhoneCheck = { ok: true; e164: string } | { ok: false; reason: string };

/**
 * A number is dialled when it is E.164 in shape and a possible length for its country. Unassigned
 * ranges (the seed's +1555... examples) are possible but not valid: they pass unless `strict`.
 * Reasons show the number masked (it is still someone's number, even when it cannot be dialled).
 */
export function checkPhone(raw: string, strict = false): PhoneCheck {
  const compact = raw.trim().replace(/[\s\-.()]/g, '');
  const shown = `"${numberForMessages(raw.trim())}"`;
  if (!compact) return { ok: false, reason: 'the phone number is empty' };
  if (!compact.startsWith('+')) return { ok: false, reason: `${shown} has no leading + and country code (E.164, e.g. +919876543210)` };
  if (!/^\+\d+$/.test(compact)) return { ok: false, reason: `${shown} contains characters that are not digits` };
  if (!/^\+[1-9]\d{7,14}$/.test(compact)) return { ok: false, reason: `${shown} is not 8 to 15 digits after the +` };
  const parsed = parsePhoneNumberFromString(compact);
  if (!parsed) return { ok: false, reason: `${shown} has an unknown country code` };
  if (!parsed.isPossible()) return { ok: false, reason: `${shown} is not a possible length for +${parsed.countryCallingCode}` };
  if (strict && !parsed.isValid()) return { ok: false, reason: `${shown} is not an assigned number range for +${parsed.countryCallingCode} (strict mode)` };
  return { ok: true, e164: parsed.number };
}

/**
 * A phone cell as a message may show it: masked like the logs (country prefix and the last two
 * digits) once it has enough digits to reach someone; text with fewer digits ("n/a") as it is.
 */
export function numberForMessages(raw: string): string {
  return raw.replace(/\D/g, '').length >= 6 ? maskPhone(raw) : raw;
}
