/**
 * What the vendor adapters share when they turn a failure into words: the whole chain of causes
 * (fetch and ws hide the socket's reason there), with the key taken out.
 */

/**
 * "Connection error. (fetch failed) (connect ECONNREFUSED 127.0.0.1:9)". Duck-typed, not
 * `instanceof Error`: fetch's errors may come from another realm (jest's sandbox).
 */
export function describeCauses(error: unknown): string {
  const parts: string[] = [];
  let current = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (typeof current !== 'object') {
      parts.push(String(current));
      break;
    }
    const { message, code, cause } = current as { message?: unknown; code?: unknown; cause?: unknown };
    const text = typeof message === 'string' ? message : '';
    const part = typeof code === 'string' && !text.includes(code) ? `${text} [${code}]`.trim() : text;
    // SDKs turn errors they do not recognise into JSON, "{}" for most: nothing to say.
    if (/[a-z]/i.test(part) && !parts.includes(part)) parts.push(part);
    current = cause;
  }
  return parts.length ? parts[0] + parts.slice(1).map((part) => ` (${part})`).join('') : 'unknown error';
}

/**
 * Belt and braces: nothing a vendor echoes back may carry the key into a message or a log line.
 * Real keys are long; a one-letter test key would otherwise blot out words.
 */
export function redactKey(text: string, key: string): string {
  return key.length >= 8 ? text.split(key).join('[redacted]') : text;
}
