import { createHash, timingSafeEqual } from 'node:crypto';

/** The variable a service reads its accepted keys from; the message of every refusal names it. */
export const API_KEYS_VARIABLE = 'CODCALL_API_KEYS';
/** The variable a client reads the one key it sends from. */
export const API_KEY_VARIABLE = 'CODCALL_API_KEY';
export const MIN_API_KEY_LENGTH = 16;

/** A key setting that cannot be used; services turn it into a start-up failure naming the variable. */
export class ApiKeyConfigError extends Error {}

/**
 * `CODCALL_API_KEYS` is comma-separated so a key can be rotated: the new one is added, clients move,
 * the old one is removed. Blank entries (a trailing comma) are ignored; a short key is refused
 * rather than trimmed or padded, and the message never repeats the key.
 */
export function parseApiKeys(raw: string | undefined, variable = API_KEYS_VARIABLE): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const keys = raw
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
  keys.forEach((key, index) => {
    if (key.length < MIN_API_KEY_LENGTH) {
      throw new ApiKeyConfigError(
        `${variable}: key ${index + 1} of ${keys.length} is ${key.length} characters long; each key must be at least ${MIN_API_KEY_LENGTH} ` +
          `(make one with: node -e "console.log(require('crypto').randomBytes(24).toString('base64url'))")`,
      );
    }
    if (/\s/.test(key)) throw new ApiKeyConfigError(`${variable}: key ${index + 1} of ${keys.length} contains white space`);
  });
  return keys;
}

/**
 * The keys a service accepts. Both sides are hashed before `timingSafeEqual`, so the comparison
 * takes the same time whatever the key's length and however much of it matches.
 */
export class ApiKeyring {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  get isEmpty(): boolean {
    return this.digests.length === 0;
  }

  accepts(candidate: string): boolean {
    const candidateDigest = digest(candidate);
    // Every key is compared, even after a match, so the position of the matching key does not show.
    let accepted = false;
    for (const known of this.digests) accepted = timingSafeEqual(known, candidateDigest) || accepted;
    return accepted;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
