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
    // Accented Latin, Greek and Cyrillic words are hashed as read too (normalized one for one)…
    const hashed = 'Café Ωμέγα Ёлка йогурт Straße';
    internTokensIn(hashed, 0, hashed.length, spy, out);
    expect(calls).toEqual([]);
    expect(dict.idOf('cafe')).toBeGreaterThanOrEqual(0);
    expect(dict.idOf('елка')).toBeGreaterThanOrEqual(0);
    // …but not a capital sigma (its lowercase depends on its place) or other scripts.
    internTokensIn('ΣΟΦΙΑ 東京', 0, 9, spy, out);
    expect(calls).toEqual(['σοφια', '東京']);
  });

  it('hashes words of Latin, Greek and Cyrillic letters to the terms the Unicode path makes', () => {
    const dict = new TermDictionary({ trie: false });
    const out = new TokenBuffer();
    const check = (t: string): void => {
      out.n = 0;
      internTokensIn(t, 0, t.length, dict, out);
      const got = Array.from(out.a.subarray(0, out.n), (id) => dict.terms[id]);
      if (got.join(' ') !== tokenize(t).join(' ')) expect({ t, got }).toEqual({ t, got: tokenize(t) });
    };
    // Every pair of the non-ASCII units the scan hashes (found by which ones never take the string
    // path): whatever ranges it hashes, two of them side by side must normalize one for one.
    const units: number[] = [];
    let slow = false;
    const spy = {
      intern: (t: string) => ((slow = true), dict.intern(t)),
      internAscii: dict.internAscii.bind(dict),
    };
    for (let c = 0x80; c < 0x10000; c++) {
      slow = false;
      out.n = 0;
      internTokensIn(String.fromCharCode(c), 0, 1, spy, out);
      if (out.n > 0 && !slow) units.push(c);
    }
    expect(units.length).toBeGreaterThan(1000);
    for (const a of units) {
      const pairs: string[] = [];
      for (const b of units) pairs.push(String.fromCharCode(a, b));
      check(pairs.join(' '));
    }
    // Random words over every range the scan hashes, with ASCII and other letters mixed in.
    const unit = fc.oneof(
      fc.integer({ min: 0xc0, max: 0x24f }),
      fc.integer({ min: 0x370, max: 0x52f }),
      fc.integer({ min: 0x1e00, max: 0x1fff }),
      fc.constantFrom(0x41, 0x7a, 0x33, 0x20, 0x2d, 0x3a3, 0x3c2, 0x6771, 0x301, 0xd83d, 0xde00),
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 24 }), (codes) => check(String.fromCharCode(...codes))),
      { numRuns: 20_000 },
    );
  });
});
