import type { LanguagePack } from './language-pack';

/**
 * Packs whose text writes its own digits: an Arabic sentence writes ١٠٤٢, and giving the voice
 * digits in the script of the sentence keeps it from reading them as another language's
 * numbers (a choice, not yet measured against ElevenLabs).
 */
const NUMBERING_SYSTEMS: Partial<Record<LanguagePack['code'], string>> = { ar: 'arab' };

function numberFormat(pack: LanguagePack, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const numberingSystem = NUMBERING_SYSTEMS[pack.code];
  return new Intl.NumberFormat(pack.locale, numberingSystem ? { ...options, numberingSystem } : options);
}

function digitsFor(pack: LanguagePack): (digit: string) => string {
  const format = numberFormat(pack, { useGrouping: false });
  return (digit) => format.format(Number(digit));
}

/**
 * "ORD-1042" -> "O R D, 1 0 4 2": one character at a time so the voice does not read "ord" as a
 * word or 1042 as "one thousand forty-two", and a comma between groups so it pauses there.
 * Groups break at punctuation and where letters turn into digits.
 */
export function spokenOrderId(orderId: string, pack: LanguagePack): string {
  const digit = digitsFor(pack);
  const groups = orderId.toUpperCase().match(/\p{L}+|\p{N}+/gu) ?? [];
  return groups.map((group) => [...group].map((character) => (/\d/.test(character) ? digit(character) : character)).join(' ')).join(', ');
}

/**
 * An amount as the locale writes it ("1.299,50" in Brazil, "1,299.5" in Mexico), with the
 * currency's spoken name when the row has an ISO currency code ("1,299 Indian rupees"): names
 * read better than symbols. A cell that is not a number is returned as it is.
 */
export function spokenAmount(amount: string, pack: LanguagePack, currency?: string): string {
  const value = parseAmount(amount);
  if (value === undefined) return amount;
  const code = currency?.trim().toUpperCase();
  if (code && /^[A-Z]{3}$/.test(code)) {
    try {
      return numberFormat(pack, { style: 'currency', currency: code, currencyDisplay: 'name', trailingZeroDisplay: 'stripIfInteger' }).format(value);
    } catch {
      // An unknown currency code: say the number and the cell as written.
    }
  }
  const number = numberFormat(pack, { maximumFractionDigits: 2 }).format(value);
  return code ? `${number} ${currency?.trim()}` : number;
}

/** "1299", "1,299.50", "1.299,50", "₹ 1,299" -> a number; the last separator followed by one or two digits is the decimal one. */
function parseAmount(text: string): number | undefined {
  const cleaned = text.replace(/[^\d.,-]/g, '');
  if (!/\d/.test(cleaned)) return undefined;
  const decimal = cleaned.match(/[.,](\d{1,2})$/);
  const whole = decimal ? cleaned.slice(0, -decimal[0].length) : cleaned;
  const value = Number(`${whole.replace(/[.,]/g, '')}${decimal ? `.${decimal[1]}` : ''}`);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * The row's variables as the agent should say them: `order_id` spelled out, `amount` in the
 * locale (with the row's `currency` when it has one); every other cell as it is.
 */
export function spokenVariables(variables: Record<string, string>, pack: LanguagePack): Record<string, string> {
  const spoken = { ...variables };
  if (variables['order_id']) spoken['order_id'] = spokenOrderId(variables['order_id'], pack);
  if (variables['amount']) spoken['amount'] = spokenAmount(variables['amount'], pack, variables['currency'] || undefined);
  return spoken;
}
