/**
 * UTF-8 bytes of `JSON.stringify(value)` for a value that came from `JSON.parse`, without building
 * the string: the record size check of bulk imports, whose records are logged as the request's
 * own JSON text and so are never serialized again.
 */

/** Printable ASCII except `"` and `\`: serialized as themselves, one byte each. */
const PLAIN = /^[ !#-[\]-~]*$/;

function stringBytes(s: string): number {
  return PLAIN.test(s) ? s.length + 2 : Buffer.byteLength(JSON.stringify(s));
}

/** Size in bytes of the JSON text of `value` (a JSON.parse result: no undefined, no toJSON). */
export function jsonBytes(value: unknown): number {
  if (typeof value === 'string') return stringBytes(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).length : 4;
  if (typeof value === 'boolean') return value ? 4 : 5;
  if (value === null || typeof value !== 'object') return 4;
  if (Array.isArray(value)) {
    let n = 2 + Math.max(0, value.length - 1);
    for (const v of value) n += v === undefined ? 4 : jsonBytes(v);
    return n;
  }
  let n = 2;
  let first = true;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    n += (first ? 0 : 1) + stringBytes(key) + 1 + jsonBytes(v);
    first = false;
  }
  return n;
}
