import { describe, expect, it } from 'vitest';
import { PostingStore, type Segment } from './postings';

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Term → ascending doc ids, from a segment. */
function listsOf(seg: Segment): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (let k = 0; k < seg.terms.length; k++)
    out.set(seg.terms[k]!, Array.from(seg.ids.subarray(seg.offs[k], seg.offs[k + 1])));
  return out;
}

describe('PostingStore.exportRemapped', () => {
  it('renumbers every segment’s postings, dropping dead docs and terms left without any', () => {
    const random = rng(7);
    const TERMS = 40;
    const DOCS = 300;
    // Forward index: each doc's tokens (with a separator) end to end in one arena.
    const docTokens = Array.from({ length: DOCS }, () =>
      Array.from({ length: 1 + Math.floor(random() * 12) }, () =>
        random() < 0.1 ? -1 : Math.floor(random() ** 2 * TERMS),
      ),
    );
    // Terms 3 and 39 appear only in doc 5, which dies: their lists must disappear, and the terms
    // after 3 move up.
    const LONE = [3, TERMS - 1];
    docTokens.forEach((t) => t.forEach((x, i) => (t[i] = LONE.includes(x) ? 0 : x)));
    docTokens[5]!.push(...LONE);
    const offsets: number[] = [];
    const flat: number[] = [];
    for (const t of docTokens) {
      offsets.push(flat.length);
      flat.push(...t);
    }
    const arena = Int32Array.from(flat);
    const store = new PostingStore({
      arena: () => arena,
      offset: (d) => offsets[d]!,
      length: (d) => docTokens[d]!.length,
    });
    store.batchSize = 17; // many segments, merged at several sizes
    for (let d = 0; d < DOCS; d++) store.add(d, TERMS);

    const map = new Int32Array(DOCS);
    let next = 0;
    for (let d = 0; d < DOCS; d++) map[d] = d === 5 || random() < 0.3 ? -1 : next++;
    const got = store.exportRemapped(map, TERMS);

    const expected = new Map<number, number[]>();
    for (let t = 0; t < TERMS; t++) {
      const ids = [];
      for (let d = 0; d < DOCS; d++) if (map[d]! >= 0 && docTokens[d]!.includes(t)) ids.push(map[d]!);
      if (ids.length > 0) expected.set(t, ids);
    }
    for (const t of LONE) expect(expected.has(t)).toBe(false);
    expect(listsOf(got)).toEqual(expected);
    expect(Array.from(got.terms)).toEqual([...expected.keys()]);
    expect(got.offs.length).toBe(got.terms.length + 1);
    expect(got.offs[got.terms.length]).toBe(got.ids.length);

    // The store itself is untouched: an identity export gives every posting back.
    const identity = Int32Array.from({ length: DOCS }, (_, d) => d);
    const all = listsOf(store.exportRemapped(identity, TERMS));
    for (let t = 0; t < TERMS; t++) {
      const ids = [];
      for (let d = 0; d < DOCS; d++) if (docTokens[d]!.includes(t)) ids.push(d);
      expect(all.get(t) ?? []).toEqual(ids);
    }
  });

  it('stays right where merges hand their inputs to freeSoon (segments over 64 KB)', () => {
    const random = rng(11);
    const DOCS = 12_000;
    const TERMS = 3_000;
    const docTokens = Array.from({ length: DOCS }, () =>
      Array.from({ length: 20 }, () => (random() < 0.05 ? -1 : Math.floor(random() ** 3 * TERMS))),
    );
    const offsets: number[] = [];
    let total = 0;
    for (const t of docTokens) {
      offsets.push(total);
      total += t.length;
    }
    const arena = Int32Array.from(docTokens.flat());
    const naive = (map: Int32Array): Map<number, number[]> => {
      const lists = new Map<number, number[]>();
      docTokens.forEach((tokens, d) => {
        if (map[d]! < 0) return;
        for (const t of new Set(tokens)) {
          if (t < 0) continue;
          const list = lists.get(t);
          if (list) list.push(map[d]!);
          else lists.set(t, [map[d]!]);
        }
      });
      return new Map([...lists].sort((a, b) => a[0] - b[0]));
    };
    for (const batchSize of [1_500, 1 << 20]) {
      const store = new PostingStore({
        arena: () => arena,
        offset: (d) => offsets[d]!,
        length: (d) => docTokens[d]!.length,
      });
      store.batchSize = batchSize; // many segments merged, or a single one
      for (let d = 0; d < DOCS; d++) store.add(d, TERMS);
      const map = new Int32Array(DOCS);
      let next = 0;
      for (let d = 0; d < DOCS; d++) map[d] = random() < 0.4 ? -1 : next++;
      const first = store.exportRemapped(map, TERMS);
      const expected = naive(map);
      expect(listsOf(first)).toEqual(expected);
      expect(store.exportRemapped(new Int32Array(DOCS).fill(-1), TERMS).ids.length).toBe(0);
      // The store is intact, and a second export (more merges) leaves the first one as it was.
      const identity = Int32Array.from({ length: DOCS }, (_, d) => d);
      expect(listsOf(store.exportRemapped(identity, TERMS))).toEqual(naive(identity));
      expect(listsOf(first)).toEqual(expected);
    }
  });
});
