/**
 * How a query's words are read, through the official client: advancedSyntax (phrases in quotes,
 * `-` exclusions), removeWordsIfNoResults and queryAfterRemoval, exactOnSingleWordQuery, the
 * attribute and word lists that turn typos, prefixes and exactness off, minProximity and
 * allowTyposOnNumericTokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configure, failure, seed, targetFactories, type Leaf, type Target } from './target';

const ENTRIES = [
  { objectID: 'phrase', title: 'The search engine', body: 'a search engine for dreams', code: 'X1', n: 1 },
  { objectID: 'apart', title: 'Engine of search', body: 'the engine behind every search', code: 'X2', n: 2 },
  { objectID: 'plain', title: 'Search', body: 'a quiet search at night', code: 'X3', n: 3 },
  { objectID: 'road', title: 'Road trip', body: 'we drove along the coast road', code: 'X4', n: 4 },
  { objectID: 'roadonly', title: 'Road', body: 'nothing else', code: 'X5', n: 5 },
  { objectID: 'roads', title: 'Roads', body: 'nothing', code: 'X0', n: 0 },
  { objectID: 'numbers', title: 'Room 2024', body: 'the year 2024 in room 1234', code: 'X6', n: 6 },
  { objectID: 'gap', title: 'Lucid dreams', body: 'lucid and vivid dreams', code: 'X7', n: 7 },
  { objectID: 'near', title: 'Lucid vivid dreams', body: 'lucid dreams', code: 'X8', n: 8 },
];

const ids = (hits: { objectID: string }[]): string[] => hits.map((h) => h.objectID);

for (const factory of targetFactories()) {
  describe(`query syntax conformance — ${factory.name}`, () => {
    let t: Target;
    let idx: string;
    const q = async (searchParams: Record<string, unknown>) =>
      t.admin.searchSingleIndex<Record<string, unknown>>({ indexName: idx, searchParams });

    beforeAll(async () => {
      t = await factory.make();
      idx = t.index('syntax');
      await seed(
        t,
        idx,
        { searchableAttributes: ['title', 'body', 'code'], customRanking: ['asc(n)'] },
        ENTRIES,
      );
    });
    afterAll(async () => {
      await t?.close();
    });

    it('matches a quoted phrase only where its words stand in a row, without typos or prefix', async () => {
      const loose = await q({ query: 'search engine' });
      expect(ids(loose.hits).sort()).toEqual(['apart', 'phrase']);
      const phrase = await q({ query: '"search engine"', advancedSyntax: true });
      expect(ids(phrase.hits)).toEqual(['phrase']);
      // Without advancedSyntax the quotes are separators.
      const off = await q({ query: '"search engine"' });
      expect(ids(off.hits).sort()).toEqual(['apart', 'phrase']);
      // No typo inside quotes (one typo is tolerated from four letters outside them).
      expect((await q({ query: 'serch engine' })).nbHits).toBe(2);
      expect((await q({ query: '"serch engine"', advancedSyntax: true })).nbHits).toBe(0);
      // No prefix either, once the phrase is closed or its last word followed by a space…
      expect((await q({ query: '"search eng"', advancedSyntax: true })).nbHits).toBe(0);
      expect((await q({ query: '"search eng ', advancedSyntax: true })).nbHits).toBe(0);
      // …but a writer still typing the phrase sees it match as she types (our choice: Algolia
      // does not say), in a row all the same.
      expect(ids((await q({ query: '"search eng', advancedSyntax: true })).hits)).toEqual(['phrase']);
      expect(ids((await q({ query: '"search engine', advancedSyntax: true })).hits)).toEqual(['phrase']);
      expect((await q({ query: '"engine sea', advancedSyntax: true })).nbHits).toBe(0);
      expect((await q({ query: '"search eng', advancedSyntax: true, queryType: 'prefixNone' })).nbHits).toBe(
        0,
      );
      // A phrase and a free word: the free word is matched as usual (here as a prefix).
      expect(ids((await q({ query: '"search engine" drea', advancedSyntax: true })).hits)).toEqual([
        'phrase',
      ]);
      // Phrases among several occurrences of their words.
      expect(ids((await q({ query: '"lucid dreams"', advancedSyntax: true })).hits)).toEqual(['gap', 'near']);
      expect(ids((await q({ query: '"lucid vivid"', advancedSyntax: true })).hits)).toEqual(['near']);
      expect(ids((await q({ query: '"vivid dreams" "lucid and"', advancedSyntax: true })).hits)).toEqual([
        'gap',
      ]);
      // Only with the feature on.
      const noPhrase = await q({
        query: '"search engine"',
        advancedSyntax: true,
        advancedSyntaxFeatures: ['excludeWords'],
      });
      expect(noPhrase.nbHits).toBe(2);
    });

    it('leaves out records with a word after a leading minus, and only then', async () => {
      const res = await q({ query: 'search -engine', advancedSyntax: true });
      expect(ids(res.hits)).toEqual(['plain']);
      // Only the excluded words: every record without them.
      const only = await q({ query: '-search', advancedSyntax: true });
      expect(ids(only.hits)).toEqual(['roads', 'road', 'roadonly', 'numbers', 'gap', 'near']);
      // A minus inside a word or inside quotes excludes nothing.
      expect((await q({ query: 'search-engine', advancedSyntax: true })).nbHits).toBe(2);
      expect(ids((await q({ query: '"-engine" search', advancedSyntax: true })).hits).sort()).toEqual([
        'apart',
        'phrase',
      ]);
      // A word followed by an exclusion is complete: not a prefix (3 letters: no typo either).
      expect((await q({ query: 'roa' })).nbHits).toBe(3);
      expect((await q({ query: 'roa -zebra', advancedSyntax: true })).nbHits).toBe(0);
      // Only the attributes searched count: `phrase` has "dreams" in its body, not its title.
      expect(ids((await q({ query: 'search -dreams', advancedSyntax: true })).hits)).toEqual([
        'plain',
        'apart',
      ]);
      const restricted = await q({
        query: 'search -dreams',
        advancedSyntax: true,
        restrictSearchableAttributes: ['title'],
      });
      expect(ids(restricted.hits)).toEqual(['plain', 'phrase', 'apart']);
      // Without the feature (or without advancedSyntax) the minus is a separator.
      expect((await q({ query: 'search -engine' })).nbHits).toBe(2);
      expect(
        (await q({ query: 'search -engine', advancedSyntax: true, advancedSyntaxFeatures: ['exactPhrase'] }))
          .nbHits,
      ).toBe(2);
      // The excluded word is not a query word: not highlighted, not in matchedWords.
      const hl = res.hits[0]!._highlightResult as { title: Leaf };
      expect(hl.title).toEqual({
        value: '<em>Search</em>',
        matchLevel: 'full',
        matchedWords: ['search'],
        fullyHighlighted: true,
      });
    });

    it('applies advancedSyntax from the settings, and refuses unknown features', async () => {
      await configure(t, idx, { advancedSyntax: true });
      try {
        expect(ids((await q({ query: 'search -engine' })).hits)).toEqual(['plain']);
        expect(ids((await q({ query: 'search -engine', advancedSyntax: false })).hits).sort()).toEqual([
          'apart',
          'phrase',
        ]);
      } finally {
        await configure(t, idx, { advancedSyntax: false });
      }
      const bad = await failure(q({ query: 'x', advancedSyntax: true, advancedSyntaxFeatures: ['fuzzy'] }));
      expect(bad.status).toBe(400);
      const badSetting = await failure(
        t.admin.setSettings({
          indexName: idx,
          indexSettings: { advancedSyntaxFeatures: ['fuzzy'] as never },
        }),
      );
      expect(badSetting.status).toBe(400);
    });

    it('makes the last or first words optional when nothing matches, and says which', async () => {
      const none = await q({ query: 'lucid dreams zebra' });
      expect(none.nbHits).toBe(0);
      expect(none).not.toHaveProperty('queryAfterRemoval');
      const last = await q({ query: 'lucid dreams zebra', removeWordsIfNoResults: 'lastWords' });
      expect(ids(last.hits)).toEqual(['gap', 'near']);
      expect(last.queryAfterRemoval).toBe('lucid dreams <em>zebra</em>');
      // Made optional, not dropped: matched words still count (highlighted, ranked by words).
      const two = await q({ query: 'lucid zebra okapi', removeWordsIfNoResults: 'lastWords' });
      expect(two.queryAfterRemoval).toBe('lucid <em>zebra</em> <em>okapi</em>');
      expect(ids(two.hits)).toEqual(['gap', 'near']);
      const first = await q({ query: 'zebra lucid dreams', removeWordsIfNoResults: 'firstWords' });
      expect(first.queryAfterRemoval).toBe('<em>zebra</em> lucid dreams');
      expect(ids(first.hits)).toEqual(['gap', 'near']);
      // Nothing removed: the query as it is.
      const found = await q({ query: 'lucid', removeWordsIfNoResults: 'lastWords' });
      expect(found.queryAfterRemoval).toBe('lucid');
      // Never every word: a one-word query that finds nothing still finds nothing.
      const one = await q({ query: 'zebra', removeWordsIfNoResults: 'lastWords' });
      expect(one.nbHits).toBe(0);
      expect(one.queryAfterRemoval).toBe('zebra');
      // Words are removed from the end only: the first word stays required.
      expect((await q({ query: 'zebra lucid', removeWordsIfNoResults: 'lastWords' })).nbHits).toBe(0);
      // allOptional: any subset of the words; more matched words rank first (then the usual
      // criteria: `near` has "vivid" and "lucid" closer than `gap`).
      const any = await q({ query: 'zebra vivid lucid', removeWordsIfNoResults: 'allOptional' });
      expect(ids(any.hits)).toEqual(['near', 'gap']);
      expect(any).not.toHaveProperty('queryAfterRemoval');
      // (`roads` is "road" with one typo: not the last word, so not a prefix.)
      const ranked = await q({ query: 'road coast zebra', removeWordsIfNoResults: 'allOptional' });
      expect(ids(ranked.hits)).toEqual(['road', 'roadonly', 'roads']);
      // A word optionalWords already made optional is not one the removal removed.
      const opt = await q({
        query: 'lucid zebra okapi',
        optionalWords: ['okapi'],
        removeWordsIfNoResults: 'lastWords',
      });
      expect(opt.queryAfterRemoval).toBe('lucid <em>zebra</em> okapi');
      expect(ids(opt.hits)).toEqual(['gap', 'near']);
      // …nor one that counts towards "never every word": here one of the two required words
      // stays required, so nothing is found.
      const stays = await q({
        query: 'zebra okapi lucid',
        optionalWords: ['lucid'],
        removeWordsIfNoResults: 'firstWords',
      });
      expect(stays.nbHits).toBe(0);
    });

    it('counts a one-word query as exact where it is the whole value, unless told otherwise', async () => {
      // "Road" is the whole title of `roadonly`, a word of `road`'s, and `roads` has it as a
      // prefix only: exact decides before the custom ranking (`roads`, `road`, `roadonly`).
      expect(ids((await q({ query: 'road' })).hits)).toEqual(['roadonly', 'roads', 'road']);
      expect(ids((await q({ query: 'road', exactOnSingleWordQuery: 'word' })).hits)).toEqual([
        'road',
        'roadonly',
        'roads',
      ]);
      expect(ids((await q({ query: 'road', exactOnSingleWordQuery: 'none' })).hits)).toEqual([
        'roads',
        'road',
        'roadonly',
      ]);
      // `word` highlights exact matches only: not the prefix match.
      const prefix = await q({ query: 'roa', exactOnSingleWordQuery: 'word' });
      expect(prefix.nbHits).toBe(3);
      expect((prefix.hits[0]!._highlightResult as { title: Leaf }).title.matchLevel).toBe('none');
      const dflt = await q({ query: 'roa' });
      expect((dflt.hits[0]!._highlightResult as { title: Leaf }).title.matchLevel).toBe('full');
      // Off for an attribute: a match there is not exact.
      const off = await q({ query: 'road', disableExactOnAttributes: ['title'] });
      expect(ids(off.hits)).toEqual(['roads', 'road', 'roadonly']);
    });

    it('turns typos off for listed attributes and words, prefixes off for listed attributes', async () => {
      // One typo, matched in every title: the earlier position in the title ranks first.
      expect(ids((await q({ query: 'serch' })).hits)).toEqual(['plain', 'phrase', 'apart']);
      expect((await q({ query: 'serch', disableTypoToleranceOnAttributes: ['title', 'body'] })).nbHits).toBe(
        0,
      );
      await configure(t, idx, {
        disableTypoToleranceOnWords: ['Serch'],
        disablePrefixOnAttributes: ['title'],
      });
      try {
        expect((await q({ query: 'serch' })).nbHits).toBe(0);
        // "luci" is a prefix of the titles' and the bodies' "lucid": only the bodies count now,
        // where both records have it.
        const prefix = await q({ query: 'luci' });
        expect(ids(prefix.hits)).toEqual(['gap', 'near']);
        expect((await q({ query: 'engi', restrictSearchableAttributes: ['title'] })).nbHits).toBe(0);
        // Still a whole word with a typo there: "road" reaches the title "Roads" with one.
        const road = await q({ query: 'road', restrictSearchableAttributes: ['title'] });
        expect(ids(road.hits).sort()).toEqual(['road', 'roadonly', 'roads']);
        expect((await q({ query: 'engi', restrictSearchableAttributes: ['body'] })).nbHits).toBe(2);
      } finally {
        await configure(t, idx, {
          disableTypoToleranceOnWords: null as never,
          disablePrefixOnAttributes: null as never,
        });
      }
      // Settings only, as in Algolia's spec.
      expect((await failure(q({ query: 'x', disablePrefixOnAttributes: ['title'] }))).status).toBe(400);
    });

    it('scores pairs closer than minProximity alike', async () => {
      // Titles only (both bodies have the words side by side): "Lucid dreams" (distance 1) and
      // "Lucid vivid dreams" (distance 2).
      const byTitle = { query: 'lucid dreams', restrictSearchableAttributes: ['title'] };
      expect(ids((await q(byTitle)).hits)).toEqual(['gap', 'near']);
      const info = await q({ ...byTitle, getRankingInfo: true });
      const dist = info.hits.map((h) => (h._rankingInfo as { proximityDistance: number }).proximityDistance);
      expect(dist).toEqual([1, 2]);
      const flat = await q({ ...byTitle, minProximity: 2, getRankingInfo: true });
      expect(
        flat.hits.map((h) => (h._rankingInfo as { proximityDistance: number }).proximityDistance),
      ).toEqual([2, 2]);
      expect((await failure(q({ query: 'x', minProximity: 8 }))).status).toBe(400);
    });

    it('allows typos on numbers unless allowTyposOnNumericTokens is false', async () => {
      expect(ids((await q({ query: '1235' })).hits)).toEqual(['numbers']);
      expect((await q({ query: '1235', allowTyposOnNumericTokens: false })).nbHits).toBe(0);
      expect(ids((await q({ query: '1234', allowTyposOnNumericTokens: false })).hits)).toEqual(['numbers']);
    });
  });
}
