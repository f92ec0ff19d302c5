/**
 * Large batches are tokenized off the main thread and applied once tokenized: the answers must
 * be those of record-by-record indexing, in submission order, whatever the tokenizer does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { search } from './core/query';
import { Engine, type BatchItem, type Operation, type RawRequest, type Tokenizer } from './engine';
import { createProtocolServer } from './http/server';
import { gc } from './testing/gc';
import { asciiJsonText } from './text/ascii-json';
import { BatchTokenizer } from './indexing/batch-tokenizer';
import { Vocabularies, type TokenizedBatch, type TokenizeJob } from './indexing/tokenize-batch';

const ctx = { keyFilters: [], isAdmin: true, echo: '' };
const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

function open(options: Parameters<typeof Engine.open>[0]): Engine {
  const e = Engine.open(options);
  engines.push(e);
  return e;
}

const WORDS = ['ocean', 'forest', 'café', 'Straße', 'night', 'flying', 'teeth', 'river', 'clock', 'mirror'];
function records(from: number, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      objectID: `r${i}`,
      title: `${WORDS[i % 10]} ${WORDS[(i * 3) % 10]} ${i}`,
      body: `dreamt of ${WORDS[(i * 7) % 10]} and ${WORDS[(i * 11) % 10]} again`,
      tags: [WORDS[i % 4], `t${i % 5}`],
      mood: i % 2 ? 'calm' : 'uneasy',
    };
  });
}

const batch = (items: Record<string, unknown>[]): Operation => ({
  k: 'batch',
  items: items.map((body) => ({ action: 'addObject', indexName: 'things', body })),
});

async function setUp(e: Engine): Promise<void> {
  await e.submit({
    k: 'settings',
    index: 'things',
    settings: { searchableAttributes: ['title', 'unordered(body)', 'tags'], attributesForFaceting: ['mood'] },
    forward: false,
  });
}

function answers(e: Engine, index = 'things'): unknown {
  const entry = e.require(index);
  return ['ocaen', 'strasse night', 'cafe', 'teeth 1', 'mirror river', 't3'].map((query) => {
    const r = search(
      entry.core,
      entry.view,
      { query, facets: ['mood'], hitsPerPage: 1000 },
      { ...ctx, indexName: index },
    );
    return { query, ids: r.hits.map((h) => h.objectID), facets: r.facets, nbHits: r.nbHits };
  });
}

/** The real worker tokenizer, counting its jobs. */
function countingTokenizer(): Tokenizer & { jobs: number; real: BatchTokenizer } {
  const real = new BatchTokenizer();
  const t = {
    jobs: 0,
    real,
    get usable() {
      return real.usable;
    },
    tokenize: (job: TokenizeJob) => {
      t.jobs++;
      return real.tokenize(job);
    },
    close: () => real.close(),
  };
  return t;
}

/**
 * A tokenizer that takes jobs in order, as the worker does, but answers only when the test
 * releases them: controls when batches apply, and in which order answers arrive.
 */
class HeldTokenizer implements Tokenizer {
  readonly usable = true;
  readonly jobs: { job: TokenizeJob; release: () => void }[] = [];
  private readonly vocabularies = new Vocabularies();
  tokenize(job: TokenizeJob): Promise<TokenizedBatch> {
    const answer = this.vocabularies.tokenize(job);
    return new Promise((resolve) => {
      this.jobs.push({ job, release: () => resolve(answer) });
    });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('batches tokenized off the main thread', () => {
  it('answer like record-by-record indexing, through the real worker', async () => {
    const counting = countingTokenizer();
    const viaWorker = open({ tokenizer: counting });
    const inline = open({ tokenizer: null });
    for (const e of [viaWorker, inline]) {
      await setUp(e);
      await e.submit(batch(records(0, 300)));
      await e.submit(batch(records(200, 400))); // replaces 100 records, adds 300
      await e.submit(batch(records(1000, 5))); // small: tokenized inline either way
    }
    expect(counting.jobs).toBe(2);
    expect(counting.real.usable).toBe(true);
    expect(answers(viaWorker)).toEqual(answers(inline));
    expect((answers(viaWorker) as { nbHits: number }[])[0]!.nbHits).toBeGreaterThan(0);
  });

  it('are applied in submission order, and acknowledged only once applied', async () => {
    const held = new HeldTokenizer();
    const e = open({ tokenizer: held });
    const inline = open({ tokenizer: null });
    await setUp(e);
    let acked = false;
    const first = e.submit(batch(records(0, 300))).then((r) => {
      acked = true;
      return r;
    });
    const del = e.submit({
      k: 'batch',
      items: [{ action: 'deleteObject', indexName: 'things', body: { objectID: 'r7' } }],
    });
    const second = e.submit(batch(records(300, 300)));
    await new Promise((r) => setImmediate(r));
    expect(held.jobs).toHaveLength(2);
    expect(acked).toBe(false);
    expect(e.require('things').core.count).toBe(0);
    held.jobs[1]!.release(); // the second batch is ready first: it still waits for the first
    await new Promise((r) => setImmediate(r));
    expect(e.require('things').core.count).toBe(0);
    held.jobs[0]!.release();
    const { taskID } = await first;
    await Promise.all([del, second]);
    expect(e.taskStatus(taskID)).toBe('published');
    expect(e.require('things').core.get('r7')).toBeUndefined();
    expect(e.require('things').core.count).toBe(599);
    // The answers arrived out of order; the index is still exactly the inline one.
    await setUp(inline);
    await inline.submit(batch(records(0, 300)));
    await inline.submit({
      k: 'batch',
      items: [{ action: 'deleteObject', indexName: 'things', body: { objectID: 'r7' } }],
    });
    await inline.submit(batch(records(300, 300)));
    expect(answers(e)).toEqual(answers(inline));
    expect(e.require('things').core.exportForward()).toEqual(inline.require('things').core.exportForward());
  });

  it('keep their tasks unpublished while a key change overtakes them', async () => {
    const held = new HeldTokenizer();
    const e = open({ tokenizer: held });
    await setUp(e);
    const written = e.submit(batch(records(0, 300)));
    const keys = await e.submit({ k: 'keys', snapshot: { keys: [] } });
    await new Promise((r) => setImmediate(r));
    const batchTask = keys.taskID - 1;
    expect(e.taskStatus(keys.taskID)).toBe('published');
    expect(e.taskStatus(batchTask)).toBe('notPublished');
    held.jobs[0]!.release();
    expect((await written).taskID).toBe(batchTask);
    expect(e.taskStatus(batchTask)).toBe('published');
    expect(e.require('things').core.count).toBe(300);
  });

  it('(indexing delay) keep a delayed task unpublished when a key change is applied first', async () => {
    const e = open({ indexingDelayMs: 60_000 });
    const settings = await e.submit({
      k: 'settings',
      index: 'things',
      settings: { searchableAttributes: ['title'] },
      forward: false,
    });
    const keys = await e.submit({ k: 'keys', snapshot: { keys: [] } });
    expect(e.taskStatus(keys.taskID)).toBe('published');
    expect(e.taskStatus(settings.taskID)).toBe('notPublished');
  });

  it('(indexing delay) refuse a replica that queued settings give another primary, until they release it', () => {
    const e = open({ indexingDelayMs: 60_000 });
    const claim = (index: string, replicas: string[]): Promise<{ taskID: number }> =>
      e.submit({ k: 'settings', index, settings: { replicas }, forward: false });
    void claim('a', ['shared']);
    expect(() => e.refuseClaimedReplicas('b', { replicas: ['virtual(shared)'] })).toThrow(
      'A replica index is already replica of another index',
    );
    expect(() => e.refuseClaimedReplicas('a', { replicas: ['shared', 'other'] })).not.toThrow();
    void claim('a', []);
    expect(() => e.refuseClaimedReplicas('b', { replicas: ['shared'] })).not.toThrow();
  });

  it('(indexing delay) refuse to delete, clear or copy onto a replica, or chain replicas, as queued operations leave them', () => {
    const e = open({ indexingDelayMs: 60_000 });
    const item = (action: 'delete' | 'clear', indexName: string) => ({ action, indexName, body: {} });
    void e.submit({ k: 'settings', index: 'a', settings: { replicas: ['rep'] }, forward: false });
    const deleteRefused = 'cannot apply the deleteIndex operation on a replica index';
    expect(() => e.refuseReplicaDelete('rep')).toThrow(deleteRefused);
    expect(() => e.prepareItem({ action: 'delete' }, 'rep', 0)).toThrow(deleteRefused);
    expect(() => e.prepareItem({ action: 'clear' }, 'rep', 0)).toThrow(
      'cannot apply a clear request on a replica index',
    );
    const copy =
      (destination: string, scoped = false) =>
      () =>
        e.refuseIndexOperation('src', 'copy', destination, scoped);
    const move = (source: string, destination: string) => () =>
      e.refuseIndexOperation(source, 'move', destination, false);
    expect(copy('rep')).toThrow('cannot copy to a primary/replica index');
    expect(copy('a')).toThrow('cannot copy to a primary/replica index');
    expect(copy('a', true)).toThrow('cannot copy to a primary/replica index');
    expect(copy('b')).not.toThrow();
    // Settings (or synonyms, rules) may be copied to a standard replica, not to a virtual one.
    expect(copy('rep', true)).not.toThrow();
    void e.submit({ k: 'settings', index: 'v', settings: { replicas: ['virtual(vrep)'] }, forward: false });
    expect(copy('vrep', true)).toThrow('cannot copy to a primary/replica index');
    // Neither a replica nor an index with replicas moves; a move onto a primary is a reindex.
    expect(move('rep', 'x')).toThrow('cannot move a replica index');
    expect(move('a', 'x')).toThrow('cannot move an index that has replicas');
    expect(move('x', 'a')).not.toThrow();
    expect(move('x', 'rep')).toThrow('cannot apply a move request on a replica index');
    // No chains: replicas for a replica, or a primary listed as a replica.
    expect(() => e.refuseReplicaChain('rep', { replicas: ['c'] })).toThrow(
      'A replica index cannot have replicas',
    );
    expect(() => e.refuseReplicaChain('b', { replicas: ['virtual(a)'] })).toThrow(
      'A replica index cannot have replicas',
    );
    expect(() => e.refuseReplicaChain('rep', { replicas: [] })).not.toThrow();
    expect(() => e.refuseReplicaChain('b', { replicas: ['c'] })).not.toThrow();
    // The same request deleting the primary first lets the replica go too.
    expect(() => e.prepareItem({ action: 'delete' }, 'rep', 1, [item('delete', 'a')])).not.toThrow();
    expect(() => e.prepareItem({ action: 'clear' }, 'rep', 1, [item('delete', 'a')])).not.toThrow();
    // Once a queued deletion of the primary is accepted, the replica is a regular index to be.
    void e.submit({ k: 'batch', items: [item('delete', 'a')] });
    expect(() => e.refuseReplicaDelete('rep')).not.toThrow();
    expect(copy('a')).not.toThrow();
    expect(move('a', 'x')).not.toThrow();
    expect(() => e.refuseReplicaChain('rep', { replicas: ['c'] })).not.toThrow();
  });

  it('refuse writes to an index that queued settings make a replica, and never apply one', async () => {
    const held = new HeldTokenizer();
    const e = open({ tokenizer: held });
    await setUp(e);
    const written = e.submit(batch(records(0, 300)));
    const replicated = e.submit({
      k: 'settings',
      index: 'things',
      settings: { replicas: ['things_by_date'] },
      forward: false,
    });
    expect(() =>
      e.prepareItem({ action: 'addObject', body: { objectID: 'intruder', title: 'x' } }, 'things_by_date', 0),
    ).toThrow('cannot apply a add object request on a replica index');
    // A write that got past the request check (accepted before the settings were) is dropped.
    const sneaked = e.submit({
      k: 'batch',
      items: [
        { action: 'addObject', indexName: 'things_by_date', body: { objectID: 'intruder', title: 'x' } },
      ],
    });
    held.jobs[0]!.release();
    await Promise.all([written, replicated, sneaked]);
    const replica = e.require('things_by_date');
    expect(replica.core.get('intruder')).toBeUndefined();
    expect(replica.core.count).toBe(300);
    expect(e.require('things').core.get('intruder')).toBeUndefined();
  });

  it('are tokenized inline when the tokenizer fails, losing nothing', async () => {
    const failing: Tokenizer = {
      usable: true,
      tokenize: () => Promise.reject(new Error('worker died')),
      close: () => Promise.resolve(),
    };
    const e = open({ tokenizer: failing });
    const inline = open({ tokenizer: null });
    for (const x of [e, inline]) {
      await setUp(x);
      await x.submit(batch(records(0, 300)));
    }
    expect(answers(e)).toEqual(answers(inline));
  });

  it('follow settings applied between tokenizing and applying (indexing delay)', async () => {
    const published = async (x: Engine, taskID: number): Promise<void> => {
      while (x.taskStatus(taskID) !== 'published') await new Promise((r) => setTimeout(r, 5));
    };
    const counting = countingTokenizer();
    const e = open({ indexingDelayMs: 20, tokenizer: counting });
    const inline = open({ indexingDelayMs: 20, tokenizer: null });
    for (const x of [e, inline]) {
      const { taskID } = await x.submit({
        k: 'settings',
        index: 'things',
        settings: { searchableAttributes: ['title', 'body'], attributesForFaceting: ['mood'] },
        forward: false,
      });
      await published(x, taskID);
      await x.submit({
        k: 'settings',
        index: 'things',
        settings: { searchableAttributes: ['body'] },
        forward: false,
      });
      // Handed to the tokenizer while the settings above are still pending.
      const { taskID: last } = await x.submit(batch(records(0, 300)));
      await published(x, last);
    }
    expect(counting.jobs).toBe(1);
    expect(answers(e)).toEqual(answers(inline));
    // Titles are no longer searchable ("r1" style ids only appear in titles).
    const entry = e.require('things');
    expect(
      search(entry.core, entry.view, { query: 'ocean ocean 0' }, { ...ctx, indexName: 'things' }).nbHits,
    ).toBe(0);
    expect(search(entry.core, entry.view, { query: 'dreamt' }, { ...ctx, indexName: 'things' }).nbHits).toBe(
      300,
    );
  });

  it('BatchTokenizer fails pending jobs on close and refuses new ones', async () => {
    const t = new BatchTokenizer();
    const job: TokenizeJob = {
      vocab: 'v',
      reset: true,
      texts: ['a b'],
      groupOf: Int32Array.of(0),
      docEnds: Int32Array.of(1),
      groups: 1,
    };
    expect((await t.tokenize(job)).newTerms).toEqual(['a', 'b']);
    await t.close();
    expect(t.usable).toBe(false);
    await expect(t.tokenize(job)).rejects.toThrow(/unavailable/);
  });
});

/**
 * A batch as the HTTP layer submits one: its items validated from the parsed request, and the
 * request's text (logged as it is; the records are kept as slices of it).
 */
function asRequest(
  e: Engine,
  bodies: Record<string, unknown>[],
  form: { spaced?: boolean; escaped?: boolean } = {},
): { op: { k: 'batch'; items: BatchItem[] }; raw: RawRequest } {
  const json = JSON.stringify(
    { requests: bodies.map((body) => ({ action: 'addObject', body })) },
    null,
    form.spaced ? 1 : undefined,
  );
  // As the server decodes a body: non-ASCII characters escaped (a one-byte string), or as it is.
  const text = form.escaped ? (asciiJsonText(Buffer.from(json), true) ?? json) : json;
  const requests = (JSON.parse(text) as { requests: { action: string; body: object }[] }).requests;
  const items = requests.map((r, i) => e.prepareItem(r, 'things', i, [], { rawLogged: true }));
  return { op: { k: 'batch', items }, raw: { text, index: 'things', requests, ascii: text !== json } };
}

/** Every stored record as JSON text (key order included). */
function stored(e: Engine, index = 'things'): string {
  return JSON.stringify([...e.require(index).core.all()]);
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('batches submitted with their request text', () => {
  it('let the parsed request go while the worker tokenizes it, and index the same', async () => {
    const held = new HeldTokenizer();
    const e = open({ tokenizer: held });
    const inline = open({ tokenizer: null });
    await setUp(e);
    await setUp(inline);
    const parsed: WeakRef<object>[] = [];
    // In a function of its own, so that no variable of the test holds the request.
    const written = ((): Promise<unknown> => {
      const { op, raw } = asRequest(e, records(0, 300));
      for (const r of raw.requests) parsed.push(new WeakRef(r as object));
      for (const item of op.items) parsed.push(new WeakRef(item.body));
      return e.submit(op, raw);
    })();
    await turn();
    expect(held.jobs).toHaveLength(1);
    gc();
    // 300 requests and 300 records: none is reachable while the batch waits for its tokens.
    expect(parsed.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    held.jobs[0]!.release();
    await written;
    const { op, raw } = asRequest(inline, records(0, 300));
    await inline.submit(op, raw);
    expect(answers(e)).toEqual(answers(inline));
    expect(stored(e)).toBe(stored(inline));
  });

  it('over HTTP: the server lets the parsed request go too', async () => {
    const held = new HeldTokenizer();
    const e = open({ tokenizer: held });
    await setUp(e);
    const { server } = createProtocolServer({ engine: e, appId: 'HELD', adminKey: 'held-admin' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const parse = JSON.parse;
    const parsed: WeakRef<object>[] = [];
    // The request body's parse, caught as the server makes it.
    JSON.parse = ((text: string, reviver?: never) => {
      const value = parse(text, reviver) as unknown;
      if (
        typeof text === 'string' &&
        text.startsWith('{"requests":') &&
        value !== null &&
        typeof value === 'object'
      )
        parsed.push(new WeakRef(value));
      return value;
    }) as typeof JSON.parse;
    try {
      const { port } = server.address() as { port: number };
      const body = JSON.stringify({
        requests: records(0, 300).map((r) => ({ action: 'addObject', body: r })),
      });
      const answer = fetch(`http://127.0.0.1:${port}/1/indexes/things/batch`, {
        method: 'POST',
        headers: { 'x-algolia-application-id': 'HELD', 'x-algolia-api-key': 'held-admin' },
        body,
      });
      for (let i = 0; i < 10_000 && held.jobs.length === 0; i++) await turn();
      expect(held.jobs).toHaveLength(1);
      expect(parsed).toHaveLength(1);
      await turn();
      gc();
      expect(parsed[0]!.deref()).toBeUndefined();
      held.jobs[0]!.release();
      const res = await answer;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { objectIDs: string[] }).objectIDs).toEqual(
        records(0, 300).map((r) => r.objectID),
      );
      expect(e.require('things').core.count).toBe(300);
    } finally {
      JSON.parse = parse;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('index requests as sent (escaped, spaced, with a Russian entry) and parse no record twice', async () => {
    const bodies = records(0, 300).map((r, i) =>
      i === 7 ? { ...r, body: 'Мне снилось, что я летаю над тёмной рекой, и никто не видел меня' } : r,
    );
    for (const form of [{}, { escaped: true }, { spaced: true }, { escaped: true, spaced: true }]) {
      for (const replicated of [false, true]) {
        const held = new HeldTokenizer();
        const e = open({ tokenizer: held });
        const inline = open({ tokenizer: null });
        for (const x of [e, inline]) {
          await setUp(x);
          if (replicated)
            await x.submit({
              k: 'settings',
              index: 'things',
              settings: { replicas: ['copy'] },
              forward: false,
            });
        }
        const { op, raw } = asRequest(e, bodies, form);
        const written = e.submit(op, raw);
        await turn();
        const parse = JSON.parse;
        let parses = 0;
        JSON.parse = ((text: string, reviver?: never) => {
          parses++;
          return parse(text, reviver) as unknown;
        }) as typeof JSON.parse;
        try {
          held.jobs[0]!.release();
          await written;
        } finally {
          JSON.parse = parse;
        }
        // Kept as text or as the parsed object, a record is never parsed again to be indexed.
        expect({ form, replicated, parses }).toEqual({ form, replicated, parses: 0 });
        const sent = asRequest(inline, bodies, form);
        await inline.submit(sent.op, sent.raw);
        expect(stored(e)).toBe(stored(inline));
        expect(answers(e)).toEqual(answers(inline));
        if (replicated) expect(stored(e, 'copy')).toBe(stored(inline, 'copy'));
      }
    }
  });

  it('index an attribute that a query started reading while the batch was tokenized', async () => {
    const held = new HeldTokenizer();
    const e = open({ tokenizer: held });
    await setUp(e);
    const { op, raw } = asRequest(
      e,
      records(0, 300).map((r, i) => ({ ...r, n: i, nested: { when: 1000 + i } })),
    );
    const written = e.submit(op, raw);
    await turn();
    const count = (filters: string): number => {
      const x = e.require('things');
      return search(x.core, x.view, { filters }, { ...ctx, indexName: 'things' }).nbHits;
    };
    // Numeric filters on attributes not read so far: the index starts a column for each.
    expect(count('n >= 250')).toBe(0);
    expect(count('nested.when < 1010')).toBe(0);
    held.jobs[0]!.release();
    await written;
    expect(count('n >= 250')).toBe(50);
    expect(count('nested.when < 1010')).toBe(10);
  });

  it('write a batch still waiting for its tokens into the snapshot as it was sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ndf-held-'));
    try {
      const held = new HeldTokenizer();
      const e = Engine.open({ dataDir: dir, tokenizer: held });
      await setUp(e);
      const { op, raw } = asRequest(e, records(0, 300));
      const written = e.submit(op, raw);
      await turn();
      expect(held.jobs).toHaveLength(1);
      await e.close(); // the job was never answered: the batch is pending in the snapshot
      await written;
      const reopened = open({ dataDir: dir, tokenizer: null });
      const inline = open({ tokenizer: null });
      await setUp(inline);
      await inline.submit(batch(records(0, 300)));
      expect(reopened.require('things').core.count).toBe(300);
      expect(stored(reopened)).toBe(stored(inline));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('give replicas, the inline fallback and partial updates the whole records', async () => {
    for (const failing of [false, true]) {
      const tokenizer: Tokenizer = failing
        ? {
            usable: true,
            tokenize: () => Promise.reject(new Error('worker died')),
            close: () => Promise.resolve(),
          }
        : new HeldTokenizer();
      const e = open({ tokenizer, maxRecordBytes: 1_000 });
      const inline = open({ tokenizer: null, maxRecordBytes: 1_000 });
      for (const x of [e, inline]) {
        await setUp(x);
        await x.submit({
          k: 'settings',
          index: 'things',
          settings: { replicas: ['things_by_mood'] },
          forward: false,
        });
        const { op, raw } = asRequest(x, records(0, 300));
        const written = x.submit(op, raw);
        // Sized against the pending record: 900 bytes more make it too big.
        expect(() =>
          x.prepareItem(
            { action: 'partialUpdateObject', body: { objectID: 'r5', extra: 'x'.repeat(900) } },
            'things',
            0,
          ),
        ).toThrow(/objectID=r5 is too big size=1\d\d\d\/1000/);
        if (tokenizer instanceof HeldTokenizer) tokenizer.jobs[0]!.release();
        await written;
      }
      for (const name of ['things', 'things_by_mood']) {
        expect(stored(e, name)).toBe(stored(inline, name));
        expect(answers(e, name)).toEqual(answers(inline, name));
      }
    }
  });
});
