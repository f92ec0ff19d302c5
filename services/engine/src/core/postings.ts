/* eslint-disable @typescript-eslint/no-non-null-assertion -- hot loops over typed arrays and
   dense id-indexed arrays: indices are in bounds by construction, and noUncheckedIndexedAccess
   would otherwise cost a check per element. */
/**
 * Posting lists (term → ascending doc ids) as a log of immutable segments, Lucene-style.
 *
 * New docs are only noted as pending; before the next read, all pending docs become one segment
 * built with a counting sort over their forward-index tokens (cache-friendly: no per-token writes
 * to scattered per-term arrays), and similar-sized segments are merged so there are O(log n).
 * Each segment is sparse: the sorted term ids it contains, their offsets, and the doc ids.
 */
import { freeSoon } from './free-soon';

/** One immutable segment: sorted term ids, their offsets into `ids`, ascending doc ids per term. */
export interface Segment {
  terms: Int32Array;
  offs: Int32Array;
  ids: Int32Array;
}

/** Where a doc's tokens live (the index's forward arena). */
export interface ForwardReader {
  arena(): Int32Array;
  offset(doc: number): number;
  length(doc: number): number;
}

class IntBuffer {
  a = new Int32Array(1 << 14);
  n = 0;
  /** Makes room for `size` entries (contents are not kept). */
  reserve(size: number): void {
    if (this.a.length < size) this.a = new Int32Array(Math.max(size, this.a.length * 2));
  }
}

function findTerm(terms: Int32Array, t: number): number {
  let lo = 0;
  let hi = terms.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = terms[mid]!;
    if (v === t) return mid;
    if (v < t) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Builds segments from docs' token spans with a counting sort (reusable scratch arrays sized to
 * the dictionary). Used by the posting store and by the tokenizer worker for each batch.
 */
export class SegmentBuilder {
  private stamp = new Int32Array(0);
  private cursor = new Int32Array(0);
  private readonly pairTerms = new IntBuffer();
  private readonly pairDocs = new IntBuffer();

  /** A zeroed per-term counter array of at least `size` entries (to be left zeroed). */
  scratch(size: number): Int32Array {
    if (this.stamp.length < size) {
      const n = Math.max(size, this.stamp.length * 2, 1024);
      const s = new Int32Array(n);
      s.set(this.stamp);
      this.stamp = s;
      const c = new Int32Array(n);
      c.set(this.cursor);
      this.cursor = c;
    }
    return this.cursor;
  }

  /**
   * The segment of docs `docs[i]` whose tokens are `tokens[from[i], to[i])` (negative tokens are
   * separators); `docs` ascending, term ids below `termCount`. `sorted: false` leaves the terms
   * in first-seen order (for a batch segment, which is re-sorted when it is concatenated).
   */
  build(
    tokens: Int32Array,
    from: Int32Array,
    to: Int32Array,
    docs: Int32Array,
    termCount: number,
    sorted = true,
  ): Segment {
    const cursor = this.scratch(termCount);
    const stamp = this.stamp;
    const touched: number[] = [];
    let total = 0;
    for (let i = 0; i < docs.length; i++) total += to[i]! - from[i]!;
    const pt = this.pairTerms;
    const pd = this.pairDocs;
    pt.reserve(total);
    pd.reserve(total);
    const pta = pt.a;
    const pda = pd.a;
    let np = 0;
    for (let j = 0; j < docs.length; j++) {
      const d = docs[j]!;
      // Stamps are doc + 1 of the last doc a term was seen in; a build starts after the last
      // one's docs were unstamped, so any doc id works as a mark.
      const mark = d + 1;
      for (let i = from[j]!, end = to[j]!; i < end; i++) {
        const t = tokens[i]!;
        if (t < 0 || stamp[t] === mark) continue;
        stamp[t] = mark;
        if (cursor[t] === 0) touched.push(t);
        cursor[t]!++;
        pta[np] = t;
        pda[np] = d;
        np++;
      }
    }
    const terms = Int32Array.from(touched);
    if (sorted) terms.sort();
    const offs = new Int32Array(terms.length + 1);
    let pos = 0;
    for (let k = 0; k < terms.length; k++) {
      const t = terms[k]!;
      offs[k] = pos;
      const c = cursor[t]!;
      cursor[t] = pos; // becomes the write cursor
      pos += c;
    }
    offs[terms.length] = pos;
    const ids = new Int32Array(pos);
    for (let i = 0; i < np; i++) {
      const t = pta[i]!;
      ids[cursor[t]!++] = pda[i]!;
    }
    for (let k = 0; k < terms.length; k++) {
      cursor[terms[k]!] = 0;
      stamp[terms[k]!] = 0;
    }
    return { terms, offs, ids };
  }
}

export class PostingStore {
  private segments: Segment[] = [];
  private pending: number[] = [];
  private batches: Segment[] = [];
  private batchDocs = 0;
  private readonly builder = new SegmentBuilder();

  constructor(private readonly fwd: ForwardReader) {}

  /** Pending docs that trigger a segment build (bounded build buffers during bulk loads). */
  batchSize = 16_384;

  /**
   * Docs in pending batch segments that trigger their concatenation. Larger than `batchSize`:
   * concatenating is cheap and memory is already compact, while every segment built early is
   * merged again later (an import of 100k docs copied its postings about twice over).
   */
  batchDocsLimit = 65_536;

  /** Notes a newly indexed doc (its tokens are already in the forward arena). */
  add(doc: number, dictSize: number): void {
    this.pending.push(doc);
    if (this.pending.length >= this.batchSize) this.flush(dictSize);
  }

  /**
   * Adds a batch's segment (from the tokenizer worker, with dictionary term ids in any order and
   * the batch's doc ids, all newer than every doc noted so far). Batch segments are concatenated
   * into one sorted segment before the next read or once they hold `batchDocsLimit` docs.
   */
  addBatch(seg: Segment, docs: number, dictSize: number): void {
    this.flushDocs(dictSize);
    this.batches.push(seg);
    this.batchDocs += docs;
    if (this.batchDocs >= this.batchDocsLimit) this.flushBatches(dictSize);
  }

  /** Builds everything noted into segments; call before reading. */
  flush(dictSize: number): void {
    this.flushDocs(dictSize);
    this.flushBatches(dictSize);
  }

  private flushDocs(dictSize: number): void {
    if (this.pending.length === 0) return;
    this.flushBatches(dictSize);
    const docs = Int32Array.from(this.pending);
    this.pending = [];
    const from = new Int32Array(docs.length);
    const to = new Int32Array(docs.length);
    for (let i = 0; i < docs.length; i++) {
      from[i] = this.fwd.offset(docs[i]!);
      to[i] = from[i]! + this.fwd.length(docs[i]!);
    }
    this.segments.push(this.builder.build(this.fwd.arena(), from, to, docs, dictSize));
    this.mergeTail();
  }

  /**
   * Concatenates the pending batch segments term by term: their doc ranges are ascending and
   * disjoint, so each term's ids are its runs from each batch in order (no per-token work).
   */
  private flushBatches(dictSize: number): void {
    const batches = this.batches;
    if (batches.length === 0) return;
    this.batches = [];
    this.batchDocs = 0;
    const count = this.builder.scratch(dictSize);
    const touched: number[] = [];
    let total = 0;
    for (const b of batches) {
      for (let k = 0; k < b.terms.length; k++) {
        const t = b.terms[k]!;
        if (count[t] === 0) touched.push(t);
        count[t]! += b.offs[k + 1]! - b.offs[k]!;
      }
      total += b.ids.length;
    }
    const terms = Int32Array.from(touched).sort();
    const offs = new Int32Array(terms.length + 1);
    let pos = 0;
    for (let k = 0; k < terms.length; k++) {
      const t = terms[k]!;
      offs[k] = pos;
      pos += count[t]!;
      count[t] = offs[k]!; // becomes the write cursor
    }
    offs[terms.length] = pos;
    const ids = new Int32Array(total);
    for (const b of batches) {
      const bi = b.ids;
      for (let k = 0; k < b.terms.length; k++) {
        const t = b.terms[k]!;
        let c = count[t]!;
        for (let i = b.offs[k]!, end = b.offs[k + 1]!; i < end; i++) ids[c++] = bi[i]!;
        count[t] = c;
      }
    }
    for (let k = 0; k < terms.length; k++) count[terms[k]!] = 0;
    for (const b of batches) freeSoon(b.terms, b.offs, b.ids);
    this.segments.push({ terms, offs, ids });
    this.mergeTail();
  }

  private mergeTail(): void {
    const segs = this.segments;
    while (segs.length >= 2 && segs[segs.length - 2]!.ids.length <= segs[segs.length - 1]!.ids.length) {
      const b = segs.pop()!;
      const a = segs.pop()!;
      segs.push(merge(a, b));
      freeSoon(a.terms, a.offs, a.ids, b.terms, b.offs, b.ids);
    }
  }

  /**
   * Every posting in one segment, doc ids renumbered through `map` (old id → new id; -1 drops
   * the doc). Used by snapshots, whose records get compact ids on restore.
   */
  exportRemapped(map: Int32Array, dictSize: number): Segment {
    this.flush(dictSize);
    let all: Segment = { terms: new Int32Array(0), offs: new Int32Array(1), ids: new Int32Array(0) };
    for (const s of this.segments) {
      const merged = merge(all, s);
      freeSoon(all.terms, all.offs, all.ids); // our own intermediate: nothing views it
      all = merged;
    }
    // `all` is this export's own copy (merge allocates): renumbered in place, since a posting or
    // a term only ever moves towards the front. Views, not copies, when docs were dropped.
    const { terms, offs, ids } = all;
    let pos = 0;
    let kept = 0;
    let from = offs[0]!;
    for (let k = 0; k < terms.length; k++) {
      const end = offs[k + 1]!;
      const start = pos;
      for (let i = from; i < end; i++) {
        const m = map[ids[i]!]!;
        if (m >= 0) ids[pos++] = m;
      }
      from = end;
      if (pos > start) {
        terms[kept] = terms[k]!;
        offs[kept] = start;
        kept++;
      }
    }
    offs[kept] = pos;
    return { terms: terms.subarray(0, kept), offs: offs.subarray(0, kept + 1), ids: ids.subarray(0, pos) };
  }

  /**
   * Replaces the postings with one segment loaded from a snapshot, after checking it is well
   * formed for `docs` documents and `dictSize` terms. False (nothing changed) when it is not.
   */
  importSegment(seg: Segment, docs: number, dictSize: number): boolean {
    const { terms, offs, ids } = seg;
    if (offs.length !== terms.length + 1 || offs[0] !== 0 || offs[terms.length] !== ids.length) return false;
    for (let k = 0; k < terms.length; k++) {
      const t = terms[k]!;
      if (t < 0 || t >= dictSize || (k > 0 && t <= terms[k - 1]!)) return false;
      const from = offs[k]!;
      const to = offs[k + 1]!;
      if (to < from) return false;
      for (let i = from; i < to; i++) {
        const d = ids[i]!;
        if (d < 0 || d >= docs || (i > from && d <= ids[i - 1]!)) return false;
      }
    }
    this.segments = [seg];
    this.pending = [];
    this.batches = [];
    this.batchDocs = 0;
    return true;
  }

  /** Number of postings of `term` (including dead docs): a cost estimate. */
  count(term: number): number {
    let n = 0;
    for (const s of this.segments) {
      const k = findTerm(s.terms, term);
      if (k >= 0) n += s.offs[k + 1]! - s.offs[k]!;
    }
    return n;
  }

  /** Calls `fn` with every doc id of `term`, ascending. */
  forEach(term: number, fn: (doc: number) => void): void {
    for (const s of this.segments) {
      const k = findTerm(s.terms, term);
      if (k < 0) continue;
      const ids = s.ids;
      for (let i = s.offs[k]!, end = s.offs[k + 1]!; i < end; i++) fn(ids[i]!);
    }
  }

  /** The id ranges of `term`, one per segment (hot loops iterate them directly). */
  ranges(term: number, out: { ids: Int32Array; from: number; to: number }[]): void {
    out.length = 0;
    for (const s of this.segments) {
      const k = findTerm(s.terms, term);
      if (k >= 0) out.push({ ids: s.ids, from: s.offs[k]!, to: s.offs[k + 1]! });
    }
  }
}

/**
 * `a` and `b` merged term by term into new arrays. Always new, even when one is empty: callers
 * hand both inputs to freeSoon and exportRemapped renumbers the result in place.
 */
function merge(a: Segment, b: Segment): Segment {
  let na = 0;
  let nb = 0;
  let n = 0;
  while (na < a.terms.length || nb < b.terms.length) {
    const ta = na < a.terms.length ? a.terms[na]! : Number.MAX_SAFE_INTEGER;
    const tb = nb < b.terms.length ? b.terms[nb]! : Number.MAX_SAFE_INTEGER;
    if (ta <= tb) na++;
    if (tb <= ta) nb++;
    n++;
  }
  const terms = new Int32Array(n);
  const offs = new Int32Array(n + 1);
  const ids = new Int32Array(a.ids.length + b.ids.length);
  na = 0;
  nb = 0;
  let k = 0;
  let pos = 0;
  while (na < a.terms.length || nb < b.terms.length) {
    const ta = na < a.terms.length ? a.terms[na]! : Number.MAX_SAFE_INTEGER;
    const tb = nb < b.terms.length ? b.terms[nb]! : Number.MAX_SAFE_INTEGER;
    const t = Math.min(ta, tb);
    terms[k] = t;
    offs[k] = pos;
    // Older segment first: doc ids stay ascending.
    if (ta === t) {
      const ai = a.ids;
      for (let i = a.offs[na]!, end = a.offs[na + 1]!; i < end; i++) ids[pos++] = ai[i]!;
      na++;
    }
    if (tb === t) {
      const bi = b.ids;
      for (let i = b.offs[nb]!, end = b.offs[nb + 1]!; i < end; i++) ids[pos++] = bi[i]!;
      nb++;
    }
    k++;
  }
  offs[n] = pos;
  return { terms, offs, ids };
}
