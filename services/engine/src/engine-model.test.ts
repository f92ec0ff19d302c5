/**
 * Model test of the tokenizer worker path: an engine that tokenizes large batches on the worker
 * and one that tokenizes inline get the same random operations (large and small batches, partial
 * updates, deletes, clear, deleteBy, settings incl. replicas, copy/move, key changes, groups of
 * concurrent submits, reopen, crash-and-reopen, compaction, the indexing delay) and must end with
 * the same records, forward index, answers and facets. Runs per property: NDF_MODEL_RUNS.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { search } from './core/query';
import { Engine, type BatchItem, type Operation } from './engine';
import { parseFilters } from './filters/parse-filters';
import { BatchTokenizer } from './indexing/batch-tokenizer';
import type { TokenizeJob } from './indexing/tokenize-batch';
let JOBS = 0;
const RUNS = Number(process.env.NDF_MODEL_RUNS ?? 0);
function counting() {
  const real = new BatchTokenizer();
  return {
    get usable() {
      return real.usable;
    },
    tokenize: (j: TokenizeJob) => {
      JOBS++;
      return real.tokenize(j);
    },
    close: () => real.close(),
  };
}

const root = mkdtempSync(join(tmpdir(), 'engine-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirN = 0;

const WORDS = [
  'ocean',
  'forest',
  'café',
  'Straße',
  'night',
  'flying',
  'teeth',
  'river',
  'clock',
  'mirror',
  '東京',
  'naïve',
  'x1',
  'Ålborg',
  'fly',
];
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}
function rec(id: number, seed: number): Record<string, unknown> {
  const r = rng(id * 7919 + seed);
  const w = (): string => WORDS[Math.floor(r() * WORDS.length)]!;
  const out: Record<string, unknown> = {
    objectID: `o${id}`,
    title: `${w()} ${w()} ${Math.floor(r() * 20)}`,
    mood: r() < 0.5 ? 'calm' : 'uneasy',
  };
  if (r() < 0.7) out.body = r() < 0.5 ? `${w()}-${w()} ${w()}` : [w(), `${w()} ${w()}`];
  if (r() < 0.5) out.n = Math.floor(r() * 100);
  if (r() < 0.4) out.tags = [w(), `t${Math.floor(r() * 3)}`];
  return out;
}

const INDICES = ['a', 'b', 'ra', 'va', 'c'];
const idx = fc.constantFrom(...INDICES);
const writeIdx = fc.constantFrom('a', 'a', 'b', 'c');

type Step =
  | {
      t: 'big';
      index: string;
      from: number;
      n: number;
      seed: number;
      action: 'addObject' | 'updateObject';
      raw: boolean;
    }
  | { t: 'small'; items: { action: BatchItem['action']; index: string; id: number; seed: number }[] }
  | { t: 'settings'; index: string; s: number; forward: boolean }
  | { t: 'deleteBy'; index: string; f: string }
  | { t: 'deleteIndex'; index: string }
  | { t: 'op'; kind: 'copy' | 'move'; from: string; to: string; scope: string[] | undefined }
  | { t: 'keys' }
  | { t: 'concurrent'; steps: Step[] }
  | { t: 'reopen' }
  | { t: 'crash' };

const SETTINGS = [
  { searchableAttributes: ['title', 'unordered(body)', 'tags'], attributesForFaceting: ['mood', 'tags'] },
  { searchableAttributes: ['body', 'title'] },
  { searchableAttributes: null },
  { attributesForFaceting: ['mood'] },
  { replicas: ['ra'] },
  { replicas: ['virtual(va)'] },
  { replicas: ['ra', 'virtual(va)'] },
  { replicas: [] },
  { searchableAttributes: ['n', 'title'], customRanking: ['desc(n)'] },
  { searchableAttributes: ['tags'] },
];

const big = fc.record({
  t: fc.constant('big' as const),
  index: writeIdx,
  from: fc.integer({ min: 0, max: 300 }),
  n: fc.integer({ min: 256, max: 330 }),
  seed: fc.integer({ min: 1, max: 1000 }),
  action: fc.constantFrom('addObject' as const, 'updateObject' as const),
  // Sent as the HTTP layer sends a request: with its text (records kept as slices of it, items
  // whose bodies are parsed again on demand).
  raw: fc.boolean(),
});
const small = fc.record({
  t: fc.constant('small' as const),
  items: fc.array(
    fc.record({
      action: fc.constantFrom<BatchItem['action']>(
        'addObject',
        'updateObject',
        'partialUpdateObject',
        'partialUpdateObjectNoCreate',
        'deleteObject',
        'clear',
        'delete',
      ),
      index: writeIdx,
      id: fc.integer({ min: 0, max: 640 }),
      seed: fc.integer({ min: 1, max: 1000 }),
    }),
    { minLength: 1, maxLength: 6 },
  ),
});
const simple: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: big },
  { weight: 3, arbitrary: small },
  {
    weight: 3,
    arbitrary: fc
      .record({
        t: fc.constant('settings' as const),
        index: fc.constantFrom('a', 'b', 'ra', 'va'),
        s: fc.integer({ min: 0, max: SETTINGS.length - 1 }),
        forward: fc.boolean(),
      })
      .filter(
        (x) =>
          (x.index === 'a' || !('replicas' in SETTINGS[x.s]!)) &&
          (x.index === 'a' || x.s < 4 || x.s > 7 || x.s === 4),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('deleteBy' as const),
      index: idx,
      f: fc.constantFrom('mood:calm', 'n > 50', 'tags:t1'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('deleteIndex' as const), index: idx }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('op' as const),
      kind: fc.constantFrom('copy' as const, 'move' as const),
      from: idx,
      to: fc.constantFrom('b', 'c', 'ra'),
      scope: fc.constantFrom<string[] | undefined>(undefined, ['settings'], ['records']),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'keys' as const }) },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: simple },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('concurrent' as const),
      steps: fc.array(simple, { minLength: 2, maxLength: 5 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'reopen' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'crash' as const }) },
);

function opsOf(s: Step): Operation[] {
  switch (s.t) {
    case 'big':
      return [
        {
          k: 'batch',
          items: Array.from({ length: s.n }, (_, k) => ({
            action: s.action,
            indexName: s.index,
            body: rec(s.from + k, s.seed),
          })),
        },
      ];
    case 'small':
      return [
        {
          k: 'batch',
          items: s.items.map((i): BatchItem => {
            if (i.action === 'clear' || i.action === 'delete')
              return { action: i.action, indexName: i.index, body: {} };
            if (i.action === 'deleteObject')
              return { action: i.action, indexName: i.index, body: { objectID: `o${i.id}` } };
            if (i.action.startsWith('partial'))
              return {
                action: i.action,
                indexName: i.index,
                body: { objectID: `o${i.id}`, title: `partial ${WORDS[i.seed % WORDS.length]}` },
              };
            return { action: i.action, indexName: i.index, body: rec(i.id, i.seed) };
          }),
        },
      ];
    case 'settings':
      return [{ k: 'settings', index: s.index, settings: { ...SETTINGS[s.s]! }, forward: s.forward }];
    case 'deleteBy':
      return [{ k: 'deleteBy', index: s.index, filters: parseFilters(s.f) }];
    case 'deleteIndex':
      return [{ k: 'deleteIndex', index: s.index }];
    case 'op':
      return s.from === s.to
        ? []
        : [
            {
              k: 'operation',
              index: s.from,
              operation: s.kind,
              destination: s.to,
              ...(s.scope ? { scope: s.scope } : {}),
            },
          ];
    case 'keys':
      return [{ k: 'keys', snapshot: { keys: [] } }];
    default:
      return [];
  }
}

/** Submits a batch as the HTTP layer does: validated from its parsed request text, with the text. */
function submitRaw(e: Engine, op: Operation): Promise<{ taskID: number }> {
  if (op.k !== 'batch') return e.submit(op);
  const index = op.items[0]!.indexName;
  const text = JSON.stringify({ requests: op.items.map((i) => ({ action: i.action, body: i.body })) });
  const requests = (JSON.parse(text) as { requests: { action: string; body: object }[] }).requests;
  let items: BatchItem[];
  try {
    items = requests.map((r, i) => e.prepareItem(r, index, i, [], { rawLogged: true }));
  } catch {
    return e.submit(op); // refused over HTTP (a replica): both engines take the same path
  }
  return e.submit({ k: 'batch', items }, { text, index, requests });
}

const QUERIES = [
  '',
  'ocean',
  'caf',
  'strasse',
  '東京',
  'night river',
  '12',
  'fly',
  'partial',
  'alborg naive',
];
const ctx = { keyFilters: [], isAdmin: true, echo: '' };

function state(e: Engine): unknown {
  const out: Record<string, unknown> = {};
  for (const name of [...e.indices.keys()].sort()) {
    const x = e.indices.get(name)!;
    const fwd = x.virtual ? undefined : x.core.exportForward();
    out[name] = {
      settings: x.settings,
      virtual: x.virtual,
      primary: x.primary,
      count: x.core.count,
      records: [...x.core.all()],
      fwd: fwd && { terms: fwd.terms, lens: [...fwd.lens], starts: [...fwd.starts], tokens: [...fwd.tokens] },
      answers: QUERIES.map((query) => {
        const r = search(
          x.core,
          x.view,
          { query, facets: ['mood', 'tags'], hitsPerPage: 1000 },
          { ...ctx, indexName: name },
        );
        return { ids: r.hits.map((h) => h.objectID), facets: r.facets, nbHits: r.nbHits };
      }),
    };
  }
  return out;
}

async function settled(e: Engine, last: number): Promise<void> {
  for (let t = 1; t <= last; t++)
    for (let i = 0; i < 2000 && e.taskStatus(t) !== 'published'; i++)
      await new Promise((r) => setTimeout(r, 2));
}

async function run(
  steps: Step[],
  options: { delay: number; persist: boolean; compactBytes?: number },
): Promise<void> {
  const dirs = [join(root, `w${dirN}`), join(root, `i${dirN}`)];
  dirN++;
  const mk = (k: number, dir: string): Engine =>
    Engine.open({
      ...(options.persist ? { dataDir: dir } : {}),
      indexingDelayMs: options.delay,
      ...(options.compactBytes ? { compactBytes: options.compactBytes } : {}),
      ...(k === 0 ? { tokenizer: counting() } : { tokenizer: null }),
    });
  let engines = [mk(0, dirs[0]!), mk(1, dirs[1]!)];
  let last = 0;
  try {
    for (const s of steps) {
      if (s.t === 'reopen' || s.t === 'crash') {
        if (!options.persist) continue;
        if (s.t === 'reopen') {
          for (const e of engines) await e.close();
          engines = dirs.map((d, k) => mk(k, d));
        } else {
          // "crash": the acknowledged state on disk, copied, opened inline (and compared to the live one).
          for (const e of engines) await e.flush();
          const copies = dirs.map((d) => `${d}-crash${dirN++}`);
          dirs.forEach((d, k) => cpSync(d, copies[k]!, { recursive: true }));
          const reopened = copies.map((c) =>
            Engine.open({ dataDir: c, tokenizer: null, indexingDelayMs: options.delay }),
          );
          await settled(reopened[0]!, last);
          await settled(reopened[1]!, last);
          for (const e of engines) await settled(e, last);
          const live = state(engines[1]!);
          expect(state(reopened[0]!)).toEqual(live);
          expect(state(reopened[1]!)).toEqual(live);
          for (const r of reopened) await r.close();
        }
        continue;
      }
      const group = s.t === 'concurrent' ? s.steps : [s];
      for (const e of engines) {
        const subs: Promise<{ taskID: number }>[] = [];
        for (const g of group)
          for (const op of opsOf(g)) subs.push(g.t === 'big' && g.raw ? submitRaw(e, op) : e.submit(op));
        const done = await Promise.all(subs);
        for (const d of done) last = Math.max(last, d.taskID);
      }
    }
    for (const e of engines) await settled(e, last);
    expect(engines[0]!.taskStatus(last)).toBe('published');
    expect(state(engines[0]!)).toEqual(state(engines[1]!));
    if (options.persist) {
      const before = state(engines[1]!);
      for (const e of engines) await e.close();
      engines = dirs.map((d, k) => mk(k, d));
      for (const e of engines) await settled(e, last);
      expect(state(engines[0]!)).toEqual(before);
      expect(state(engines[1]!)).toEqual(before);
    }
  } finally {
    for (const e of engines) await e.close();
  }
}

describe('worker path vs inline path (model)', () => {
  afterAll(() => {
    // The properties must have exercised the worker, or they prove nothing about it.
    expect(JOBS).toBeGreaterThan(0);
  });
  it('memory, no delay', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) =>
        run(steps, { delay: 0, persist: false }),
      ),
      {
        numRuns: RUNS || 8,
      },
    );
  }, 600_000);
  it('persisted, no delay, tiny compaction threshold', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) =>
        run(steps, { delay: 0, persist: true, compactBytes: 20_000 }),
      ),
      { numRuns: RUNS || 6 },
    );
  }, 600_000);
  it('persisted, indexing delay', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), (steps) =>
        run(steps, { delay: 3, persist: true }),
      ),
      { numRuns: RUNS || 5 },
    );
  }, 600_000);
});
