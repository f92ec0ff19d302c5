/** Reading attribute paths (`a`, `a.b`, through arrays) out of records. */

/** A stored record: a JSON object whose `objectID` is a string. */
export type JsonRecord = Record<string, unknown> & { objectID: string };

/**
 * Leaf values at `path` in `record`: arrays are flattened (an array attribute, or an array of
 * objects on the way to a nested attribute, yields each element). A literal key containing dots
 * wins over the nested reading.
 */
export function valuesAt(record: Record<string, unknown>, path: string): unknown[] {
  return valuesInto(record, path, []);
}

/** {@link valuesAt}, appended to `out` (hot paths reuse one array instead of allocating). */
export function valuesInto(record: Record<string, unknown>, path: string, out: unknown[]): unknown[] {
  if (Object.prototype.hasOwnProperty.call(record, path)) {
    pushFlat(record[path], out);
    return out;
  }
  if (!path.includes('.')) return out;
  walk(record, path.split('.'), 0, out);
  return out;
}

/**
 * `record` reduced to its objectID and what {@link valuesInto} reads for `paths`: the top-level
 * value each path starts from (the whole path when it is a literal key, else its first segment),
 * shared, not copied. Reading any of `paths` from the result gives what it gives from `record`.
 */
export function projectPaths(record: JsonRecord, paths: readonly string[]): JsonRecord {
  const out: JsonRecord = { objectID: record.objectID };
  for (const path of paths) {
    const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(record, key);
    const key = has(path) ? path : (path.split('.', 1)[0] ?? path);
    if (!has(key)) continue;
    // `out[key] = …` would set the prototype for this one key (JSON.parse makes it an own key).
    if (key === '__proto__')
      Object.defineProperty(out, key, {
        value: record[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = record[key];
  }
  return out;
}

function walk(value: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    pushFlat(value, out);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) walk(v, parts, i, out);
    return;
  }
  if (value !== null && typeof value === 'object') {
    const key = parts[i] ?? '';
    if (Object.prototype.hasOwnProperty.call(value, key))
      walk((value as Record<string, unknown>)[key], parts, i + 1, out);
  }
}

function pushFlat(value: unknown, out: unknown[]): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) pushFlat(v, out);
  } else {
    out.push(value);
  }
}

/** Every string/number leaf of `value`, depth-first in key order (default searchable set). */
export function allLeaves(value: unknown, out: unknown[], skipObjectID = true): void {
  if (Array.isArray(value)) {
    for (const v of value) allLeaves(v, out, false);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (skipObjectID && k === 'objectID') continue;
      allLeaves(v, out, false);
    }
  } else if (typeof value === 'string' || typeof value === 'number') {
    out.push(value);
  }
}

/** Structural equality of JSON values (for `Remove` / `AddUnique`). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && jsonEqual(ao[k], bo[k]));
}
