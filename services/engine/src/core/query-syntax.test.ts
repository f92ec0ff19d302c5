import { describe, expect, it } from 'vitest';
import { NO_SYNTAX, parseQuery } from './query-syntax';

const ALL = { exactPhrase: true, excludeWords: true };
const read = (query: string, features = ALL) => {
  const p = parseQuery(query, features);
  return {
    words: p.words.map((w) => (w.phrase >= 0 ? `${w.phrase}:${w.text}` : w.text)),
    excluded: p.excluded,
    lastIsOpen: p.lastIsOpen,
  };
};

describe('parseQuery', () => {
  it('reads plain words, normalized, with their offsets', () => {
    const p = parseQuery('Café  au-lait', NO_SYNTAX);
    expect(p.words).toEqual([
      { text: 'cafe', phrase: -1, start: 0, end: 4 },
      { text: 'au', phrase: -1, start: 6, end: 8 },
      { text: 'lait', phrase: -1, start: 9, end: 13 },
    ]);
    expect(p.excluded).toEqual([]);
    expect(p.lastIsOpen).toBe(true);
    expect(parseQuery('café ', NO_SYNTAX).lastIsOpen).toBe(false);
    expect(parseQuery('café!', NO_SYNTAX).lastIsOpen).toBe(false);
  });

  it('without the features, quotes and minus signs are separators', () => {
    expect(read('"a b" -c', NO_SYNTAX).words).toEqual(['a', 'b', 'c']);
    expect(read('"a b" -c', { exactPhrase: false, excludeWords: true })).toMatchObject({
      words: ['a', 'b'],
      excluded: ['c'],
    });
    expect(read('"a b" -c', { exactPhrase: true, excludeWords: false }).words).toEqual(['0:a', '0:b', 'c']);
  });

  it('numbers phrases in order; an unclosed quote runs to the end', () => {
    expect(read('x "a b" y "c d" z').words).toEqual(['x', '0:a', '0:b', 'y', '1:c', '1:d', 'z']);
    expect(read('x "a b').words).toEqual(['x', '0:a', '0:b']);
    expect(read('"a b"').lastIsOpen).toBe(false);
    expect(read('"a b').lastIsOpen).toBe(true);
    expect(read('"" a').words).toEqual(['a']);
  });

  it('excludes a word after a minus that starts the query or follows whitespace', () => {
    expect(read('search -engine')).toMatchObject({
      words: ['search'],
      excluded: ['engine'],
      lastIsOpen: false,
    });
    expect(read('-Search engine')).toMatchObject({ words: ['engine'], excluded: ['search'] });
    expect(read('search\t-engine').excluded).toEqual(['engine']);
    // Inside a word, inside quotes, or before a quote: not an exclusion.
    expect(read('search-engine')).toMatchObject({ words: ['search', 'engine'], excluded: [] });
    expect(read('"-engine"')).toMatchObject({ words: ['0:engine'], excluded: [] });
    expect(read('-"a b"')).toMatchObject({ words: ['0:a', '0:b'], excluded: [] });
    // Only the word right after the minus: the next part of a hyphenated word is a query word.
    expect(read('-search-engine')).toMatchObject({ words: ['engine'], excluded: ['search'] });
    expect(read('a --b')).toMatchObject({ words: ['a', 'b'], excluded: [] });
  });
});
