import { isUtf8 } from 'node:buffer';
import { CallListError } from './call-list-error';

const HOW_TO_FIX = 'save it as UTF-8 (CSV UTF-8 in Excel) and run again';

/**
 * Refuses a call list that is not UTF-8 (a UTF-8 BOM is fine), by name: UTF-16 and UTF-32 with
 * or without a BOM (told by their byte-order mark or their NUL-byte pattern), and any other
 * encoding by the line of its first byte that is not UTF-8. Reading such a file as UTF-8 would
 * turn names into garbage and, written back, re-encode the user's file.
 */
export function assertUtf8(path: string, bytes: Buffer): void {
  const wide = wideEncoding(bytes);
  if (wide) throw new CallListError('ENCODING', `${path} is ${wide}; ${HOW_TO_FIX}`);
  if (bytes.includes(0)) throw new CallListError('ENCODING', `${path} contains NUL bytes, so it is not a text CSV in UTF-8; ${HOW_TO_FIX}`);
  if (isUtf8(bytes)) return;
  const at = firstInvalidUtf8Byte(bytes);
  const line = countLines(bytes, at);
  const byte = `0x${bytes[at].toString(16).toUpperCase().padStart(2, '0')}`;
  throw new CallListError(
    'ENCODING',
    `${path} is not UTF-8: line ${line} has the byte ${byte}, which UTF-8 never has there (the file is probably Windows-1252 or Latin-1); ${HOW_TO_FIX}`,
  );
}

/** UTF-16/32 by byte-order mark, else by where the NUL bytes of ASCII text fall. */
function wideEncoding(bytes: Buffer): string | undefined {
  const b = bytes;
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return 'UTF-32LE';
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return 'UTF-32BE';
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return 'UTF-16LE';
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return 'UTF-16BE';
  // The header is ASCII: in a wide encoding a fixed share of its bytes are NUL, at fixed places.
  const sample = b.subarray(0, Math.min(b.length, 512) & ~3);
  if (sample.length < 4) return undefined;
  const nulAt = [0, 0, 0, 0];
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) nulAt[i % 4]++;
  const quarter = sample.length / 4;
  const mostly = (count: number) => count >= quarter * 0.6;
  const rarely = (count: number) => count <= quarter * 0.1;
  if (rarely(nulAt[0]) && mostly(nulAt[1]) && mostly(nulAt[2]) && mostly(nulAt[3])) return 'UTF-32LE (without a byte-order mark)';
  if (mostly(nulAt[0]) && mostly(nulAt[1]) && mostly(nulAt[2]) && rarely(nulAt[3])) return 'UTF-32BE (without a byte-order mark)';
  if (rarely(nulAt[0] + nulAt[2]) && mostly((nulAt[1] + nulAt[3]) / 2)) return 'UTF-16LE (without a byte-order mark)';
  if (mostly((nulAt[0] + nulAt[2]) / 2) && rarely(nulAt[1] + nulAt[3])) return 'UTF-16BE (without a byte-order mark)';
  return undefined;
}

/** The offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, surrogates or values past U+10FFFF). */
function firstInvalidUtf8Byte(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const lead = b[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let min2 = 0x80;
    let max2 = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) min2 = 0xa0;
      if (lead === 0xed) max2 = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) min2 = 0x90;
      if (lead === 0xf4) max2 = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const next = b[i + k];
      const [lo, hi] = k === 1 ? [min2, max2] : [0x80, 0xbf];
      if (next === undefined || next < lo || next > hi) return i;
    }
    i += length;
  }
  return b.length - 1;
}

function countLines(bytes: Buffer, end: number): number {
  let line = 1;
  for (let at = bytes.indexOf(0x0a); at !== -1 && at < end; at = bytes.indexOf(0x0a, at + 1)) line++;
  return line;
}
