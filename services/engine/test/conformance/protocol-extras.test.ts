/**
 * Protocol details beyond the main suites: gzip bodies, forwardToReplicas, multi-query strategy,
 * the indexing delay seen through tasks, settings errors, and browse cursors with a secured key.
 */
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { algoliasearch } from 'algoliasearch';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startEngine, type RunningEngine } from '../../src/index';
import { asResult, configure, failure, settle, targetFactories, type Target } from './target';

for (const factory of targetFactories()) {
  describe(`protocol extras — ${factory.name}`, () => {
    let t: Target;
    beforeAll(async () => {
      t = await factory.make();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('forwards settings to replicas when asked', async () => {
      const idx = t.index('x_fwd');
      const rep = t.index('x_fwd_rep');
      const s = await t.admin.setSettings({ indexName: idx, indexSettings: { replicas: [rep] } });
      await settle(t, idx, s.taskID);
      const f = await t.admin.setSettings({
        indexName: idx,
        indexSettings: { attributesForFaceting: ['kind'] },
        forwardToReplicas: true,
      });
      await settle(t, idx, f.taskID);
      expect((await t.admin.getSettings({ indexName: rep })).attributesForFaceting).toEqual(['kind']);
      const n = await t.admin.setSettings({ indexName: idx, indexSettings: { hitsPerPage: 3 } });
      await settle(t, idx, n.taskID);
      expect((await t.admin.getSettings({ indexName: rep })).hitsPerPage).not.toBe(3);
    });

    it('refuses an index as its own replica', async () => {
      const idx = t.index('x_selfrep');
      const e = await failure(
        t.admin.setSettings({ indexName: idx, indexSettings: { replicas: [`virtual(${idx})`] } }),
      );
      expect(e.status).toBe(400);
    });

    it('refuses a replica that is already the replica of another index, and lets it go once released', async () => {
      const a = t.index('x_prim_a');
      const b = t.index('x_prim_b');
      const rep = t.index('x_prim_rep');
      const s = await t.admin.setSettings({ indexName: a, indexSettings: { replicas: [rep] } });
      await settle(t, a, s.taskID);
      for (const replicas of [[rep], [`virtual(${rep})`]]) {
        const e = await failure(t.admin.setSettings({ indexName: b, indexSettings: { replicas } }));
        expect(e.status).toBe(400);
        expect(e.message).toBe('A replica index is already replica of another index');
      }
      // Its own primary may list it again; once released, another index may take it.
      const again = await t.admin.setSettings({ indexName: a, indexSettings: { replicas: [rep] } });
      await settle(t, a, again.taskID);
      const release = await t.admin.setSettings({ indexName: a, indexSettings: { replicas: [] } });
      await settle(t, a, release.taskID);
      const taken = await t.admin.setSettings({ indexName: b, indexSettings: { replicas: [rep] } });
      await settle(t, b, taken.taskID);
      expect((await t.admin.getSettings({ indexName: rep })).primary).toBe(b);
      // Algolia's documented unlink, `replicas: [""]`, releases them all (no index named "").
      for (const index of [a, b]) {
        const unlink = await t.admin.setSettings({ indexName: index, indexSettings: { replicas: [''] } });
        await settle(t, index, unlink.taskID);
      }
      expect((await t.admin.getSettings({ indexName: rep })).primary).toBeUndefined();
      const names = (await t.admin.listIndices()).items.map((i) => i.name);
      expect(names).not.toContain('');
    });

    it('refuses writes to a replica: records, and copying or moving an index onto it', async () => {
      const a = t.index('x_cp_prim');
      const rep = t.index('x_cp_rep');
      const other = t.index('x_cp_other');
      const w = await t.admin.saveObjects({ indexName: other, objects: [{ objectID: '1', t: 'x' }] });
      await settle(t, other, w[0]!.taskID);
      const s = await t.admin.setSettings({ indexName: a, indexSettings: { replicas: [rep] } });
      await settle(t, a, s.taskID);
      // Copying onto a replica (or a primary, below): Algolia's words, as a user's report quotes them.
      const copy = await failure(
        t.admin.operationIndex({
          indexName: other,
          operationIndexParams: { operation: 'copy', destination: rep },
        }),
      );
      expect(copy).toEqual({ status: 403, message: 'cannot copy to a primary/replica index' });
      const move = await failure(
        t.admin.operationIndex({
          indexName: other,
          operationIndexParams: { operation: 'move', destination: rep },
        }),
      );
      expect(move.status).toBe(403);
      // A record written to a replica: Algolia's words, as a client's bug report quotes them.
      const write = await failure(t.admin.saveObject({ indexName: rep, body: { objectID: 'x', t: 'x' } }));
      expect(write).toEqual({ status: 403, message: 'cannot apply a add object request on a replica index' });
      const del = await failure(t.admin.deleteObject({ indexName: rep, objectID: '1' }));
      expect(del.status).toBe(403);
      expect((await t.admin.getSettings({ indexName: rep })).primary).toBe(a);
    });

    it('refuses to copy onto a primary, and moves onto it into its replicas', async () => {
      const a = t.index('x_cpp_prim');
      const rep = t.index('x_cpp_rep');
      const other = t.index('x_cpp_other');
      const w = await t.admin.saveObjects({ indexName: other, objects: [{ objectID: 'o', t: 'other' }] });
      await settle(t, other, w[0]!.taskID);
      const s = await t.admin.setSettings({ indexName: a, indexSettings: { replicas: [rep] } });
      await settle(t, a, s.taskID);
      for (const scope of [undefined, ['settings' as const], ['rules' as const]]) {
        const e = await failure(
          t.admin.operationIndex({
            indexName: other,
            operationIndexParams: { operation: 'copy', destination: a, ...(scope ? { scope } : {}) },
          }),
        );
        expect(e).toEqual({ status: 403, message: 'cannot copy to a primary/replica index' });
      }
      // Moving onto a primary is how it is reindexed: its records, and its replica's, are replaced.
      const m = await t.admin.operationIndex({
        indexName: other,
        operationIndexParams: { operation: 'move', destination: a },
      });
      await settle(t, a, m.taskID);
      expect((await t.admin.getSettings({ indexName: rep })).primary).toBe(a);
      expect((await t.admin.getSettings({ indexName: a })).replicas).toEqual([rep]);
      for (const indexName of [a, rep])
        expect((await t.admin.getObject({ indexName, objectID: 'o' })).t).toBe('other');
    });

    it("copies settings to a standard replica, which stays its primary's", async () => {
      const a = t.index('x_cps_prim');
      const rep = t.index('x_cps_rep');
      const other = t.index('x_cps_other');
      const w = await t.admin.saveObjects({ indexName: a, objects: [{ objectID: '1', t: 'x' }] });
      await settle(t, a, w[0]!.taskID);
      const s = await t.admin.setSettings({ indexName: a, indexSettings: { replicas: [rep] } });
      await settle(t, a, s.taskID);
      const o = await t.admin.setSettings({ indexName: other, indexSettings: { hitsPerPage: 9 } });
      await settle(t, other, o.taskID);
      const c = await t.admin.operationIndex({
        indexName: other,
        operationIndexParams: { operation: 'copy', destination: rep, scope: ['settings'] },
      });
      await settle(t, rep, c.taskID);
      const settings = await t.admin.getSettings({ indexName: rep });
      expect(settings.hitsPerPage).toBe(9);
      expect(settings.primary).toBe(a);
      expect((await t.admin.getObject({ indexName: rep, objectID: '1' })).t).toBe('x');
      // Not to a virtual replica, which has no records of its own.
      const v = t.index('x_cps_virt');
      const sv = await t.admin.setSettings({
        indexName: a,
        indexSettings: { replicas: [rep, `virtual(${v})`] },
      });
      await settle(t, a, sv.taskID);
      const e = await failure(
        t.admin.operationIndex({
          indexName: other,
          operationIndexParams: { operation: 'copy', destination: v, scope: ['settings'] },
        }),
      );
      expect(e.status).toBe(403);
    });

    it('moves neither a replica nor an index with replicas', async () => {
      const a = t.index('x_mv_prim');
      const rep = t.index('x_mv_rep');
      const s = await t.admin.setSettings({ indexName: a, indexSettings: { replicas: [rep] } });
      await settle(t, a, s.taskID);
      for (const source of [a, rep]) {
        const e = await failure(
          t.admin.operationIndex({
            indexName: source,
            operationIndexParams: { operation: 'move', destination: t.index('x_mv_dst') },
          }),
        );
        expect(e.status).toBe(403);
      }
      expect((await t.admin.getSettings({ indexName: rep })).primary).toBe(a);
    });

    it('ignores a move of a missing index, copies a missing one as an empty index, and moves an index onto itself as it is', async () => {
      const idx = t.index('x_mvmiss');
      const w = await t.admin.saveObjects({ indexName: idx, objects: [{ objectID: '1' }] });
      await settle(t, idx, w[0]!.taskID);
      const missing = t.index('x_mvmiss_none');
      const self = await t.admin.operationIndex({
        indexName: idx,
        operationIndexParams: { operation: 'move', destination: idx },
      });
      await settle(t, idx, self.taskID);
      expect((await t.admin.searchSingleIndex({ indexName: idx })).nbHits).toBe(1);
      const m = await t.admin.operationIndex({
        indexName: missing,
        operationIndexParams: { operation: 'move', destination: idx },
      });
      await settle(t, idx, m.taskID);
      expect((await t.admin.searchSingleIndex({ indexName: idx })).nbHits).toBe(1);
      const c = await t.admin.operationIndex({
        indexName: missing,
        operationIndexParams: { operation: 'copy', destination: idx },
      });
      await settle(t, idx, c.taskID);
      expect((await t.admin.searchSingleIndex({ indexName: idx })).nbHits).toBe(0);
    });

    it('deletes a replica only once its primary lets it go', async () => {
      const a = t.index('x_delrep_prim');
      const rep = t.index('x_delrep_rep');
      const s = await t.admin.setSettings({ indexName: a, indexSettings: { replicas: [rep] } });
      await settle(t, a, s.taskID);
      // Algolia's words, as a Terraform provider's code quotes them.
      const refused = { status: 403, message: 'cannot apply the deleteIndex operation on a replica index' };
      expect(await failure(t.admin.deleteIndex({ indexName: rep }))).toEqual(refused);
      expect(
        await failure(t.admin.multipleBatch({ requests: [{ action: 'delete', indexName: rep, body: {} }] })),
      ).toEqual(refused);
      expect((await t.admin.getSettings({ indexName: rep })).primary).toBe(a);
      // Deleting the primary makes its replica a regular index, which may then go.
      const d = await t.admin.deleteIndex({ indexName: a });
      await settle(t, a, d.taskID);
      expect((await t.admin.getSettings({ indexName: rep })).primary).toBeUndefined();
      const d2 = await t.admin.deleteIndex({ indexName: rep });
      await settle(t, rep, d2.taskID);
      expect((await t.admin.listIndices()).items.map((i) => i.name)).not.toContain(rep);
    });

    it('refuses chains of replicas', async () => {
      const a = t.index('x_chain_a');
      const rep = t.index('x_chain_rep');
      const b = t.index('x_chain_b');
      const s = await t.admin.setSettings({ indexName: a, indexSettings: { replicas: [rep] } });
      await settle(t, a, s.taskID);
      // A replica with replicas of its own, and an index listing a primary as its replica.
      for (const [indexName, replicas] of [
        [rep, [b]],
        [rep, [`virtual(${b})`]],
        [b, [a]],
      ] as const) {
        const e = await failure(
          t.admin.setSettings({ indexName, indexSettings: { replicas: [...replicas] } }),
        );
        expect(e.status).toBe(400);
      }
      expect((await t.admin.getSettings({ indexName: rep })).replicas ?? []).toEqual([]);
      expect((await t.admin.getSettings({ indexName: a })).primary).toBeUndefined();
    });

    it('stops early with strategy stopIfEnoughMatches', async () => {
      const idx = t.index('x_strategy');
      const w = await t.admin.saveObjects({
        indexName: idx,
        objects: [
          { objectID: '1', t: 'a' },
          { objectID: '2', t: 'a' },
        ],
      });
      await settle(t, idx, w[0]!.taskID);
      const res = await t.admin.search({
        requests: [
          { indexName: idx, query: 'a', hitsPerPage: 1 },
          { indexName: idx, query: 'a', hitsPerPage: 1 },
        ],
        strategy: 'stopIfEnoughMatches',
      });
      expect(asResult(res.results[0]).hits).toHaveLength(1);
      expect(asResult(res.results[1]).hits).toHaveLength(0);
      // Hits are summed over the queries run so far; responseFields do not change the decision,
      // and a skipped query keeps the hitsPerPage it asked for.
      const summed = await t.admin.search({
        requests: [
          { indexName: idx, query: 'a', filters: 'objectID:1', hitsPerPage: 2 },
          { indexName: idx, query: 'a', filters: 'objectID:2', hitsPerPage: 2, responseFields: ['hits'] },
          { indexName: idx, query: 'a', hitsPerPage: 2 },
        ],
        strategy: 'stopIfEnoughMatches',
      });
      const [r0, r1, r2] = summed.results.map((r) => asResult(r) as unknown as Record<string, unknown>);
      expect((r0!.hits as unknown[]).length).toBe(1);
      expect(r1).not.toHaveProperty('nbHits');
      expect((r1!.hits as unknown[]).length).toBe(1);
      expect(r2).toMatchObject({ hits: [], nbHits: 0, processed: false, hitsPerPage: 2 });
    });

    it('runs entries of type default as searches and refuses other types', async () => {
      const idx = t.index('x_types');
      const w = await t.admin.saveObject({ indexName: idx, body: { objectID: 'a', t: 'x' } });
      await settle(t, idx, w.taskID);
      const res = await t.admin.search({ requests: [{ indexName: idx, query: 'x', type: 'default' }] });
      expect(asResult(res.results[0]).hits.map((h) => h.objectID)).toEqual(['a']);
      const bad = await failure(
        t.admin.search({ requests: [{ indexName: idx, query: 'x', type: 'hits' as never }] }),
      );
      expect(bad.status).toBe(400);
    });

    it('keeps the response fields a key forces that a search response has', async () => {
      if (!t.url) return; // a key made before the engine applied responseFields: local only
      const idx = t.index('x_keyfields');
      const w = await t.admin.saveObject({ indexName: idx, body: { objectID: 'a' } });
      await settle(t, idx, w.taskID);
      const { key } = await t.admin.addApiKey({
        acl: ['search'],
        queryParameters: `responseFields=${encodeURIComponent('["bogus","hits"]')}`,
      });
      await t.admin.waitForApiKey({ key, operation: 'add' });
      const res = await t.client(key).searchSingleIndex({ indexName: idx });
      expect(res.hits.map((h) => h.objectID)).toEqual(['a']);
      expect(res).not.toHaveProperty('nbHits');
      await t.admin.deleteApiKey({ key });
    });

    it('refuses a responseFields setting that names no response property', async () => {
      const idx = t.index('x_fields');
      for (const responseFields of [['bogus'], 'hits', {}]) {
        const e = await failure(
          t.admin.setSettings({ indexName: idx, indexSettings: { responseFields } as never }),
        );
        expect(e.status).toBe(400);
      }
    });

    it('refuses malformed settings', async () => {
      const e = await failure(
        t.admin.setSettings({
          indexName: t.index('x_bad'),
          indexSettings: { customRanking: ['sideways(n)'] },
        }),
      );
      expect(e.status).toBe(400);
      // Settings the engine only stores are checked against their types all the same.
      for (const bad of [
        { exactOnSingleWordQuery: 'bogus' },
        { ignorePlurals: 'bogus' },
        { camelCaseAttributes: 5 },
        { attributeCriteriaComputedBy: 'most' },
        { advancedSyntax: 'x' },
        { notASetting: null },
      ]) {
        const refused = await failure(
          t.admin.setSettings({ indexName: t.index('x_bad'), indexSettings: bad as never }),
        );
        expect(refused.status).toBe(400);
      }
    });

    it('keeps a setting of the spec it only stores, and gives it back', async () => {
      // attributeCriteriaComputedBy (minProximity, best, sum) is an IndexSettings member of the v5
      // spec; a setSettings copied from a real index must not fail on it.
      const idx = t.index('x_stored');
      await configure(t, idx, { attributeCriteriaComputedBy: 'sum' });
      const got = await t.admin.getSettings({ indexName: idx });
      expect(got.attributeCriteriaComputedBy).toBe('sum');
    });

    it('filters numerically only on numericAttributesForFiltering once it is set', async () => {
      const idx = t.index('x_numeric');
      const s = await t.admin.setSettings({
        indexName: idx,
        indexSettings: { numericAttributesForFiltering: ['equalOnly(price)', 'rating'] },
      });
      await settle(t, idx, s.taskID);
      const w = await t.admin.saveObjects({
        indexName: idx,
        objects: [
          { objectID: 'a', price: 10, rating: 5, other: 1 },
          { objectID: 'b', price: 20, rating: 2, other: 2 },
        ],
      });
      await settle(t, idx, w[0]!.taskID);
      // Algolia's getSettings answers name it numericAttributesToIndex; the v5 spec, by today's
      // name. The value reads the same under either here.
      const shown = (await t.admin.getSettings({ indexName: idx })) as Record<string, unknown>;
      const numeric = ['equalOnly(price)', 'rating'];
      expect(shown.numericAttributesForFiltering ?? shown.numericAttributesToIndex).toEqual(numeric);
      if (t.url) expect(shown.numericAttributesToIndex).toEqual(numeric);
      const ids = async (filters: string): Promise<string[]> =>
        (await t.admin.searchSingleIndex({ indexName: idx, searchParams: { filters } })).hits
          .map((h) => h.objectID)
          .sort();
      expect(await ids('rating > 3')).toEqual(['a']);
      expect(await ids('price = 10')).toEqual(['a']);
      expect(await ids('price != 10')).toEqual(['b']);
      expect(await ids('price > 3')).toEqual([]); // equalOnly: no ranges
      expect(await ids('price:5 TO 30')).toEqual([]);
      expect(await ids('other > 0')).toEqual([]); // not listed
    });

    it('takes back its own getSettings answer, and deprecated setting names', async () => {
      const idx = t.index('x_roundtrip');
      const s = await t.admin.setSettings({
        indexName: idx,
        indexSettings: { attributesToIndex: ['title'], customRanking: ['desc(n)'] } as never,
      });
      await settle(t, idx, s.taskID);
      const got = await t.admin.getSettings({ indexName: idx });
      expect(got.searchableAttributes).toEqual(['title']);
      const again = await t.admin.setSettings({ indexName: idx, indexSettings: got });
      await settle(t, idx, again.taskID);
      expect((await t.admin.getSettings({ indexName: idx })).customRanking).toEqual(['desc(n)']);
    });

    it('answers with the index renderingContent, and no facet information for no facets', async () => {
      const idx = t.index('x_rendering');
      const renderingContent = { facetOrdering: { facets: { order: ['brand'] } } };
      const s = await t.admin.setSettings({
        indexName: idx,
        indexSettings: { renderingContent, attributesForFaceting: ['brand', 'objectID'] },
      });
      await settle(t, idx, s.taskID);
      const w = await t.admin.saveObject({ indexName: idx, body: { objectID: 'a', brand: 'Acme' } });
      await settle(t, idx, w.taskID);
      const res = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { facets: [] } });
      expect(res.renderingContent).toEqual(renderingContent);
      expect(res).not.toHaveProperty('facets');
      expect(res).not.toHaveProperty('exhaustiveFacetsCount');
      const counted = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { facets: ['brand', 'objectID'] },
      });
      expect(counted.facets).toEqual({ brand: { Acme: 1 } });
      // A renderingContent parameter is an object (JSON in a params string).
      const asParam = await t.admin.searchSingleIndex({
        indexName: idx,
        searchParams: { params: 'renderingContent=%7B%22x%22%3A1%7D' },
      });
      expect(asParam.renderingContent).toEqual({ x: 1 });
      const refused = await failure(
        t.admin.searchSingleIndex({ indexName: idx, searchParams: { renderingContent: 5 } as never }),
      );
      expect(refused.status).toBe(400);
    });

    it('accepts gzip request bodies', async () => {
      if (!t.url) return; // raw HTTP only against the local engine
      const idx = t.index('x_gzip');
      const body = gzipSync(
        JSON.stringify({
          requests: [{ action: 'addObject', body: { objectID: 'g', text: 'zipped'.repeat(200) } }],
        }),
      );
      const r = await fetch(`${t.url}/1/indexes/${idx}/batch`, {
        method: 'POST',
        headers: {
          'content-encoding': 'gzip',
          'content-type': 'application/json',
          'x-algolia-application-id': t.appId,
          'x-algolia-api-key': 'admin-key-for-tests',
        },
        body,
      });
      expect(r.status).toBe(200);
      const { taskID } = (await r.json()) as { taskID: number };
      await settle(t, idx, taskID);
      expect((await t.admin.getObject({ indexName: idx, objectID: 'g' })).objectID).toBe('g');
    });

    it('takes "." and ".." as objectIDs, not as path steps', async () => {
      const idx = t.index('x_dots');
      const w = await t.admin.saveObjects({
        indexName: idx,
        objects: [{ objectID: 'keep' }, { objectID: '..' }],
      });
      await settle(t, idx, w[0]!.taskID);
      // The client resolves "." itself (the request goes to `/1/indexes/i/`): never the index.
      expect((await failure(t.admin.getObject({ indexName: idx, objectID: '.' }))).status).toBe(404);
      await failure(t.admin.deleteObject({ indexName: idx, objectID: '.' })).catch(() => undefined);
      expect((await t.admin.searchSingleIndex({ indexName: idx })).nbHits).toBe(2);
      if (!t.url) return; // raw HTTP only against the local engine
      // Sent as they are (node:http does not resolve them), they are objectIDs.
      const { port } = new URL(t.url);
      const raw = (method: string, path: string): Promise<{ status: number; body: string }> =>
        new Promise((resolve, reject) => {
          const r = request(
            {
              host: '127.0.0.1',
              port,
              method,
              path,
              headers: { 'x-algolia-application-id': t.appId, 'x-algolia-api-key': 'admin-key-for-tests' },
            },
            (res) => {
              let body = '';
              res.on('data', (d: Buffer) => (body += d.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            },
          );
          r.on('error', reject);
          r.end();
        });
      const got = await raw('GET', `/1/indexes/${idx}/..`);
      expect([got.status, JSON.parse(got.body)]).toEqual([200, { objectID: '..' }]);
      const del = await raw('DELETE', `/1/indexes/${idx}/.`);
      expect(del.status).toBe(200); // deleting a missing record: a task, nothing removed
      const after = await t.admin.searchSingleIndex({ indexName: idx });
      expect(after.nbHits).toBe(2);
      // No route has an empty segment: an index named '' is never made, listed or deleted.
      for (const [method, path] of [
        ['POST', '/1/indexes/'],
        ['DELETE', '/1/indexes/'],
        ['GET', `/1/indexes/${idx}/`],
        ['GET', '/1/task/'],
        ['GET', '/1/isalive#x'],
      ] as const)
        expect((await raw(method, path)).status, `${method} ${path}`).toBe(path.includes('#') ? 200 : 404);
    });

    it('answers queries holding half an emoji, and refuses records nested past 256 levels', async () => {
      const idx = t.index('x_odd');
      const w = await t.admin.saveObject({ indexName: idx, body: { objectID: 'a', t: 'smile 😀' } });
      await settle(t, idx, w.taskID);
      const cut = 'smile 😀'.slice(0, 7); // a lone high surrogate at the end
      const res = await t.admin.searchSingleIndex({ indexName: idx, searchParams: { query: cut } });
      expect(res.nbHits).toBe(1);
      const nest = (levels: number): unknown => {
        let v: unknown = 'x';
        for (let i = 0; i < levels; i++) v = [v];
        return v;
      };
      const ok = await t.admin.saveObject({ indexName: idx, body: { objectID: 'd', n: nest(255) } });
      await settle(t, idx, ok.taskID);
      expect((await t.admin.searchSingleIndex({ indexName: idx, searchParams: { query: 'x' } })).nbHits).toBe(
        1,
      );
      const deep = await failure(
        t.admin.saveObject({ indexName: idx, body: { objectID: 'e', n: nest(300) } }),
      );
      expect(deep.status).toBe(400);
      expect(deep.message).toMatch(/nested too deeply/);
      // The same through a batch (sized and checked in one walk): 255 levels of arrays or objects
      // below the record pass, 256 do not.
      const batched = await t.admin.saveObjects({
        indexName: idx,
        objects: [{ objectID: 'f', n: nest(255) }],
      });
      await settle(t, idx, batched[0]!.taskID);
      const inBatch = await failure(
        t.admin.saveObjects({
          indexName: idx,
          objects: [{ objectID: 'ok' }, { objectID: 'g', n: nest(256) }],
        }),
      );
      expect(inBatch.message).toMatch(/^Record at the position 1 objectID=g is nested too deeply/);
      const single = await failure(
        t.admin.saveObject({ indexName: idx, body: { objectID: 'g', n: nest(256) } }),
      );
      expect(single.message).toMatch(/nested too deeply/);
      const fine = await t.admin.saveObject({ indexName: idx, body: { objectID: 'h', n: nest(255) } });
      await settle(t, idx, fine.taskID);
      if (!t.url) return; // raw HTTP only against the local engine (the client cannot send it)
      const deeper = await fetch(`${t.url}/1/indexes/${idx}/query`, {
        method: 'POST',
        headers: { 'x-algolia-application-id': t.appId, 'x-algolia-api-key': 'admin-key-for-tests' },
        body: `{"facetFilters":${'['.repeat(20_000)}"a:b"${']'.repeat(20_000)}}`,
      });
      expect(deeper.status).toBe(400);
      // Settings are not deeper than records either (answers walk them).
      const deepSettings = await failure(
        t.admin.setSettings({ indexName: idx, indexSettings: { userData: nest(400) } }),
      );
      expect(deepSettings.status).toBe(400);
    });

    it('reads credentials from query parameters in any case', async () => {
      if (!t.url) return; // raw HTTP only against the local engine
      const r = await fetch(
        `${t.url}/1/indexes/*/queries?X-Algolia-Application-Id=${t.appId}&X-Algolia-API-Key=admin-key-for-tests&X-Algolia-Agent=x`,
        { method: 'POST', body: JSON.stringify({ requests: [] }) },
      );
      expect(r.status).toBe(200);
    });

    it('bounds what a gzip body expands to, refuses other encodings, and answers oversized requests with CORS', async () => {
      if (!t.url) return; // raw HTTP only against the local engine
      const headers = {
        'content-type': 'application/json',
        'x-algolia-application-id': t.appId,
        'x-algolia-api-key': 'admin-key-for-tests',
      };
      // ≈ 70 KB sent, 65 MB once expanded: more than a body may be.
      const bomb = gzipSync(Buffer.alloc(65 * 1024 * 1024, 0x20));
      const big = await fetch(`${t.url}/1/indexes/*/queries`, {
        method: 'POST',
        headers: { ...headers, 'content-encoding': 'gzip' },
        body: bomb,
      });
      expect(big.status).toBe(413);
      const br = await fetch(`${t.url}/1/indexes/*/queries`, {
        method: 'POST',
        headers: { ...headers, 'content-encoding': 'br' },
        body: '{"requests":[]}',
      });
      expect(br.status).toBe(415);
      // A long URL (a browser client's secured key) is read; a much longer one gets a 431 a
      // browser can see.
      expect((await fetch(`${t.url}/1/isalive?pad=${'a'.repeat(20_000)}`)).status).toBe(200);
      const huge = await fetch(`${t.url}/1/isalive?pad=${'a'.repeat(80_000)}`);
      expect(huge.status).toBe(431);
      expect(huge.headers.get('access-control-allow-origin')).toBe('*');
    });
  });
}

describe('indexing delay over HTTP', () => {
  let running: RunningEngine;
  beforeAll(async () => {
    running = await startEngine({ appId: 'DELAY', adminKey: 'delay-admin-key', indexingDelayMs: 150 });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('keeps tasks notPublished and writes invisible until the delay has passed', async () => {
    const c = algoliasearch('DELAY', 'delay-admin-key', {
      hosts: [{ url: '127.0.0.1', port: running.port, protocol: 'http', accept: 'readWrite' }],
    });
    const w = await c.saveObject({ indexName: 'slow', body: { objectID: 'a', v: 1 } });
    expect((await c.getTask({ indexName: 'slow', taskID: w.taskID })).status).toBe('notPublished');
    expect((await failure(c.searchSingleIndex({ indexName: 'slow' }))).status).toBe(404);
    await c.waitForTask({ indexName: 'slow', taskID: w.taskID, timeout: () => 20 });
    expect(await c.getObject({ indexName: 'slow', objectID: 'a' })).toEqual({ objectID: 'a', v: 1 });
  });

  it('applies numericAttributesForFiltering to a deleteBy as it runs, after settings queued before it', async () => {
    const slow = await startEngine({ appId: 'DELAY', adminKey: 'delay-admin-key', indexingDelayMs: 1000 });
    onTestFinished(() => slow.close());
    const c = algoliasearch('DELAY', 'delay-admin-key', {
      hosts: [{ url: '127.0.0.1', port: slow.port, protocol: 'http', accept: 'readWrite' }],
    });
    const w = await c.saveObjects({
      indexName: 'numeric',
      objects: [
        { objectID: 'a', n: 3 },
        { objectID: 'b', n: 7 },
      ],
    });
    await c.waitForTask({ indexName: 'numeric', taskID: w[0]!.taskID, maxRetries: 400, timeout: () => 50 });
    await c.setSettings({
      indexName: 'numeric',
      indexSettings: { numericAttributesForFiltering: ['price'] },
    });
    const d = await c.deleteBy({ indexName: 'numeric', deleteByParams: { filters: 'n > 1' } });
    await c.waitForTask({ indexName: 'numeric', taskID: d.taskID, maxRetries: 400, timeout: () => 50 });
    // When it ran, n no longer filtered numerically: nothing matched.
    expect((await c.searchSingleIndex({ indexName: 'numeric' })).nbHits).toBe(2);
  });

  it('reports pending tasks while a write waits', async () => {
    // A delay long enough that the checks below surely run within it, even on a loaded machine.
    const slow = await startEngine({ appId: 'DELAY', adminKey: 'delay-admin-key', indexingDelayMs: 3000 });
    onTestFinished(() => slow.close());
    const c = algoliasearch('DELAY', 'delay-admin-key', {
      hosts: [{ url: '127.0.0.1', port: slow.port, protocol: 'http', accept: 'readWrite' }],
    });
    const first = await c.saveObject({ indexName: 'pending', body: { objectID: 'a' } });
    await c.waitForTask({ indexName: 'pending', taskID: first.taskID, maxRetries: 400, timeout: () => 50 });
    const w = await c.saveObject({ indexName: 'pending', body: { objectID: 'b' } });
    const task = (await c.getTask({ indexName: 'pending', taskID: w.taskID })) as { pendingTask?: boolean };
    expect(task).toMatchObject({ status: 'notPublished', pendingTask: true });
    const listed = (await c.listIndices()).items.find((i) => i.name === 'pending');
    expect(listed).toMatchObject({ numberOfPendingTasks: 1, pendingTask: true });
    await c.waitForTask({ indexName: 'pending', taskID: w.taskID, maxRetries: 400, timeout: () => 50 });
    expect(await c.getTask({ indexName: 'pending', taskID: w.taskID })).toMatchObject({
      status: 'published',
      pendingTask: false,
    });
    expect((await c.listIndices()).items.find((i) => i.name === 'pending')).toMatchObject({
      numberOfPendingTasks: 0,
      pendingTask: false,
    });
    // Settings forwarded to replicas are pending for them too.
    const linked = await c.setSettings({ indexName: 'pending', indexSettings: { replicas: ['pending_r'] } });
    await c.waitForTask({ indexName: 'pending', taskID: linked.taskID, maxRetries: 400, timeout: () => 50 });
    await c.setSettings({ indexName: 'pending', indexSettings: { hitsPerPage: 5 }, forwardToReplicas: true });
    const items = (await c.listIndices()).items;
    expect(items.find((i) => i.name === 'pending_r')).toMatchObject({ numberOfPendingTasks: 1 });
  });
});
