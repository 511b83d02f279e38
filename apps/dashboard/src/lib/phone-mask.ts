/**
 * A phone number as the dashboard shows it: `maskPhone` of @codcall/logging, repeated here because
 * that lib brings pino into a browser bundle. Same rule: country code and the last two digits.
 */
export function maskPhone(phone: string | undefined | null): string {
  if (!phone) return '';
  // A number the services already masked (a call record's) is shown as they masked it.
  if (phone.includes('*')) return phone;
  const digits = phone.replace(/[^\d+]/g, '');
  if (digits.length < 6) return '*'.repeat(digits.length);
  const head = digits.startsWith('+') ? digits.slice(0, 3) : digits.slice(0, 2);
  return head + '*'.repeat(digits.length - head.length - 2) + digits.slice(-2);
}
