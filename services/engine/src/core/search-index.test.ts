import { describe, expect, it } from 'vitest';
import { SearchIndex } from './search-index';
import { search, type QueryContext } from './query';
import { applyPartial } from './operations';
import type { SearchParams } from './params';
import { settingsForDisplay, type StoredSettings } from './settings';

const ctx: QueryContext = { indexName: 'i', keyFilters: [], isAdmin: true, echo: '' };

function build(records: Record<string, unknown>[], settings: StoredSettings = {}): SearchIndex {
  const idx = new SearchIndex(settings);
  for (const r of records) idx.upsert(r as never);
  return idx;
}

const ids = (idx: SearchIndex, params: SearchParams): string[] =>
  search(idx, idx.settings, params, ctx).hits.map((h) => h.objectID as string);

describe('ranking', () => {
  it('ranks by typos first, then proximity, attribute and exact, then custom ranking', () => {
    const idx = build(
      [
        { objectID: 'typo', title: 'blue ocaen', n: 9 },
        { objectID: 'far', title: 'blue is the colour of the ocean', n: 8 },
        { objectID: 'near', title: 'blue ocean', n: 1 },
        { objectID: 'body', title: 'nothing', body: 'blue ocean', n: 10 },
      ],
      { searchableAttributes: ['title', 'body'], customRanking: ['desc(n)'] },
    );
    expect(ids(idx, { query: 'blue ocean' })).toEqual(['near', 'body', 'far', 'typo']);
  });

  it("reads each doc's own attribute boundaries (positions within an attribute, restricted attributes)", () => {
    // The first doc's title is short and the second's long: a doc read with another doc's
    // boundaries would place its title words in its body.
    const idx = build(
      [
        { objectID: 'late', title: 'one', body: 'filler filler target' },
        { objectID: 'early', title: 'alpha beta gamma delta', body: 'target filler' },
        { objectID: 'title', title: 'alpha beta gamma target', body: 'nothing here' },
      ],
      { searchableAttributes: ['title', 'body'] },
    );
    // Both match in the body: the earlier position within the body ranks first.
    expect(ids(idx, { query: 'target', restrictSearchableAttributes: ['body'] })).toEqual(['early', 'late']);
    expect(ids(idx, { query: 'target' })).toEqual(['title', 'early', 'late']);
  });

  it('keeps the same variants of a short prefix whatever order the dictionary finds them in', () => {
    // 1,200 five-letter words starting with "ab": the prefix "ab" has more variants than a query
    // word expands to (1,000), all equally close. The first 1,000 words indexed are kept.
    const letters = 'cdefghijklmnopqrstuvwxyz';
    const words: string[] = [];
    for (const a of letters)
      for (const b of letters) for (const c of letters) if (words.length < 1200) words.push(`ab${a}${b}${c}`);
    // Indexed in an order unlike the trie's (reversed), so a walk-order cut would differ.
    const order = [...words].reverse();
    const idx = build(order.map((w, i) => ({ objectID: `d${i}`, t: w })));
    const found = new Set(
      search(idx, idx.settings, { query: 'ab', hitsPerPage: 1000 }, ctx).hits.map((h) => h.t as string),
    );
    expect(found).toEqual(new Set(order.slice(0, 1000)));
  });

  it('uses custom ranking for ties, missing values last', () => {
    const idx = build(
      [
        { objectID: 'a', t: 'x', n: 1 },
        { objectID: 'b', t: 'x' },
        { objectID: 'c', t: 'x', n: 5 },
      ],
      {
        customRanking: ['desc(n)'],
      },
    );
    expect(ids(idx, { query: 'x' })).toEqual(['c', 'a', 'b']);
    expect(ids(idx, { query: '' })).toEqual(['c', 'a', 'b']);
  });

  it('sorts by asc()/desc() ranking criteria first (standard replicas)', () => {
    const idx = build(
      [
        { objectID: 'a', t: 'dream dream', d: 3 },
        { objectID: 'b', t: 'drem', d: 1 },
        { objectID: 'c', t: 'dream', d: 2 },
      ],
      {
        ranking: ['asc(d)', 'typo', 'words', 'filters', 'proximity', 'attribute', 'exact', 'custom'],
      },
    );
    expect(ids(idx, { query: 'dream' })).toEqual(['b', 'c', 'a']);
  });

  it('treats "a,b" as one attribute rank and unordered() ignores positions', () => {
    const idx = build(
      [
        { objectID: 'late-title', title: 'one two three dream', body: '' },
        { objectID: 'early-body', title: 'nothing', body: 'dream' },
      ],
      { searchableAttributes: ['title,body'] },
    );
    expect(ids(idx, { query: 'dream' })).toEqual(['early-body', 'late-title']);
    const unordered = build(
      [
        { objectID: 'a', title: 'one two three dream' },
        { objectID: 'b', title: 'dream' },
      ],
      { searchableAttributes: ['unordered(title)'] },
    );
    // Same attribute, positions ignored: exact + doc order decide. By default a one-word query is
    // exact where it is the whole value (exactOnSingleWordQuery `attribute`): b's title is.
    expect(ids(unordered, { query: 'dream' })).toEqual(['b', 'a']);
    expect(ids(unordered, { query: 'dream', exactOnSingleWordQuery: 'word' })).toEqual(['a', 'b']);
  });

  it('applies typoTolerance min and strict and minWordSize settings', () => {
    const idx = build([
      { objectID: 'exact', t: 'house' },
      { objectID: 'one', t: 'hause' },
      { objectID: 'two', t: 'hauze' },
    ]);
    expect(ids(idx, { query: 'house' }).sort()).toEqual(['exact', 'one']);
    expect(ids(idx, { query: 'house', typoTolerance: 'min' })).toEqual(['exact']);
    expect(ids(idx, { query: 'house', typoTolerance: 'strict' })).toEqual(['exact', 'one']);
    expect(ids(idx, { query: 'house', minWordSizefor1Typo: 6 })).toEqual(['exact']);
    const long = build([{ objectID: 'l', t: 'wonderful' }]);
    expect(ids(long, { query: 'wondrefol' })).toEqual(['l']); // 9 letters: 2 typos
    expect(ids(long, { query: 'wondrefol', minWordSizefor2Typos: 10 })).toEqual([]);
  });

  it('finds a doc that the previous query seeded and dropped (its marks are reset)', () => {
    // "cherry banana": "b" is a candidate from the rarer word, dropped by the other; "apple" must
    // still find it (a mark left over would skip it).
    const idx = build(
      [
        { objectID: 'a', t: 'apple banana' },
        { objectID: 'b', t: 'apple cherry' },
        { objectID: 'c', t: 'cherry' },
      ],
      { searchableAttributes: ['t'] },
    );
    expect(ids(idx, { query: 'cherry banana', typoTolerance: false })).toEqual([]);
    expect(ids(idx, { query: 'apple', typoTolerance: false }).sort()).toEqual(['a', 'b']);
  });

  it('prefixes per queryType', () => {
    const idx = build([{ objectID: 'a', t: 'flying ocean' }]);
    expect(ids(idx, { query: 'fly oce' })).toEqual([]);
    expect(ids(idx, { query: 'flying oce' })).toEqual(['a']);
    expect(ids(idx, { query: 'fly oce', queryType: 'prefixAll' })).toEqual(['a']);
    expect(ids(idx, { query: 'flying oce', queryType: 'prefixNone' })).toEqual([]);
    expect(ids(idx, { query: 'flying oce ' })).toEqual([]); // a trailing space ends the word
  });

  it('makes optionalWords optional and ranks more matched words first', () => {
    const idx = build([
      { objectID: 'both', t: 'red ocean' },
      { objectID: 'one', t: 'ocean' },
    ]);
    expect(ids(idx, { query: 'red ocean' })).toEqual(['both']);
    expect(ids(idx, { query: 'red ocean', optionalWords: ['red'] })).toEqual(['both', 'one']);
  });
});

describe('distinct, pagination, retrieval', () => {
  const recs = Array.from({ length: 25 }, (_, i) => ({ objectID: `r${i}`, t: 'x', g: `g${i % 5}`, n: i }));
  const idx = build(recs, { attributeForDistinct: 'g', customRanking: ['asc(n)'], paginationLimitedTo: 12 });

  it('keeps N records per distinct key', () => {
    const one = search(idx, idx.settings, { distinct: 1 }, ctx);
    expect(one.nbHits).toBe(5);
    expect(one.hits.map((h) => h.objectID)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('with distinct > 1, counts and pages groups, the members of each in a row', () => {
    // Algolia: "With distinct > 1, the hitsPerPage parameter controls the number of returned
    // groups … the nbHits response attribute contains the number of returned groups."
    const two = search(idx, idx.settings, { distinct: 2, hitsPerPage: 2 }, ctx);
    expect(two.nbHits).toBe(5);
    expect(two.nbPages).toBe(3);
    expect(two.hits.map((h) => [h.objectID, h._distinctSeqID])).toEqual([
      ['r0', 0],
      ['r5', 1],
      ['r1', 0],
      ['r6', 1],
    ]);
    const last = search(idx, idx.settings, { distinct: 2, hitsPerPage: 2, page: 2 }, ctx);
    expect(last.hits.map((h) => h.objectID)).toEqual(['r4', 'r9']);
    // distinct 1 marks no member (as Algolia: no _distinctSeqID with distinct: true).
    expect(search(idx, idx.settings, { distinct: 1 }, ctx).hits[0]).not.toHaveProperty('_distinctSeqID');
  });

  it('browses without distinct', () => {
    const b = search(idx, idx.settings, { distinct: 1 }, ctx, { offset: 0 });
    expect(b.nbHits).toBe(25);
    expect(b.hits).toHaveLength(25);
  });

  it('counts afterDistinct facets on deduplicated hits', () => {
    const d = build(
      [
        { objectID: 'a', s: 'x', tag: 't' },
        { objectID: 'b', s: 'x', tag: 't' },
        { objectID: 'c', s: 'y', tag: 't' },
      ],
      { attributeForDistinct: 's', attributesForFaceting: ['afterDistinct(tag)', 's'] },
    );
    const r = search(d, d.settings, { distinct: 1, facets: ['tag', 's'] }, ctx);
    expect(r.facets).toEqual({ tag: { t: 2 }, s: { x: 2, y: 1 } });
  });

  it('caps pages at paginationLimitedTo', () => {
    const p = search(idx, idx.settings, { hitsPerPage: 5, page: 2 }, ctx);
    expect(p.nbHits).toBe(25);
    expect(p.nbPages).toBe(3);
    expect(p.hits.map((h) => h.objectID)).toEqual(['r10', 'r11']);
    // Past the limit: Algolia's answer (hits and counts 0, and its message).
    const past = search(idx, idx.settings, { hitsPerPage: 5, page: 3 }, ctx);
    expect(past.hits).toEqual([]);
    expect([past.nbHits, past.nbPages, past.page]).toEqual([0, 0, 3]);
    expect(past.message).toMatch(/^you can only fetch the 12 hits for this query\. You can extend/);
    expect(search(idx, idx.settings, { offset: 12, length: 3 }, ctx).nbHits).toBe(0);
    // A page that starts before the limit is cut at it.
    expect(search(idx, idx.settings, { offset: 10, length: 5 }, ctx).hits).toHaveLength(2);
  });

  it('checks filters and answers queryID past the limit; caps groups by maxHitsPerQuery', () => {
    expect(() => search(idx, idx.settings, { hitsPerPage: 5, page: 3, filters: 'a:b AND (' }, ctx)).toThrow(
      /Unexpected/,
    );
    const past = search(idx, idx.settings, { hitsPerPage: 5, page: 3, clickAnalytics: true }, ctx);
    expect(past.queryID).toMatch(/^[0-9a-f]{32}$/);
    const capped = search(idx, idx.settings, { distinct: 2, hitsPerPage: 3 }, { ...ctx, maxHitsPerQuery: 3 });
    expect(capped.hits).toHaveLength(3);
  });

  it('explains the ranking of hits past the first thousand', () => {
    const many = build(
      Array.from({ length: 1500 }, (_, i) => ({ objectID: `m${i}`, t: 'ocean' })),
      { paginationLimitedTo: 2000 },
    );
    const r = search(
      many,
      many.settings,
      { query: 'ocaen', getRankingInfo: true, hitsPerPage: 1000, page: 1 },
      ctx,
    );
    expect(r.hits).toHaveLength(500);
    for (const h of r.hits) expect(h._rankingInfo).toMatchObject({ nbTypos: 1, words: 1 });
  });

  it('ignores stored-only settings of a wrong type, kept from before they were checked', () => {
    const old = build([{ objectID: 'a', t: 'x', n: 3 }], {
      numericAttributesForFiltering: [1],
      renderingContent: 'x',
      responseFields: 'hits',
    });
    const r = search(old, old.settings, { filters: 'n > 1' }, ctx);
    expect(r.hits.map((h) => h.objectID)).toEqual(['a']);
    expect(r.renderingContent).toEqual({});
    expect(old.settings.raw).not.toHaveProperty('renderingContent');
    expect(settingsForDisplay({ renderingContent: 'x', hitsPerPage: 5 }).renderingContent).toEqual({});
  });

  it('answers a hitsPerPage over 1,000 with 1,000 hits', () => {
    const many = build(
      Array.from({ length: 1200 }, (_, i) => ({ objectID: `m${i}`, t: 'x' })),
      { paginationLimitedTo: 2000 },
    );
    const r = search(many, many.settings, { hitsPerPage: 5000 }, ctx);
    expect(r.hits).toHaveLength(1000);
    expect(r.hitsPerPage).toBe(1000);
    expect(r.nbPages).toBe(2);
  });

  it('hides unretrievable attributes from non-admin keys', () => {
    const s = build([{ objectID: 'a', t: 'x', secret: 's' }], { unretrievableAttributes: ['secret'] });
    expect(search(s, s.settings, {}, { ...ctx, isAdmin: false }).hits[0]).not.toHaveProperty('secret');
    expect(search(s, s.settings, {}, ctx).hits[0]).toHaveProperty('secret', 's');
  });
});

describe('highlighting', () => {
  it('highlights prefixes partially and typos fully, and marks fullyHighlighted', () => {
    const idx = build([{ objectID: 'a', title: 'Flying ocean', tags: ['ocean'], meta: { n: 5 } }]);
    const hit = search(idx, idx.settings, { query: 'ocaen fly' }, ctx).hits[0]!;
    const hl = hit._highlightResult as Record<string, unknown>;
    expect(hl.title).toEqual({
      value: '<em>Fly</em>ing <em>ocean</em>',
      matchLevel: 'full',
      matchedWords: ['ocaen', 'fly'],
      fullyHighlighted: false,
    });
    expect(hl.tags).toEqual([
      { value: '<em>ocean</em>', matchLevel: 'partial', matchedWords: ['ocaen'], fullyHighlighted: true },
    ]);
    expect(hl.meta).toEqual({ n: { value: '5', matchLevel: 'none', matchedWords: [] } });
  });
});

describe('writes', () => {
  it('replaces and deletes records, keeping every structure consistent', () => {
    const idx = build([{ objectID: 'a', t: 'old words', tag: 'x' }], { attributesForFaceting: ['tag'] });
    idx.upsert({ objectID: 'a', t: 'new words', tag: 'y' });
    expect(ids(idx, { query: 'old' })).toEqual([]);
    expect(ids(idx, { query: 'new' })).toEqual(['a']);
    expect(search(idx, idx.settings, { facets: ['tag'] }, ctx).facets).toEqual({ tag: { y: 1 } });
    expect(idx.remove('a')).toBe(true);
    expect(idx.count).toBe(0);
    expect(ids(idx, { query: 'words' })).toEqual([]);
  });

  it('compacts after many replacements without losing records', () => {
    const idx = new SearchIndex({});
    const words = ['alpha', 'bravo', 'charlie'];
    for (const w of words) for (let i = 0; i < 6000; i++) idx.upsert({ objectID: `r${i}`, t: w });
    expect(idx.count).toBe(6000);
    expect(idx.capacity).toBeLessThan(18_000);
    expect(search(idx, idx.settings, { query: 'charlie', hitsPerPage: 0 }, ctx).nbHits).toBe(6000);
    expect(search(idx, idx.settings, { query: 'alpha', hitsPerPage: 0 }, ctx).nbHits).toBe(0);
  });

  it('applies built-in operations and ignores failed conditions as a whole', () => {
    const cur = { objectID: 'a', v: 2, list: [1, 2, 1] };
    expect(applyPartial(cur, 'a', { v: { _operation: 'IncrementFrom', value: 2 }, x: 1 }, true)).toEqual({
      objectID: 'a',
      v: 3,
      list: [1, 2, 1],
      x: 1,
    });
    expect(
      applyPartial(cur, 'a', { v: { _operation: 'IncrementFrom', value: 1 }, x: 1 }, true),
    ).toBeUndefined();
    expect(applyPartial(undefined, 'b', { v: { _operation: 'IncrementFrom', value: 0 } }, true)).toEqual({
      objectID: 'b',
      v: 1,
    });
    expect(
      applyPartial(undefined, 'b', { v: { _operation: 'IncrementFrom', value: 0 } }, false),
    ).toBeUndefined();
    expect(
      applyPartial(undefined, 'b', { v: { _operation: 'IncrementSet', value: 0 } }, true),
    ).toBeUndefined();
    expect(applyPartial(cur, 'a', { v: { _operation: 'IncrementSet', value: 7 } }, true)).toMatchObject({
      v: 7,
    });
    expect(applyPartial(cur, 'a', { list: { _operation: 'Remove', value: 1 } }, true)).toMatchObject({
      list: [2],
    });
  });
});
