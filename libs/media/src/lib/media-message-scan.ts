/**
 * The carriers send the callee's audio as a JSON text message every 20 ms per call:
 * `{"event":"media",...,"media":{"track":"inbound","timestamp":"20","payload":"<base64>",...}}`.
 * JSON.parse builds an object tree and a string for every field of each one; this scanner reads
 * the fields the hot path needs in place and builds no objects: the payload is decoded straight
 * from its slice of the message. It is a strict reader for a subset of JSON: whenever a message is not
 * plainly a media message of the expected shape it answers false, and the codec's full parse
 * decides (and refuses malformed text with its usual reason), so both paths agree on every input.
 */

/** What the scan read; one instance per codec, overwritten by every scan. */
export interface MediaMessageFields {
  /** 'none' when the media object has no track, or an empty one. */
  track: 'none' | 'inbound' | 'other';
  /** The decoded audio. */
  payload: Buffer;
  /** The timestamp as Number() reads it (Twilio sends a string, Plivo a string or a number); NaN when absent. */
  timestamp: number;
  hasTimestamp: boolean;
}

export function mediaMessageFields(): MediaMessageFields {
  return { track: 'none', payload: EMPTY, timestamp: NaN, hasTimestamp: false };
}

const EMPTY = Buffer.alloc(0);
const LITERALS = ['true', 'false', 'null'];
/** Nesting deeper than this is no media message of ours. */
const MAX_DEPTH = 4;

const QUOTE = 34;
const BACKSLASH = 92;
const EQUALS = 61;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const SPACE = 32;

/** Which object the scanner is in: the message itself, its `media`, or any other. */
const Scope = { Message: 0, Media: 1, Other: 2 } as const;
type Scope = (typeof Scope)[keyof typeof Scope];

// The scan's cursor, module-wide: a scan runs to its end synchronously, and no scan calls another.
let text = '';
let pos = 0;
let out: MediaMessageFields = mediaMessageFields();
let isMedia = false;
let mediaSeen = false;
let payloadSeen = false;

/**
 * True when `message` is a valid JSON object whose `event` is "media" and whose `media` object
 * holds a string payload (and, when present, a string track and a string or number timestamp);
 * `fields` then holds them.
 */
export function scanMediaMessage(message: string, fields: MediaMessageFields): boolean {
  text = message;
  pos = 0;
  out = fields;
  isMedia = false;
  mediaSeen = false;
  payloadSeen = false;
  try {
    skipSpaces();
    if (!object(Scope.Message, 1)) return false;
    skipSpaces();
    return pos === text.length && isMedia && mediaSeen && payloadSeen;
  } finally {
    text = '';
  }
}

function skipSpaces(): void {
  while (text.charCodeAt(pos) === SPACE) pos++;
}

/** At `{`: reads an object's members; the message's and its media's fields are kept. */
function object(scope: Scope, depth: number): boolean {
  if (text.charCodeAt(pos) !== OPEN_BRACE || depth > MAX_DEPTH) return false;
  pos++;
  skipSpaces();
  if (text.charCodeAt(pos) === CLOSE_BRACE) {
    pos++;
    return true;
  }
  for (;;) {
    if (text.charCodeAt(pos) !== QUOTE) return false;
    const keyStart = pos + 1;
    const keyEnd = stringEnd();
    if (keyEnd < 0) return false;
    pos = keyEnd + 1;
    skipSpaces();
    if (text.charCodeAt(pos) !== COLON) return false;
    pos++;
    skipSpaces();
    if (!member(scope, keyStart, keyEnd, depth)) return false;
    skipSpaces();
    const next = text.charCodeAt(pos);
    pos++;
    if (next === CLOSE_BRACE) return true;
    if (next !== COMMA) return false;
    skipSpaces();
  }
}

/** Reads one member's value; a later duplicate key wins, as in JSON.parse. */
function member(scope: Scope, keyStart: number, keyEnd: number, depth: number): boolean {
  const first = text.charCodeAt(pos);
  if (scope === Scope.Message) {
    if (isKey(keyStart, keyEnd, 'event')) {
      if (first !== QUOTE) return false;
      const end = stringEnd();
      if (end < 0) return false;
      isMedia = end - pos - 1 === 5 && text.startsWith('media', pos + 1);
      pos = end + 1;
      return true;
    }
    if (isKey(keyStart, keyEnd, 'media')) {
      if (first !== OPEN_BRACE) return false;
      mediaSeen = true;
      payloadSeen = false;
      out.track = 'none';
      out.payload = EMPTY;
      out.hasTimestamp = false;
      out.timestamp = NaN;
      return object(Scope.Media, depth + 1);
    }
  } else if (scope === Scope.Media) {
    if (isKey(keyStart, keyEnd, 'payload')) {
      if (first !== QUOTE) return false;
      const end = text.indexOf('"', pos + 1);
      if (end < 0) return false;
      const payload = decodeStrictBase64(pos + 1, end);
      if (!payload) return false;
      out.payload = payload;
      payloadSeen = true;
      pos = end + 1;
      return true;
    }
    if (isKey(keyStart, keyEnd, 'track')) {
      if (first !== QUOTE) return false;
      const end = stringEnd();
      if (end < 0) return false;
      const length = end - pos - 1;
      out.track = length === 0 ? 'none' : length === 7 && text.startsWith('inbound', pos + 1) ? 'inbound' : 'other';
      pos = end + 1;
      return true;
    }
    if (isKey(keyStart, keyEnd, 'timestamp')) {
      const start = pos;
      if (first === QUOTE) {
        const end = stringEnd();
        if (end < 0) return false;
        out.timestamp = Number(text.slice(start + 1, end));
        pos = end + 1;
      } else {
        if (!number()) return false;
        out.timestamp = Number(text.slice(start, pos));
      }
      out.hasTimestamp = true;
      return true;
    }
  }
  return value(depth);
}

/** Skips any value this reader accepts: a string, a number, an object, true, false, null (no arrays). */
function value(depth: number): boolean {
  const first = text.charCodeAt(pos);
  if (first === QUOTE) {
    const end = stringEnd();
    if (end < 0) return false;
    pos = end + 1;
    return true;
  }
  if (first === OPEN_BRACE) return object(Scope.Other, depth + 1);
  if (first === MINUS || isDigit(first)) return number();
  for (const literal of LITERALS) {
    if (text.startsWith(literal, pos)) {
      pos += literal.length;
      return true;
    }
  }
  return false;
}

/** At `"`: the index of the closing quote, or -1 for a string with an escape or a control character (the full parse reads those). */
function stringEnd(): number {
  for (let i = pos + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) return i;
    if (code === BACKSLASH || code < SPACE) return -1;
  }
  return -1;
}

/**
 * The payload's bytes, or undefined unless it is plain padded base64. Node's decoder skips what
 * is not base64, so a whole number of quads decoding to exactly its size proves there was
 * nothing else in the string (no escape, no control character) without a pass over it in JS.
 */
function decodeStrictBase64(start: number, end: number): Buffer | undefined {
  const length = end - start;
  if (length % 4 !== 0) return undefined;
  const padding = length === 0 ? 0 : (text.charCodeAt(end - 1) === EQUALS ? 1 : 0) + (text.charCodeAt(end - 2) === EQUALS ? 1 : 0);
  const bytes = Buffer.from(text.slice(start, end), 'base64');
  return bytes.length === (length / 4) * 3 - padding ? bytes : undefined;
}

/** A JSON number: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
function number(): boolean {
  if (text.charCodeAt(pos) === MINUS) pos++;
  if (text.charCodeAt(pos) === ZERO) pos++;
  else if (!digits()) return false;
  if (text.charCodeAt(pos) === DOT) {
    pos++;
    if (!digits()) return false;
  }
  const e = text.charCodeAt(pos);
  if (e === 101 || e === 69) {
    pos++;
    const sign = text.charCodeAt(pos);
    if (sign === 43 || sign === MINUS) pos++;
    if (!digits()) return false;
  }
  return true;
}

function digits(): boolean {
  const start = pos;
  while (isDigit(text.charCodeAt(pos))) pos++;
  return pos > start;
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

function isKey(start: number, end: number, name: string): boolean {
  return end - start === name.length && text.charCodeAt(start) === name.charCodeAt(0) && text.startsWith(name, start);
}
