/**
 * Fast filter evaluation: a CNF expression becomes a bit set over document ids, computed from
 * the index's facet value lists, tag lists and numeric/boolean columns. Must agree with the
 * reference evaluator `matchesFilter` (property-tested).
 */
import type { FilterAtom, FilterExpr, OrGroup } from '../filters/types';
import { Bitset } from './bitset';

/** What the evaluator needs from an index. */
export interface FilterSource {
  /** Number of document ids (live or dead). */
  readonly capacity: number;
  /** Live documents. */
  aliveBits(): Bitset;
  /** Docs whose facet `attribute` has `value` (case-insensitive); null when not filterable. */
  facetDocs(attribute: string, value: string, into: Bitset): void;
  /** Docs whose `_tags` contain `value` (case-sensitive). */
  tagDocs(value: string, into: Bitset): void;
  /** Per-doc numeric values of `attribute` (number, numbers, or undefined). */
  numericColumn(attribute: string): ReadonlyArray<number | number[] | undefined>;
}

function compare(op: FilterAtom & { kind: 'numeric' }, v: number): boolean {
  switch (op.operator) {
    case '<':
      return v < op.value;
    case '<=':
      return v <= op.value;
    case '=':
      return v === op.value;
    case '!=':
      return v !== op.value;
    case '>=':
      return v >= op.value;
    case '>':
      return v > op.value;
  }
}

/** Docs matching the atom, ignoring its negation. */
function positive(src: FilterSource, atom: FilterAtom, into: Bitset): void {
  switch (atom.kind) {
    case 'facet':
      src.facetDocs(atom.attribute, atom.value, into);
      return;
    case 'tag':
      src.tagDocs(atom.value, into);
      return;
    case 'boolean':
      // Booleans are the facet values "true" / "false".
      src.facetDocs(atom.attribute, atom.value ? 'true' : 'false', into);
      return;
    case 'numeric': {
      if (atom.unindexed) {
        // No record has a value: `!=` matches every one, the others none.
        if (atom.operator === '!=') into.or(src.aliveBits());
        return;
      }
      const col = src.numericColumn(atom.attribute);
      if (atom.operator === '!=') {
        // `a != n` is NOT `a = n`: records without the attribute match too.
        const eq = atom.value;
        const alive = src.aliveBits();
        for (let i = 0; i < col.length; i++) {
          if (!alive.has(i)) continue;
          const v = col[i];
          if (v === undefined || (typeof v === 'number' ? v !== eq : !v.includes(eq))) into.add(i);
        }
        return;
      }
      for (let i = 0; i < col.length; i++) {
        const v = col[i];
        if (v === undefined) continue;
        if (typeof v === 'number' ? compare(atom, v) : v.some((x) => compare(atom, x))) into.add(i);
      }
      return;
    }
    case 'range': {
      if (atom.unindexed) return;
      const col = src.numericColumn(atom.attribute);
      const lo = atom.lower;
      const hi = atom.upper;
      for (let i = 0; i < col.length; i++) {
        const v = col[i];
        if (v === undefined) continue;
        if (typeof v === 'number' ? v >= lo && v <= hi : v.some((x) => x >= lo && x <= hi)) into.add(i);
      }
      return;
    }
  }
}

/** Bit set of live docs matching one atom (negation applied against live docs). */
export function atomBits(src: FilterSource, atom: FilterAtom): Bitset {
  const bits = new Bitset(src.capacity);
  positive(src, atom, bits);
  if (!atom.negated) return bits;
  return src.aliveBits().copy().andNot(bits);
}

/**
 * Bit set of live docs matching an OR-group. With `cache`, the atoms of a multi-atom group are
 * memoized too: a secured key's `visible_to:"user:…" OR visible_to:"community"` differs per user,
 * but its large atom (community) is the same on every query.
 */
export function groupBits(src: FilterSource, group: OrGroup, cache?: Map<string, Bitset>): Bitset {
  const acc = new Bitset(src.capacity);
  for (const atom of group) {
    if (!cache || group.length === 1) {
      acc.or(atomBits(src, atom));
      continue;
    }
    const key = `atom:${atomKey(atom)}`;
    let bits = cache.get(key);
    if (!bits) {
      bits = atomBits(src, atom);
      remember(cache, key, bits);
    }
    acc.or(bits);
  }
  return acc.and(src.aliveBits());
}

/**
 * A cache key for an OR-group or an atom: equal for two of them exactly when they select the
 * same documents by construction — same kinds, attributes, values, operators and negations, in
 * the same order (an atom's optional-filter score plays no part). Strings are length-prefixed
 * and each atom ends with `;`, so no two different ones write the same key. (It was their JSON
 * through a replacer, which cost more than the cached bit set saved for a query's own filters.)
 */
export function filterCacheKey(value: OrGroup | FilterAtom): string {
  if (!Array.isArray(value)) return atomKey(value);
  let key = '';
  for (const atom of value) key += atomKey(atom);
  return key;
}

function atomKey(a: FilterAtom): string {
  const neg = a.negated ? '!' : '';
  switch (a.kind) {
    case 'facet':
      return `f${neg}${a.attribute.length}:${a.attribute}${a.value.length}:${a.value};`;
    case 'tag':
      return `t${neg}${a.value.length}:${a.value};`;
    case 'boolean':
      return `b${neg}${a.attribute.length}:${a.attribute}${a.value ? 1 : 0};`;
    case 'numeric':
      // String(n) keeps ±Infinity and NaN apart and never starts with an operator's character.
      return `n${a.unindexed ? 'u' : ''}${neg}${a.attribute.length}:${a.attribute}${a.operator}${String(a.value)};`;
    case 'range':
      return `r${a.unindexed ? 'u' : ''}${neg}${a.attribute.length}:${a.attribute}${String(a.lower)}:${String(a.upper)};`;
  }
}

/**
 * What a filter cache holds before it starts afresh: at most 5,000 entries (every active user's
 * secured-key group at 100k docs) and about 64 MB, counting each entry's bit set (capacity / 8
 * bytes), key and bookkeeping (500 entries at 1M docs). A cap of 512 entries made a few hundred
 * users' groups start the cache afresh before any came back.
 */
const CACHE_ENTRIES = 5_000;
const CACHE_BYTES = 64 * 1024 * 1024;

function remember(cache: Map<string, Bitset>, key: string, bits: Bitset): void {
  const entryBytes = bits.words.byteLength + 2 * key.length + 256;
  if (cache.size >= Math.min(CACHE_ENTRIES, Math.floor(CACHE_BYTES / entryBytes))) cache.clear();
  cache.set(key, bits);
}

/**
 * Bit set of live docs matching the whole expression, or null when the expression is empty.
 * `cache` memoizes OR-groups by their key (a secured key's filter repeats on every query), and
 * the atoms of multi-atom groups; the caller empties it when the index changes.
 */
export function exprBits(src: FilterSource, expr: FilterExpr, cache?: Map<string, Bitset>): Bitset | null {
  if (expr.length === 0) return null;
  let acc: Bitset | null = null;
  for (const group of expr) {
    let bits: Bitset | undefined;
    const key = cache ? filterCacheKey(group) : '';
    if (cache) bits = cache.get(key);
    if (!bits) {
      bits = groupBits(src, group, cache);
      if (cache) remember(cache, key, bits);
    }
    acc = acc === null ? bits.copy() : acc.and(bits);
  }
  return acc;
}
