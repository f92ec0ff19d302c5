/**
 * Attribute paths that go through an array of objects (`authors.name` where `authors` is a list
 * of people), through the official client: searching, retrieving, hiding and highlighting read
 * them the same way. A hidden `authors.email` must never reach a search key, in hits, highlights,
 * snippets or getObject.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed, targetFactories, type Leaf, type Target } from './target';

const BOOK = {
  objectID: 'book',
  title: 'The red book',
  authors: [
    { name: 'Ann Lee', email: 'ann@example.org' },
    { name: 'Bob Stone', email: 'bob@example.org' },
  ],
  secret: { pin: '4321', shelf: 'B2' },
};

for (const factory of targetFactories()) {
  describe(`paths through arrays of objects — ${factory.name}`, () => {
    let t: Target;
    let idx: string;

    beforeAll(async () => {
      t = await factory.make();
      idx = t.index('nested_paths');
      await seed(
        t,
        idx,
        {
          searchableAttributes: ['title', 'authors.name', 'authors.email'],
          unretrievableAttributes: ['authors.email', 'secret.pin'],
        },
        [BOOK],
      );
    });
    afterAll(async () => {
      await t?.close();
    });

    it('never shows a hidden attribute inside an array to a search key', async () => {
      const client = t.client(t.searchKey);
      const found = await client.searchSingleIndex<Record<string, unknown>>({
        indexName: idx,
        searchParams: {
          query: 'ann',
          attributesToHighlight: ['*'],
          attributesToSnippet: ['authors.email:3', 'authors.name:3'],
        },
      });
      expect(found.hits.map((h) => h.objectID)).toEqual(['book']);
      const one = await client.getObject({ indexName: idx, objectID: 'book' });
      for (const shown of [found.hits[0], one]) {
        const text = JSON.stringify(shown);
        expect(text).not.toContain('example.org');
        expect(text).not.toContain('4321');
        expect(text).toContain('Bob Stone');
      }
      const hit = found.hits[0] as unknown as { authors: { name: string }[]; secret: { shelf: string } };
      expect(hit.authors.map((a) => a.name)).toEqual(['Ann Lee', 'Bob Stone']);
      expect(hit.secret.shelf).toBe('B2');
      // A hidden attribute is still searchable: the record is found by it, but not shown.
      const byEmail = await client.searchSingleIndex({
        indexName: idx,
        searchParams: { query: 'bob@example' },
      });
      expect(byEmail.nbHits).toBe(1);
      expect(JSON.stringify(byEmail.hits)).not.toContain('example.org');
      // The admin key sees everything.
      const admin = await t.admin.getObject({ indexName: idx, objectID: 'book' });
      expect(admin).toEqual(BOOK);
    });

    it('retrieves a path through an array item by item, and drops it with `-path`', async () => {
      const only = await t.admin.searchSingleIndex<Record<string, unknown>>({
        indexName: idx,
        searchParams: { query: 'book', attributesToRetrieve: ['authors.name'], attributesToHighlight: [] },
      });
      expect(only.hits[0]).toEqual({
        objectID: 'book',
        authors: [{ name: 'Ann Lee' }, { name: 'Bob Stone' }],
      });
      const minus = await t.admin.searchSingleIndex<Record<string, unknown>>({
        indexName: idx,
        searchParams: {
          query: 'book',
          attributesToRetrieve: ['*', '-authors.name'],
          attributesToHighlight: [],
        },
      });
      expect(minus.hits[0]).toMatchObject({
        authors: [{ email: 'ann@example.org' }, { email: 'bob@example.org' }],
        title: 'The red book',
      });
      expect(JSON.stringify(minus.hits[0])).not.toContain('Ann Lee');
    });

    it('highlights and snippets a searchable path through an array, item by item', async () => {
      const res = await t.admin.searchSingleIndex<Record<string, unknown>>({
        indexName: idx,
        searchParams: { query: 'stone', attributesToSnippet: ['authors.name:1'] },
      });
      const hl = res.hits[0]!._highlightResult as { authors: { name: Leaf }[] };
      // By default every searchable attribute is highlighted, this one too.
      expect(hl.authors).toHaveLength(2);
      expect(hl.authors[0]!.name).toMatchObject({ value: 'Ann Lee', matchLevel: 'none' });
      expect(hl.authors[1]!.name).toMatchObject({ value: 'Bob <em>Stone</em>', matchLevel: 'full' });
      const sn = res.hits[0]!._snippetResult as { authors: { name: Leaf }[] };
      expect(sn.authors[1]!.name.value).toContain('<em>Stone</em>');
      // `*` highlights everything; another path listed beside it takes nothing away.
      const star = await t.admin.searchSingleIndex<Record<string, unknown>>({
        indexName: idx,
        searchParams: { query: 'stone', attributesToHighlight: ['*', 'authors.name'] },
      });
      const all = star.hits[0]!._highlightResult as { authors: { name: Leaf; email: Leaf }[]; title: Leaf };
      expect(all.authors[1]!.email.value).toBe('bob@example.org');
      expect(all.title.value).toBe('The red book');
    });
  });
}
