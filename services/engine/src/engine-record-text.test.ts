/**
 * Records of a large batch request are kept as their own text from the request (a slice of it)
 * instead of parsed objects, and snapshots keep them as text. Whatever way a record is stored,
 * every read must return what the client sent (objectID normalized) — before and after a restart.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from './index';
import { representation } from './testing/representation';
import { heapAfterGc } from './testing/gc';

const dirs: string[] = [];
const running: RunningEngine[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ADMIN = 'text-admin-key';
const headers = { 'x-algolia-application-id': 'TEXT', 'x-algolia-api-key': ADMIN };

/** A fresh data folder, removed after the test. */
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ndf-text-'));
  dirs.push(dir);
  return dir;
}

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
    const dir = dataDir();
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
    // Three records need normalizing (stored as objects).
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
    const res = await call(r, 'POST', '/1/indexes/things/batch', JSON.stringify({ requests }));
    await call(r, 'GET', `/1/indexes/things/task/${String(res.taskID)}`);
    const generated = (res.objectIDs as string[])[301]!;
    // Pretty-printed, as some clients send it: their texts are not kept (a snapshot line must stay
    // one record, and sizes must not depend on formatting), the records are.
    const pretty = records().map((r) => ({ ...r, objectID: `p${String(r.objectID)}` }));
    await call(
      r,
      'POST',
      '/1/indexes/things/batch',
      JSON.stringify({ requests: pretty.map((body) => ({ action: 'addObject', body })) }, null, 2),
    );

    // The path under test was taken: most records are stored as text.
    const core = r.engine.require('things').core;
    const stored = [...core.stored()];
    expect(stored.filter((s) => typeof s === 'string').length).toBeGreaterThan(250);

    expect(stored.filter((s) => typeof s === 'string' && s.includes('\n'))).toEqual([]);

    const expected = new Map<string, unknown>([...sent, ...pretty].map((s) => [s.objectID as string, s]));
    expected.set('n5', { objectID: 'n5', title: 'replaced in the same batch' });
    expected.set('7', { objectID: '7', title: 'numeric id' });
    expected.set(generated, { objectID: generated, title: 'no id' });

    const check = async (): Promise<void> => {
      for (const id of ['n0', 'n5', 'n299', '7', generated, 'pn0', 'pn299']) {
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
      expect(hits.map((h) => h.objectID)).toEqual(['n299', 'pn299', 'n298']);
      expect(hits[0]!.title).toBe((expected.get('n299') as { title: string }).title);
    };
    // Restart before anything reads the records (reads parse and keep them): the snapshot is
    // written from the texts. Then once more after reading everything.
    await r.close();
    running.splice(0);
    r = await start(dir);
    const texts = [...r.engine.require('things').core.stored()].filter((s) => typeof s === 'string');
    expect(texts.length).toBeGreaterThan(550);
    // Kept ASCII (non-ASCII escaped) and one byte per character in V8, in the snapshot too. (Not
    // checked with a regular expression: its last match would keep this engine's text alive.)
    expect(
      texts.filter((t) => Buffer.byteLength(t) !== t.length || representation(t) !== 'one-byte'),
    ).toEqual([]);
    expect(texts.filter((t) => t.includes('\\u00e9')).length).toBeGreaterThan(550);
    await check();
    await r.close();
    running.splice(0);
    r = await start(dir);
    await check();
  });

  it("does not keep a batch's text alive when the batch repeats an objectID", async () => {
    const heap = heapAfterGc;
    const r = await start(dataDir());
    await call(r, 'PUT', '/1/indexes/dups/settings', JSON.stringify({ searchableAttributes: ['title'] }));
    const before = heap();
    // 10 batches of 300 records of 9 KB whose first 200 share one objectID: 101 records of each
    // stay, under half of its text, so no batch's text (2.7 MB) may stay behind them.
    for (let b = 0; b < 10; b++) {
      const requests = Array.from({ length: 300 }, (_, i) => ({
        action: 'addObject',
        body: { objectID: i < 200 ? `dup${b}` : `u${b}-${i}`, title: `t${i}`, notes: 'y'.repeat(9_000) },
      }));
      const res = await call(r, 'POST', '/1/indexes/dups/batch', JSON.stringify({ requests }));
      await call(r, 'GET', `/1/indexes/dups/task/${String(res.taskID)}`);
    }
    const core = r.engine.require('dups').core;
    expect(core.count).toBe(1010);
    expect(core.textBlockCount).toBe(0);
    // 1,010 records of 9 KB: 9 MB; the batches' texts would add 27 MB.
    expect(heap() - before).toBeLessThan(18 * 1024 * 1024);
  });

  it('tracks records read from a snapshot as blocks: deleting most of them frees their text', async () => {
    const dir = dataDir();
    let r = await start(dir);
    await call(r, 'PUT', '/1/indexes/kept/settings', JSON.stringify({ searchableAttributes: ['title'] }));
    // 3,000 records of 3 KB: three snapshot blocks of 1,024 records.
    for (let b = 0; b < 10; b++) {
      const requests = Array.from({ length: 300 }, (_, i) => ({
        action: 'addObject',
        body: { objectID: `k${b * 300 + i}`, title: `t${i}`, notes: 'z'.repeat(3_000) },
      }));
      const res = await call(r, 'POST', '/1/indexes/kept/batch', JSON.stringify({ requests }));
      await call(r, 'GET', `/1/indexes/kept/task/${String(res.taskID)}`);
    }
    for (const forward of ['intact', 'damaged']) {
      await r.close();
      running.splice(0);
      // Without its forward file the index is rebuilt record by record (texts copied, untracked).
      if (forward === 'damaged')
        for (const f of readdirSync(dir)) if (f.startsWith('fwd-')) writeFileSync(join(dir, f), 'damaged');
      r = await start(dir);
      const core = r.engine.require('kept').core;
      expect(core.textBlockCount).toBe(forward === 'intact' ? 3 : 0);
      const before = heapAfterGc();
      // Keep one record in ten: every block falls under half and lets its string go.
      const ids = [...core.stored()]
        .map((x) => (typeof x === 'string' ? (JSON.parse(x) as { objectID: string }).objectID : ''))
        .filter((id, i) => id !== '' && i % 10 !== 0);
      await r.engine.submit({
        k: 'batch',
        items: ids.map((objectID) => ({ action: 'deleteObject', indexName: 'kept', body: { objectID } })),
      });
      expect(core.textBlockCount).toBe(0);
      // 2,700 texts of 3 KB (8 MB) freed, whether they were views of blocks or copies.
      expect(before - heapAfterGc()).toBeGreaterThan(6 * 1024 * 1024);
      // Put the records back for the next round.
      const requests = ids.map((objectID) => ({
        action: 'addObject',
        body: { objectID, title: 'again', notes: 'z'.repeat(3_000) },
      }));
      const res = await call(r, 'POST', '/1/indexes/kept/batch', JSON.stringify({ requests }));
      await call(r, 'GET', `/1/indexes/kept/task/${String(res.taskID)}`);
    }
  });

  it('does not keep a snapshot chunk alive for an index of one record', async () => {
    const dir = dataDir();
    // Written by an engine that is unreachable once this returns.
    const write = async (): Promise<void> => {
      const first = await start(dir);
      // "one" comes first in the snapshot: its line is read in a full 4 MB chunk.
      for (const [name, n] of [
        ['one', 1],
        ['big', 1300],
      ] as const) {
        const settings = JSON.stringify({ searchableAttributes: ['title'] });
        await call(first, 'PUT', `/1/indexes/${name}/settings`, settings);
        const requests = Array.from({ length: n }, (_, i) => ({
          action: 'addObject',
          body: { objectID: `${name}${i}`, title: `t${i}`, notes: 'q'.repeat(3_000) },
        }));
        const res = await call(first, 'POST', `/1/indexes/${name}/batch`, JSON.stringify({ requests }));
        await call(first, 'GET', `/1/indexes/${name}/task/${String(res.taskID)}`);
      }
      await first.close();
      running.splice(0);
    };
    await write();
    const before = heapAfterGc();
    const r = await start(dir);
    const del = await call(r, 'DELETE', '/1/indexes/big');
    await call(r, 'GET', `/1/indexes/big/task/${String(del.taskID)}`);
    expect(r.engine.require('one').core.count).toBe(1);
    // One record of 3 KB and an engine remain; the chunk its line was read in is 4 MB.
    expect(heapAfterGc() - before).toBeLessThan(2 * 1024 * 1024);
  });

  it('refuses to start on a damaged snapshot record, saying where, without quoting it', async () => {
    const dir = dataDir();
    const r = await start(dir);
    await call(r, 'PUT', '/1/indexes/diary/settings', JSON.stringify({ attributesForFaceting: ['tags'] }));
    const requests = records().map((body) => ({ action: 'addObject', body }));
    const res = await call(r, 'POST', '/1/indexes/diary/batch', JSON.stringify({ requests }));
    await call(r, 'GET', `/1/indexes/diary/task/${String(res.taskID)}`);
    await r.close();
    running.splice(0);
    const path = join(dir, 'snapshot.ndjson');
    const good = readFileSync(path, 'utf8').split('\n');
    const at = good.findIndex((l) => l.includes('"n7"'));
    expect(at).toBeGreaterThan(0);
    const failure = async (lines: string[]): Promise<Error> => {
      writeFileSync(path, lines.join('\n'));
      return startEngine({ appId: 'TEXT', adminKey: ADMIN, dataDir: dir }).then(
        () => new Error('started'),
        (e: unknown) => e as Error,
      );
    };
    const damaged = (fn: (line: string) => string): string[] => good.map((l, i) => (i === at ? fn(l) : l));
    // Cut short (as a damaged disk might leave it), a bad escape where a restart reads no value,
    // one letter changed (still JSON: only the checksum tells).
    for (const damage of [
      (l: string) => l.slice(0, 40),
      (l: string) => l.replace('"Night 7 ', '"Night 7 \\q '),
      (l: string) => l.replace('Night 7', 'Nighu 7'),
    ]) {
      const lines = damaged(damage);
      expect(lines[at]).not.toBe(good[at]);
      const failed = await failure(lines);
      expect(failed.message).toMatch(/snapshot .* is corrupt: index "diary" does not match its checksum/);
      expect(failed.message).not.toMatch(/Night|river|flying/);
    }
    // The index line: its settings (or the name of its forward file) changed.
    const indexAt = good.findIndex((l) => l.startsWith('{"index":'));
    const renamed = await failure(
      good.map((l, i) =>
        i === indexAt ? l.replace('"attributesForFaceting":["tags"]', '"attributesForFaceting":["tagz"]') : l,
      ),
    );
    expect(good[indexAt]).toContain('"attributesForFaceting":["tags"]');
    expect(renamed.message).toMatch(/snapshot .* is corrupt: index "diary" does not match its checksum/);
    // A format this engine does not know yet (a newer engine's): said so, not called corrupt.
    const newer = await failure(good.map((l, i) => (i === 0 ? l.replace('"version":2', '"version":3') : l)));
    expect(newer.message).toMatch(/snapshot .* is of format 3, written by a newer engine/);
    // The last record line of the index split in two: its second half is read where the
    // checksum belongs.
    const last = good.findIndex((l) => l.includes('"n299"'));
    const split = await failure(good.map((l, i) => (i === last ? `${l.slice(0, 30)}\n${l.slice(30)}` : l)));
    expect(split.message).toMatch(/snapshot .* is corrupt: a checksum line is not valid JSON/);
    expect(split.message).not.toMatch(/Night|river|flying/);
    // A snapshot written before checksums (format 1): every record is parsed whole, which still
    // finds one that is not JSON, and reads a sound one as before.
    const v1 = (lines: string[]): string[] =>
      lines
        .filter((l) => !l.startsWith('{"crc32":'))
        .map((l, i) => (i === 0 ? l.replace('"version":2', '"version":1') : l));
    expect(good[0]).toContain('"version":2');
    const old = await failure(v1(damaged((l) => l.slice(0, 40))));
    expect(old.message).toMatch(/snapshot .* damaged: index "diary": a stored record is not valid JSON/);
    expect(old.message).not.toContain('Night');
    writeFileSync(path, v1(good).join('\n'));
    const reopened = await start(dir);
    expect(await call(reopened, 'GET', '/1/indexes/diary/n7')).toEqual(records()[7]);
    const facets = await call(
      reopened,
      'POST',
      '/1/indexes/diary/query',
      JSON.stringify({ facets: ['tags'], hitsPerPage: 0 }),
    );
    expect((facets.facets as Record<string, Record<string, number>>).tags).toMatchObject({ dream: 300 });
  });

  it('does not keep the padding of a bulk request alive with its records', async () => {
    const r = await start(dataDir());
    await call(r, 'PUT', '/1/indexes/pad/settings', JSON.stringify({ searchableAttributes: ['t'] }));
    const before = heapAfterGc();
    // Five batches of 300 small records (≈ 20 KB), each followed by 4 MB of spaces.
    for (let b = 0; b < 5; b++) {
      const requests = Array.from({ length: 300 }, (_, i) => ({
        action: 'addObject',
        body: { objectID: `p${b}-${i}`, t: `dream ${i}` },
      }));
      const res = await call(
        r,
        'POST',
        '/1/indexes/pad/batch',
        JSON.stringify({ requests }) + ' '.repeat(4 << 20),
      );
      await call(r, 'GET', `/1/indexes/pad/task/${String(res.taskID)}`);
    }
    expect(r.engine.require('pad').core.count).toBe(1500);
    // 1,500 records of ≈ 60 bytes stay; the padded requests would be 20 MB.
    expect(heapAfterGc() - before).toBeLessThan(8 * 1024 * 1024);
  });

  it('writes a record stored as multi-line text as one snapshot line', async () => {
    const dir = dataDir();
    let r = await start(dir);
    await call(r, 'PUT', '/1/indexes/lines/settings', JSON.stringify({ searchableAttributes: ['title'] }));
    const record = { objectID: 'a', title: 'two\nlines', n: 1 };
    // Not what the batch path stores (it refuses such texts), but nothing else may break a snapshot.
    r.engine.require('lines').core.upsert(record, JSON.stringify(record, null, 2));
    await r.engine.submit({
      k: 'batch',
      items: [{ action: 'addObject', indexName: 'lines', body: { objectID: 'b' } }],
    });
    await r.close();
    running.splice(0);
    r = await start(dir);
    expect(await call(r, 'GET', '/1/indexes/lines/a')).toEqual(record);
    expect(await call(r, 'GET', '/1/indexes/lines/b')).toEqual({ objectID: 'b' });
  });

  it('reports the same dataSize however the request was formatted', async () => {
    const dir = dataDir();
    const r = await start(dir);
    const sizes: number[] = [];
    for (const [name, format] of [
      ['compact', (t: string) => t],
      ['pretty', (t: string) => JSON.stringify(JSON.parse(t), null, 2)],
      ['spaced', (t: string) => t.replaceAll('":', '": ')],
      ['escaped', (t: string) => t.replaceAll('é', '\\u00e9')],
    ] as const) {
      // The index exists before the batch (a batch creating its index is indexed inline).
      await call(
        r,
        'PUT',
        `/1/indexes/${name}/settings`,
        JSON.stringify({ searchableAttributes: ['title'] }),
      );
      const requests = records().map((body) => ({ action: 'addObject', body }));
      const res = await call(r, 'POST', `/1/indexes/${name}/batch`, format(JSON.stringify({ requests })));
      await call(r, 'GET', `/1/indexes/${name}/task/${String(res.taskID)}`);
      const list = (await call(r, 'GET', '/1/indexes')).items as { name: string; dataSize: number }[];
      sizes.push(list.find((i) => i.name === name)!.dataSize);
    }
    expect([...r.engine.require('compact').core.stored()].every((x) => typeof x === 'string')).toBe(true);
    expect(new Set(sizes).size).toBe(1);
    expect(sizes[0]).toBe(records().reduce((n, rec) => n + Buffer.byteLength(JSON.stringify(rec)), 0));
  });

  it("lets a batch's text go once most of its records are read, and copies it for replicas and rebuilds", async () => {
    const r = await start(dataDir());
    await call(
      r,
      'PUT',
      '/1/indexes/blocks/settings',
      JSON.stringify({ searchableAttributes: ['title'], replicas: ['blocks_copy'] }),
    );
    const core = (): ReturnType<typeof r.engine.require>['core'] => r.engine.require('blocks').core;
    const sent = records();
    for (let b = 0; b < 3; b++) {
      const requests = sent.map((body) => ({
        action: 'addObject',
        body: { ...body, objectID: `${b}-${String(body.objectID)}` },
      }));
      const res = await call(r, 'POST', '/1/indexes/blocks/batch', JSON.stringify({ requests }));
      await call(r, 'GET', `/1/indexes/blocks/task/${String(res.taskID)}`);
    }
    expect(core().textBlockCount).toBe(3);
    // Reading 200 of a batch's 300 records (parsed and kept: under half of the batch's text is
    // left) lets that batch's block go.
    const ids = sent.slice(0, 200).map((x) => ({ indexName: 'blocks', objectID: `1-${String(x.objectID)}` }));
    const got = (await call(r, 'POST', '/1/indexes/*/objects', JSON.stringify({ requests: ids })))
      .results as Record<string, unknown>[];
    expect(got.map((x) => x.objectID)).toEqual(ids.map((x) => x.objectID));
    expect(core().textBlockCount).toBe(2);
    // So does deleting 200 of a batch's records.
    const deletes = sent
      .slice(0, 200)
      .map((x) => ({ action: 'deleteObject', body: { objectID: `2-${String(x.objectID)}` } }));
    const del = await call(r, 'POST', '/1/indexes/blocks/batch', JSON.stringify({ requests: deletes }));
    await call(r, 'GET', `/1/indexes/blocks/task/${String(del.taskID)}`);
    expect(core().textBlockCount).toBe(1);
    // A rebuild (searchable attributes changed) keeps copies too.
    const task = await call(
      r,
      'PUT',
      '/1/indexes/blocks/settings',
      JSON.stringify({ searchableAttributes: ['body'] }),
    );
    await call(r, 'GET', `/1/indexes/blocks/task/${String(task.taskID)}`);
    expect(core().textBlockCount).toBe(0);
    // Whatever happened to its block, every record reads back as sent.
    for (const b of [0, 1, 2]) {
      const want = sent
        .slice(b === 2 ? 200 : 0)
        .map((x) => ({ ...x, objectID: `${b}-${String(x.objectID)}` }));
      const req = want.map((x) => ({ indexName: 'blocks', objectID: x.objectID }));
      const res = (await call(r, 'POST', '/1/indexes/*/objects', JSON.stringify({ requests: req }))).results;
      expect(res).toEqual(want);
      const copies = (
        await call(
          r,
          'POST',
          '/1/indexes/*/objects',
          JSON.stringify({ requests: req.map((q) => ({ ...q, indexName: 'blocks_copy' })) }),
        )
      ).results;
      expect(copies).toEqual(want);
    }
  });

  it('does not keep a request (or its batch text) alive for the records of it that remain', async () => {
    const dir = dataDir();
    const r = await start(dir);
    // A replica keeps the records too (as copies of its own), and every batch is followed by a
    // rebuild (new searchable attributes): no survivor may hold its batch's text.
    await call(
      r,
      'PUT',
      '/1/indexes/big/settings',
      JSON.stringify({ searchableAttributes: ['title'], replicas: ['big_copy'] }),
    );
    const heap = (): number => heapAfterGc() + process.memoryUsage().external;
    const before = heap();
    // 30 requests of ~900 KB; one record of each is kept.
    for (let b = 0; b < 30; b++) {
      const requests = Array.from({ length: 300 }, (_, i) => ({
        action: 'addObject',
        body: { objectID: `b${b}-${i}`, title: `t${i}`, notes: `${b}:${i} `.padEnd(3000, 'x') },
      }));
      const res = await call(r, 'POST', '/1/indexes/big/batch', JSON.stringify({ requests }));
      await call(r, 'GET', `/1/indexes/big/task/${String(res.taskID)}`);
      const searchable = b % 2 === 0 ? ['objectID', 'title'] : ['title'];
      const set = await call(
        r,
        'PUT',
        '/1/indexes/big/settings',
        JSON.stringify({ searchableAttributes: searchable }),
      );
      await call(r, 'GET', `/1/indexes/big/task/${String(set.taskID)}`);
      const deletes = requests
        .slice(1)
        .map((q) => ({ action: 'deleteObject', body: { objectID: q.body.objectID } }));
      const del = await call(r, 'POST', '/1/indexes/big/batch', JSON.stringify({ requests: deletes }));
      await call(r, 'GET', `/1/indexes/big/task/${String(del.taskID)}`);
    }
    expect([...r.engine.require('big').core.stored()].filter((x) => typeof x === 'string')).toHaveLength(30);
    expect([...r.engine.require('big_copy').core.stored()].filter((x) => typeof x === 'string')).toHaveLength(
      30,
    );
    // 2 × 30 records of 3 KB stay; 30 requests (or batch texts) would be 27 MB.
    expect(heap() - before).toBeLessThan(8 * 1024 * 1024);
  });

  it('keeps every record text one byte per character, also the plain ones of a request with curly quotes, and in replicas', async () => {
    const r = await start(dataDir());
    const settings = JSON.stringify({ searchableAttributes: ['t'], replicas: ['mixed_copy'] });
    await call(r, 'PUT', '/1/indexes/mixed/settings', settings);
    const requests = Array.from({ length: 300 }, (_, i) => ({
      action: 'addObject',
      body: { objectID: `m${i}`, t: i % 10 === 0 ? `plain text ${i}` : `don’t ${i} 😀` },
    }));
    // Escaped as the request is decoded; and, led by a byte order mark (which escaping would turn
    // into text), decoded as it is and escaped record by record.
    for (const lead of ['', '\ufeff']) {
      const res = await call(r, 'POST', '/1/indexes/mixed/batch', lead + JSON.stringify({ requests }));
      await call(r, 'GET', `/1/indexes/mixed/task/${String(res.taskID)}`);
      for (const name of ['mixed', 'mixed_copy']) {
        const texts = [...r.engine.require(name).core.stored()].filter((t) => typeof t === 'string');
        expect(texts.length).toBe(300);
        expect(texts.filter((t) => representation(t) !== 'one-byte')).toEqual([]);
      }
    }
    expect(await call(r, 'GET', '/1/indexes/mixed/m1')).toEqual({ objectID: 'm1', t: 'don’t 1 😀' });
    expect(await call(r, 'GET', '/1/indexes/mixed_copy/m10')).toEqual({
      objectID: 'm10',
      t: 'plain text 10',
    });
  });

  it('keeps objects, not the text, when a client escape hides behind short numbers (dataSize stays exact)', async () => {
    const r = await start(dataDir());
    await call(r, 'PUT', '/1/indexes/esc/settings', JSON.stringify({ searchableAttributes: ['t'] }));
    // `1e21` is one byte shorter than JSON.stringify's `1e+21`; `\u00e9` four bytes longer than é.
    const bodies = Array.from(
      { length: 300 },
      (_, i) =>
        `{"action":"addObject","body":{"objectID":"o${i}","t":"caf\\u00e9 ${i}","n":[1e21,1e21,1e21,1e21]}}`,
    );
    const res = await call(r, 'POST', '/1/indexes/esc/batch', `{"requests":[${bodies.join(',')}]}`);
    await call(r, 'GET', `/1/indexes/esc/task/${String(res.taskID)}`);
    const list = (await call(r, 'GET', '/1/indexes')).items as { name: string; dataSize: number }[];
    const core = r.engine.require('esc').core;
    let want = 0;
    for (let i = 0; i < 300; i++) want += Buffer.byteLength(JSON.stringify(core.get(`o${i}`)));
    expect(list.find((i) => i.name === 'esc')!.dataSize).toBe(want);
    expect([...core.stored()].filter((x) => typeof x === 'string')).toEqual([]);
    expect(core.get('o3')).toEqual({ objectID: 'o3', t: 'café 3', n: [1e21, 1e21, 1e21, 1e21] });
  });

  it('logs a batch in about the size of its UTF-8, in Latin and in non-Latin scripts', async () => {
    const dir = dataDir();
    const r = await start(dir);
    const walBytes = (): number =>
      readdirSync(dir)
        .filter((f) => f.startsWith('wal-'))
        .reduce((n, f) => n + readFileSync(join(dir, f)).length, 0);
    for (const [name, text] of [
      ['latin', 'She said “it’s fine” and left the café at noon'],
      ['cyrillic', 'Мне снился длинный коридор и дверь в конце'],
      ['cjk', '我梦见一条很长的走廊，尽头有一扇门'],
    ] as const) {
      const settings = { searchableAttributes: ['t'], replicas: [`${name}_copy`] };
      await call(r, 'PUT', `/1/indexes/${name}/settings`, JSON.stringify(settings));
      const requests = Array.from({ length: 300 }, (_, i) => ({
        action: 'addObject',
        body: { objectID: `${name}${i}`, t: `${text.repeat(8)} ${i}` }, // a journal entry's length
      }));
      const body = JSON.stringify({ requests });
      const before = walBytes();
      const res = await call(r, 'POST', `/1/indexes/${name}/batch`, body);
      await call(r, 'GET', `/1/indexes/${name}/task/${String(res.taskID)}`);
      // Escaped, Cyrillic would be logged at 2.7 times its UTF-8, CJK at 2 times: they are logged
      // as sent. A Latin text is escaped (here 4 curly quotes or accents in 46 characters).
      const limit = name === 'latin' ? 1.3 : 1.05;
      expect(walBytes() - before, name).toBeLessThan(limit * Buffer.byteLength(body));
      const texts = [name, `${name}_copy`].flatMap((index) =>
        [...r.engine.require(index).core.stored()].filter((t) => typeof t === 'string'),
      );
      expect(texts.length, name).toBe(600);
      // Kept ASCII when that is smaller than two bytes per character, as they are otherwise.
      const kept = (t: string): string =>
        name === 'latin' ? representation(t) : t.includes('\\u') ? 'escaped' : representation(t);
      expect(new Set(texts.map(kept)), name).toEqual(new Set([name === 'latin' ? 'one-byte' : 'two-byte']));
      expect(await call(r, 'GET', `/1/indexes/${name}/${name}7`)).toEqual({
        objectID: `${name}7`,
        t: `${text.repeat(8)} 7`,
      });
    }
    const sizes = async (engine: RunningEngine): Promise<number[]> =>
      ((await call(engine, 'GET', '/1/indexes')).items as { name: string; dataSize: number }[])
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((i) => i.dataSize);
    const before = await sizes(r);
    await r.close();
    running.length = 0;
    // After a restart from the snapshot: the same records, sizes and representations.
    const again = await start(dir);
    expect(await sizes(again)).toEqual(before);
    const texts = [...again.engine.require('cyrillic').core.stored()].filter((t) => typeof t === 'string');
    expect(texts.length).toBe(300); // every snapshot line is read back as text
    expect(texts.filter((t) => t.includes('\\u') || representation(t) !== 'two-byte')).toEqual([]);
    expect(await call(again, 'GET', '/1/indexes/cjk/cjk9')).toEqual({
      objectID: 'cjk9',
      t: `${'我梦见一条很长的走廊，尽头有一扇门'.repeat(8)} 9`,
    });
  });

  it('keeps a Russian entry among English ones as it is, not escaped, before and after a restart', async () => {
    const dir = dataDir();
    const r = await start(dir);
    await call(r, 'PUT', '/1/indexes/mixed/settings', JSON.stringify({ searchableAttributes: ['t'] }));
    const entry = (i: number): string =>
      i % 10 === 0
        ? `Мне снился длинный коридор и дверь в конце ${i}`.repeat(4)
        : `She said “it’s fine” and left the café at noon ${i}`.repeat(4);
    const requests = Array.from({ length: 300 }, (_, i) => ({
      action: 'addObject',
      body: { objectID: `m${i}`, t: entry(i) },
    }));
    const res = await call(r, 'POST', '/1/indexes/mixed/batch', JSON.stringify({ requests }));
    await call(r, 'GET', `/1/indexes/mixed/task/${String(res.taskID)}`);
    const check = async (engine: RunningEngine): Promise<void> => {
      const stored = [...engine.engine.require('mixed').core.stored()];
      const how = (t: unknown): string =>
        typeof t !== 'string'
          ? 'object'
          : t.includes('\\u')
            ? `escaped ${representation(t)}`
            : representation(t);
      expect(stored.filter((_, i) => i % 10 === 0).map(how)).toEqual(Array(30).fill('two-byte'));
      expect(new Set(stored.filter((_, i) => i % 10 !== 0).map(how))).toEqual(new Set(['escaped one-byte']));
      const list = (await call(engine, 'GET', '/1/indexes')).items as { name: string; dataSize: number }[];
      const want = requests.reduce((n, q) => n + Buffer.byteLength(JSON.stringify(q.body)), 0);
      expect(list.find((i) => i.name === 'mixed')!.dataSize).toBe(want);
    };
    await check(r);
    await r.close();
    running.length = 0;
    const again = await start(dir);
    await check(again);
    expect(await call(again, 'GET', '/1/indexes/mixed/m20')).toEqual({ objectID: 'm20', t: entry(20) });
  });

  it("restores a Russian writer's entries as they are, one block of text per 1,024 records", async () => {
    const dir = dataDir();
    const r = await start(dir);
    await call(r, 'PUT', '/1/indexes/ru/settings', JSON.stringify({ attributesForFaceting: ['mood'] }));
    const body = (i: number): Record<string, unknown> => ({
      objectID: `r${i}`,
      t: `Мне снился длинный коридор и дверь в конце ${i} — «сон»`.repeat(3),
      mood: i % 2 ? 'спокойный' : 'тревожный',
    });
    const requests = Array.from({ length: 1500 }, (_, i) => ({ action: 'addObject', body: body(i) }));
    const res = await call(r, 'POST', '/1/indexes/ru/batch', JSON.stringify({ requests }));
    await call(r, 'GET', `/1/indexes/ru/task/${String(res.taskID)}`);
    await r.close();
    running.length = 0;
    const again = await start(dir);
    const core = again.engine.require('ru').core;
    expect(core.textBlockCount).toBe(2);
    expect(
      new Set([...core.stored()].map((t) => (typeof t === 'string' ? representation(t) : 'object'))),
    ).toEqual(new Set(['two-byte']));
    for (const i of [0, 1023, 1024, 1499])
      expect(await call(again, 'GET', `/1/indexes/ru/r${i}`)).toEqual(body(i));
    const found = await call(
      again,
      'POST',
      '/1/indexes/ru/query',
      JSON.stringify({ query: 'коридор', facets: ['mood'], hitsPerPage: 0 }),
    );
    expect(found.facets).toEqual({ mood: { спокойный: 750, тревожный: 750 } });
  });
});
