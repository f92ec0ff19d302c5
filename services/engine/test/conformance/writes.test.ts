/**
 * Writes through the official client: save, replace, partial updates with every built-in
 * operation (conditional ones apply or ignore the whole update), delete, batches in order,
 * deleteBy, clear, index delete, settings, replicas, copy/move, list indices, record size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody, failure, settle, targetFactories, type Target } from './target';

for (const factory of targetFactories()) {
  describe(`write conformance — ${factory.name}`, () => {
    let t: Target;
    beforeAll(async () => {
      t = await factory.make();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('saves with an auto objectID (201) and replaces by objectID', async () => {
      const idx = t.index('w_save');
      const saved = await t.admin.saveObject({ indexName: idx, body: { title: 'auto' } });
      expect(typeof saved.objectID).toBe('string');
      expect(typeof saved.taskID).toBe('number');
      expect(typeof saved.createdAt).toBe('string');
      await settle(t, idx, saved.taskID);
      const put = await t.admin.addOrUpdateObject({
        indexName: idx,
        objectID: 'x/1 é',
        body: { title: 'first', n: 1 },
      });
      await settle(t, idx, put.taskID);
      const put2 = await t.admin.addOrUpdateObject({
        indexName: idx,
        objectID: 'x/1 é',
        body: { title: 'second' },
      });
      await settle(t, idx, put2.taskID);
      expect(await t.admin.getObject({ indexName: idx, objectID: 'x/1 é' })).toEqual({
        objectID: 'x/1 é',
        title: 'second',
      });
      const missing = await failure(t.admin.getObject({ indexName: idx, objectID: 'nope' }));
      expect(missing).toEqual({ status: 404, message: 'ObjectID does not exist' });
      const objs = await t.admin.getObjects({
        requests: [
          { indexName: idx, objectID: 'x/1 é', attributesToRetrieve: ['title'] },
          { indexName: idx, objectID: 'nope' },
        ],
      });
      expect(objs.results).toEqual([{ objectID: 'x/1 é', title: 'second' }, null]);
      // A request without its objectID (the spec requires one; the client's types do too) is
      // refused, not read as the record "undefined".
      if (t.url) {
        const save = await t.admin.saveObject({ indexName: idx, body: { objectID: 'undefined', n: 1 } });
        await settle(t, idx, save.taskID);
        for (const request of [{ indexName: idx }, { indexName: idx, objectID: null }]) {
          const res = await fetch(`${t.url}/1/indexes/*/objects`, {
            method: 'POST',
            headers: { 'x-algolia-application-id': t.appId, 'x-algolia-api-key': t.searchKey },
            body: JSON.stringify({ requests: [request] }),
          });
          expect(res.status).toBe(400);
          expect(await res.json()).toEqual({ message: 'objectID is required', status: 400 });
        }
      }
    });

    it('applies Increment, Decrement, Add, Remove, AddUnique', async () => {
      const idx = t.index('w_ops');
      const a = await t.admin.saveObjects({
        indexName: idx,
        objects: [{ objectID: 'r', count: 1, tags: ['a', 'b', 'a'] }],
      });
      await settle(t, idx, a[0]!.taskID);
      const ops = [
        { count: { _operation: 'Increment', value: 5 } },
        { count: { _operation: 'Decrement', value: 2 } },
        { tags: { _operation: 'Add', value: 'c' } },
        { tags: { _operation: 'Remove', value: 'a' } },
        { tags: { _operation: 'AddUnique', value: 'b' } },
        { tags: { _operation: 'AddUnique', value: 'd' } },
      ];
      for (const attributesToUpdate of ops) {
        const r = await t.admin.partialUpdateObject({
          indexName: idx,
          objectID: 'r',
          attributesToUpdate: attributesToUpdate,
        });
        await settle(t, idx, r.taskID);
      }
      expect(await t.admin.getObject({ indexName: idx, objectID: 'r' })).toEqual({
        objectID: 'r',
        count: 4,
        tags: ['b', 'c', 'd'],
      });
    });

    it('IncrementFrom creates only from 0 and ignores the whole update on a mismatch', async () => {
      const idx = t.index('w_cond');
      const create = await t.admin.partialUpdateObject({
        indexName: idx,
        objectID: 'v',
        attributesToUpdate: { version: { _operation: 'IncrementFrom', value: 0 }, title: 'v1' },
      });
      await settle(t, idx, create.taskID);
      expect(await t.admin.getObject({ indexName: idx, objectID: 'v' })).toEqual({
        objectID: 'v',
        version: 1,
        title: 'v1',
      });
      const stale = await t.admin.partialUpdateObject({
        indexName: idx,
        objectID: 'v',
        attributesToUpdate: { version: { _operation: 'IncrementFrom', value: 0 }, title: 'lost' },
      });
      await settle(t, idx, stale.taskID);
      expect(await t.admin.getObject({ indexName: idx, objectID: 'v' })).toEqual({
        objectID: 'v',
        version: 1,
        title: 'v1',
      });
      const good = await t.admin.partialUpdateObject({
        indexName: idx,
        objectID: 'v',
        attributesToUpdate: { version: { _operation: 'IncrementFrom', value: 1 }, title: 'v2' },
      });
      await settle(t, idx, good.taskID);
      expect(await t.admin.getObject({ indexName: idx, objectID: 'v' })).toEqual({
        objectID: 'v',
        version: 2,
        title: 'v2',
      });
      const notCreated = await t.admin.partialUpdateObject({
        indexName: idx,
        objectID: 'w',
        attributesToUpdate: { version: { _operation: 'IncrementFrom', value: 3 } },
      });
      await settle(t, idx, notCreated.taskID);
      expect((await failure(t.admin.getObject({ indexName: idx, objectID: 'w' }))).status).toBe(404);
      const set = await t.admin.partialUpdateObject({
        indexName: idx,
        objectID: 'v',
        attributesToUpdate: { version: { _operation: 'IncrementSet', value: 10 } },
      });
      await settle(t, idx, set.taskID);
      const setLow = await t.admin.partialUpdateObject({
        indexName: idx,
        objectID: 'v',
        attributesToUpdate: { version: { _operation: 'IncrementSet', value: 5 }, title: 'no' },
      });
      await settle(t, idx, setLow.taskID);
      expect(await t.admin.getObject({ indexName: idx, objectID: 'v' })).toEqual({
        objectID: 'v',
        version: 10,
        title: 'v2',
      });
      const noCreate = await t.admin.partialUpdateObject({
        indexName: idx,
        objectID: 'z',
        attributesToUpdate: { a: 1 },
        createIfNotExists: false,
      });
      await settle(t, idx, noCreate.taskID);
      expect((await failure(t.admin.getObject({ indexName: idx, objectID: 'z' }))).status).toBe(404);
    });

    it('applies batches in order, including multi-index batches', async () => {
      const idx = t.index('w_batch');
      const other = t.index('w_batch2');
      const b = await t.admin.batch({
        indexName: idx,
        batchWriteParams: {
          requests: [
            { action: 'addObject', body: { objectID: '1', n: 1 } },
            {
              action: 'partialUpdateObject',
              body: { objectID: '1', n: { _operation: 'Increment', value: 1 } },
            },
            { action: 'updateObject', body: { objectID: '2', n: 9 } },
            { action: 'deleteObject', body: { objectID: '2' } },
            { action: 'partialUpdateObjectNoCreate', body: { objectID: '3', n: 1 } },
          ],
        },
      });
      expect(b.objectIDs).toEqual(['1', '1', '2', '2', '3']);
      await settle(t, idx, b.taskID);
      const all = await t.admin.searchSingleIndex({ indexName: idx, searchParams: {} });
      expect(all.hits.map((h) => ({ objectID: h.objectID, n: (h as Record<string, unknown>).n }))).toEqual([
        { objectID: '1', n: 2 },
      ]);
      const m = await t.admin.multipleBatch({
        requests: [
          { action: 'addObject', indexName: other, body: { objectID: 'a' } },
          { action: 'addObject', indexName: idx, body: { objectID: 'b' } },
        ],
      });
      expect(Object.keys(m.taskID).sort()).toEqual([idx, other].sort());
      for (const [name, id] of Object.entries(m.taskID)) await settle(t, name, id);
      expect((await t.admin.getObject({ indexName: other, objectID: 'a' })).objectID).toBe('a');
    });

    it('deletes by filter, clears (keeping settings) and deletes indices', async () => {
      const idx = t.index('w_del');
      const s = await t.admin.setSettings({
        indexName: idx,
        indexSettings: { attributesForFaceting: ['kind'] },
      });
      await settle(t, idx, s.taskID);
      const r = await t.admin.saveObjects({
        indexName: idx,
        objects: [
          { objectID: '1', kind: 'a' },
          { objectID: '2', kind: 'b' },
          { objectID: '3', kind: 'a' },
        ],
      });
      await settle(t, idx, r[0]!.taskID);
      const d = await t.admin.deleteBy({ indexName: idx, deleteByParams: { filters: 'kind:a' } });
      await settle(t, idx, d.taskID);
      expect((await t.admin.searchSingleIndex({ indexName: idx })).hits.map((h) => h.objectID)).toEqual([
        '2',
      ]);
      // Filters only: no filter at all, a query or another parameter is refused with Algolia's words.
      const only = {
        status: 400,
        message:
          'DeleteByQuery endpoint only supports tagFilters, facetFilters, numericFilters and geoQuery condition',
      };
      expect(await failure(t.admin.deleteBy({ indexName: idx, deleteByParams: {} }))).toEqual(only);
      for (const extra of [{ query: 'x' }, { hitsPerPage: 5 }]) {
        const refused = await failure(
          t.admin.deleteBy({ indexName: idx, deleteByParams: { filters: 'kind:b', ...extra } }),
        );
        expect(refused).toEqual(only);
      }
      expect((await t.admin.searchSingleIndex({ indexName: idx })).nbHits).toBe(1);
      // A key's own filters do not stand in for the request's.
      const { key } = await t.admin.addApiKey({
        acl: ['deleteIndex', 'search'],
        queryParameters: 'filters=kind%3Ab',
      });
      await t.admin.waitForApiKey({ key, operation: 'add' });
      expect(await failure(t.client(key).deleteBy({ indexName: idx, deleteByParams: {} }))).toEqual(only);
      expect((await t.admin.searchSingleIndex({ indexName: idx })).nbHits).toBe(1);
      await t.admin.deleteApiKey({ key });
      const c = await t.admin.clearObjects({ indexName: idx });
      await settle(t, idx, c.taskID);
      expect((await t.admin.searchSingleIndex({ indexName: idx })).nbHits).toBe(0);
      expect((await t.admin.getSettings({ indexName: idx })).attributesForFaceting).toEqual(['kind']);
      const del = await t.admin.deleteIndex({ indexName: idx });
      await settle(t, idx, del.taskID);
      expect((await failure(t.admin.getSettings({ indexName: idx }))).status).toBe(404);
      const again = await t.admin.deleteIndex({ indexName: idx });
      expect(typeof again.taskID).toBe('number');
    });

    it('sets settings partially, resets with null, and validates them', async () => {
      const idx = t.index('w_settings');
      const a = await t.admin.setSettings({
        indexName: idx,
        indexSettings: { searchableAttributes: ['title'], hitsPerPage: 7 },
      });
      await settle(t, idx, a.taskID);
      const b = await t.admin.setSettings({
        indexName: idx,
        indexSettings: { customRanking: ['desc(n)'], hitsPerPage: null as never },
      });
      await settle(t, idx, b.taskID);
      const s = await t.admin.getSettings({ indexName: idx });
      expect(s.searchableAttributes).toEqual(['title']);
      expect(s.customRanking).toEqual(['desc(n)']);
      expect(s.hitsPerPage).toBe(20);
    });

    it('keeps standard and virtual replicas in sync for sort orders', async () => {
      const idx = t.index('w_primary');
      const asc = t.index('w_primary_asc');
      const desc = t.index('w_primary_desc');
      const s = await t.admin.setSettings({
        indexName: idx,
        indexSettings: { replicas: [asc, `virtual(${desc})`] },
      });
      await settle(t, idx, s.taskID);
      const s1 = await t.admin.setSettings({
        indexName: asc,
        indexSettings: {
          ranking: ['asc(n)', 'typo', 'words', 'filters', 'proximity', 'attribute', 'exact', 'custom'],
        },
      });
      await settle(t, asc, s1.taskID);
      const s2 = await t.admin.setSettings({
        indexName: desc,
        indexSettings: { customRanking: ['desc(n)'] },
      });
      await settle(t, desc, s2.taskID);
      const r = await t.admin.saveObjects({
        indexName: idx,
        objects: [
          { objectID: 'b', n: 2 },
          { objectID: 'a', n: 1 },
          { objectID: 'c', n: 3 },
        ],
      });
      await settle(t, idx, r[0]!.taskID);
      expect((await t.admin.searchSingleIndex({ indexName: asc })).hits.map((h) => h.objectID)).toEqual([
        'a',
        'b',
        'c',
      ]);
      expect((await t.admin.searchSingleIndex({ indexName: desc })).hits.map((h) => h.objectID)).toEqual([
        'c',
        'b',
        'a',
      ]);
      const del = await t.admin.deleteObject({ indexName: idx, objectID: 'b' });
      await settle(t, idx, del.taskID);
      expect((await t.admin.searchSingleIndex({ indexName: asc })).hits.map((h) => h.objectID)).toEqual([
        'a',
        'c',
      ]);
      expect((await t.admin.getSettings({ indexName: asc })).primary).toBe(idx);
    });

    it('copies and moves indices, and lists them', async () => {
      const idx = t.index('w_copy_src');
      const dst = t.index('w_copy_dst');
      const moved = t.index('w_moved');
      const r = await t.admin.saveObjects({ indexName: idx, objects: [{ objectID: '1' }] });
      await settle(t, idx, r[0]!.taskID);
      const c = await t.admin.operationIndex({
        indexName: idx,
        operationIndexParams: { operation: 'copy', destination: dst },
      });
      await settle(t, dst, c.taskID);
      expect((await t.admin.getObject({ indexName: dst, objectID: '1' })).objectID).toBe('1');
      const m = await t.admin.operationIndex({
        indexName: dst,
        operationIndexParams: { operation: 'move', destination: moved },
      });
      await settle(t, moved, m.taskID);
      const { items } = await t.admin.listIndices();
      const names = items.map((i) => i.name);
      expect(names).toContain(moved);
      expect(names).not.toContain(dst);
      expect(items.find((i) => i.name === moved)?.entries).toBe(1);
      expect(items.find((i) => i.name === moved)).not.toHaveProperty('virtual');
    });

    it('lists indices a page at a time when a page is asked for, and marks virtual replicas', async () => {
      const primary = t.index('w_list_p');
      const virtual = t.index('w_list_v');
      const s = await t.admin.setSettings({
        indexName: primary,
        indexSettings: { replicas: [`virtual(${virtual})`] },
      });
      await settle(t, primary, s.taskID);
      const all = await t.admin.listIndices();
      expect(all.items.find((i) => i.name === virtual)?.virtual).toBe(true);
      const first = await t.admin.listIndices({ page: 0, hitsPerPage: 1 });
      expect(first.items).toHaveLength(1);
      expect(first.nbPages).toBe(all.items.length);
    });

    it('refuses what a batch body carries besides its requests, and items without an objectID', async () => {
      const idx = t.index('w_batch_refused');
      const odd = await failure(
        t.admin.batch({
          indexName: idx,
          batchWriteParams: {
            requests: [{ action: 'addObject', body: { objectID: 'a' } }],
            createIfNotExists: true,
          } as never,
        }),
      );
      expect(odd.status).toBe(400);
      expect(odd.message).toMatch(/^Invalid object attributes:createIfNotExists near line:1 column:\d+$/);
      const noId = await failure(
        t.admin.batch({
          indexName: idx,
          batchWriteParams: {
            requests: [
              { action: 'addObject', body: { objectID: 'a' } },
              { action: 'partialUpdateObject', body: { v: 1 } },
            ],
          },
        }),
      );
      expect(noId.status).toBe(400);
      expect(noId.message).toMatch(
        /^The 'objectID' attribute is required to use action=partialUpdateObject near line:1 column:\d+$/,
      );
      expect((await failure(t.admin.getObject({ indexName: idx, objectID: 'a' }))).status).toBe(404);
    });

    it('copies only the scopes asked for, which records are not', async () => {
      const idx = t.index('w_scope_src');
      const dst = t.index('w_scope_dst');
      const r = await t.admin.saveObjects({ indexName: idx, objects: [{ objectID: '1' }] });
      await settle(t, idx, r[0]!.taskID);
      const s = await t.admin.setSettings({ indexName: idx, indexSettings: { hitsPerPage: 7 } });
      await settle(t, idx, s.taskID);
      const c = await t.admin.operationIndex({
        indexName: idx,
        operationIndexParams: { operation: 'copy', destination: dst, scope: ['settings'] },
      });
      await settle(t, dst, c.taskID);
      expect((await t.admin.getSettings({ indexName: dst })).hitsPerPage).toBe(7);
      expect((await t.admin.searchSingleIndex({ indexName: dst })).nbHits).toBe(0);
      // Algolia's scopes are settings, synonyms and rules (its OpenAPI ScopeType).
      const e = await failure(
        t.admin.operationIndex({
          indexName: idx,
          operationIndexParams: { operation: 'copy', destination: dst, scope: ['records' as 'rules'] },
        }),
      );
      expect(e.status).toBe(400);
    });

    it('sizes partial updates by the record they write, not by their operation objects', async () => {
      const idx = t.index('w_near_limit');
      const text = 'y'.repeat(10_000 - 60);
      const r = await t.admin.partialUpdateObject({
        indexName: idx,
        objectID: 'n',
        attributesToUpdate: { text, version: { _operation: 'IncrementFrom', value: 0 } },
      });
      await settle(t, idx, r.taskID);
      const rec = await t.admin.getObject({ indexName: idx, objectID: 'n' });
      expect(rec).toMatchObject({ objectID: 'n', version: 1 });
    });

    it('sizes a partial update by the record it produces: accepted near the limit, refused past it', async () => {
      const idx = t.index('w_partial_limit');
      const base = { objectID: 'p', n: 1, text: 'z'.repeat(10_000 - 100) };
      const s = await t.admin.saveObject({ indexName: idx, body: base });
      await settle(t, idx, s.taskID);
      // The request is tiny, the record stays under the limit: accepted.
      const small = await t.admin.partialUpdateObject({
        indexName: idx,
        objectID: 'p',
        attributesToUpdate: { n: { _operation: 'Increment', value: 1 }, tag: 'ok' },
      });
      await settle(t, idx, small.taskID);
      expect(await t.admin.getObject({ indexName: idx, objectID: 'p' })).toEqual({
        ...base,
        n: 2,
        tag: 'ok',
      });
      // The request is small too, but the record it produces is past the limit: refused, unchanged.
      const grow = await failure(
        t.admin.partialUpdateObject({
          indexName: idx,
          objectID: 'p',
          attributesToUpdate: { extra: 'e'.repeat(200) },
        }),
      );
      expect(grow.status).toBe(400);
      expect(grow.message).toMatch(/Record at the position 0 objectID=p is too big size=\d+\/10000 bytes/);
      // Within one batch, the second update sees the first one's result.
      const inBatch = await failure(
        t.admin.batch({
          indexName: idx,
          batchWriteParams: {
            requests: [
              { action: 'partialUpdateObject', body: { objectID: 'p', a: 'a'.repeat(30) } },
              { action: 'partialUpdateObject', body: { objectID: 'p', b: 'b'.repeat(30) } },
            ],
          },
        }),
      );
      expect(inBatch.status).toBe(400);
      expect(inBatch.message).toMatch(/Record at the position 1 objectID=p is too big/);
      expect(await t.admin.getObject({ indexName: idx, objectID: 'p' })).toEqual({
        ...base,
        n: 2,
        tag: 'ok',
      });
    });

    it('refuses records over the size limit with the size and the limit', async () => {
      const idx = t.index('w_big');
      const e = await failure(
        t.admin.saveObject({ indexName: idx, body: { objectID: 'big', text: 'x'.repeat(12_000) } }),
      );
      expect(e.status).toBe(400);
      expect(e.message).toMatch(/Record at the position 0 objectID=big is too big size=\d+\/10000 bytes/);
      // The body names the record too (a client may drop it and send the rest again).
      const body = await errorBody(
        t.admin.batch({
          indexName: idx,
          batchWriteParams: {
            requests: [
              { action: 'addObject', body: { objectID: 'ok' } },
              { action: 'addObject', body: { objectID: 'big', text: 'x'.repeat(12_000) } },
            ],
          },
        }),
      );
      expect(body).toMatchObject({ position: 1, objectID: 'big', status: 400 });
    });
  });
}
