/**
 * The engine hashes ASCII tokens in two places that must agree bit for bit: `nextWord`
 * (text/normalize.ts: the scan of indexing, `internTokens`, and of highlighting, core/highlight.ts)
 * and `termHashes` (core/dictionary.ts), which places terms in the dictionary's hash table. If they
 * drift, nothing throws: ASCII lookups and highlights silently miss. These tests check them against
 * each other through exported functions only (indexing and highlighting both), and show that the
 * checks fail on a copy with one constant changed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TermDictionary, termHashes } from '../core/dictionary';
import { highlightLookup, highlightValue, snippetValue, type HighlightOptions } from '../core/highlight';
import type { QueryWord } from '../core/search-index';
import { internTokens, tokenize, TokenBuffer, type TokenInterner } from './normalize';

/** The ASCII tokenization all three copies implement: runs of [A-Za-z0-9], lowercased. */
const ASCII_TOKEN = /[A-Za-z0-9]+/g;
const asciiTokens = (text: string): { start: number; end: number; norm: string }[] =>
  [...text.matchAll(ASCII_TOKEN)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    norm: m[0].toLowerCase(),
  }));

type Scanner = (text: string, dict: TokenInterner, out: TokenBuffer) => void;

interface ScannedToken {
  start: number;
  end: number;
  h1: number;
  h2: number;
}

/** Runs `scan` with an interner that records the spans and hashes handed to `internAscii`. */
function recordScan(scan: Scanner, text: string): { ascii: ScannedToken[]; strings: string[] } {
  const ascii: ScannedToken[] = [];
  const strings: string[] = [];
  scan(
    text,
    {
      internAscii: (_text, start, end, h1, h2) => ascii.push({ start, end, h1, h2 }) - 1,
      intern: (term) => strings.push(term) - 1,
    },
    new TokenBuffer(),
  );
  return { ascii, strings };
}

/** Check 1: the scanner's spans are the ASCII tokens, and its hashes are `termHashes` of them. */
function expectScanMatchesTermHashes(scan: Scanner, text: string): void {
  const { ascii, strings } = recordScan(scan, text);
  expect(strings, 'ASCII text takes the hashed path').toEqual([]);
  const expected = asciiTokens(text).map(({ start, end, norm }) => {
    const [h1, h2] = termHashes(norm);
    return { start, end, h1, h2 };
  });
  expect(ascii).toEqual(expected);
}

/**
 * Check 2, on a real dictionary: every token of `text` is interned by string first (placed with
 * `termHashes`); then each ASCII span the scanner reports must be found by `findAscii` with the
 * hashes the scanner computed, and the term ids it yields must be the ones `idOf` gives.
 */
function expectScanFindsInternedTerms(scan: Scanner, text: string): void {
  const dict = new TermDictionary();
  for (const t of tokenize(text)) dict.intern(t);
  const misses: string[] = [];
  const out = new TokenBuffer();
  scan(
    text,
    {
      internAscii: (src, start, end, h1, h2) => {
        if (dict.findAscii(src, start, end, h1, h2) < 0) misses.push(src.slice(start, end));
        return dict.internAscii(src, start, end, h1, h2);
      },
      intern: (term) => dict.intern(term),
    },
    out,
  );
  expect(misses, 'tokens the scanner hashed differently from the dictionary').toEqual([]);
  expect([...out.a.subarray(0, out.n)]).toEqual(tokenize(text).map((t) => dict.idOf(t)));
}

/** A query word matching exactly `id` as a whole word (what the ranking pass hands highlighting). */
const queryWord = (dict: TermDictionary, id: number): QueryWord => ({
  text: dict.terms[id]!,
  phrase: -1,
  start: 0,
  end: 0,
  prefix: false,
  maxTypos: 0,
  optional: false,
  matches: new Map([[id, { term: id, typos: 0, full: true }]]),
  cost: 0,
});

/**
 * Check 3: with the dictionary filled by `internTokens` (the indexing path), highlighting `text`
 * for `queryTerms` through the ASCII fast path marks exactly the tokens equal to a query term
 * (case-insensitively), and agrees with the string path (no lookup, `idOf`).
 */
function expectHighlightMarksTerms(dict: TermDictionary, text: string, queryTerms: readonly string[]): void {
  internTokens(text, dict, new TokenBuffer());
  const wanted = [...new Set(queryTerms.map((t) => t.toLowerCase()))];
  const words = wanted.map((t) => {
    const id = dict.idOf(t);
    expect(id, `query term ${t} is in the dictionary`).toBeGreaterThanOrEqual(0);
    return queryWord(dict, id);
  });
  const base: HighlightOptions = { words, dict, preTag: '<em>', postTag: '</em>', ellipsis: '…' };
  const fast: HighlightOptions = { ...base, lookup: highlightLookup(words, dict) };
  const expected = text.replace(ASCII_TOKEN, (tok) =>
    wanted.includes(tok.toLowerCase()) ? `<em>${tok}</em>` : tok,
  );
  const leaf = highlightValue(text, fast);
  expect(leaf.value).toBe(expected);
  const present = new Set(asciiTokens(text).map((t) => t.norm));
  expect(leaf.matchedWords).toEqual(wanted.filter((t) => present.has(t)));
  expect(highlightValue(text, base)).toEqual(leaf);
  // Snippets take the same fast path; with a window wider than the text they render it whole.
  expect(snippetValue(text, 1_000_000, fast).value).toBe(expected);
}

/**
 * The ASCII hashing internTokens does (same per-character steps; its scan loop is shaped
 * differently since it reads characters through a table), with the four hash constants as
 * parameters: with normalize.ts's constants it must pass the checks above, with any one changed
 * it must fail them. Deliberately a copy: the point is that copies agree.
 */
function copyOfInternTokens(k: { basis1: number; basis2: number; prime1: number; prime2: number }): Scanner {
  return (text, dict, out) => {
    const n = text.length;
    let start = -1;
    let h1 = 0;
    let h2 = 0;
    for (let i = 0; i <= n; i++) {
      let c = i < n ? text.charCodeAt(i) : 32;
      const isUpper = c >= 65 && c <= 90;
      if (isUpper || (c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
        if (isUpper) c |= 32;
        if (start < 0) {
          start = i;
          h1 = k.basis1 | 0;
          h2 = k.basis2;
        }
        h1 = Math.imul(h1 ^ c, k.prime1);
        h2 = Math.imul(((h2 << 5) | (h2 >>> 27)) ^ c, k.prime2);
      } else if (start >= 0) {
        out.push(dict.internAscii(text, start, i, h1 | 0, h2 | 0));
        start = -1;
      }
    }
  };
}
const ENGINE_CONSTANTS = { basis1: 0x811c9dc5, basis2: 0x2545f491, prime1: 0x01000193, prime2: 0x9e3779b1 };

/** A dictionary whose ASCII lookups see hashes one bit off: what a drifted highlight copy would do. */
class SkewedDictionary extends TermDictionary {
  constructor(private readonly skew: { h1: number; h2: number }) {
    super();
  }
  override findAscii(text: string, start: number, end: number, h1: number, h2: number): number {
    return super.findAscii(text, start, end, h1 ^ this.skew.h1, h2 ^ this.skew.h2);
  }
}

// Tokens right at the edges of the character classes the loops test by code ('@' 64 / 'A' 65,
// 'Z' 90 / '[' 91, '`' 96 / 'a' 97, 'z' 122 / '{' 123, '/' 47 / '0' 48, '9' 57 / ':' 58),
// mixed case, digits, underscores (a separator here), and a token ending the text.
const EDGE_TEXT =
  '@AZ[az`{Az}/09: Ocean OCEAN oCeAn 2024 a1B2c3 R2D2_c3po x 9 under_score tail-End\tTAB\nLF end';
const LONG = 'Abcdefghij'.repeat(500); // 5,000 characters
const wordChars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('');
const separators = [' ', ' ', ' ', ',', '.', '-', '_', '\n', '\t', "'", '@', '[', '`', '{', '/', ':', '~'];
const asciiWord = fc.string({ unit: fc.constantFrom(...wordChars), minLength: 1, maxLength: 40 });
const asciiText = fc
  .array(
    fc.tuple(asciiWord, fc.string({ unit: fc.constantFrom(...separators), minLength: 1, maxLength: 3 })),
    {
      minLength: 1,
      maxLength: 30,
    },
  )
  .chain((parts) =>
    fc.record({
      lead: fc.string({ unit: fc.constantFrom(...separators), maxLength: 2 }),
      parts: fc.constant(parts),
      // Whether the text ends on a token (the loops' end-of-text sentinel) or a separator.
      trailing: fc.boolean(),
    }),
  )
  .map(({ lead, parts, trailing }) => {
    const body = parts.map(([w, s]) => w + s).join('');
    return {
      text: lead + (trailing ? body : body.slice(0, -parts.at(-1)![1].length)),
      words: parts.map(([w]) => w),
    };
  });

describe('internTokens (normalize.ts) and termHashes (dictionary.ts)', () => {
  it('hash mixed case, digits, class-edge characters and the final token alike', () => {
    expectScanMatchesTermHashes(internTokens, EDGE_TEXT);
    expectScanFindsInternedTerms(internTokens, EDGE_TEXT);
    const { ascii } = recordScan(internTokens, 'Ocean OCEAN ocean');
    expect(new Set(ascii.map((t) => `${t.h1}/${t.h2}`)).size).toBe(1);
  });

  it('hash long tokens alike', () => {
    for (const text of [LONG, `${LONG} ${LONG.toUpperCase()}9`, 'x'.repeat(20_000)]) {
      expectScanMatchesTermHashes(internTokens, text);
      expectScanFindsInternedTerms(internTokens, text);
    }
  });

  it('agree after the dictionary table grows (every term re-placed with termHashes)', () => {
    const dict = new TermDictionary();
    const text = Array.from({ length: 70_000 }, (_, i) => `W${i.toString(36)}x`).join(' ');
    internTokens(text, dict, new TokenBuffer()); // 70k terms: the table grows past its first size
    expect(dict.size).toBe(70_000);
    const { ascii } = recordScan(internTokens, text);
    const misses = ascii.filter((t) => dict.findAscii(text, t.start, t.end, t.h1, t.h2) < 0);
    expect(misses).toEqual([]);
  });

  it('agree on random ASCII text (property)', () => {
    fc.assert(
      fc.property(asciiText, ({ text }) => {
        expectScanMatchesTermHashes(internTokens, text);
        expectScanFindsInternedTerms(internTokens, text);
      }),
      { numRuns: 300 },
    );
  });

  it('the checks fail on a copy of internTokens with any one hash constant changed', () => {
    const faithful = copyOfInternTokens(ENGINE_CONSTANTS);
    expectScanMatchesTermHashes(faithful, EDGE_TEXT);
    expectScanFindsInternedTerms(faithful, EDGE_TEXT);
    for (const name of ['basis1', 'basis2', 'prime1', 'prime2'] as const) {
      const drifted = copyOfInternTokens({ ...ENGINE_CONSTANTS, [name]: ENGINE_CONSTANTS[name] + 2 });
      expect(() => expectScanMatchesTermHashes(drifted, EDGE_TEXT), name).toThrow();
      expect(() => expectScanFindsInternedTerms(drifted, EDGE_TEXT), name).toThrow();
    }
  });
});

describe('ASCII highlighting (highlight.ts) and the dictionary (dictionary.ts)', () => {
  it('marks query terms in mixed case, digits, class-edge characters and the final token', () => {
    expectHighlightMarksTerms(new TermDictionary(), EDGE_TEXT, [
      'ocean',
      'a1b2c3',
      'R2D2',
      'az',
      'END',
      'lf',
    ]);
    expectHighlightMarksTerms(new TermDictionary(), EDGE_TEXT, ['2024', '9', 'x', '09', 'tab', 'c3po']);
  });

  it('marks long tokens', () => {
    const text = `start ${LONG} middle ${LONG.toUpperCase()} ${'q'.repeat(20_000)}`;
    expectHighlightMarksTerms(new TermDictionary(), text, [LONG, 'q'.repeat(20_000)]);
  });

  it('marks query terms in random ASCII text, the dictionary shared across texts (property)', () => {
    const dict = new TermDictionary(); // grows across runs, as an index's dictionary does
    fc.assert(
      fc.property(asciiText, fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), ({ text, words }, picks) => {
        const terms = picks.map((p) => words[p % words.length]!);
        expectHighlightMarksTerms(dict, text, terms);
      }),
      { numRuns: 300 },
    );
  });

  it('the check fails when the hashes highlighting computes differ from the dictionary table', () => {
    expectHighlightMarksTerms(new SkewedDictionary({ h1: 0, h2: 0 }), EDGE_TEXT, ['ocean', 'end']);
    for (const skew of [
      { h1: 1, h2: 0 },
      { h1: 0, h2: 1 },
    ]) {
      expect(() =>
        expectHighlightMarksTerms(new SkewedDictionary(skew), EDGE_TEXT, ['ocean', 'end']),
      ).toThrow();
    }
  });
});
