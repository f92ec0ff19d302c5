import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TermDictionary } from '../core/dictionary';
import { internTokensIn, normalizeWord, tokenize, tokenizeWithOffsets, TokenBuffer } from './normalize';

describe('normalization and tokens', () => {
  it('lowercases and strips diacritics', () => {
    expect(normalizeWord('Café')).toBe('cafe');
    expect(normalizeWord('ÅNGSTRÖM')).toBe('angstrom');
    expect(normalizeWord('naïve')).toBe('naive');
  });

  it('splits on everything but letters and digits, Unicode-aware', () => {
    expect(tokenize("Ana-Lúcia's 2nd dream: flying!")).toEqual([
      'ana',
      'lucia',
      's',
      '2nd',
      'dream',
      'flying',
    ]);
    expect(tokenize('Добрый день, мир')).toEqual(['добрыи', 'день', 'мир']);
    expect(tokenize('  ')).toEqual([]);
  });

  it('keeps offsets into the original text', () => {
    const spans = tokenizeWithOffsets('Le café, ici');
    expect(spans.map((s) => 'Le café, ici'.slice(s.start, s.end))).toEqual(['Le', 'café', 'ici']);
  });
});

describe('internTokensIn (the indexing scanner)', () => {
  // Letters, digits, separators and characters that leave the ASCII fast path (diacritics, a
  // letter whose lowercase grows, an astral letter, a combining mark, a non-ASCII separator).
  const unit = fc.constantFrom(..."aZk09 -_.,'\n\té ßİ𝒜\u0301\u00a0Ω".split(''), 'xyz', 'Dream', '𝒜');
  const text = fc.array(unit, { maxLength: 40 }).map((a) => a.join(''));

  it('yields the tokens of the slice it is given, in order, on every path', () => {
    fc.assert(
      fc.property(text, fc.nat(), fc.nat(), (t, a, b) => {
        const from = Math.min(a, b) % (t.length + 1);
        const to = from + ((Math.max(a, b) - Math.min(a, b)) % (t.length - from + 1));
        const dict = new TermDictionary({ trie: false });
        const out = new TokenBuffer();
        out.push(7); // what was there before stays
        internTokensIn(t, from, to, dict, out);
        const terms = Array.from(out.a.subarray(1, out.n), (id) => dict.terms[id]);
        expect(out.a[0]).toBe(7);
        expect(terms).toEqual(tokenize(t.slice(from, to)));
      }),
      { numRuns: 2000 },
    );
  });
});
