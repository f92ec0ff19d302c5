/**
 * projectPaths: a record reduced to what reading some attribute paths needs must read the same
 * for those paths as the whole record (a batch waiting for its tokens keeps only that).
 * recordTextProjector: the same projection read from a record's JSON text without parsing the rest
 * (how a restart reads its snapshot's records) must be exactly projectPaths of the parsed text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  omitPath,
  projectPaths,
  recordTextProjector,
  selectPaths,
  valuesAt,
  type JsonRecord,
} from './record-path';

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

/** Leaves read at `path` are the very same values (Object.is), in the same order. */
function sameReading(got: unknown[], want: unknown[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(Object.is(v, want[i])).toBe(true));
}

describe('selectPaths', () => {
  it('reads every selected path as the whole record does, and leaves the record as it was', () => {
    fc.assert(
      fc.property(record, paths, (r, ps) => {
        const before = JSON.stringify(r);
        const s = selectPaths(
          r,
          ps.map((p) => [p, undefined] as const),
          (v) => v,
        );
        for (const path of ps) sameReading(valuesAt(s, path), valuesAt(r, path));
        expect(JSON.stringify(r)).toBe(before);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps array items in their places, each with only what the paths reach', () => {
    const r = {
      objectID: 'o',
      authors: [{ name: 'ann', email: 'a@x' }, 'plain', [{ name: 'deep' }], { email: 'c@x' }],
      other: 1,
    };
    expect(selectPaths(r, [['authors.name', undefined]], (v) => v)).toEqual({
      authors: [{ name: 'ann' }, {}, [{ name: 'deep' }], {}],
    });
    // Each reached value goes through `take` with its own path's payload; a path inside one
    // taken whole adds nothing.
    const tagged = selectPaths(
      r,
      [
        ['other', 'o'],
        ['authors.email', 'e'],
        ['authors', 'whole'],
        ['authors.name', 'n'],
      ],
      (v, tag) => `${tag}:${JSON.stringify(v)}`,
    );
    expect(tagged).toEqual({ other: 'o:1', authors: `whole:${JSON.stringify(r.authors)}` });
    expect(selectPaths(r, [['missing.name', undefined]], (v) => v)).toEqual({});
  });

  it('keeps a __proto__ key as an own key, never as the prototype', () => {
    const r = JSON.parse('{"objectID":"o","__proto__":{"x":{"y":1}}}') as Record<string, unknown>;
    const s = selectPaths(r, [['__proto__.x', undefined]], (v) => v);
    expect(Object.getPrototypeOf(s)).toBe(Object.prototype);
    expect(JSON.stringify(s)).toBe('{"__proto__":{"x":{"y":1}}}');
  });
});

describe('omitPath', () => {
  it('leaves nothing at the path, copies only what changes, and leaves the record as it was', () => {
    fc.assert(
      fc.property(record, paths, (r, ps) => {
        const before = JSON.stringify(r);
        let out: Record<string, unknown> = r;
        for (const path of ps) {
          const next = omitPath(out, path);
          // Nothing removed: no copy either.
          if (JSON.stringify(next) === JSON.stringify(out)) expect(next).toBe(out);
          out = next;
          expect(valuesAt(out, path)).toEqual([]);
        }
        for (const path of ps) expect(valuesAt(out, path)).toEqual([]);
        expect(JSON.stringify(r)).toBe(before);
      }),
      { numRuns: 3000 },
    );
  });

  it('removes a path from every item of an array of objects', () => {
    const r = { objectID: 'o', authors: [{ name: 'ann', email: 'a@x' }, 'plain', { email: 'c@x' }] };
    expect(omitPath(r, 'authors.email')).toEqual({
      objectID: 'o',
      authors: [{ name: 'ann' }, 'plain', {}],
    });
    expect(r.authors[0]).toEqual({ name: 'ann', email: 'a@x' });
  });
});

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

/** The record's members as JSON text, each key spelled plainly or with escapes, spaced or not. */
const memberText = fc
  .tuple(key, value, fc.boolean(), fc.constantFrom('', ' ', '\t', ' \n '))
  .map(([k, v, escapeKey, ws]) => {
    const keyText = escapeKey
      ? `"${Array.from({ length: k.length }, (_, i) => `\\u${k.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`
      : JSON.stringify(k);
    return `${ws}${keyText}${ws}:${ws}${JSON.stringify(v, null, ws === '' ? undefined : 1)}${ws}`;
  });
/** Record texts as a writer's requests or a snapshot hold them: repeated keys, odd strings, spacing. */
const recordText = fc
  .tuple(
    fc.array(memberText, { maxLength: 7 }),
    fc.oneof(
      fc.constant('"o1"'),
      fc.constant('"o\\"1\\\\"'),
      fc.string({ maxLength: 4 }).map((s) => JSON.stringify(s)),
    ),
    fc.nat(8),
    fc.constantFrom('', ' '),
  )
  .map(([members, id, at, ws]) => {
    const all = [...members];
    all.splice(Math.min(at, all.length), 0, `"objectID":${id}`);
    return `${ws}{${all.join(',')}}${ws}`;
  });

describe('recordTextProjector', () => {
  it('gives exactly projectPaths of the parsed text (keys, order, values, __proto__ as own key)', () => {
    fc.assert(
      fc.property(recordText, paths, (text, ps) => {
        const want = projectPaths(JSON.parse(text) as JsonRecord, ps);
        const got = recordTextProjector(ps)(text);
        expect(got).toBeDefined();
        expect(Reflect.ownKeys(got!)).toEqual(Reflect.ownKeys(want));
        expect(JSON.stringify(got)).toBe(JSON.stringify(want));
        expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
      }),
      { numRuns: 3000 },
    );
  });

  it('is reused across records, holding nothing of the one before', () => {
    const project = recordTextProjector(['tags', 'a.b', 'mood']);
    expect(project('{"objectID":"1","tags":["x"],"a":{"b":1},"mood":"calm","body":"long"}')).toEqual({
      objectID: '1',
      tags: ['x'],
      a: { b: 1 },
      mood: 'calm',
    });
    expect(project('{"body":"no attributes","objectID":"2"}')).toEqual({ objectID: '2' });
    expect(project('{"a.b":[3],"objectID":"3","a":{"b":1}}')).toEqual({ objectID: '3', 'a.b': [3] });
  });

  it('gives undefined for what is not an object with a string objectID', () => {
    const project = recordTextProjector(['tags']);
    for (const text of [
      '[1]',
      '"text"',
      '12',
      'null',
      '{"tags":["x"]}',
      '{"objectID":7}',
      '{"objectID":null}',
    ])
      expect(project(text), text).toBeUndefined();
  });
});
