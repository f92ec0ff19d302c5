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
  // letter whose lowercase grows, an astral letter, a combining mark, non-ASCII separators: curly
  // quotes, dashes, an ellipsis, a no-break space, an emoji, a lone surrogate, a superscript digit).
  const unit = fc.constantFrom(
    ..."aZk09 -_.,'\n\té ßİ𝒜\u0301\u00a0Ω’“”—…•€²\ud800".split(''),
    'xyz',
    'Dream',
    '𝒜',
    '😀',
  );
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

  it('treats every UTF-16 code unit as the Unicode path does, between and inside ASCII words', () => {
    const dict = new TermDictionary({ trie: false });
    const out = new TokenBuffer();
    const mismatches: string[] = [];
    // Every BMP code unit (lone surrogates included), and astral characters (letters, digits,
    // emoji, unassigned) as surrogate pairs.
    const astral = [0x1d49c, 0x1f600, 0x1f3f3, 0x20000, 0x1d7d8, 0x10ffff];
    for (let c = 0x10000; c <= 0x10ffff; c += 61) astral.push(c);
    for (const c of [...Array.from({ length: 65536 }, (_, c) => c), ...astral]) {
      const ch = String.fromCodePoint(c);
      for (const t of [`Ab${ch}cd`, `${ch}x`]) {
        out.n = 0;
        internTokensIn(t, 0, t.length, dict, out);
        const got = Array.from(out.a.subarray(0, out.n), (id) => dict.terms[id]).join(' ');
        if (got !== tokenize(t).join(' ')) mismatches.push(`U+${c.toString(16)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('keeps texts with typographic punctuation on the fast path (no term is interned as a whole string)', () => {
    const calls: string[] = [];
    const dict = new TermDictionary({ trie: false });
    const spy = {
      intern: (t: string) => (calls.push(t), dict.intern(t)),
      internAscii: dict.internAscii.bind(dict),
    };
    const out = new TokenBuffer();
    const text = '“Don’t go,” she said — and woke… 😀 at dawn😀\u00a05 😀';
    internTokensIn(text, 0, text.length, spy, out);
    expect(Array.from(out.a.subarray(0, out.n), (id) => dict.terms[id])).toEqual(tokenize(text));
    // internAscii interns new words by itself; `intern` is the Unicode path's entry.
    expect(calls).toEqual([]);
    internTokensIn('Café', 0, 4, spy, out);
    expect(calls).toEqual(['cafe']);
  });
});
