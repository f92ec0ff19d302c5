/**
 * API keys, Secured API Keys and filters end to end through the official client (the parser
 * itself is unit-tested in src/filters).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asResult, failure, settle, targetFactories, type Target } from './target';

const RECORDS = [
  {
    objectID: 'p1',
    title: 'public dream',
    visible_to: ['community', 'user:u1'],
    owner: 'u1',
    n: 1,
    secret: 's1',
    _tags: ['Blue'],
  },
  {
    objectID: 'p2',
    title: 'private dream',
    visible_to: ['user:u2'],
    owner: 'u2',
    n: 2,
    secret: 's2',
    _tags: ['red'],
  },
  {
    objectID: 'p3',
    title: 'group dream',
    visible_to: ['group:g1', 'user:u3'],
    owner: 'u3',
    n: 3,
    secret: 's3',
    _tags: ['blue'],
  },
];

for (const factory of targetFactories()) {
  describe(`keys and filters conformance — ${factory.name}`, () => {
    let t: Target;
    let idx: string;
    let other: string;
    beforeAll(async () => {
      t = await factory.make();
      idx = t.index('things');
      other = t.index('other');
      const s = await t.admin.setSettings({
        indexName: idx,
        indexSettings: {
          attributesForFaceting: ['filterOnly(visible_to)', 'owner'],
          unretrievableAttributes: ['secret', 'visible_to'],
        },
      });
      await settle(t, idx, s.taskID);
      const r = await t.admin.saveObjects({ indexName: idx, objects: RECORDS });
      await settle(t, idx, r[0]!.taskID);
      const o = await t.admin.saveObjects({
        indexName: other,
        objects: [{ objectID: 'o1', title: 'dream elsewhere' }],
      });
      await settle(t, other, o[0]!.taskID);
    });
    afterAll(async () => {
      await t?.close();
    });

    const ids = (res: { hits: { objectID: string }[] }): string[] => res.hits.map((h) => h.objectID).sort();

    it('evaluates every filter form and combines them with AND', async () => {
      const q = async (searchParams: Record<string, unknown>): Promise<string[]> =>
        ids(await t.admin.searchSingleIndex({ indexName: idx, searchParams: searchParams }));
      expect(await q({ filters: 'owner:u1 OR owner:u3' })).toEqual(['p1', 'p3']);
      expect(await q({ filters: 'NOT owner:u1' })).toEqual(['p2', 'p3']);
      expect(await q({ filters: 'n >= 2 AND n:1 TO 2' })).toEqual(['p2']);
      expect(await q({ filters: 'n != 2' })).toEqual(['p1', 'p3']);
      expect(await q({ filters: '_tags:blue' })).toEqual(['p3']);
      expect(await q({ filters: 'visible_to:"user:u2"' })).toEqual(['p2']);
      expect(await q({ filters: 'objectID:p2' })).toEqual(['p2']);
      expect(await q({ facetFilters: [['owner:u1', 'owner:u2'], 'owner:-u2'] })).toEqual(['p1']);
      expect(await q({ facetFilters: 'owner:U1' })).toEqual(['p1']);
      expect(await q({ numericFilters: ['n<3', 'n>1'] })).toEqual(['p2']);
      expect(await q({ tagFilters: [['Blue', 'red']] })).toEqual(['p1', 'p2']);
      expect(await q({ filters: 'n > 1', facetFilters: ['owner:u3'] })).toEqual(['p3']);
      expect(await q({ filters: 'mood:happy' })).toEqual([]);
    });

    it('refuses invalid filters with Algolia messages', async () => {
      const e1 = await failure(
        t.admin.searchSingleIndex({ indexName: idx, searchParams: { filters: '(a:b AND c:d) OR e:f' } }),
      );
      expect(e1.status).toBe(400);
      expect(e1.message).toBe(
        'filters: filter (X AND Y) OR Z is not allowed, only (X OR Y) AND Z is allowed',
      );
      const e2 = await failure(
        t.admin.searchSingleIndex({ indexName: idx, searchParams: { filters: 'a:b and c:d' } }),
      );
      expect(e2.status).toBe(400);
      expect(e2.message).toMatch(/^filters: Unexpected token/);
      const e3 = await failure(
        t.admin.searchSingleIndex({ indexName: idx, searchParams: { filters: 'a:b OR n > 3' } }),
      );
      expect(e3.status).toBe(400);
      expect(e3.message).toMatch(/^filters: Different types are not allowed in the same OR/);
      // An empty string is no filter; a blank one is a syntax error, not silently ignored.
      expect(
        (await t.admin.searchSingleIndex({ indexName: idx, searchParams: { filters: '' } })).nbHits,
      ).toBe(3);
      const e4 = await failure(
        t.admin.searchSingleIndex({ indexName: idx, searchParams: { filters: '   ' } }),
      );
      expect(e4.status).toBe(400);
      expect(e4.message).toMatch(/^filters: Unexpected token/);
      if (t.name === 'local') {
        expect(e4.message).toBe('filters: Unexpected token end of filter expected filter at col 3');
      }
    });

    it('orders optionalFilters matches first without filtering', async () => {
      const res = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { optionalFilters: ['owner:u3'] },
      });
      expect(res.hits[0]!.objectID).toBe('p3');
      expect(res.nbHits).toBe(3);
    });

    it('hides unretrievable attributes from search keys, not from the admin key', async () => {
      const admin = await t.admin.searchSingleIndex<Record<string, unknown>>({
        indexName: idx,
        searchParams: { filters: 'objectID:p1' },
      });
      expect(admin.hits[0]).toHaveProperty('secret', 's1');
      const search = await t.client(t.searchKey).searchSingleIndex<Record<string, unknown>>({
        indexName: idx,
        searchParams: { filters: 'objectID:p1' },
      });
      expect(search.hits[0]).not.toHaveProperty('secret');
      expect(search.hits[0]).not.toHaveProperty('visible_to');
      expect(JSON.stringify(search.hits[0]!._highlightResult)).not.toContain('user:u1');
    });

    it('shows unretrievable attributes to keys with seeUnretrievableAttributes, and to their secured keys', async () => {
      // Algolia's acl enum: "required to retrieve unretrievableAttributes for all operations that return records".
      const { key: seer } = await t.admin.addApiKey({
        acl: ['search', 'browse', 'seeUnretrievableAttributes'],
      });
      const { key: blind } = await t.admin.addApiKey({ acl: ['search', 'browse'] });
      await t.admin.waitForApiKey({ key: seer, operation: 'add' });
      await t.admin.waitForApiKey({ key: blind, operation: 'add' });
      const reads = async (apiKey: string): Promise<Record<string, unknown>[]> => {
        const c = t.client(apiKey);
        const found = await c.searchSingleIndex<Record<string, unknown>>({
          indexName: idx,
          searchParams: { query: 's1', filters: 'objectID:p1', attributesToSnippet: ['secret'] },
        });
        const browsed = await c.browse<Record<string, unknown>>({
          indexName: idx,
          browseParams: { filters: 'objectID:p1' },
        });
        const one = await c.getObject({ indexName: idx, objectID: 'p1' });
        const many = await c.getObjects<Record<string, unknown>>({
          requests: [{ indexName: idx, objectID: 'p1' }],
        });
        return [found.hits[0]!, browsed.hits[0]!, one, many.results[0]!];
      };
      const signed = (parentApiKey: string): string =>
        t.admin.generateSecuredApiKey({ parentApiKey, restrictions: { filters: 'owner:u1' } });
      for (const apiKey of [seer, signed(seer)]) {
        const [hit, browsed, one, many] = await reads(apiKey);
        for (const record of [hit, browsed, one, many]) {
          expect(record).toHaveProperty('secret', 's1');
          expect(record).toHaveProperty('visible_to', ['community', 'user:u1']);
        }
        expect(hit).toHaveProperty('_highlightResult.secret.value', '<em>s1</em>');
        expect(hit).toHaveProperty('_snippetResult.secret.value', '<em>s1</em>');
      }
      for (const apiKey of [blind, signed(blind)]) {
        const [hit, browsed, one, many] = await reads(apiKey);
        for (const record of [hit, browsed, one, many]) {
          expect(record).not.toHaveProperty('secret');
          expect(record).not.toHaveProperty('visible_to');
        }
        expect(hit).not.toHaveProperty('_highlightResult.secret');
        expect(hit).not.toHaveProperty('_snippetResult.secret');
      }
      await t.admin.deleteApiKey({ key: seer });
      await t.admin.deleteApiKey({ key: blind });
    });

    it('enforces a secured key: filters never widened, indices, expiry, tampering, writes', async () => {
      const visible = 'visible_to:"community" OR visible_to:"user:u3"';
      const key = t.admin.generateSecuredApiKey({
        parentApiKey: t.searchKey,
        restrictions: {
          filters: visible,
          restrictIndices: [idx],
          validUntil: Math.floor(Date.now() / 1000) + 3600,
        },
      });
      const c = t.client(key);
      expect(ids(await c.searchSingleIndex({ indexName: idx, searchParams: {} }))).toEqual(['p1', 'p3']);
      // The request's own filters are ANDed, never replacing the key's.
      expect(
        ids(await c.searchSingleIndex({ indexName: idx, searchParams: { filters: 'owner:u2 OR owner:u3' } })),
      ).toEqual(['p3']);
      expect(
        ids(await c.searchSingleIndex({ indexName: idx, searchParams: { filters: 'NOT owner:u9' } })),
      ).toEqual(['p1', 'p3']);
      // Facet search and browse-free multi-query see the same restriction.
      const multi = await c.search({ requests: [{ indexName: idx, query: 'dream', facets: ['owner'] }] });
      expect(asResult(multi.results[0]).facets?.owner).toEqual({ u1: 1, u3: 1 });
      // Other index, also inside a multi-query.
      expect(await failure(c.searchSingleIndex({ indexName: other, searchParams: {} }))).toEqual({
        status: 403,
        message: 'Index not allowed with this API key',
      });
      expect(await failure(c.search({ requests: [{ indexName: idx }, { indexName: other }] }))).toEqual({
        status: 403,
        message: 'Index not allowed with this API key',
      });
      // Writes are refused.
      expect((await failure(c.saveObject({ indexName: idx, body: { title: 'x' } }))).status).toBe(403);
      // Tampered HMAC.
      const decoded = Buffer.from(key, 'base64').toString('utf8');
      const tampered = Buffer.from((decoded[0] === 'a' ? 'b' : 'a') + decoded.slice(1)).toString('base64');
      expect(
        await failure(t.client(tampered).searchSingleIndex({ indexName: idx, searchParams: {} })),
      ).toEqual({
        status: 403,
        message: 'Invalid Application-ID or API key',
      });
      // Widened restrictions with the old signature.
      const sig = decoded.slice(0, 64);
      const widened = Buffer.from(`${sig}filters=&restrictIndices=${encodeURIComponent(idx)}`).toString(
        'base64',
      );
      expect(
        (await failure(t.client(widened).searchSingleIndex({ indexName: idx, searchParams: {} }))).status,
      ).toBe(403);
      // Expired.
      const expired = t.admin.generateSecuredApiKey({
        parentApiKey: t.searchKey,
        restrictions: { validUntil: Math.floor(Date.now() / 1000) - 10 },
      });
      expect(
        await failure(t.client(expired).searchSingleIndex({ indexName: idx, searchParams: {} })),
      ).toEqual({
        status: 400,
        message: 'validUntil parameter expired (less than current date)',
      });
    });

    it('applies a secured key to facet search, browse and object reads', async () => {
      if (t.name !== 'local') return; // getObjects filtering is the engine's stricter choice (Algolia does not document it)
      const key = t.admin.generateSecuredApiKey({
        parentApiKey: t.searchKey,
        restrictions: { filters: 'owner:u1' },
      });
      const c = t.client(key);
      const objs = await c.getObjects({
        requests: [
          { indexName: idx, objectID: 'p1' },
          { indexName: idx, objectID: 'p2' },
        ],
      });
      expect(objs.results.map((r) => (r as { objectID?: string } | null)?.objectID ?? null)).toEqual([
        'p1',
        null,
      ]);
      expect((await failure(c.getObject({ indexName: idx, objectID: 'p2' }))).status).toBe(404);
      // A search-ACL key may not browse; a browse-capable parent's secured key browses only what it may see.
      expect((await failure(c.browse({ indexName: idx }))).status).toBe(403);
      const { key: parent } = await t.admin.addApiKey({ acl: ['search', 'browse'] });
      await t.admin.waitForApiKey({ key: parent, operation: 'add' });
      const browser = t.client(
        t.admin.generateSecuredApiKey({ parentApiKey: parent, restrictions: { filters: 'owner:u3' } }),
      );
      const seen: string[] = [];
      await browser.browseObjects({
        indexName: idx,
        aggregator: (r) => seen.push(...r.hits.map((h) => h.objectID)),
      });
      expect(seen).toEqual(['p3']);
      const facets = await browser
        .searchForFacetValues({
          indexName: idx,
          facetName: 'owner',
          searchForFacetValuesRequest: { facetQuery: 'u' },
        })
        .catch((e: unknown) => e);
      expect(facets).toMatchObject({ status: 400 }); // owner is not searchable(owner): refused for everyone
    });

    it('applies forced search parameters of a secured key', async () => {
      const key = t.admin.generateSecuredApiKey({
        parentApiKey: t.searchKey,
        restrictions: { searchParams: { hitsPerPage: 1 } },
      });
      const res = await t
        .client(key)
        .searchSingleIndex({ indexName: idx, searchParams: { hitsPerPage: 50 } });
      expect(res.hits).toHaveLength(1);
    });

    it('answers the keys API for the search-only key (a secured-key parent is checked that way)', async () => {
      const got = await t.admin.getApiKey({ key: t.searchKey });
      expect(got.value).toBe(t.searchKey);
      expect(got.acl).toEqual(['search']);
      expect((await t.admin.listApiKeys()).keys.map((k) => k.value)).toContain(t.searchKey);
    });

    it('answers a search-only key that writes with Method not allowed, as any key lacking the ACL', async () => {
      const c = t.client(t.searchKey);
      const refused = { status: 403, message: 'Method not allowed with this API key' };
      expect(await failure(c.saveObject({ indexName: idx, body: { title: 'x' } }))).toEqual(refused);
      expect(await failure(c.deleteObject({ indexName: idx, objectID: 'p1' }))).toEqual(refused);
      expect(await failure(c.setSettings({ indexName: idx, indexSettings: {} }))).toEqual(refused);
      expect(await failure(c.deleteIndex({ indexName: t.index('never') }))).toEqual(refused);
      expect(await failure(c.getTask({ indexName: idx, taskID: 1 }))).toEqual(refused);
      expect(await failure(c.addApiKey({ acl: ['search', 'addObject'] }))).toEqual(refused);
      expect(await failure(c.listApiKeys())).toEqual(refused);
    });

    it('lets a key read its own permissions (description redacted), no other key’s', async () => {
      const { key } = await t.admin.addApiKey({ acl: ['search'], description: 'reader' });
      await t.admin.waitForApiKey({ key, operation: 'add' });
      expect(await t.client(key).getApiKey({ key })).toMatchObject({
        value: key,
        acl: ['search'],
        description: '<redacted>',
      });
      expect((await t.admin.getApiKey({ key })).description).toBe('reader');
      expect(await t.client(t.searchKey).getApiKey({ key: t.searchKey })).toMatchObject({
        value: t.searchKey,
        acl: ['search'],
        description: '<redacted>',
      });
      const refused = { status: 403, message: 'Method not allowed with this API key' };
      expect(await failure(t.client(key).getApiKey({ key: t.searchKey }))).toEqual(refused);
      expect(await failure(t.client(t.searchKey).getApiKey({ key }))).toEqual(refused);
      expect(await failure(t.client(key).listApiKeys())).toEqual(refused);
      // A secured key is no key of the keys API: it reads neither itself nor its parent.
      const secured = t.admin.generateSecuredApiKey({
        parentApiKey: key,
        restrictions: { filters: 'owner:u1' },
      });
      expect((await failure(t.client(secured).getApiKey({ key: secured }))).status).toBe(403);
      expect((await failure(t.client(secured).getApiKey({ key }))).status).toBe(403);
      await t.admin.deleteApiKey({ key });
    });

    it('accepts every ACL of Algolia’s spec, also those the engine has no endpoint for', async () => {
      const acl = ['search', 'personalization', 'recommendation', 'inference'] as const;
      const { key } = await t.admin.addApiKey({ acl: [...acl] });
      await t.admin.waitForApiKey({ key, operation: 'add' });
      expect((await t.admin.getApiKey({ key })).acl.sort()).toEqual([...acl].sort());
      await t.admin.deleteApiKey({ key });
    });

    it('manages stored keys with ACLs and index restrictions', async () => {
      const { key } = await t.admin.addApiKey({
        acl: ['search', 'addObject'],
        indexes: [idx],
        description: 'writer',
      });
      await t.admin.waitForApiKey({ key, operation: 'add' });
      const got = await t.admin.getApiKey({ key });
      expect(got.acl.sort()).toEqual(['addObject', 'search']);
      expect((await t.admin.listApiKeys()).keys.map((k) => k.value)).toContain(key);
      const c = t.client(key);
      const w = await c.saveObject({ indexName: idx, body: { objectID: 'k1', title: 'by key' } });
      expect(typeof w.taskID).toBe('number');
      expect(await failure(c.saveObject({ indexName: other, body: { title: 'x' } }))).toEqual({
        status: 403,
        message: 'Index not allowed with this API key',
      });
      expect(await failure(c.deleteObject({ indexName: idx, objectID: 'k1' }))).toEqual({
        status: 403,
        message: 'Method not allowed with this API key',
      });
      expect((await failure(c.setSettings({ indexName: idx, indexSettings: {} }))).status).toBe(403);
      await t.admin.deleteApiKey({ key });
      expect((await failure(c.searchSingleIndex({ indexName: idx, searchParams: {} }))).status).toBe(403);
      expect(
        (await failure(t.client('not-a-key').searchSingleIndex({ indexName: idx, searchParams: {} }))).status,
      ).toBe(403);
    });

    it('speaks the wire protocol browsers use: query-string credentials, text/plain, CORS', async () => {
      if (!t.url) return; // raw HTTP is only meaningful against the local engine
      const url = `${t.url}/1/indexes/*/queries?x-algolia-application-id=${t.appId}&x-algolia-api-key=${t.searchKey}&x-algolia-agent=test`;
      const r = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: 'http://example.test' },
        body: JSON.stringify({ requests: [{ indexName: idx, query: 'dream' }] }),
      });
      expect(r.status).toBe(200);
      expect(r.headers.get('access-control-allow-origin')).toBe('http://example.test');
      const pre = await fetch(url, {
        method: 'OPTIONS',
        headers: { origin: 'http://example.test', 'access-control-request-method': 'POST' },
      });
      expect(pre.status).toBe(200);
      expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
      const bad = await fetch(`${t.url}/1/indexes/${idx}/query`, { method: 'POST', body: '{}' });
      expect(bad.status).toBe(403);
      expect(await bad.json()).toEqual({ message: 'Invalid Application-ID or API key', status: 403 });
      const alive = await fetch(`${t.url}/1/isalive`);
      expect(alive.status).toBe(200);
    });
  });
}
