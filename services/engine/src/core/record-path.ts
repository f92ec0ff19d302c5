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

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** Sets `key` as an own property, also `__proto__` (which an assignment would take as the prototype). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** A path's segments in `record`: a literal key with dots is one segment, as in {@link valuesAt}. */
const segmentsIn = (record: Record<string, unknown>, path: string): string[] =>
  hasOwn(record, path) || !path.includes('.') ? [path] : path.split('.');

/** Paths as a tree of their segments; where a path ends, its payload (the last one given wins). */
interface PathTree<T> {
  end: { payload: T } | undefined;
  kids: Map<string, PathTree<T>>;
}

/**
 * What `paths` reach in `record`, rebuilt: each reached value is given to `take` with its path's
 * payload, and the objects on the way keep only the keys that lead to something `take` returned.
 * A path goes through arrays as {@link valuesAt} reads it (`authors.name` in an array of authors),
 * and an array keeps every item in its place — an item the paths do not reach becomes `{}` (`[]`
 * for an array) — so that `hit.authors[1]` and `_highlightResult.authors[1]`
 * stay the same author. A path inside a path taken whole adds nothing. Shares what it takes.
 */
export function selectPaths<T>(
  record: Record<string, unknown>,
  paths: ReadonlyArray<readonly [path: string, payload: T]>,
  take: (value: unknown, payload: T) => unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (paths.every(([path]) => !path.includes('.'))) {
    // Top-level attributes only (the usual lists): no tree to build for each hit.
    for (const [path, payload] of paths) {
      if (!hasOwn(record, path)) continue;
      const got = take(record[path], payload);
      if (got !== undefined) setOwn(out, path, got);
    }
    return out;
  }
  const root: PathTree<T> = { end: undefined, kids: new Map() };
  for (const [path, payload] of paths) {
    let node = root;
    for (const segment of segmentsIn(record, path)) {
      let kid = node.kids.get(segment);
      if (!kid) node.kids.set(segment, (kid = { end: undefined, kids: new Map() }));
      node = kid;
    }
    node.end = { payload };
  }
  selectInto(record, root, take, out);
  return out;
}

/** {@link selectPaths} below `node`: whether anything was reached. */
function selectInto<T>(
  value: Record<string, unknown>,
  node: PathTree<T>,
  take: (value: unknown, payload: T) => unknown,
  out: Record<string, unknown>,
): boolean {
  let any = false;
  for (const [key, kid] of node.kids) {
    if (!hasOwn(value, key)) continue;
    const got = selectValue(value[key], kid, take);
    if (got === undefined) continue;
    setOwn(out, key, got);
    any = true;
  }
  return any;
}

function selectValue<T>(
  value: unknown,
  node: PathTree<T>,
  take: (value: unknown, payload: T) => unknown,
): unknown {
  if (node.end) return take(value, node.end.payload);
  if (Array.isArray(value)) {
    let any = false;
    const items = value.map((item: unknown) => {
      const got = selectValue(item, node, take);
      if (got !== undefined) {
        any = true;
        return got;
      }
      return Array.isArray(item) ? [] : {};
    });
    return any ? items : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  return selectInto(value as Record<string, unknown>, node, take, out) ? out : undefined;
}

/**
 * `record` without what `path` reaches (through arrays, as {@link valuesAt} reads it): copied
 * where it changes, the same object where nothing was there. Never changes `record`. A literal
 * key with dots goes, and so does the nested reading it hid (what is hidden stays hidden).
 */
export function omitPath(record: Record<string, unknown>, path: string): Record<string, unknown> {
  let out = record;
  if (hasOwn(record, path)) {
    out = { ...record };
    Reflect.deleteProperty(out, path);
  }
  return path.includes('.') ? (omitAt(out, path.split('.'), 0) as Record<string, unknown>) : out;
}

function omitAt(value: unknown, parts: readonly string[], i: number): unknown {
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item: unknown) => {
      const next = omitAt(item, parts, i);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? items : value;
  }
  const key = parts[i];
  if (value === null || typeof value !== 'object' || key === undefined || !hasOwn(value, key)) return value;
  const obj = value as Record<string, unknown>;
  const copy = { ...obj };
  if (i === parts.length - 1) {
    Reflect.deleteProperty(copy, key);
    return copy;
  }
  const next = omitAt(obj[key], parts, i + 1);
  if (next === obj[key]) return value;
  setOwn(copy, key, next);
  return copy;
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
