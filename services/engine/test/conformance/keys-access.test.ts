/**
 * What an API key reaches, end to end through the official client: indices named in settings
 * (replicas), restored and expired keys, Secured API Keys without restrictions, referers, and the
 * parameters a secured key and its parent both force.
 */
import { algoliasearch } from 'algoliasearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../../src/index';
import { configure, failure, seed, settle, targetFactories, type Target } from './target';

const INDEX_REFUSED = { status: 403, message: 'Index not allowed with this API key' };
const REFERER_REFUSED = { status: 403, message: 'Method not allowed with this referer' };

for (const factory of targetFactories()) {
  describe(`key access conformance — ${factory.name}`, () => {
    let t: Target;
    beforeAll(async () => {
      t = await factory.make();
    });
    afterAll(async () => {
      await t?.close();
    });

    const addKey = async (body: Parameters<Target['admin']['addApiKey']>[0]): Promise<string> => {
      const { key } = await t.admin.addApiKey(body);
      await t.admin.waitForApiKey({ key, operation: 'add' });
      return key;
    };
    const objectIDs = async (indexName: string): Promise<string[]> =>
      (await t.admin.searchSingleIndex({ indexName, searchParams: {} })).hits.map((h) => h.objectID).sort();

    it('refuses settings that reach, through replicas, an index the key may not access', async () => {
      const pub = t.index('ka_pub');
      const secret = t.index('ka_secret');
      const shadow = t.index('ka_shadow');
      const own = t.index('ka_pub_sorted');
      await seed(t, pub, {}, [{ objectID: 'p1', title: 'public' }]);
      await seed(t, secret, {}, [{ objectID: 's1', title: 'secret' }]);
      const key = await addKey({
        acl: ['search', 'settings', 'editSettings'],
        indexes: [pub, `${pub}_*`],
      });
      const c = t.client(key);
      // Listing another index as a replica would overwrite its records (or share them).
      for (const replicas of [[secret], [`virtual(${secret})`], [own, secret]])
        expect(await failure(c.setSettings({ indexName: pub, indexSettings: { replicas } }))).toEqual(
          INDEX_REFUSED,
        );
      expect(await objectIDs(secret)).toEqual(['s1']);
      expect((await t.admin.getSettings({ indexName: secret })).primary).toBeUndefined();
      // Its own replicas are fine.
      await settle(
        t,
        pub,
        (await c.setSettings({ indexName: pub, indexSettings: { replicas: [own] } })).taskID,
      );
      expect(await objectIDs(own)).toEqual(['p1']);
      // A replica the admin linked: the key may neither release it (a virtual one would be deleted)
      // nor forward settings to it, but may still set the primary's own settings.
      await configure(t, pub, { replicas: [own, `virtual(${shadow})`] });
      for (const replicas of [[own], [own, shadow], []])
        expect(await failure(c.setSettings({ indexName: pub, indexSettings: { replicas } }))).toEqual(
          INDEX_REFUSED,
        );
      expect(
        await failure(
          c.setSettings({ indexName: pub, indexSettings: { hitsPerPage: 7 }, forwardToReplicas: true }),
        ),
      ).toEqual(INDEX_REFUSED);
      const own7 = await c.setSettings({ indexName: pub, indexSettings: { hitsPerPage: 7 } });
      await settle(t, pub, own7.taskID);
      expect((await t.admin.getSettings({ indexName: shadow })).hitsPerPage).not.toBe(7);
      expect((await t.admin.listIndices()).items.map((i) => i.name)).toContain(shadow);
      await configure(t, pub, { replicas: [] });
      await t.admin.deleteApiKey({ key });
    });

    it('refuses deleting, or copying onto, a primary whose replicas the key may not access', async () => {
      const pub = t.index('kd_pub');
      const other = t.index('kd_other');
      await seed(t, pub, {}, [{ objectID: 'p1', title: 'public' }]);
      await configure(t, pub, { replicas: [`virtual(${other})`] });
      const key = await addKey({
        acl: ['search', 'addObject', 'deleteIndex'],
        indexes: [pub, t.index('kd_src')],
      });
      const c = t.client(key);
      // Deleting the primary would delete its virtual replica, an index the key may not touch.
      expect(await failure(c.deleteIndex({ indexName: pub }))).toEqual(INDEX_REFUSED);
      expect(
        await failure(c.multipleBatch({ requests: [{ action: 'delete', indexName: pub, body: {} }] })),
      ).toEqual(INDEX_REFUSED);
      // Copying onto it would rewrite the replica's records.
      const src = t.index('kd_src');
      await seed(t, src, {}, [{ objectID: 'x', title: 'other' }]);
      expect(
        await failure(
          c.operationIndex({ indexName: src, operationIndexParams: { operation: 'copy', destination: pub } }),
        ),
      ).toEqual(INDEX_REFUSED);
      expect(await objectIDs(pub)).toEqual(['p1']);
      expect((await t.admin.getSettings({ indexName: other })).primary).toBe(pub);
    });

    it('restores a deleted key with its validity reset to 0', async () => {
      const key = await addKey({ acl: ['search'], validity: 3600 });
      await t.admin.deleteApiKey({ key });
      await t.admin.waitForApiKey({ key, operation: 'delete' });
      await t.admin.restoreApiKey({ key });
      await t.admin.waitForApiKey({ key, operation: 'add' });
      expect((await t.admin.getApiKey({ key })).validity).toBe(0);
      await t.admin.deleteApiKey({ key });
    });

    it('reads an expired key as nonexistent, and brings it back on restore', async () => {
      if (t.name !== 'local') return; // how Algolia deletes and restores an expired key is not documented
      const key = await addKey({ acl: ['search'], validity: 1 });
      await new Promise((r) => setTimeout(r, 1100));
      const gone = { status: 404, message: 'Key does not exist' };
      expect(await failure(t.admin.getApiKey({ key }))).toEqual(gone);
      expect(await failure(t.admin.deleteApiKey({ key }))).toEqual(gone);
      await t.admin.restoreApiKey({ key });
      expect((await t.admin.getApiKey({ key })).validity).toBe(0);
      await t.admin.deleteApiKey({ key });
    });

    it('refuses a Secured API Key without any restriction', async () => {
      const idx = t.index('ka_plain');
      await seed(t, idx, {}, [{ objectID: 'a' }]);
      const bare = t.admin.generateSecuredApiKey({ parentApiKey: t.searchKey, restrictions: {} });
      expect(await failure(t.client(bare).searchSingleIndex({ indexName: idx, searchParams: {} }))).toEqual({
        status: 403,
        message: 'Invalid Application-ID or API key',
      });
    });

    it('checks referers after the index, without the scheme, and ignores blank ones', async () => {
      const idx = t.index('ka_ref');
      const other = t.index('ka_ref_other');
      await seed(t, idx, {}, [{ objectID: 'a' }]);
      const key = await addKey({ acl: ['search'], indexes: [idx], referers: ['*.good.example'] });
      const c = t.client(key);
      const search = (indexName: string, headers: Record<string, string> = {}) =>
        c.searchSingleIndex({ indexName, searchParams: {} }, { headers });
      const page = { referer: 'https://www.good.example/page' };
      expect((await search(idx, page)).nbHits).toBe(1);
      expect(await failure(search(idx))).toEqual(REFERER_REFUSED);
      expect(await failure(search(idx, { referer: 'https://evil.example/www.good.example' }))).toEqual(
        REFERER_REFUSED,
      );
      expect(await failure(search(other, { referer: 'https://evil.example/' }))).toEqual(INDEX_REFUSED);
      // A secured key answers to its parent's referers.
      const secured = t.client(
        t.admin.generateSecuredApiKey({ parentApiKey: key, restrictions: { filters: 'objectID:a' } }),
      );
      expect(await failure(secured.searchSingleIndex({ indexName: idx, searchParams: {} }))).toEqual(
        REFERER_REFUSED,
      );
      expect(
        (await secured.searchSingleIndex({ indexName: idx, searchParams: {} }, { headers: page })).nbHits,
      ).toBe(1);
      const blank = await addKey({ acl: ['search'], referers: [''] });
      expect((await t.client(blank).searchSingleIndex({ indexName: idx, searchParams: {} })).nbHits).toBe(1);
      const path = await addKey({ acl: ['search'], referers: ['good.example/*'] });
      const viaPath = (headers: Record<string, string>) =>
        t.client(path).searchSingleIndex({ indexName: idx, searchParams: {} }, { headers });
      expect((await viaPath({ referer: 'https://good.example/x' })).nbHits).toBe(1);
      expect(await failure(viaPath({ referer: 'https://bad.example/good.example/' }))).toEqual(
        REFERER_REFUSED,
      );
      for (const k of [key, blank, path]) await t.admin.deleteApiKey({ key: k });
    });

    it('takes the Origin when there is no Referer', async () => {
      if (t.name !== 'local') return; // a server-side client's Origin is not documented as read by Algolia
      const idx = t.index('ka_ref');
      const key = await addKey({ acl: ['search'], referers: ['https://app.example/*'] });
      const c = t.client(key);
      const res = await c.searchSingleIndex(
        { indexName: idx, searchParams: {} },
        { headers: { origin: 'https://app.example' } },
      );
      expect(res.nbHits).toBe(1);
      expect(
        await failure(
          c.searchSingleIndex(
            { indexName: idx, searchParams: {} },
            { headers: { origin: 'http://app.example' } },
          ),
        ),
      ).toEqual(REFERER_REFUSED);
      await t.admin.deleteApiKey({ key });
    });

    it('never widens what a secured key and its parent both force', async () => {
      const idx = t.index('ka_merge');
      await seed(
        t,
        idx,
        {},
        Array.from({ length: 5 }, (_, i) => ({ objectID: `r${i}`, title: `item ${i}`, owner: 'u', n: i })),
      );
      const parent = await addKey({
        acl: ['search'],
        queryParameters: 'hitsPerPage=3&attributesToRetrieve=title,owner',
      });
      const secured = t.client(
        t.admin.generateSecuredApiKey({
          parentApiKey: parent,
          restrictions: { searchParams: { hitsPerPage: 1, attributesToRetrieve: ['owner', 'n'] } },
        }),
      );
      const res = await secured.searchSingleIndex({
        indexName: idx,
        searchParams: { hitsPerPage: 20, attributesToRetrieve: ['*'] },
      });
      expect(res.hits).toHaveLength(1);
      const { objectID, owner, ...rest } = res.hits[0] as Record<string, unknown>;
      expect([objectID, owner]).toEqual([expect.any(String), 'u']);
      expect(Object.keys(rest).filter((k) => !k.startsWith('_'))).toEqual([]);
      // The parent's cap holds against a wider one.
      const wider = t.client(
        t.admin.generateSecuredApiKey({
          parentApiKey: parent,
          restrictions: { searchParams: { hitsPerPage: 50 } },
        }),
      );
      expect((await wider.searchSingleIndex({ indexName: idx, searchParams: {} })).hits).toHaveLength(3);
      await t.admin.deleteApiKey({ key: parent });
    });
  });
}

describe('replica checks under an indexing delay (local engine)', () => {
  it('count a replica change still queued when a restricted key deletes or re-lists the primary', async () => {
    const running = await startEngine({
      appId: 'DELAYKEYS',
      adminKey: 'admin-delay',
      indexingDelayMs: 2_000,
    });
    try {
      const hosts = [
        { url: '127.0.0.1', port: running.port, protocol: 'http' as const, accept: 'readWrite' as const },
      ];
      const admin = algoliasearch('DELAYKEYS', 'admin-delay', { hosts });
      await admin.saveObject({ indexName: 'dl_pub', body: { objectID: 'p1' } });
      const { key } = await admin.addApiKey({
        acl: ['search', 'deleteIndex', 'editSettings', 'settings'],
        indexes: ['dl_pub'],
      });
      // Queued, not applied yet: the primary will have a replica the key may not touch.
      await admin.setSettings({ indexName: 'dl_pub', indexSettings: { replicas: ['virtual(dl_other)'] } });
      const c = algoliasearch('DELAYKEYS', key, { hosts });
      expect(await failure(c.deleteIndex({ indexName: 'dl_pub' }))).toEqual(INDEX_REFUSED);
      expect(await failure(c.setSettings({ indexName: 'dl_pub', indexSettings: { replicas: [] } }))).toEqual(
        INDEX_REFUSED,
      );
    } finally {
      await running.close();
    }
  });
});
