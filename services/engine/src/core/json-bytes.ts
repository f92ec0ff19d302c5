/**
 * UTF-8 bytes of `JSON.stringify(value)` for a value that came from `JSON.parse`, without building
 * the string: the record size check of bulk imports, whose records are logged as the request's
 * own JSON text and so are never serialized again.
 */

import { isAscii, isUtf8 } from 'node:buffer';

/** Printable ASCII except `"` and `\`: serialized as themselves, one byte each. */
const PLAIN = /^[ !#-[\]-~]*$/;

/**
 * What JSON.stringify writes longer than its UTF-8: `"` and `\` (+1 byte), control characters
 * (+1 or +5), lone surrogates (`\uDXXX`: 6 bytes where UTF-8 counts a replacement character's 3).
 * Surrogates are matched to be checked for a pair. One scan of the string.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const SPECIAL = /["\\\x00-\x1f\ud800-\udfff]/g;

function stringBytes(s: string, strings: JsonStrings): number {
  if (strings === 'plain' || PLAIN.test(s)) return s.length + 2;
  if (strings === 'unescaped') return Buffer.byteLength(s) + 2;
  // A writer's text (curly quotes, accents, emoji, new lines): its UTF-8 length, natively, plus
  // what escapes add — not a serialized copy of every long string.
  let n = Buffer.byteLength(s) + 2;
  SPECIAL.lastIndex = 0;
  for (let m = SPECIAL.exec(s); m !== null; m = SPECIAL.exec(s)) {
    const at = m.index;
    const c = s.charCodeAt(at);
    if (c < 0xd800) {
      // \b \t \n \f \r and the two escaped characters take 2 bytes, other controls \u00XX 6.
      n += c === 0x22 || c === 0x5c || (c >= 0x08 && c <= 0x0d && c !== 0x0b) ? 1 : 5;
    } else if (c <= 0xdbff) {
      const next = s.charCodeAt(at + 1);
      if (next >= 0xdc00 && next <= 0xdfff)
        SPECIAL.lastIndex = at + 2; // a pair: 4 bytes either way
      else n += 3;
    } else n += 3; // a low surrogate not after a high one (pairs are skipped whole)
  }
  return n;
}

/**
 * What the caller knows of the strings in a value (see {@link jsonStringsOf}): `plain`, printable
 * ASCII without `"` or `\`; `unescaped`, nothing JSON.stringify escapes (their JSON is their UTF-8
 * between quotes); `any`, nothing.
 */
export type JsonStrings = 'plain' | 'unescaped' | 'any';

/** What {@link jsonBytes} throws when `value` holds objects or arrays more than `levels` deep. */
export const TOO_DEEP = new Error('nested too deeply');

/**
 * Size in bytes of the JSON text of `value` (a JSON.parse result: no undefined, no toJSON).
 * `strings`: what the caller knows of its strings, so that they need not be scanned. `levels`:
 * how deep objects and arrays may nest (the value itself counts as one), else {@link TOO_DEEP}.
 */
export function jsonBytes(value: unknown, strings: JsonStrings = 'any', levels = Infinity): number {
  if (typeof value === 'string') return stringBytes(value, strings);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).length : 4;
  if (typeof value === 'boolean') return value ? 4 : 5;
  if (value === null || typeof value !== 'object') return 4;
  if (levels === 0) throw TOO_DEEP;
  if (Array.isArray(value)) {
    let n = 2 + Math.max(0, value.length - 1);
    for (const v of value) n += v === undefined ? 4 : jsonBytes(v, strings, levels - 1);
    return n;
  }
  let n = 2;
  let first = true;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    n += (first ? 0 : 1) + stringBytes(key, strings) + 1 + jsonBytes(v, strings, levels - 1);
    first = false;
  }
  return n;
}

/**
 * What every string JSON.parse can get from the JSON text in `bytes` is known to be (see
 * {@link JsonStrings}): in JSON text `"`, `\` and control characters appear inside a string only
 * escaped, so a text without a backslash has none of them, and valid UTF-8 has no lone
 * surrogate; ASCII text has only ASCII strings. Native scans (byte search, ASCII and UTF-8
 * checks) instead of a regular expression per string.
 */
export function jsonStringsOf(
  bytes: Buffer,
  /** What the caller already checked (so as not to scan the bytes again). */
  known: { ascii: boolean; utf8: boolean } = { ascii: isAscii(bytes), utf8: isUtf8(bytes) },
): JsonStrings {
  if (bytes.indexOf(0x5c) !== -1) return 'any';
  if (known.ascii) return 'plain';
  return known.utf8 ? 'unescaped' : 'any';
}
