/**
 * Large batches are tokenized off the main thread and applied once tokenized: the answers must
 * be those of record-by-record indexing, in submission order, whatever the tokenizer does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { search } from './core/query';
import { Engine, type Operation, type Tokenizer } from './engine';
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

function answers(e: Engine): unknown {
  const entry = e.require('things');
  return ['ocaen', 'strasse night', 'cafe', 'teeth 1', 'mirror river', 't3'].map((query) => {
    const r = search(
      entry.core,
      entry.view,
      { query, facets: ['mood'], hitsPerPage: 1000 },
      { ...ctx, indexName: 'things' },
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
    ).toThrow(/Cannot write to a replica index \(things_by_date\)/);
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
      text: 'a b',
      textEnds: Int32Array.of(3),
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
