/**
 * Records of a large batch request are kept as their own text from the request (a slice of it)
 * instead of parsed objects, and snapshots keep them as text. Whatever way a record is stored,
 * every read must return what the client sent (objectID normalized) — before and after a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from './index';

const dirs: string[] = [];
const running: RunningEngine[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ADMIN = 'text-admin-key';
const headers = { 'x-algolia-application-id': 'TEXT', 'x-algolia-api-key': ADMIN };

async function start(dataDir: string): Promise<RunningEngine> {
  const r = await startEngine({ appId: 'TEXT', adminKey: ADMIN, dataDir });
  running.push(r);
  return r;
}

async function call(
  r: RunningEngine,
  method: string,
  path: string,
  body?: string,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${r.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const json = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json;
}

/** 300 records (the worker path needs 256): text with escapes and non-ASCII, nested values. */
function records(): Record<string, unknown>[] {
  return Array.from({ length: 300 }, (_, i) => ({
    objectID: `n${i}`,
    title: `Night ${i} — “flying” over the \\ river`,
    body: `line one\nline "two" ${i} café 😀`,
    tags: ['dream', `t${i % 7}`],
    nested: { score: i / 4, flags: [true, null, { deep: `x${i}` }] },
    created_at: 1_600_000_000 + i,
  }));
}

describe('records kept as request text', () => {
  it('reads back exactly what was sent, through every read path, before and after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ndf-text-'));
    dirs.push(dir);
    let r = await start(dir);
    await call(
      r,
      'PUT',
      '/1/indexes/things/settings',
      JSON.stringify({
        searchableAttributes: ['title', 'body'],
        attributesForFaceting: ['tags'],
        customRanking: ['desc(created_at)'],
      }),
    );
    const sent = records();
    // Pretty-printed, as some clients send it; three records need normalizing (stored as objects).
    const requests = sent.map((body) => ({ action: 'addObject', body }));
    requests.push({
      action: 'addObject',
      body: { objectID: 7, title: 'numeric id' },
    });
    requests.push({ action: 'addObject', body: { title: 'no id' } });
    requests.push({
      action: 'updateObject',
      body: { objectID: 'n5', title: 'replaced in the same batch' },
    });
    const res = await call(r, 'POST', '/1/indexes/things/batch', JSON.stringify({ requests }, null, 2));
    await call(r, 'GET', `/1/indexes/things/task/${String(res.taskID)}`);
    const generated = (res.objectIDs as string[])[301]!;

    // The path under test was taken: most records are stored as text.
    const core = r.engine.require('things').core;
    const stored = [...core.stored()];
    expect(stored.filter((s) => typeof s === 'string').length).toBeGreaterThan(250);

    const expected = new Map<string, unknown>(sent.map((s) => [s.objectID as string, s]));
    expected.set('n5', { objectID: 'n5', title: 'replaced in the same batch' });
    expected.set('7', { objectID: '7', title: 'numeric id' });
    expected.set(generated, { objectID: generated, title: 'no id' });

    const check = async (): Promise<void> => {
      for (const id of ['n0', 'n5', 'n299', '7', generated]) {
        expect(await call(r, 'GET', `/1/indexes/things/${encodeURIComponent(id)}`)).toEqual(expected.get(id));
      }
      const many = await call(
        r,
        'POST',
        '/1/indexes/*/objects',
        JSON.stringify({
          requests: [
            { indexName: 'things', objectID: 'n42' },
            { indexName: 'things', objectID: 'n43', attributesToRetrieve: ['nested'] },
          ],
        }),
      );
      expect(many.results).toEqual([
        expected.get('n42'),
        { objectID: 'n43', nested: (expected.get('n43') as { nested: unknown }).nested },
      ]);
      const browsed = await call(
        r,
        'POST',
        '/1/indexes/things/browse',
        JSON.stringify({ hitsPerPage: 1000 }),
      );
      const records = (browsed.hits as Record<string, unknown>[]).map(
        ({ _highlightResult: _h, ...rec }) => rec,
      );
      expect(new Map(records.map((h) => [h.objectID, h]))).toEqual(expected);
      // Custom ranking reads a column, not the records: newest first.
      const hits = (
        await call(
          r,
          'POST',
          '/1/indexes/things/query',
          JSON.stringify({ query: 'night', hitsPerPage: 3, attributesToHighlight: [] }),
        )
      ).hits as { objectID: string; title: string }[];
      expect(hits.map((h) => h.objectID)).toEqual(['n299', 'n298', 'n297']);
      expect(hits[0]!.title).toBe((expected.get('n299') as { title: string }).title);
    };
    await check();
    await r.close();
    running.splice(0);
    r = await start(dir);
    expect(
      [...r.engine.require('things').core.stored()].filter((s) => typeof s === 'string').length,
    ).toBeGreaterThan(250);
    await check();
  });
});
