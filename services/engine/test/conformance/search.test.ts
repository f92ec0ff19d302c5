/**
 * Search semantics through the official client: text matching, typos, ranking, facets,
 * highlighting, pagination, multi-query as InstantSearch sends it, facet value search, browse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asResult, failure, seed, targetFactories, type AnyResult, type Leaf, type Target } from './target';

const DREAMS = [
  {
    objectID: 'd1',
    title: 'Flying over the ocean',
    body: 'I was flying above a vast blue ocean with whales below me',
    tags: ['flying', 'ocean'],
    mood: 'happy',
    lucidity_level: 4,
    created_at: 100,
    story_id: 's1',
    author: { display_name: 'Ana Lúcia' },
  },
  {
    objectID: 'd2',
    title: 'Falling dream',
    body: 'Falling from a tall building in a crowded city at night',
    tags: ['falling', 'city'],
    mood: 'scared',
    lucidity_level: 1,
    created_at: 200,
    story_id: 's1',
    author: { display_name: 'Bo' },
  },
  {
    objectID: 'd3',
    title: 'Ocean storm',
    body: 'A storm on the ocean and the ship was sinking slowly',
    tags: ['ocean', 'storm'],
    mood: 'scared',
    lucidity_level: 2,
    created_at: 300,
    story_id: 's2',
    author: { display_name: 'Cy' },
  },
  {
    objectID: 'd4',
    title: 'Café in Paris',
    body: 'Drinking coffee in a small café with my grandmother',
    tags: ['family', 'city'],
    mood: 'calm',
    lucidity_level: 0,
    created_at: 400,
    story_id: 's3',
    author: { display_name: 'Dee' },
  },
  {
    objectID: 'd5',
    title: 'Teeth falling out',
    body: 'My teeth were falling out one by one in the mirror',
    tags: ['teeth', 'falling'],
    mood: 'anxious',
    lucidity_level: 3,
    created_at: 500,
    story_id: 's4',
    author: { display_name: 'Eve' },
  },
];

for (const factory of targetFactories()) {
  describe(`search conformance — ${factory.name}`, () => {
    let t: Target;
    let idx: string;
    beforeAll(async () => {
      t = await factory.make();
      idx = t.index('dreams');
      await seed(
        t,
        idx,
        {
          searchableAttributes: ['title', 'unordered(body)', 'tags', 'author.display_name'],
          attributesForFaceting: ['searchable(tags)', 'mood', 'filterOnly(story_id)', 'lucidity_level'],
          customRanking: ['desc(created_at)'],
          attributeForDistinct: 'story_id',
        },
        DREAMS,
      );
    });
    afterAll(async () => {
      await t?.close();
    });

    it('empty query returns everything in custom ranking order', async () => {
      const res = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { query: '' } });
      expect(res.nbHits).toBe(5);
      expect(res.hits.map((h) => h.objectID)).toEqual(['d5', 'd4', 'd3', 'd2', 'd1']);
      expect(res.page).toBe(0);
      expect(res.nbPages).toBe(1);
      expect(res.hitsPerPage).toBe(20);
      expect(res.query).toBe('');
      expect(res.exhaustiveNbHits).toBe(true);
      expect(res.exhaustive).toMatchObject({ nbHits: true });
      expect(typeof res.processingTimeMS).toBe('number');
      expect(res).not.toHaveProperty('_automaticInsights');
      expect(res).not.toHaveProperty('queryID');
    });

    it('says whether the typo search was exhaustive only while typos are tolerated', async () => {
      // The spec's exhaustive.typo: "This field will not be included when typo-tolerance is
      // entirely disabled."
      const on = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { query: 'dream' } });
      expect(on.exhaustive).toMatchObject({ nbHits: true, typo: true });
      for (const typoTolerance of [false, 'min'] as const) {
        const res = await t.admin.searchSingleIndex({
          indexName: idx,
          searchParams: { query: 'dream', typoTolerance },
        });
        if (typoTolerance === false) {
          expect(res.exhaustive).toEqual({ nbHits: true });
          expect(res).not.toHaveProperty('exhaustiveTypo');
        } else expect(res.exhaustive).toMatchObject({ typo: true });
      }
    });

    it('ANDs query words, matches the last word as a prefix, ignores case and diacritics', async () => {
      const res = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { query: 'OCEAN sto' } });
      expect(res.hits.map((h) => h.objectID)).toEqual(['d3']);
      const cafe = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { query: 'cafe lucia' } });
      expect(cafe.nbHits).toBe(0);
      const lucia = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { query: 'lucia' } });
      expect(lucia.hits.map((h) => h.objectID)).toEqual(['d1']);
      const none = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { query: 'ocean sto', queryType: 'prefixNone' },
      });
      expect(none.nbHits).toBe(0);
    });

    it('tolerates typos by word length and ranks exact matches first', async () => {
      const one = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { query: 'ocaen' } });
      expect(one.hits.map((h) => h.objectID).sort()).toEqual(['d1', 'd3']);
      const short = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { query: 'cyt' } });
      expect(short.nbHits).toBe(0); // 3 letters: no typo allowed
      const firstLetter = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { query: 'tcean' },
      });
      expect(firstLetter.nbHits).toBe(0); // a typo on the first letter counts as two
      const off = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { query: 'ocaen', typoTolerance: false },
      });
      expect(off.nbHits).toBe(0);
    });

    it('ranks by attribute order before custom ranking', async () => {
      const res = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { query: 'falling' } });
      // d2 has "falling" in its title; d5 too; both before nothing else; custom ranking breaks the tie.
      expect(res.hits.map((h) => h.objectID)).toEqual(['d2', 'd5']);
      const ocean = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { query: 'ocean' } });
      expect(ocean.hits.map((h) => h.objectID)).toEqual(['d3', 'd1']);
    });

    it('highlights with the exact structure, mirroring arrays and objects', async () => {
      const res = await t.admin.searchSingleIndex<Record<string, unknown>>({
        indexName: idx,
        searchParams: {
          query: 'ocean fly',
          highlightPreTag: '__ais-highlight__',
          highlightPostTag: '__/ais-highlight__',
        },
      });
      expect(res.hits).toHaveLength(1);
      const hl = res.hits[0]!._highlightResult as {
        title: Leaf;
        tags: Leaf[];
        author: { display_name: Leaf };
      };
      expect(hl.title).toEqual({
        value: '__ais-highlight__Fly__/ais-highlight__ing over the __ais-highlight__ocean__/ais-highlight__',
        matchLevel: 'full',
        matchedWords: ['ocean', 'fly'],
        fullyHighlighted: false,
      });
      expect(Array.isArray(hl.tags)).toBe(true);
      expect(hl.tags[0]).toMatchObject({ matchLevel: 'partial', matchedWords: ['fly'] });
      expect(hl.tags[1]).toEqual({
        value: '__ais-highlight__ocean__/ais-highlight__',
        matchLevel: 'partial',
        matchedWords: ['ocean'],
        fullyHighlighted: true,
      });
      expect(hl.author.display_name).toEqual({ value: 'Ana Lúcia', matchLevel: 'none', matchedWords: [] });
      expect(hl).not.toHaveProperty('objectID');
    });

    it('snippets attr:N words with an ellipsis', async () => {
      const res = await t.admin.searchSingleIndex<Record<string, unknown>>({
        indexName: idx,
        searchParams: { query: 'whales', attributesToSnippet: ['body:4'], attributesToHighlight: [] },
      });
      const sn = res.hits[0]!._snippetResult as { body: Leaf };
      expect(sn.body.matchLevel).toBe('full');
      expect(sn.body.value).toContain('<em>whales</em>');
      // The cut keeps the space before the first word kept.
      expect(sn.body.value.startsWith('… ')).toBe(true);
      expect(Object.keys(sn.body).sort()).toEqual(['matchLevel', 'value']);
      expect(res.hits[0]).not.toHaveProperty('_highlightResult');
    });

    it('counts facets, with stats for numeric facets and maxValuesPerFacet', async () => {
      const res = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { query: '', facets: ['*'], maxValuesPerFacet: 2 },
      });
      expect(res.facets?.mood).toEqual({ scared: 2, anxious: 1 });
      expect(res.facets).not.toHaveProperty('story_id');
      expect(res.facets_stats?.lucidity_level).toEqual({ min: 0, max: 4, avg: 2, sum: 10 });
      const filtered = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { facets: ['mood', 'tags'], filters: 'tags:city' },
      });
      expect(filtered.facets?.mood).toEqual({ scared: 1, calm: 1 });
    });

    it('answers disjunctive faceting as InstantSearch sends it', async () => {
      const res = await t.client(t.searchKey).search({
        requests: [
          {
            indexName: idx,
            query: '',
            facets: ['mood', 'tags'],
            facetFilters: [['mood:scared']],
            hitsPerPage: 20,
          },
          {
            indexName: idx,
            query: '',
            facets: 'mood',
            hitsPerPage: 0,
            page: 0,
            analytics: false,
            clickAnalytics: false,
          },
        ] as never,
      });
      const [main, disj] = res.results.map(asResult) as [AnyResult, AnyResult];
      expect(main.nbHits).toBe(2);
      expect(disj.hits).toEqual([]);
      expect(disj.hitsPerPage).toBe(0);
      expect(disj.facets?.mood).toEqual({ scared: 2, happy: 1, calm: 1, anxious: 1 });
    });

    it('accepts a url-encoded params string in multi-query entries', async () => {
      const res = await t.client(t.searchKey).search({
        requests: [{ indexName: idx, params: 'query=ocean&hitsPerPage=1&facets=%5B%22mood%22%5D' }] as never,
      });
      const r = asResult(res.results[0]);
      expect(r.hits).toHaveLength(1);
      expect(r.nbHits).toBe(2);
      expect(r.nbPages).toBe(2);
      expect(r.facets?.mood).toEqual({ happy: 1, scared: 1 });
    });

    it('paginates with page, hitsPerPage and offset/length', async () => {
      const p1 = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { hitsPerPage: 2, page: 1 },
      });
      expect(p1.hits.map((h) => h.objectID)).toEqual(['d3', 'd2']);
      expect(p1.nbPages).toBe(3);
      const off = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { offset: 1, length: 2 } });
      expect(off.hits.map((h) => h.objectID)).toEqual(['d4', 'd3']);
      const zero = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { hitsPerPage: 0 } });
      expect(zero.hits).toEqual([]);
      expect(zero.nbHits).toBe(5);
      // More than 1,000 per page is answered (with at most 1,000), not refused.
      const big = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { hitsPerPage: 1001 } });
      expect(big.hits).toHaveLength(5);
      const negative = await failure(
        t.admin.searchSingleIndex({ indexName: idx, searchParams: { hitsPerPage: -1 } }),
      );
      expect(negative).toEqual({
        status: 400,
        message:
          'Value too small for "hitsPerPage" parameter, expected integer between 0 and 9223372036854775807',
      });
      // Not a number at all: Algolia's answer as a live probe of it recorded it (2026-07).
      const word = await failure(
        t.admin.searchSingleIndex({ indexName: idx, searchParams: { hitsPerPage: 'three' as never } }),
      );
      expect(word).toEqual({
        status: 400,
        message:
          'Value "three" outside of the range for "hitsPerPage" parameter, expected integer between 0 and 9223372036854775807',
      });
    });

    it('answers a page past paginationLimitedTo with no hits and a message', async () => {
      const res = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { hitsPerPage: 100, page: 10 },
      });
      expect(res.hits).toEqual([]);
      expect([res.nbHits, res.nbPages]).toEqual([0, 0]);
      expect(res.message).toMatch(/^you can only fetch the 1000 hits for this query\./);
      // It is an index setting: a query cannot lift it.
      const e = await failure(
        t.admin.searchSingleIndex({
          indexName: idx,
          searchParams: { paginationLimitedTo: 5000 } as never,
        }),
      );
      expect(e).toEqual({ status: 400, message: 'Unknown parameter: paginationLimitedTo' });
    });

    it('returns only the response fields asked for', async () => {
      const res = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { query: 'ocean', facets: ['mood'], responseFields: ['hits', 'nbHits'] },
      });
      expect(res.hits.map((h) => h.objectID).sort()).toEqual(['d1', 'd3']);
      expect(res.nbHits).toBe(2);
      for (const gone of ['page', 'nbPages', 'hitsPerPage', 'query', 'params', 'facets', 'processingTimeMS'])
        expect(res).not.toHaveProperty(gone);
      const noHits = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { responseFields: ['nbHits'] },
      });
      expect(noHits).not.toHaveProperty('hits');
      expect(noHits.nbHits).toBe(5);
      // Everything but message, warning, cursor and abTestVariantID can be left out (the v5 spec).
      const least = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { query: 'ocean', clickAnalytics: true, responseFields: [] },
      });
      expect(least).toEqual({});
      const some = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { query: 'ocean', clickAnalytics: true, responseFields: ['queryID', 'exhaustive'] },
      });
      expect(Object.keys(some).sort()).toEqual([
        'exhaustive',
        'exhaustiveNbHits',
        'exhaustiveTypo',
        'queryID',
      ]);
    });

    it('applies distinct on attributeForDistinct', async () => {
      const res = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { distinct: true } });
      expect(res.nbHits).toBe(4);
      expect(res.hits.map((h) => h.objectID)).toEqual(['d5', 'd4', 'd3', 'd2']);
    });

    it('with distinct > 1, pages and counts groups, members of a group in a row', async () => {
      const res = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { distinct: 2, hitsPerPage: 2, page: 1 },
      });
      expect(res.nbHits).toBe(4);
      expect(res.nbPages).toBe(2);
      expect(res.hits.map((h) => [h.objectID, h._distinctSeqID])).toEqual([
        ['d3', 0],
        ['d2', 0],
        ['d1', 1],
      ]);
    });

    it('retrieves attributes selectively', async () => {
      const res = await t.admin.searchSingleIndex<Record<string, unknown>>({
        indexName: idx,
        searchParams: {
          query: 'teeth',
          attributesToRetrieve: ['title', 'author.display_name'],
          attributesToHighlight: [],
        },
      });
      expect(res.hits[0]).toEqual({
        objectID: 'd5',
        title: 'Teeth falling out',
        author: { display_name: 'Eve' },
      });
      const minus = await t.admin.searchSingleIndex<Record<string, unknown>>({
        indexName: idx,
        searchParams: {
          query: 'teeth',
          attributesToRetrieve: ['*', '-body', '-author'],
          attributesToHighlight: [],
        },
      });
      expect(Object.keys(minus.hits[0]!).sort()).toEqual([
        'created_at',
        'lucidity_level',
        'mood',
        'objectID',
        'story_id',
        'tags',
        'title',
      ]);
      // Exclusions work only with `*`: alone they retrieve nothing, as an empty list does.
      for (const attributesToRetrieve of [['-body'], []]) {
        const none = await t.admin.searchSingleIndex<Record<string, unknown>>({
          indexName: idx,
          searchParams: { query: 'teeth', attributesToRetrieve, attributesToHighlight: [] },
        });
        expect(none.hits[0]).toEqual({ objectID: 'd5' });
      }
    });

    it('explains the ranking with getRankingInfo', async () => {
      const res = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { query: 'ocaen', getRankingInfo: true },
      });
      expect(res.hits.length).toBeGreaterThan(0);
      for (const h of res.hits)
        expect(h._rankingInfo).toMatchObject({ promoted: false, nbTypos: 1, words: 1 });
    });

    it('returns queryID only with clickAnalytics', async () => {
      const res = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { clickAnalytics: true } });
      expect(res.queryID).toMatch(/^[0-9a-f]{32}$/);
    });

    it('searches facet values with counts reflecting the query and filters', async () => {
      const res = await t.admin.searchForFacetValues({
        indexName: idx,
        facetName: 'tags',
        searchForFacetValuesRequest: { facetQuery: 'fa' },
      });
      expect(res.facetHits).toEqual([
        { value: 'falling', highlighted: '<em>fa</em>lling', count: 2 },
        { value: 'family', highlighted: '<em>fa</em>mily', count: 1 },
      ]);
      const filtered = await t.admin.searchForFacetValues({
        indexName: idx,
        facetName: 'tags',
        searchForFacetValuesRequest: { facetQuery: 'fa', params: 'filters=mood%3Aanxious' },
      });
      expect(filtered.facetHits).toEqual([{ value: 'falling', highlighted: '<em>fa</em>lling', count: 1 }]);
      const err = await failure(
        t.admin.searchForFacetValues({
          indexName: idx,
          facetName: 'mood',
          searchForFacetValuesRequest: { facetQuery: 'sc' },
        }),
      );
      expect(err).toEqual({
        status: 400,
        message:
          'Cannot search in `mood` attribute, you need to add `searchable(mood)` to attributesForFaceting.',
      });
    });

    it('answers type "facet" entries inside a multi-query', async () => {
      const res = await t.client(t.searchKey).search({
        requests: [
          { indexName: idx, type: 'facet', facet: 'tags', facetQuery: 'oc', maxFacetHits: 5 },
        ] as never,
      });
      expect(asResult(res.results[0]).facetHits).toEqual([
        { value: 'ocean', highlighted: '<em>oc</em>ean', count: 2 },
      ]);
    });

    it('browses every record with a cursor', async () => {
      const seen: string[] = [];
      await t.admin.browseObjects({
        indexName: idx,
        browseParams: { hitsPerPage: 2 },
        aggregator: (r) => {
          for (const h of r.hits) seen.push(h.objectID);
        },
      });
      expect(seen.sort()).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
      // Browsing does not deduplicate (d1 and d2 share a story).
      const all = await t.admin.browse({ indexName: idx, browseParams: { distinct: true } });
      expect(all.hits.map((h) => h.objectID).sort()).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
      expect(all.nbHits).toBe(5);
    });

    it('fails the whole request when an index is missing', async () => {
      const e1 = await failure(t.admin.searchSingleIndex({ indexName: t.index('nope'), searchParams: {} }));
      expect(e1).toEqual({ status: 404, message: `Index ${t.index('nope')} does not exist` });
      const e2 = await failure(
        t.admin.search({ requests: [{ indexName: idx }, { indexName: t.index('nope') }] }),
      );
      expect(e2.status).toBe(404);
    });

    it('refuses unknown parameters and queries over 512 bytes', async () => {
      const e = await failure(
        t.admin.searchSingleIndex({ indexName: idx, searchParams: { notAParam: 1 } as never }),
      );
      expect(e).toEqual({ status: 400, message: 'Unknown parameter: notAParam' });
      const long = await failure(
        t.admin.searchSingleIndex({ indexName: idx, searchParams: { query: 'a'.repeat(513) } }),
      );
      expect(long).toEqual({
        status: 400,
        message: 'Invalid value for "query" parameter, expected string shorter than 512 bytes',
      });
    });
  });
}
