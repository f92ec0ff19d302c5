/** Reading attribute paths (`a`, `a.b`, through arrays) out of records. */
import { decodedKey, forEachMember, LBRACE, skipWs } from '../text/json-scan';

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

/**
 * {@link projectPaths} on `paths`, for records given as JSON text and read without parsing the
 * rest of them: the top-level members are scanned for their boundaries and only those the
 * projection keeps (and `objectID`) are parsed. A writer's record is mostly its body, which is
 * skipped at the speed of `indexOf`. For text JSON.parse accepts (the scan does not validate); the
 * projector gives undefined when the text is not an object with a string objectID (the caller's
 * parse then says what is wrong).
 */
export function recordTextProjector(paths: readonly string[]): (text: string) => JsonRecord | undefined {
  // Each key the projection may read gets a slot; slot 0 is objectID's.
  const slotOf = new Map<string, number>([['objectID', 0]]);
  const slot = (key: string): number => {
    let i = slotOf.get(key);
    if (i === undefined) {
      i = slotOf.size;
      slotOf.set(key, i);
    }
    return i;
  };
  // For each path: its literal key's slot, and its first segment's (read when the literal is absent).
  const literal = paths.map((path) => slot(path));
  const first = paths.map((path) => slot(path.split('.', 1)[0] ?? path));
  const keys = [...slotOf.keys()];
  const starts: number[] = keys.map(() => -1);
  const ends: number[] = keys.map(() => -1);
  const values: unknown[] = keys.map(() => undefined);
  return (text) => {
    const start = skipWs(text, 0);
    if (text.charCodeAt(start) !== LBRACE) return undefined;
    starts.fill(-1);
    // The last of duplicate keys wins, as with JSON.parse.
    forEachMember(text, start, (ks, ke, vs, ve) => {
      const i = slotOf.get(decodedKey(text, ks, ke));
      if (i === undefined) return;
      starts[i] = vs;
      ends[i] = ve;
    });
    // Parsed once however many paths start from it: projectPaths shares one value too.
    for (let i = 0; i < keys.length; i++) {
      const from = starts[i] ?? -1;
      values[i] = from < 0 ? undefined : JSON.parse(text.slice(from, ends[i]));
    }
    const objectID = values[0];
    if (typeof objectID !== 'string') return undefined;
    const out: JsonRecord = { objectID };
    for (let p = 0; p < paths.length; p++) {
      const lit = literal[p] ?? 0;
      const i = (starts[lit] ?? -1) >= 0 ? lit : (first[p] ?? 0);
      const key = keys[i];
      if ((starts[i] ?? -1) < 0 || key === undefined) continue;
      const value = values[i];
      if (key === '__proto__')
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
    values.fill(undefined); // not kept alive by the projector between records
    return out;
  };
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
