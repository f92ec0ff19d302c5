import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { internTokens, tokenize, TokenBuffer } from '../text/normalize';
import { TermDictionary } from './dictionary';
import { highlightLookup, highlightValue, snippetValue, type HighlightOptions } from './highlight';
import type { QueryWord } from './search-index';

// Words and separators a writer's text has: ASCII, accented and other-script words, a letter
// whose lowercase grows, an astral letter, curly quotes, dashes, an emoji, a combining mark, a
// lone surrogate.
const word = fc.constantFrom(
  'dream',
  'Dreams',
  'ocean',
  'OCEAN',
  'café',
  'Café',
  'naïve',
  'İstanbul',
  'straße',
  'мир',
  'Ωmega',
  '𝒜lpha',
  'x9',
  'e\u0301t\u00e9',
);
const sep = fc.constantFrom(' ', ', ', '’', '’s ', ' “', '” ', ' — ', '…', ' 😀 ', '\u00a0', '\ud800', '-');
const text = fc
  .array(fc.tuple(word, sep), { minLength: 1, maxLength: 25 })
  .map((parts) => parts.flat().join(''));

/** A query word matching the dictionary's `term` (with `typos`; a prefix match when `prefix`). */
function queryWord(
  dict: TermDictionary,
  term: string,
  { text = term, prefix = false, typos = 0 }: { text?: string; prefix?: boolean; typos?: number } = {},
): QueryWord {
  const id = dict.idOf(term);
  return {
    text,
    prefix,
    phrase: -1,
    start: 0,
    end: 0,
    maxTypos: typos,
    optional: false,
    matches: new Map([[id, { term: id, typos, full: !prefix }]]),
    cost: 0,
  };
}

describe('highlighting with a lookup (the scan) and without (token by token)', () => {
  it('agree on any text: values, match levels, matched words, full highlighting, snippets', () => {
    fc.assert(
      fc.property(
        text,
        fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.nat(4)), { minLength: 1, maxLength: 3 }),
        (t, picks) => {
          const dict = new TermDictionary({ trie: false });
          internTokens(t, dict, new TokenBuffer());
          const terms = [...new Set(tokenize(t))];
          // Query words matching a term of the text, whole or as a typed prefix.
          const words: QueryWord[] = picks.map(([at, full, cut]) => {
            const term = terms[at % terms.length]!;
            const id = dict.idOf(term);
            const typed = full
              ? term
              : Array.from(term)
                  .slice(0, Math.max(1, Array.from(term).length - cut))
                  .join('');
            return {
              text: typed,
              phrase: -1,
              start: 0,
              end: 0,
              prefix: !full,
              maxTypos: 0,
              optional: false,
              matches: new Map([[id, { term: id, typos: 0, full: typed === term }]]),
              cost: 0,
            };
          });
          const base: HighlightOptions = { words, dict, preTag: '<em>', postTag: '</em>', ellipsis: '…' };
          const fast: HighlightOptions = { ...base, lookup: highlightLookup(words, dict) };
          expect(highlightValue(t, fast)).toEqual(highlightValue(t, base));
          for (const size of [1, 3, 10, 1000])
            expect(snippetValue(t, size, fast)).toEqual(snippetValue(t, size, base));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('highlights as much of an ASCII word as a prefix query word has characters (code points)', () => {
    const t = 'abcdefghijkl and more';
    const dict = new TermDictionary({ trie: false });
    internTokens(t, dict, new TokenBuffer());
    // A typo'd prefix with an astral letter: 8 characters, 9 UTF-16 units.
    const words = [queryWord(dict, 'abcdefghijkl', { text: 'abcdefg𝒜', prefix: true, typos: 1 })];
    const base: HighlightOptions = { words, dict, preTag: '<em>', postTag: '</em>', ellipsis: '…' };
    const fast = highlightValue(t, { ...base, lookup: highlightLookup(words, dict) });
    expect(fast.value).toBe('<em>abcdefgh</em>ijkl and more');
    expect(fast).toEqual(highlightValue(t, base));
  });

  it('highlights the words of a text with typographic punctuation and accents', () => {
    const t = '“Café’s ocean,” she wrote — naïve 😀 Ocean…';
    const dict = new TermDictionary({ trie: false });
    internTokens(t, dict, new TokenBuffer());
    const words = [
      queryWord(dict, 'ocean'),
      queryWord(dict, 'cafe'),
      queryWord(dict, 'naive', { text: 'naï', prefix: true }),
    ];
    const o: HighlightOptions = { words, dict, preTag: '<em>', postTag: '</em>', ellipsis: '…' };
    const leaf = highlightValue(t, { ...o, lookup: highlightLookup(words, dict) });
    expect(leaf.value).toBe(
      '“<em>Café</em>’s <em>ocean</em>,” she wrote — <em>naï</em>ve 😀 <em>Ocean</em>…',
    );
    expect(leaf.matchLevel).toBe('full');
    expect(leaf.matchedWords).toEqual(['ocean', 'cafe', 'naï']);
  });

  it('sets an ellipsis off by the space next to the cut, as Algolia does ("… Docker Compose", "with this …")', () => {
    const t = 'I was flying above a vast blue ocean, with whales below me';
    const dict = new TermDictionary({ trie: false });
    internTokens(t, dict, new TokenBuffer());
    const words = [queryWord(dict, 'whales')];
    const o: HighlightOptions = { words, dict, preTag: '<em>', postTag: '</em>', ellipsis: '…' };
    expect(snippetValue(t, 2, o).value).toBe('… <em>whales</em> below …');
    // Only a whitespace character that stood next to the cut: not punctuation, not a run.
    expect(snippetValue(t, 4, o).value).toBe('… with <em>whales</em> below me');
    expect(snippetValue('a b c ocean,\n\n  whales, and more', 2, o).value).toBe('… <em>whales</em>, and …');
    expect(snippetValue('whales and more and more', 2, o).value).toBe('<em>whales</em> and …');
    // No ellipsis, no space.
    expect(snippetValue(t, 2, { ...o, ellipsis: '' }).value).toBe('<em>whales</em> below');
  });
});
