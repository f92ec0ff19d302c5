/**
 * projectPaths: a record reduced to what reading some attribute paths needs must read the same
 * for those paths as the whole record (a batch waiting for its tokens keeps only that).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectPaths, valuesAt, type JsonRecord } from './record-path';

const key = fc.constantFrom(
  'a',
  'b',
  'a.b',
  'a.b.c',
  'b.c',
  '_tags',
  '__proto__',
  'constructor',
  'x.',
  '.x',
  'n',
);
const leaf = fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.boolean(), fc.constant(null));
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(key, tie('v'), { maxKeys: 3 }),
  ),
})).v;
// As JSON.parse makes them: `__proto__` an own key, not the prototype.
const record = fc
  .dictionary(key, value, { maxKeys: 6 })
  .map((r) => JSON.parse(JSON.stringify({ ...r, objectID: 'o1' })) as JsonRecord);
const paths = fc.array(
  fc.oneof(key, fc.constantFrom('a.b.c', 'a.__proto__.b', '__proto__.a', 'constructor.name', 'objectID')),
  { maxLength: 5 },
);

describe('projectPaths', () => {
  it('reads every projected path as the whole record does', () => {
    fc.assert(
      fc.property(record, paths, (r, ps) => {
        const p = projectPaths(r, ps);
        expect(p.objectID).toBe(r.objectID);
        expect(Object.getPrototypeOf(p)).toBe(Object.getPrototypeOf(r));
        for (const path of ps) {
          const got = valuesAt(p, path);
          const want = valuesAt(r, path);
          expect(got.length).toBe(want.length);
          got.forEach((v, i) => expect(Object.is(v, want[i])).toBe(true));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps only the top-level values the paths start from', () => {
    const r = JSON.parse(
      '{"objectID":"o","a":{"b":1,"c":"long text"},"a.b":2,"body":"long text","__proto__":{"x":1}}',
    ) as JsonRecord;
    expect(Object.keys(projectPaths(r, ['a.b', 'a.c', '__proto__.x', 'missing']))).toEqual([
      'objectID',
      'a.b',
      'a',
      '__proto__',
    ]);
    expect(projectPaths(r, ['a.b.c'])).toEqual({ objectID: 'o', a: r.a });
  });
});
