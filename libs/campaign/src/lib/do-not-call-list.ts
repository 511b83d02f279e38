import { readFile } from 'node:fs/promises';
import { checkPhone } from '@codcall/call-list';
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
    // The reason shows a near-number masked (it is still someone's), plain text as it is.
    if (!phone.ok) throw new CampaignOptionsError(`${path}: line ${i + 1}: ${phone.reason}`);
    numbers.add(phone.e164);
  });
  return numbers;
}
