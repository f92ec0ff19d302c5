import { describe, expect, it } from 'vitest';
import { TermDictionary, termHashes } from './dictionary';

const span = (d: TermDictionary, text: string, from: number, to: number): number =>
  d.internAscii(text, from, to, ...termHashes(text.slice(from, to).toLowerCase()));

function dictOf(...terms: string[]): TermDictionary {
  const d = new TermDictionary();
  for (const t of terms) d.intern(t);
  return d;
}

const found = (d: TermDictionary, word: string, typos: number, prefix: boolean): Record<string, number> =>
  Object.fromEntries(d.lookup(word, typos, prefix).map((m) => [d.terms[m.term]!, m.typos]));

describe('TermDictionary', () => {
  it('interns terms once, from strings and from ASCII spans', () => {
    const d = new TermDictionary();
    const a = d.intern('ocean');
    expect(d.intern('ocean')).toBe(a);
    const text = 'The OCEAN';
    expect(span(d, text, 4, 9)).toBe(a);
    const b = span(d, text, 0, 3);
    expect(d.terms[b]).toBe('the');
    expect(d.idOf('the')).toBe(b);
    for (let i = 0; i < 100_000; i++) d.intern(`t${i}`); // grows the table
    expect(span(d, 'T99999', 0, 6)).toBe(d.idOf('t99999'));
    expect(d.size).toBe(100_002);
  });

  it('finds exact words and prefixes without typos', () => {
    const d = dictOf('ocean', 'oceanic', 'occur', 'sea');
    expect(found(d, 'ocean', 0, false)).toEqual({ ocean: 0 });
    expect(found(d, 'oce', 0, true)).toEqual({ ocean: 0, oceanic: 0 });
    expect(found(d, 'oce', 0, false)).toEqual({});
  });

  it('counts substitutions, insertions, deletions and adjacent swaps as one typo', () => {
    const d = dictOf('ocean', 'flying', 'teeth');
    expect(found(d, 'ocaen', 1, false)).toEqual({ ocean: 1 }); // swap
    expect(found(d, 'ocxan', 1, false)).toEqual({ ocean: 1 }); // substitution
    expect(found(d, 'ocan', 1, false)).toEqual({ ocean: 1 }); // deletion
    expect(found(d, 'oceaan', 1, false)).toEqual({ ocean: 1 }); // insertion
    expect(found(d, 'oxxan', 1, false)).toEqual({});
    expect(found(d, 'oxxan', 2, false)).toEqual({ ocean: 2 });
  });

  it('counts a typo on the first letter as two', () => {
    const d = dictOf('ocean');
    expect(found(d, 'scean', 1, false)).toEqual({});
    expect(found(d, 'scean', 2, false)).toEqual({ ocean: 2 });
    expect(found(d, 'cean', 2, false)).toEqual({ ocean: 2 });
  });

  it('matches prefixes with typos and keeps the lowest count per term', () => {
    const d = dictOf('ocean', 'oceanic', 'ocelot');
    const r = d.lookup('ocaen', 1, true);
    const byTerm = Object.fromEntries(r.map((m) => [d.terms[m.term]!, { typos: m.typos, full: m.full }]));
    expect(byTerm.ocean).toEqual({ typos: 1, full: true });
    expect(byTerm.oceanic).toEqual({ typos: 1, full: false });
    expect(byTerm.ocelot).toBeUndefined();
  });
});
