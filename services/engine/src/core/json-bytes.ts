/**
 * UTF-8 bytes of `JSON.stringify(value)` for a value that came from `JSON.parse`, without building
 * the string: the record size check of bulk imports, whose records are logged as the request's
 * own JSON text and so are never serialized again.
 */

import { isAscii } from 'node:buffer';

/** Printable ASCII except `"` and `\`: serialized as themselves, one byte each. */
const PLAIN = /^[ !#-[\]-~]*$/;

function stringBytes(s: string, plain: boolean): number {
  return plain || PLAIN.test(s) ? s.length + 2 : Buffer.byteLength(JSON.stringify(s));
}

/**
 * Size in bytes of the JSON text of `value` (a JSON.parse result: no undefined, no toJSON).
 * `plainStrings`: the caller knows every string in `value` is printable ASCII without `"` or `\`
 * (see {@link isPlainJsonText}), so strings are not scanned.
 */
export function jsonBytes(value: unknown, plainStrings = false): number {
  if (typeof value === 'string') return stringBytes(value, plainStrings);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).length : 4;
  if (typeof value === 'boolean') return value ? 4 : 5;
  if (value === null || typeof value !== 'object') return 4;
  if (Array.isArray(value)) {
    let n = 2 + Math.max(0, value.length - 1);
    for (const v of value) n += v === undefined ? 4 : jsonBytes(v, plainStrings);
    return n;
  }
  let n = 2;
  let first = true;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    n += (first ? 0 : 1) + stringBytes(key, plainStrings) + 1 + jsonBytes(v, plainStrings);
    first = false;
  }
  return n;
}

/**
 * True when every string JSON.parse can get from the JSON text in `bytes` is printable ASCII
 * without `"` or `\`: in JSON text those characters (and control characters) appear inside a
 * string only escaped, so an ASCII text without a backslash has none. Two native scans (ASCII
 * check, byte search) instead of a regular expression per string.
 */
export function isPlainJsonText(bytes: Buffer): boolean {
  return isAscii(bytes) && bytes.indexOf(0x5c) === -1;
}
