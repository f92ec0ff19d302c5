/**
 * The index's bit-set filter evaluation must agree with the reference evaluator
 * `matchesFilter` on any records and any CNF expression.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesFilter } from '../filters/index';
import type { FilterAtom, FilterExpr } from '../filters/types';
import { filterCacheKey } from './filter-eval';
import { SearchIndex } from './search-index';
import { heapAfterGc } from '../testing/gc';

const COLORS = ['red', 'Red', 'blue', 'green', 'x:y', ''];
const TAGS = ['a', 'A', 'b', 'c'];
const color = fc.constantFrom(...COLORS);
const num = fc.constantFrom(-1, 0, 1, 2, 2.5, 10);

const record = fc.record(
  {
    color: fc.oneof(color, fc.array(color, { maxLength: 3 }), fc.constant(null)),
    n: fc.oneof(num, fc.array(num, { maxLength: 3 }), fc.constant('2')),
    flag: fc.oneof(fc.boolean(), fc.constant('true')),
    _tags: fc.array(fc.constantFrom(...TAGS), { maxLength: 3 }),
    nested: fc.oneof(fc.record({ kind: color }), fc.array(fc.record({ kind: color }), { maxLength: 2 })),
  },
  { requiredKeys: [] },
);

const negated = fc.boolean();
const numericAtom = fc.record({
  kind: fc.constant('numeric' as const),
  attribute: fc.constant('n'),
  operator: fc.constantFrom('<', '<=', '=', '!=', '>=', '>'),
  value: num,
  negated,
});
const rangeAtom = fc.record({
  kind: fc.constant('range' as const),
  attribute: fc.constant('n'),
  lower: num,
  upper: num,
  negated,
});
const atom: fc.Arbitrary<FilterAtom> = fc.oneof(
  fc.record({
    kind: fc.constant('facet' as const),
    attribute: fc.constantFrom('color', 'nested.kind', 'n'),
    value: fc.constantFrom(...COLORS, 'RED', '2', '2.5'),
    negated,
  }),
  fc.record({
    kind: fc.constant('facet' as const),
    attribute: fc.constant('objectID'),
    value: fc.constantFrom('r0', 'r1', 'R1'),
    negated,
  }),
  fc.record({ kind: fc.constant('tag' as const), value: fc.constantFrom(...TAGS), negated }),
  fc.record({
    kind: fc.constant('boolean' as const),
    attribute: fc.constant('flag'),
    value: fc.boolean(),
    negated,
  }),
  numericAtom,
  rangeAtom,
  // Not filtered numerically by the index (numericAttributesForFiltering).
  numericAtom.map((a) => ({ ...a, unindexed: true as const })),
  rangeAtom.map((a) => ({ ...a, unindexed: true as const })),
);
const expr: fc.Arbitrary<FilterExpr> = fc.array(fc.array(atom, { minLength: 1, maxLength: 3 }), {
  maxLength: 4,
});

describe('fast filter evaluation', () => {
  it('equals matchesFilter on random records and expressions', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 40 }),
        fc.array(expr, { minLength: 1, maxLength: 5 }),
        (recs, exprs) => {
          const idx = new SearchIndex({
            attributesForFaceting: ['color', 'filterOnly(nested.kind)', 'n', 'flag'],
          });
          const records = recs.map((r, i) => ({ ...r, objectID: `r${i}` }));
          for (const r of records) idx.upsert(r);
          // Replace and delete some records so dead doc ids exist.
          if (records.length > 2) {
            idx.upsert({ ...records[0]!, color: 'blue' });
            records[0] = { ...records[0]!, color: 'blue' };
            idx.remove(records[1]!.objectID);
            records.splice(1, 1);
          }
          const check = (): void => {
            for (const e of exprs) {
              const bits = idx.filterBits(e);
              const fast =
                bits === null
                  ? records.map((r) => r.objectID)
                  : [...bits.toArray()].map((d) => idx.objectIdAt(d));
              const slow = records.filter((r) => matchesFilter(e, r)).map((r) => r.objectID);
              expect(fast.sort()).toEqual(slow.sort());
            }
          };
          check();
          // Cached groups and atoms must not outlive a change.
          if (records.length > 0) {
            const changed = { ...records[records.length - 1]!, color: 'green', _tags: ['c'], n: 2 as const };
            idx.upsert(changed);
            records[records.length - 1] = changed;
            idx.upsert({ objectID: 'fresh', color: 'red', _tags: ['a'], n: 1 as const, flag: true });
            records.push({ objectID: 'fresh', color: 'red', _tags: ['a'], n: 1 as const, flag: true });
          }
          check();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('filter cache keys', () => {
  it('are equal exactly for groups that select by the same atoms', () => {
    // Strings made of the characters the keys are written with, numbers at their edges.
    const text = fc.string({
      unit: fc.constantFrom('a', 'A', '1', ':', ';', '!', '<', '=', 'é', '\u0000'),
      maxLength: 4,
    });
    const number = fc.oneof(
      fc.constantFrom(0, -0, 1, -1, 1.5, 10, 1e21, Infinity, -Infinity, NaN),
      fc.double(),
    );
    const anyAtom: fc.Arbitrary<FilterAtom> = fc.oneof(
      fc.record({ kind: fc.constant('facet' as const), attribute: text, value: text, negated }),
      fc.record({ kind: fc.constant('tag' as const), value: text, negated }),
      fc.record({ kind: fc.constant('boolean' as const), attribute: text, value: fc.boolean(), negated }),
      fc.record({
        kind: fc.constant('numeric' as const),
        attribute: text,
        operator: fc.constantFrom('<', '<=', '=', '!=', '>=', '>'),
        value: number,
        negated,
      }),
      fc.record({
        kind: fc.constant('range' as const),
        attribute: text,
        lower: number,
        upper: number,
        negated,
      }),
    );
    const group = fc.array(anyAtom, { minLength: 1, maxLength: 3 });
    type Pair = [FilterAtom[], FilterAtom[]];
    /** Same selection: same fields, numbers compared as filters compare them (-0 is 0, NaN is NaN). */
    const same = (a: FilterAtom[], b: FilterAtom[]): boolean =>
      a.length === b.length &&
      a.every((x, i) => {
        const y = b[i]! as Record<string, unknown>;
        const xs = x as Record<string, unknown>;
        const keys = Object.keys(xs).filter((k) => k !== 'score');
        return (
          keys.length === Object.keys(y).filter((k) => k !== 'score').length &&
          keys.every((k) => xs[k] === y[k] || (Number.isNaN(xs[k]) && Number.isNaN(y[k])))
        );
      });
    // Pairs that differ in one atom's field, and pairs that are copies (with a score added).
    const pairs = fc.oneof(
      fc.tuple(group, group).map((p): Pair => p),
      group.map((g): Pair => [g, g.map((a) => ({ ...a, score: 3 }))]),
      fc
        .tuple(group, anyAtom, fc.nat())
        .map(([g, a, i]): Pair => [g, g.map((x, j) => (j === i % g.length ? a : x))]),
    );
    // Pairs whose fields written one after the other read the same, split differently.
    const facet = (attribute: string, value: string): FilterAtom => ({
      kind: 'facet',
      attribute,
      value,
      negated: false,
    });
    const range = (lower: number, upper: number): FilterAtom => ({
      kind: 'range',
      attribute: 'n',
      lower,
      upper,
      negated: false,
    });
    const digit = fc.integer({ min: 1, max: 9 });
    const resplit = fc.oneof(
      fc.tuple(text, text, text).map(([x, y, z]): Pair => [[facet(x + y, z)], [facet(x, y + z)]]),
      fc
        .tuple(digit, digit, digit)
        .map(([x, y, z]): Pair => [[range(x, Number(`${y}${z}`))], [range(Number(`${x}${y}`), z)]]),
    );
    fc.assert(
      fc.property(fc.oneof(pairs, resplit), ([a, b]) => {
        expect(filterCacheKey(a) === filterCacheKey(b)).toBe(same(a, b));
      }),
      { numRuns: 20_000 },
    );
  });

  it('keeps ±Infinity bounds apart (JSON writes both as null)', () => {
    const idx = new SearchIndex({});
    for (let i = 0; i < 5; i++) idx.upsert({ objectID: `o${i}`, price: i });
    const gt = (value: number): FilterAtom => ({
      kind: 'numeric',
      attribute: 'price',
      operator: '>',
      value,
      negated: false,
    });
    // One group with both atoms (atoms cached), then each alone (groups cached), in both orders.
    expect(idx.filterBits([[gt(Infinity), gt(-Infinity)]])!.count()).toBe(5);
    expect(idx.filterBits([[gt(-Infinity), gt(Infinity)]])!.count()).toBe(5);
    expect(idx.filterBits([[gt(Infinity)]])!.count()).toBe(0);
    expect(idx.filterBits([[gt(-Infinity)]])!.count()).toBe(5);
  });
});

describe('filter cache size', () => {
  it('stays bounded on a small index under many distinct filters', () => {
    const heap = heapAfterGc;
    const idx = new SearchIndex({ attributesForFaceting: ['filterOnly(visible_to)'] });
    for (let i = 0; i < 100; i++)
      idx.upsert({ objectID: `o${i}`, visible_to: [`user:${i % 10}`, i % 2 === 0 ? 'community' : 'group'] });
    const group = (u: number): FilterAtom[] => [
      { kind: 'facet', attribute: 'visible_to', value: `user:${u}`, negated: false },
      { kind: 'facet', attribute: 'visible_to', value: 'community', negated: false },
    ];
    const before = heap();
    // Every user's secured-key group once: each caches the group and its user's atom.
    for (let u = 0; u < 40_000; u++) idx.filterBits([group(u)]);
    // 5,000 entries at most (a few MB); 80,000 would be tens of MB.
    expect(heap() - before).toBeLessThan(12 * 1024 * 1024);
    expect(idx.filterBits([group(3)])!.count()).toBe(60);
  });
});
