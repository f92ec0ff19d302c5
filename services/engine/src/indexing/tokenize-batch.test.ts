/**
 * A batch tokenized off the main thread must land in the index exactly as record-by-record
 * indexing would: same dictionary (terms in the same order), forward index and posting lists.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SearchIndex } from '../core/search-index';
import type { JsonRecord } from '../core/record-path';
import type { StoredSettings } from '../core/settings';
import { jobFor, Vocabularies, VocabularyMap } from './tokenize-batch';

/**
 * Indexes `batches` through Vocabularies + VocabularyMap, as the engine's worker path does; the
 * batches `inline` picks are upserted record by record instead (as small batches are), so the
 * dictionary numbers terms in another order than the worker's vocabulary, and batch segments
 * and single docs are interleaved in the posting store.
 */
function viaWorkerPath(
  settings: StoredSettings,
  batches: JsonRecord[][],
  inline: (k: number) => boolean = () => false,
  withSegments = true,
  batchDocsLimit?: number,
): SearchIndex {
  const core = new SearchIndex(settings);
  // A small limit makes batch segments concatenate while records are still coming.
  if (batchDocsLimit !== undefined)
    (core as unknown as { postings: { batchDocsLimit: number } }).postings.batchDocsLimit = batchDocsLimit;
  const worker = new Vocabularies();
  const map = new VocabularyMap();
  let first = true;
  batches.forEach((records, k) => {
    if (inline(k)) {
      for (const r of records) core.upsert(r);
      return;
    }
    const out = worker.tokenize(jobFor(core, records, 'v', first));
    first = false;
    map.add(out.firstTermId, out.newTerms);
    map.renumber(out.tokens, core.epoch, (t) => core.dict.intern(t));
    map.mapTerms(out.segment.terms);
    core.upsertTokenizedBatch(
      records,
      out.tokens,
      out.tokenEnds,
      out.starts,
      withSegments ? out.segment : undefined,
    );
  });
  return core;
}

function viaUpsert(settings: StoredSettings, batches: JsonRecord[][]): SearchIndex {
  const core = new SearchIndex(settings);
  for (const records of batches) for (const r of records) core.upsert(r);
  return core;
}

const word = fc.oneof(
  fc.constantFrom(
    'ocean',
    'Ocean',
    'OCÉAN',
    'café',
    'Straße',
    'naïve',
    '東京',
    'x1',
    '42',
    'a-b',
    "l'eau",
    '',
  ),
  fc.string({ maxLength: 12 }),
);
const text = fc.array(word, { maxLength: 8 }).map((ws) => ws.join(' '));
const value = fc.oneof(text, fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null));
const record = fc.record(
  {
    title: fc.oneof(text, fc.array(text, { maxLength: 3 })),
    body: value,
    tags: fc.array(fc.oneof(text, fc.integer()), { maxLength: 4 }),
    nested: fc.record({ note: value, list: fc.array(value, { maxLength: 3 }) }),
    n: fc.integer(),
  },
  { requiredKeys: [] },
);
const batches = fc
  .array(fc.array(record, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 })
  .map((bs) => {
    // objectIDs repeat across batches (replacements) but stay unique within none in particular.
    let n = 0;
    return bs.map((b) => b.map((r) => ({ ...r, objectID: `o${n++ % 7}` })));
  });

const settingsCases: StoredSettings[] = [
  { searchableAttributes: ['title', 'unordered(body)', 'tags', 'nested.note,nested.list'] },
  { searchableAttributes: ['body', 'title'] },
  {},
];

describe('batch tokenizing (worker path)', () => {
  for (const settings of settingsCases) {
    it(`indexes exactly like record-by-record upserts (${JSON.stringify(settings.searchableAttributes ?? 'all attributes')})`, () => {
      fc.assert(
        fc.property(batches, (bs) => {
          const a = viaWorkerPath(settings, bs);
          const b = viaUpsert(settings, bs);
          expect(a.exportForward()).toEqual(b.exportForward());
          expect(a.dict.terms).toEqual(b.dict.terms);
        }),
        { numRuns: 150 },
      );
    });

    it(`mixed with record-by-record batches, with and without worker-built postings, answers alike (${JSON.stringify(settings.searchableAttributes ?? 'all attributes')})`, () => {
      fc.assert(
        fc.property(
          batches,
          fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
          fc.boolean(),
          (bs, pick, seg) => {
            const a = viaWorkerPath(settings, bs, (k) => pick[k] === true, seg);
            const b = viaUpsert(settings, bs);
            // Term ids differ (the vocabulary numbered some terms first): compare postings by term.
            const byTerm = (x: SearchIndex): Record<string, number[]> => {
              const out: Record<string, number[]> = {};
              const f = x.exportForward();
              const p = f.postings!;
              for (let k = 0; k < p.terms.length; k++)
                out[f.terms[p.terms[k]!]!] = [...p.ids.subarray(p.offs[k], p.offs[k + 1])];
              return out;
            };
            expect(byTerm(a)).toEqual(byTerm(b));
            expect([...a.all()]).toEqual([...b.all()]);
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('builds the batch segment: each term with the records containing it, once each', () => {
    const core = new SearchIndex({ searchableAttributes: ['title', 'body'] });
    const v = new Vocabularies();
    const out = v.tokenize(
      jobFor(
        core,
        [
          { objectID: 'a', title: 'blue ocean', body: 'ocean ocean' },
          { objectID: 'b', title: 'green', body: 'blue' },
        ],
        'things',
        true,
      ),
    );
    expect(out.newTerms).toEqual(['blue', 'ocean', 'green']);
    expect([...out.segment.terms]).toEqual([0, 1, 2]);
    expect([...out.segment.offs]).toEqual([0, 2, 3, 4]);
    expect([...out.segment.ids]).toEqual([0, 1, 0, 1]);
  });

  it('sends back only the terms a batch adds to the vocabulary, and starts afresh on reset', () => {
    const core = new SearchIndex({ searchableAttributes: ['title'] });
    const v = new Vocabularies();
    const first = v.tokenize(jobFor(core, [{ objectID: 'a', title: 'Blue ocean blue' }], 'things', true));
    expect(first.newTerms).toEqual(['blue', 'ocean']);
    expect([...first.tokens]).toEqual([0, 1, 0, -1]);
    const second = v.tokenize(jobFor(core, [{ objectID: 'b', title: 'ocean café' }], 'things', false));
    expect(second.newTerms).toEqual(['cafe']);
    expect([...second.tokens]).toEqual([1, 2, -1]);
    const other = v.tokenize(jobFor(core, [{ objectID: 'c', title: 'café' }], 'notes', false));
    expect(other.newTerms).toEqual(['cafe']);
    const again = v.tokenize(jobFor(core, [{ objectID: 'd', title: 'ocean' }], 'things', true));
    expect(again.newTerms).toEqual(['ocean']);
    expect([...again.tokens]).toEqual([0, -1]);
  });

  it('keeps its id table the size of the vocabulary across many dictionary changes', () => {
    const map = new VocabularyMap();
    map.add(0, ['a', 'b', 'c']);
    for (let epoch = 0; epoch < 40; epoch++) {
      const tokens = Int32Array.from([0, 1, 2]);
      map.renumber(tokens, epoch, (t) => ['c', 'b', 'a'].indexOf(t));
      expect([...tokens]).toEqual([2, 1, 0]);
    }
    expect((map as unknown as { ids: Int32Array }).ids.length).toBeLessThanOrEqual(1024);
  });

  it('takes answers out of order (terms placed at their ids)', () => {
    const map = new VocabularyMap();
    map.add(2, ['c']);
    map.add(0, ['a', 'b']);
    expect(map.terms).toEqual(['a', 'b', 'c']);
  });

  it('maps vocabulary ids to the dictionary again after the dictionary changed (epoch)', () => {
    const map = new VocabularyMap();
    map.add(0, ['blue', 'ocean']);
    const dict1 = ['x', 'ocean', 'blue'];
    const tokens = Int32Array.from([0, 1, -1]);
    map.renumber(tokens, 1, (t) => dict1.indexOf(t));
    expect([...tokens]).toEqual([2, 1, -1]);
    const dict2 = ['blue', 'ocean'];
    const again = Int32Array.from([0, 1, -1]);
    map.renumber(again, 2, (t) => dict2.indexOf(t));
    expect([...again]).toEqual([0, 1, -1]);
  });
});
