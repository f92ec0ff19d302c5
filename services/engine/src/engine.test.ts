import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { search } from './core/query';
import { Engine } from './engine';

const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'engine-unit-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ctx = { indexName: 'things', keyFilters: [], isAdmin: true, echo: '' };

async function seed(dir: string, opts: { compactBytes?: number } = {}): Promise<Engine> {
  const e = Engine.open({ dataDir: dir, ...opts });
  await e.submit({
    k: 'settings',
    index: 'things',
    settings: {
      searchableAttributes: ['title', 'body'],
      attributesForFaceting: ['mood'],
      replicas: ['things_asc', 'virtual(things_desc)'],
    },
    forward: false,
  });
  await e.submit({
    k: 'settings',
    index: 'things_asc',
    settings: { customRanking: ['asc(n)'] },
    forward: false,
  });
  await e.submit({
    k: 'settings',
    index: 'things_desc',
    settings: { customRanking: ['desc(n)'] },
    forward: false,
  });
  const items = Array.from({ length: 50 }, (_, i) => ({
    action: 'addObject' as const,
    indexName: 'things',
    body: {
      objectID: `t${i}`,
      title: `dream ${i % 7 === 0 ? 'ocean' : 'forest'}`,
      body: 'café au lait',
      mood: i % 2 ? 'calm' : 'happy',
      n: i,
    },
  }));
  await e.submit({ k: 'batch', items });
  await e.submit({
    k: 'batch',
    items: [{ action: 'deleteObject', indexName: 'things', body: { objectID: 't0' } }],
  });
  return e;
}

function snapshotOf(e: Engine): unknown {
  const out: Record<string, unknown> = {};
  for (const name of ['things', 'things_asc', 'things_desc']) {
    const entry = e.require(name);
    out[name] = search(
      entry.core,
      entry.view,
      { query: 'ocaen cafe', facets: ['mood'], hitsPerPage: 100 },
      { ...ctx, indexName: name },
    );
    delete (out[name] as Record<string, unknown>).processingTimeMS;
  }
  return out;
}

describe('Engine persistence', () => {
  it('restores the same answers from the log, and from a snapshot with its forward index', async () => {
    const dir = dataDir();
    const e1 = await seed(dir);
    const before = snapshotOf(e1);
    await e1.flush();
    // Reopen from the log alone (no close: like a crash after acknowledgements).
    const e2 = Engine.open({ dataDir: dir });
    expect(snapshotOf(e2)).toEqual(before);
    await e2.close();
    expect(readdirSync(dir).some((f) => f.startsWith('fwd-'))).toBe(true);
    const e3 = Engine.open({ dataDir: dir });
    expect(snapshotOf(e3)).toEqual(before);
    await e3.close();
  });

  it('restores from a snapshot reading only what indexing needs of each record, not parsing it whole', async () => {
    const dir = dataDir();
    const e1 = await seed(dir);
    const before = snapshotOf(e1);
    await e1.close();
    const parse = JSON.parse;
    const parsed: string[] = [];
    JSON.parse = ((text: string, reviver?: never): unknown => {
      parsed.push(text);
      return parse(text, reviver);
    }) as typeof JSON.parse;
    let e2: Engine;
    try {
      e2 = Engine.open({ dataDir: dir });
    } finally {
      JSON.parse = parse;
    }
    // Every record's body is 'café au lait' (escaped in the stored text): never parsed on the way in.
    expect(parsed.filter((t) => t.includes('au lait'))).toEqual([]);
    // Their facet values and sort columns were read all the same.
    expect(parsed.some((t) => t === '"calm"')).toBe(true);
    expect(snapshotOf(e2)).toEqual(before);
    await e2.close();
  });

  it('falls back to tokenizing when a forward file is damaged', async () => {
    const dir = dataDir();
    const e1 = await seed(dir);
    const before = snapshotOf(e1);
    await e1.close();
    for (const f of readdirSync(dir)) if (f.startsWith('fwd-')) writeFileSync(join(dir, f), 'garbage');
    const e2 = Engine.open({ dataDir: dir });
    expect(snapshotOf(e2)).toEqual(before);
    await e2.close();
    // Closing rewrote the damaged file, so the next start need not tokenize again.
    const fwd = readdirSync(dir).filter((f) => f.startsWith('fwd-'));
    expect(fwd.length).toBeGreaterThan(0);
    for (const f of fwd) expect(readFileSync(join(dir, f)).subarray(0, 7).toString()).not.toBe('garbage');
  });

  it('detects any damage to a forward file (a byte changed anywhere, cut short, sizes too large)', async () => {
    const dir = dataDir();
    const e1 = await seed(dir);
    const before = snapshotOf(e1);
    await e1.close();
    const damages: ((good: Buffer) => Buffer)[] = [
      ...[12, 16, 30, 0.5, -10, -1].map((at) => (good: Buffer) => {
        const b = Buffer.from(good);
        const i = at < 0 ? good.length + at : at < 1 ? Math.floor(good.length * at) : at;
        b[i] = b[i]! ^ 0x41;
        return b;
      }),
      (good) => good.subarray(0, good.length - 4),
      (good) => good.subarray(0, good.length >> 1),
      ...[
        [16, 0x3fffffff], // token count
        [20, 0x7ffffff0], // terms' length (checked against the file before a buffer is made)
      ].map(([at, value]) => (good: Buffer) => {
        const b = Buffer.from(good);
        b.writeUInt32LE(value!, at);
        return b;
      }),
    ];
    for (const damage of damages) {
      // The forward file the current snapshot names (each fallback writes a new one on close).
      const name = readdirSync(dir).find((f) => f.startsWith('fwd-'))!;
      writeFileSync(join(dir, name), damage(readFileSync(join(dir, name))));
      const e = Engine.open({ dataDir: dir });
      expect(snapshotOf(e)).toEqual(before);
      // Restored by tokenizing (the forward file did not serve): marked to be rewritten.
      expect((e as unknown as { restoredByTokenizing: boolean }).restoredByTokenizing).toBe(true);
      await e.close();
    }
    const e = Engine.open({ dataDir: dir });
    expect((e as unknown as { restoredByTokenizing: boolean }).restoredByTokenizing).toBe(false);
    expect(snapshotOf(e)).toEqual(before);
    await e.close();
  });

  it('closes without a new snapshot when nothing changed since the last one, and with one after a write', async () => {
    const dir = dataDir();
    await (await seed(dir)).close();
    const snapshotId = (): string => {
      const st = statSync(join(dir, 'snapshot.ndjson'));
      return `${st.ino}:${st.mtimeMs}:${readdirSync(dir).sort().join(',')}`;
    };
    const first = snapshotId();
    const e2 = Engine.open({ dataDir: dir });
    const before = snapshotOf(e2);
    await e2.close();
    expect(snapshotId()).toBe(first);
    const e3 = Engine.open({ dataDir: dir });
    expect(snapshotOf(e3)).toEqual(before);
    await e3.submit({
      k: 'batch',
      items: [{ action: 'deleteObject', indexName: 'things', body: { objectID: 't7' } }],
    });
    const after = snapshotOf(e3);
    expect(after).not.toEqual(before);
    await e3.close();
    expect(snapshotId()).not.toBe(first);
    const e4 = Engine.open({ dataDir: dir });
    expect(snapshotOf(e4)).toEqual(after);
    await e4.close();
  });

  it('writes a snapshot on close after restoring from a forward file that no longer fits', async () => {
    const dir = dataDir();
    await (await seed(dir)).close();
    // Same checksum-valid forward file, but the snapshot's settings now give another number of
    // searchable groups (as after an upgrade that resolves them differently).
    const path = join(dir, 'snapshot.ndjson');
    const lines = readFileSync(path, 'utf8').split('\n');
    const k = lines.findIndex((l) => l.includes('"name":"things"') && l.includes('"index"'));
    lines[k] = lines[k]!.replace(
      '"searchableAttributes":["title","body"]',
      '"searchableAttributes":["title","body","mood"]',
    );
    // (The index's checksum written again: this is not damage, but settings read differently.)
    const count = (JSON.parse(lines[k]) as { index: { count: number } }).index.count;
    const sum = lines.slice(k, k + 1 + count).reduce((c, l) => crc32(`${l}\n`, c), 0);
    expect(lines[k + 1 + count]).toMatch(/^\{"crc32":\d+\}$/);
    lines[k + 1 + count] = JSON.stringify({ crc32: sum });
    writeFileSync(path, lines.join('\n'));
    const before = statSync(path).ino;
    const e2 = Engine.open({ dataDir: dir });
    expect(e2.require('things').core.count).toBe(49);
    await e2.close();
    expect(statSync(path).ino).not.toBe(before);
    const e3 = Engine.open({ dataDir: dir });
    expect(e3.require('things').core.count).toBe(49);
    await e3.close();
  });

  it('points virtual replicas of a copy or move destination at its new content, also after a restart', async () => {
    const dir = dataDir();
    const e = Engine.open({ dataDir: dir });
    const settings = (index: string, s: Record<string, unknown>) =>
      e.submit({ k: 'settings', index, settings: s, forward: false });
    await settings('dst', { attributesForFaceting: ['mood'], replicas: ['virtual(dst_v)'] });
    await settings('dst_v', { customRanking: ['desc(n)'] });
    const add = (index: string, ids: string[]) =>
      e.submit({
        k: 'batch',
        items: ids.map((id, n) => ({
          action: 'addObject',
          indexName: index,
          body: { objectID: id, title: 'dream', mood: 'calm', n },
        })),
      });
    await add('dst', ['old1', 'old2']);
    await add('src', ['new1', 'new2', 'new3']);
    await e.submit({
      k: 'operation',
      index: 'src',
      operation: 'copy',
      destination: 'dst',
      scope: ['records'],
    });
    const ids = (x: Engine): string[] => {
      const v = x.require('dst_v');
      return search(
        v.core,
        v.view,
        { query: 'dream', facets: ['mood'] },
        { ...ctx, indexName: 'dst_v' },
      ).hits.map((h) => h.objectID as string);
    };
    expect(ids(e)).toEqual(['new3', 'new2', 'new1']);
    await e.close();
    const e2 = Engine.open({ dataDir: dir });
    expect(ids(e2)).toEqual(['new3', 'new2', 'new1']);
    await e2.close();
  });

  it('moves an index onto itself as a no-op, ignores a move of a missing index, copies a missing one as empty', async () => {
    const dir = dataDir();
    const e = Engine.open({ dataDir: dir });
    const add = (index: string, ids: string[]) =>
      e.submit({
        k: 'batch',
        items: ids.map((id) => ({
          action: 'addObject',
          indexName: index,
          body: { objectID: id, title: 'dream' },
        })),
      });
    await add('a', ['1', '2']);
    await e.submit({ k: 'settings', index: 'a', settings: { hitsPerPage: 5 }, forward: false });
    await e.submit({ k: 'operation', index: 'a', operation: 'move', destination: 'a' });
    expect(e.require('a').core.count).toBe(2);
    await e.submit({ k: 'operation', index: 'missing', operation: 'move', destination: 'a' });
    expect(e.require('a').core.count).toBe(2);
    expect(e.indices.has('missing')).toBe(false);
    // A copy of a missing index leaves an empty index with default settings.
    await e.submit({ k: 'operation', index: 'missing', operation: 'copy', destination: 'a' });
    expect(e.require('a').core.count).toBe(0);
    expect(e.require('a').settings.hitsPerPage).toBeUndefined();
    await e.close();
  });

  it('keeps a standard replica linked when settings are copied to it', async () => {
    const dir = dataDir();
    const e = await seed(dir);
    const before = e.require('things_asc').core.count;
    await e.submit({ k: 'settings', index: 'other', settings: { hitsPerPage: 9 }, forward: false });
    await e.submit({
      k: 'operation',
      index: 'other',
      operation: 'copy',
      destination: 'things_asc',
      scope: ['settings'],
    });
    const rep = e.require('things_asc');
    expect(rep.primary).toBe('things');
    expect(rep.settings.primary).toBe('things');
    expect(rep.settings.hitsPerPage).toBe(9);
    expect(rep.core.count).toBe(before);
    // Still a replica: the primary's writes reach it.
    await e.submit({
      k: 'batch',
      items: [{ action: 'addObject', indexName: 'things', body: { objectID: 'late', title: 'dream' } }],
    });
    expect(e.require('things_asc').core.get('late')).toBeDefined();
    await e.close();
    const e2 = Engine.open({ dataDir: dir });
    expect(e2.require('things_asc').primary).toBe('things');
    expect(e2.require('things_asc').core.get('late')).toBeDefined();
    await e2.close();
  });

  it('makes a listed index the kind of replica the list says, also after a restart', async () => {
    const dir = dataDir();
    const e = Engine.open({ dataDir: dir });
    const add = (index: string, id: string) =>
      e.submit({
        k: 'batch',
        items: [{ action: 'addObject', indexName: index, body: { objectID: id, t: 'x' } }],
      });
    await add('p', 'p1');
    await add('x', 'x1');
    await e.submit({ k: 'settings', index: 'x', settings: { customRanking: ['desc(n)'] }, forward: false });
    const ids = (x: Engine, index: string): string[] =>
      ['p1', 'p2', 'x1'].filter((id) => x.require(index).core.get(id) !== undefined);
    const check = (x: Engine, virtual: boolean): void => {
      const rep = x.require('x');
      expect(rep.virtual).toBe(virtual);
      expect(rep.primary).toBe('p');
      expect(rep.settings.customRanking).toEqual(['desc(n)']);
      expect(ids(x, 'x')).toEqual(ids(x, 'p'));
      expect(rep.core === x.require('p').core).toBe(virtual);
    };
    // A regular index listed as virtual: it shares its primary's records from then on.
    await e.submit({ k: 'settings', index: 'p', settings: { replicas: ['virtual(x)'] }, forward: false });
    check(e, true);
    // Listed as standard: its own copy, with the settings it had in effect.
    await e.submit({
      k: 'settings',
      index: 'p',
      settings: { hitsPerPage: 4, replicas: ['x'] },
      forward: false,
    });
    check(e, false);
    expect(e.require('x').settings.hitsPerPage).toBe(4);
    await add('p', 'p2');
    check(e, false);
    await e.close();
    const e2 = Engine.open({ dataDir: dir });
    check(e2, false);
    await e2.close();
  });

  it('moves everything whatever the scope, and copies settings but mode and enableReRanking', async () => {
    const dir = dataDir();
    const e = Engine.open({ dataDir: dir });
    await e.submit({
      k: 'batch',
      items: [{ action: 'addObject', indexName: 's', body: { objectID: '1' } }],
    });
    await e.submit({
      k: 'settings',
      index: 's',
      settings: { hitsPerPage: 3, enableReRanking: true },
      forward: false,
    });
    await e.submit({ k: 'settings', index: 'c', settings: { enableReRanking: false }, forward: false });
    await e.submit({ k: 'operation', index: 's', operation: 'copy', destination: 'c', scope: ['settings'] });
    expect(e.require('c').settings).toEqual({ hitsPerPage: 3, enableReRanking: false });
    await e.submit({ k: 'operation', index: 's', operation: 'copy', destination: 'fresh' });
    expect(e.require('fresh').settings).toEqual({ hitsPerPage: 3 });
    await e.submit({ k: 'operation', index: 's', operation: 'move', destination: 'd', scope: ['rules'] });
    expect(e.require('d').settings.hitsPerPage).toBe(3);
    expect(e.require('d').core.count).toBe(1);
    expect(e.indices.has('s')).toBe(false);
    await e.close();
  });

  it('keeps writes logged after a background compaction', async () => {
    const dir = dataDir();
    const e1 = await seed(dir, { compactBytes: 2048 });
    await e1.submit({
      k: 'batch',
      items: [
        {
          action: 'addObject',
          indexName: 'things',
          body: { objectID: 'late', title: 'ocean late', body: 'cafe' },
        },
      ],
    });
    const before = snapshotOf(e1);
    await e1.flush();
    const e2 = Engine.open({ dataDir: dir });
    expect(snapshotOf(e2)).toEqual(before);
    await e2.close();
    // Closed too: its compaction timer must not run once the folder is gone.
    await e1.close();
  });

  it('reports a compaction that cannot start its new log, and goes on answering and logging', async () => {
    const dir = dataDir();
    const e = await seed(dir, { compactBytes: 2048 });
    const errors: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });
    try {
      // The folder gone: the open log file still takes writes, a new one cannot be created.
      rmSync(dir, { recursive: true, force: true });
      // Past four times the threshold: the compaction starts at once, inside this write.
      await e.submit({
        k: 'batch',
        items: [
          {
            action: 'addObject',
            indexName: 'things',
            body: { objectID: 'big', title: 'ocean', body: 'x '.repeat(6000) },
          },
        ],
      });
      await new Promise((r) => setImmediate(r));
      expect(errors.join('')).toMatch(/engine: compaction failed: ENOENT/);
      expect(e.require('things').core.get('big')).toBeDefined();
      await e.submit({
        k: 'batch',
        items: [{ action: 'addObject', indexName: 'things', body: { objectID: 'after', title: 'sea' } }],
      });
      expect(e.require('things').core.get('after')).toBeDefined();
    } finally {
      spy.mockRestore();
    }
    // Its close cannot write a snapshot either: it says so.
    await expect(e.close()).rejects.toThrow(/ENOENT/);
  });

  it('refuses a data folder another running process holds, and takes over a stale lock', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'LOCK'), String(process.ppid));
    expect(() => Engine.open({ dataDir: dir })).toThrow(/in use by process/);
    writeFileSync(join(dir, 'LOCK'), '999999999');
    const e = Engine.open({ dataDir: dir });
    await e.close();
    expect(readdirSync(dir)).not.toContain('LOCK');
  });

  it('makes writes visible after the indexing delay, in order', async () => {
    const e = Engine.open({ indexingDelayMs: 30 });
    const t1 = await e.submit({
      k: 'batch',
      items: [{ action: 'addObject', indexName: 'i', body: { objectID: 'a', v: 1 } }],
    });
    const t2 = await e.submit({
      k: 'batch',
      items: [
        {
          action: 'partialUpdateObject',
          indexName: 'i',
          body: { objectID: 'a', v: { _operation: 'Increment', value: 1 } },
        },
      ],
    });
    expect(e.taskStatus(t1.taskID)).toBe('notPublished');
    expect(e.indices.get('i')).toBeUndefined();
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (e.taskStatus(t2.taskID) === 'published') {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    expect(e.require('i').core.get('a')).toEqual({ objectID: 'a', v: 2 });
    await e.close();
  });

  it('sizes a partial update on the record left by writes still pending under the indexing delay', async () => {
    const e = Engine.open({ indexingDelayMs: 60_000, maxRecordBytes: 200 });
    const add = e.prepareItem(
      { action: 'addObject', body: { objectID: 'r', text: 'x'.repeat(150) } },
      'i',
      0,
    );
    await e.submit({ k: 'batch', items: [add] });
    expect(e.taskStatus(1)).toBe('notPublished');
    const grow = { action: 'partialUpdateObject', body: { objectID: 'r', more: 'y'.repeat(40) } };
    expect(() => e.prepareItem(grow, 'i', 0)).toThrow(/objectID=r is too big size=\d+\/200 bytes/);
    const small = { action: 'partialUpdateObject', body: { objectID: 'r', n: 1 } };
    expect(e.prepareItem(small, 'i', 0).body).toEqual({ objectID: 'r', n: 1 });
    await e.close();
  });

  it('replays a batch logged as its request text exactly as it was accepted', async () => {
    const dir = dataDir();
    const e1 = Engine.open({ dataDir: dir });
    const requests = [
      { action: 'addObject', body: { title: 'generated id', n: 1 } },
      { action: 'addObject', body: { objectID: 7, title: 'numeric id' } },
      { action: 'addObject', body: { objectID: '', title: 'empty id', 'k"é': 'é 😀 \\ "q"' } },
      { action: 'updateObject', body: { objectID: 'u', title: 'u1' } },
      { action: 'partialUpdateObject', body: { objectID: 'u', n: { _operation: 'Increment', value: 2 } } },
      { action: 'addObject', body: { objectID: 'gone' } },
      { action: 'deleteObject', body: { objectID: 'gone' } },
    ];
    const text = JSON.stringify({ requests });
    const parsed = (JSON.parse(text) as { requests: Record<string, unknown>[] }).requests;
    const items: ReturnType<Engine['prepareItem']>[] = [];
    parsed.forEach((r, i) => items.push(e1.prepareItem(r, 'raw', i, items, { rawLogged: true })));
    await e1.submit({ k: 'batch', items }, { text, index: 'raw', requests: parsed });
    const all = (e: Engine): unknown[] => [...e.require('raw').core.all()];
    const before = all(e1);
    expect(before).toHaveLength(4);
    expect(before).toContainEqual({ objectID: 'u', title: 'u1', n: 2 });
    expect(before).toContainEqual({ objectID: '7', title: 'numeric id' });
    await e1.flush();
    // Reopen from the log alone (no close: like a crash after the acknowledgement).
    const e2 = Engine.open({ dataDir: dir });
    expect(all(e2)).toEqual(before);
    await e2.close();
    await e1.close();
  });

  it('sizes records of a raw-logged batch exactly (refuses one byte over the limit)', () => {
    const e = Engine.open({ maxRecordBytes: 100 });
    const empty = Buffer.byteLength(JSON.stringify({ objectID: 'x', t: '' }));
    const pairs = Math.floor((100 - empty) / 2);
    const t = 'é'.repeat(pairs) + 'a'.repeat(100 - empty - 2 * pairs); // exactly 100 bytes
    const raw = { rawLogged: true };
    expect(e.prepareItem({ action: 'addObject', body: { objectID: 'x', t } }, 'i', 0, [], raw).body).toEqual({
      objectID: 'x',
      t,
    });
    expect(() =>
      e.prepareItem({ action: 'addObject', body: { objectID: 'x', t: t + '"' } }, 'i', 3, [], raw),
    ).toThrow(/position 3 objectID=x is too big size=102\/100 bytes/);
  });
});
