import { readFile } from 'node:fs/promises';
import { checkPhone } from '@codcall/call-list';
import { maskPhone } from '@codcall/logging';
import { CampaignOptionsError } from './errors';

/**
 * Reads a do-not-call file: one number per line (E.164, spaces and dashes allowed); blank lines
 * and lines starting with # are skipped; a `phone`-like header line is allowed. Returns the
 * numbers normalised to E.164; a line that is not a number is an error naming file and line.
 */
export async function loadDoNotCallList(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CampaignOptionsError(`${path}: ${code === 'ENOENT' ? 'no such do-not-call file' : `cannot read the do-not-call file (${code ?? String(error)})`}`);
  }
  const numbers = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.split(',')[0].trim();
    if (!line || line.startsWith('#') || (i === 0 && /^[a-z_ ]+$/i.test(line))) return;
    const phone = checkPhone(line);
    if (!phone.ok) {
      // A near-number is still someone's number: masked like in the logs; plain text is shown as is.
      const shown = line.replace(/\D/g, '').length >= 6 ? maskPhone(line) : line;
      throw new CampaignOptionsError(`${path}: line ${i + 1}: ${phone.reason.split(line).join(shown)}`);
    }
    numbers.add(phone.e164);
  });
  return numbers;
}
