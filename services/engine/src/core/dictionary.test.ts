import { describe, expect, it } from 'vitest';
import { TermDictionary, termHashes } from './dictionary';
import { heapAfterGc } from '../testing/gc';
import { internTokens, TokenBuffer } from '../text/normalize';

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

  it('reports a whole-word match as whole even when a prefix matches with as few typos', () => {
    // 'helo' is 'hello' with a letter missing (1 typo) and 'hell' with one changed (1 typo): the
    // whole word wins the tie, so the highlight covers all of 'hello'.
    const d = dictOf('hello', 'help');
    const r = d.lookup('helo', 1, true);
    const byTerm = Object.fromEntries(r.map((m) => [d.terms[m.term]!, { typos: m.typos, full: m.full }]));
    expect(byTerm).toEqual({ hello: { typos: 1, full: true }, help: { typos: 1, full: true } });
  });

  it('finds exactly the terms a brute-force reference finds (random dictionaries and words)', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    let letters = 'abcde';
    const wordOf = (min: number, max: number): string =>
      Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, () =>
        letters.charAt(Math.floor(random() * letters.length)),
      ).join('');
    /** `word` with up to `edits` random substitutions, insertions, deletions or swaps. */
    const mutated = (word: string, edits: number): string => {
      const a = word.split('');
      for (let e = Math.floor(random() * (edits + 1)); e > 0; e--) {
        const i = Math.floor(random() * a.length);
        const op = Math.floor(random() * 4);
        const c = letters.charAt(Math.floor(random() * letters.length));
        if (op === 0) a[i] = c;
        else if (op === 1) a.splice(i, 0, c);
        else if (op === 2 && a.length > 1) a.splice(i, 1);
        else if (i + 1 < a.length) [a[i], a[i + 1]] = [a[i + 1]!, a[i]!];
      }
      return a.join('');
    };
    /**
     * Optimal string alignment distances (adjacent swaps count one), as the trie walk computes
     * them: from `a` to each prefix of `b` (index k: its first k units).
     */
    const osa = (a: string, b: string): number[] => {
      const d = Array.from({ length: a.length + 1 }, (_, i) =>
        Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
      );
      for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++) {
          let v = Math.min(
            d[i - 1]![j]! + 1,
            d[i]![j - 1]! + 1,
            d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
          );
          if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
            v = Math.min(v, d[i - 2]![j - 2]! + 1);
          d[i]![j] = v;
        }
      return d[a.length]!;
    };
    /** What lookup() promises: a first-letter typo counts twice; a prefix match takes its best prefix. */
    const reference = (
      terms: string[],
      word: string,
      maxTypos: number,
      prefix: boolean,
    ): Map<string, string> => {
      const out = new Map<string, string>();
      for (const t of terms) {
        const extra = t[0] === word[0] ? 0 : 1;
        const budget = maxTypos - extra;
        if (budget < 0 || (extra === 1 && budget < 1)) continue;
        let best: { typos: number; full: boolean } | undefined;
        const toPrefixes = osa(word, t);
        const whole = toPrefixes[t.length]!;
        if (whole <= budget) best = { typos: whole + extra, full: true };
        if (prefix) {
          let bp = Number.MAX_SAFE_INTEGER;
          for (let k = 1; k <= t.length; k++) bp = Math.min(bp, toPrefixes[k]!);
          if (bp <= budget && (best === undefined || bp + extra < best.typos))
            best = { typos: bp + extra, full: false };
        }
        if (best) out.set(t, `${best.typos}${best.full ? ' full' : ''}`);
      }
      return out;
    };
    const check = (d: TermDictionary, terms: string[], word: string): void => {
      for (const maxTypos of [0, 1, 2])
        for (const prefix of [false, true]) {
          const got = new Map(
            d
              .lookup(word, maxTypos, prefix)
              .map((m) => [d.terms[m.term]!, `${m.typos}${m.full ? ' full' : ''}`]),
          );
          expect(got, `${word} (${maxTypos} typos, prefix ${prefix})`).toEqual(
            reference(terms, word, maxTypos, prefix),
          );
        }
    };
    // Short words, and a few rounds of longer ones (the typo band is narrower than the word);
    // UTF-16 units outside ASCII, surrogate halves included.
    for (const [rounds, maxLength, alphabet] of [
      [40, 9, 'abcde'],
      [6, 14, 'abcde'],
      [6, 9, 'aeé\ud83d\ude00'],
      // Nodes with more kids than are kept as a chain alone (ideographs: thousands).
      [4, 4, 'abcdefghijklmnopqrstuvwxyz一二三四五六七八九十人大小山川'],
    ] as const) {
      letters = alphabet;
      for (let round = 0; round < rounds; round++) {
        const terms = [...new Set(Array.from({ length: 300 }, () => wordOf(1, maxLength)))];
        const d = dictOf(...terms);
        // Interned again: the same ids.
        for (const [i, term] of terms.entries()) expect(d.intern(term)).toBe(i);
        for (let w = 0; w < 25; w++) {
          const word = random() < 0.5 ? wordOf(1, maxLength) : terms[Math.floor(random() * terms.length)]!;
          check(d, terms, word);
        }
      }
    }
    // Words around 31 units, where lookups move from bit sets (a bit per prefix of the word, in
    // 32 bits) to distance rows: terms made from a few long words by edits, so that they match.
    letters = 'abcde';
    const lengths = new Set<number>();
    for (let round = 0; round < 8; round++) {
      const bases = Array.from({ length: 3 }, () => wordOf(27, 35));
      const terms = [
        ...new Set(
          Array.from({ length: 40 }, () => {
            const t = mutated(bases[Math.floor(random() * bases.length)]!, 3);
            return random() < 0.2 ? t.slice(0, 20 + Math.floor(random() * 10)) : t;
          }),
        ),
      ];
      const d = dictOf(...terms);
      for (let w = 0; w < 10; w++) {
        const word = mutated(terms[Math.floor(random() * terms.length)]!, 3);
        lengths.add(word.length);
        check(d, terms, word);
      }
    }
    for (const n of [30, 31, 32, 33]) expect(lengths, `a word of ${n} units was tried`).toContain(n);
    // Terms added between lookups: the trie is laid out again as it grows (wide nodes too).
    letters = 'abcdefghijklmnopqrstuvwxyz一二三四五';
    const grown = new TermDictionary();
    const added: string[] = [];
    for (let step = 0; step < 12; step++) {
      for (let i = 0; i < 150; i++) {
        const term = wordOf(1, 6);
        if (!added.includes(term)) added.push(term);
        grown.intern(term);
      }
      for (let w = 0; w < 4; w++)
        check(grown, added, random() < 0.5 ? wordOf(1, 6) : added[added.length - 1 - w]!);
    }
    for (const [i, term] of added.entries()) expect(grown.intern(term)).toBe(i);
  });
});

describe('term dictionary memory', () => {
  it('keeps its terms as strings of their own, not views of the texts they were cut from', () => {
    const dict = new TermDictionary({ trie: false });
    const before = heapAfterGc();
    for (let j = 0; j < 40; j++) {
      // 1 MB texts with one new long word each, ASCII (a one-byte string, whose lowercase is
      // itself) and Cyrillic (normalized through the memo): both paths of the scanner.
      internTokens(`${'a '.repeat(250_000)}unfortunately${j}x`, dict, new TokenBuffer());
      internTokens(`${'a '.repeat(250_000)}непосредственно${j}`, dict, new TokenBuffer());
    }
    expect(dict.terms).toContain('unfortunately39x');
    expect(dict.terms).toContain('непосредственно39');
    // 40 MB of texts (80 MB as two-byte) would stay alive through views.
    expect(heapAfterGc() - before).toBeLessThan(8 * 1024 * 1024);
  });
});
