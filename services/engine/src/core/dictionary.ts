/* eslint-disable @typescript-eslint/no-non-null-assertion -- hot loops over typed arrays and
   dense id-indexed arrays: indices are in bounds by construction, and noUncheckedIndexedAccess
   would otherwise cost a check per element. */
/**
 * The term dictionary: normalized term → integer term id, plus a character trie for prefix and
 * bounded-edit-distance lookup (optimal string alignment, i.e. Damerau with adjacent
 * transpositions). A typo on the first letter counts as two, as in Algolia.
 */
import { hashedWord } from '../text/normalize';
import { ownCopy } from '../text/own-copy';

/**
 * The character trie, flat: node i is the four cells from 4i of one Int32Array — its character
 * (a UTF-16 unit), the term id ending there (or -1), its first kid and its next sibling (0 for
 * none: node 0 is the root, never a kid). An object per node with arrays of kids cost ≈ 150
 * bytes a node, scattered over the heap, and the typo walk's time went to cache misses on them;
 * here a node is 16 bytes, all nodes in one block (1.3 MB for a writer's 100k records).
 */
const CHAR = 0;
const TERM = 1;
const KID = 2;
const NEXT = 3;
/** Kids a node may have before they are also kept by character (see `Trie.wide`). */
const WIDE = 16;

class Trie {
  cells = new Int32Array(4 * 1024);
  /** Nodes in use (the root included). */
  size = 1;
  /**
   * Kids by character of the nodes with more than {@link WIDE} kids (the root; in Chinese or
   * Japanese text, nodes with thousands): following their chain of siblings to find one is slow.
   */
  private wide = new Map<number, Map<number, number>>();

  constructor() {
    this.cells[TERM] = -1;
  }

  /** The kid of `node` reached by `c`, or 0. */
  kid(node: number, c: number): number {
    const byChar = this.wide.get(node);
    if (byChar !== undefined) return byChar.get(c) ?? 0;
    const t = this.cells;
    for (let k = t[(node << 2) + KID]!; k !== 0; k = t[(k << 2) + NEXT]!) if (t[k << 2] === c) return k;
    return 0;
  }

  /** The kid of `node` reached by `c`, added if there is none. */
  kidOrNew(node: number, c: number): number {
    const byChar = this.wide.get(node);
    if (byChar !== undefined) {
      let k = byChar.get(c);
      if (k === undefined) byChar.set(c, (k = this.addKid(node, c)));
      return k;
    }
    const t = this.cells;
    let count = 0;
    for (let k = t[(node << 2) + KID]!; k !== 0; k = t[(k << 2) + NEXT]!, count++)
      if (t[k << 2] === c) return k;
    const k = this.addKid(node, c);
    if (count + 1 > WIDE) {
      const map = new Map<number, number>();
      for (let x = this.cells[(node << 2) + KID]!; x !== 0; x = this.cells[(x << 2) + NEXT]!)
        map.set(this.cells[x << 2]!, x);
      this.wide.set(node, map);
    }
    return k;
  }

  /** Nodes when the trie was last laid out (see {@link compact}). */
  compacted = 1;

  /**
   * Lays the nodes out again so that each node's kids are next to each other, and each block
   * of kids follows its parent's block in depth-first order: a walk then reads a few whole
   * cache lines per node instead of one line per kid, scattered by the order terms arrived in.
   * (A server's searches run with cold caches: the client and the HTTP work between two queries
   * evict them.) Node numbers change; term ids do not.
   */
  compact(): void {
    const old = this.cells;
    const cells = new Int32Array(old.length);
    cells[TERM] = old[TERM]!;
    // Old number → new; the root stays 0 (the array starts at zeros).
    const renumbered = new Int32Array(this.size);
    let next = 1;
    // Old nodes already given their new number, whose kids are to be placed.
    const stack = [0];
    const block: number[] = [];
    while (stack.length > 0) {
      const from = stack.pop()!;
      const first = next;
      block.length = 0;
      for (let k = old[(from << 2) + KID]!; k !== 0; k = old[(k << 2) + NEXT]!) {
        const n = next++;
        renumbered[k] = n;
        block.push(k);
        const at = n << 2;
        cells[at + CHAR] = old[(k << 2) + CHAR]!;
        cells[at + TERM] = old[(k << 2) + TERM]!;
        cells[at + NEXT] = n + 1;
      }
      if (next === first) continue;
      cells[((next - 1) << 2) + NEXT] = 0;
      cells[(renumbered[from]! << 2) + KID] = first;
      // Pushed last to first: the first kid's block is laid out right after this one.
      for (let i = block.length - 1; i >= 0; i--) stack.push(block[i]!);
    }
    this.cells = cells;
    this.compacted = this.size;
    const wide = new Map<number, Map<number, number>>();
    for (const [node, byChar] of this.wide) {
      const map = new Map<number, number>();
      for (const [c, k] of byChar) map.set(c, renumbered[k]!);
      wide.set(renumbered[node]!, map);
    }
    this.wide = wide;
  }

  /** A new kid of `node` reached by `c` (first of its kids). */
  private addKid(node: number, c: number): number {
    if ((this.size + 1) << 2 > this.cells.length) {
      const bigger = new Int32Array(this.cells.length * 2);
      bigger.set(this.cells);
      this.cells = bigger;
    }
    const t = this.cells;
    const k = this.size++;
    const at = k << 2;
    t[at + CHAR] = c;
    t[at + TERM] = -1;
    t[at + KID] = 0;
    t[at + NEXT] = t[(node << 2) + KID]!;
    t[(node << 2) + KID] = k;
    return k;
  }
}

/** The trie of dictionaries that have none: empty, never added to. */
const NO_TRIE = new Trie();

/** One dictionary term matched by a query word. */
export interface TermMatch {
  term: number;
  /** Number of typos (first-letter typos count twice). */
  typos: number;
  /** True when the query word is a full word of the term (no prefix completion needed). */
  full: boolean;
}

export class TermDictionary {
  private readonly ids = new Map<string, number>();
  // Open-addressing table so ASCII tokens are looked up straight from the source text without
  // slicing a string per occurrence. Slots are [hash1, hash2, length, id + 1]: one cache line per
  // probe. Two independent 32-bit hashes plus the length identify a term (a false match would
  // need a 64-bit collision between two terms of the same length).
  private table = new Int32Array(4 << 16);
  /** Term strings by id. */
  readonly terms: string[] = [];
  /** The trie, when this dictionary has one (see the constructor). */
  private readonly trie: Trie;
  /** Bumped whenever a term is added: lets callers cache lookups. */
  version = 0;

  /**
   * `trie: false` makes an interning-only table (no {@link lookup}): what a batch tokenized
   * off the main thread needs, without paying for the trie.
   */
  constructor(private readonly options: { trie: boolean } = { trie: true }) {
    this.trie = options.trie ? new Trie() : NO_TRIE;
  }

  get size(): number {
    return this.terms.length;
  }

  /** Id of `term`, or -1. */
  idOf(term: string): number {
    return this.ids.get(term) ?? -1;
  }

  /**
   * Id of the token `text[start, end)` that the scan hashed (`nextWord`: ASCII, or letters that
   * normalize one for one), normalized, whose hashes (see {@link termHashes}) the caller computed
   * while scanning; added if new.
   */
  internAscii(text: string, start: number, end: number, h1: number, h2: number): number {
    const table = this.table;
    const mask = (table.length >> 2) - 1;
    const len = end - start;
    let slot = h1 & mask;
    for (;;) {
      const at = slot << 2;
      const id1 = table[at + 3]!;
      if (id1 === 0) break;
      if (table[at] === h1 && table[at + 1] === h2 && table[at + 2] === len) return id1 - 1;
      slot = (slot + 1) & mask;
    }
    return this.intern(hashedWord(text, start, end));
  }

  /** Id of the hashed token `text[start, end)` normalized (hashes as for internAscii), or -1. */
  findAscii(text: string, start: number, end: number, h1: number, h2: number): number {
    const table = this.table;
    const mask = (table.length >> 2) - 1;
    const len = end - start;
    let slot = h1 & mask;
    for (;;) {
      const at = slot << 2;
      const id1 = table[at + 3]!;
      if (id1 === 0) return -1;
      if (table[at] === h1 && table[at + 1] === h2 && table[at + 2] === len) return id1 - 1;
      slot = (slot + 1) & mask;
    }
  }

  /** Id of `term`, added if new. */
  intern(term: string): number {
    let id = this.ids.get(term);
    if (id !== undefined) return id;
    // Kept for good: never a view of the (batch, request, chunk) text it was cut from.
    term = ownCopy(term);
    id = this.terms.length;
    this.terms.push(term);
    this.ids.set(term, id);
    if (this.terms.length * 2 > this.table.length >> 2) this.growTable();
    else this.place(id);
    this.version++;
    if (!this.options.trie) return id;
    const trie = this.trie;
    let node = 0;
    for (let i = 0; i < term.length; i++) node = trie.kidOrNew(node, term.charCodeAt(i));
    trie.cells[(node << 2) + TERM] = id;
    return id;
  }

  private place(id: number): void {
    const term = this.terms[id]!;
    const [h1, h2] = termHashes(term);
    const mask = (this.table.length >> 2) - 1;
    let slot = h1 & mask;
    while (this.table[(slot << 2) + 3] !== 0) slot = (slot + 1) & mask;
    const at = slot << 2;
    this.table[at] = h1;
    this.table[at + 1] = h2;
    this.table[at + 2] = term.length;
    this.table[at + 3] = id + 1;
  }

  private growTable(): void {
    this.table = new Int32Array(this.table.length * 2);
    for (let id = 0; id < this.terms.length; id++) this.place(id);
  }

  /**
   * Lays the trie out again (see `Trie.compact`) once it has grown by an eighth since: 6–14 ms
   * for the 69k nodes of a writer's 100k records, ≈ 0.2–0.3 s for 2.6M. The lookup that finds
   * it grown pays it (an import without searches, never; the first search after one, once).
   */
  private tidy(): void {
    const trie = this.trie;
    if (trie !== NO_TRIE && trie.size > trie.compacted + (trie.compacted >> 3) + 64) trie.compact();
  }

  /**
   * Terms within `maxTypos` of `word` (as a whole word, or as a prefix of the term when `prefix`).
   * Each term appears once, with its lowest typo count.
   */
  lookup(word: string, maxTypos: number, prefix: boolean): TermMatch[] {
    const out: TermMatch[] = [];
    if (word.length === 0) return out;
    this.tidy();
    if (maxTypos <= 0) {
      if (!prefix) {
        const id = this.ids.get(word);
        if (id !== undefined) out.push({ term: id, typos: 0, full: true });
        return out;
      }
      let node = 0;
      for (let i = 0; i < word.length && (i === 0 || node !== 0); i++)
        node = this.trie.kid(node, word.charCodeAt(i));
      if (node !== 0) this.collect(node, out);
      return out;
    }
    return typoWalk(this.trie.cells, this.terms.length, word, maxTypos, prefix);
  }

  /** Every term at or below `node`, without typos (the one ending at `node` whole). */
  private collect(node: number, out: TermMatch[]): void {
    const t = this.trie.cells;
    const exactTerm = t[(node << 2) + TERM];
    const stack = [node];
    while (stack.length > 0) {
      const cur = stack.pop()! << 2;
      const term = t[cur + TERM]!;
      if (term >= 0) out.push({ term, typos: 0, full: term === exactTerm });
      for (let k = t[cur + KID]!; k !== 0; k = t[(k << 2) + NEXT]!) stack.push(k);
    }
  }
}

/**
 * The state of one bounded-edit-distance walk, kept between lookups (one walk at a time: lookups
 * are synchronous). Rows of the distance table live in one buffer, `width` cells per trie depth;
 * each term's best match so far is stamped with the walk's number instead of kept in a map.
 */
const NO_CELLS = new Int32Array(0);

const walk = {
  q: new Int32Array(64),
  n: 0,
  width: 0,
  prefix: false,
  rows: new Int32Array(1024),
  stamp: new Int32Array(1024),
  bestTypos: new Int32Array(1024),
  bestFull: new Uint8Array(1024),
  walkNo: 0,
  found: [] as number[],
  stack: [] as number[],
  /** The trie's cells (see {@link Trie}). */
  cells: NO_CELLS as Int32Array,
  /**
   * The bit-parallel walk's state (words of up to {@link MAX_BITS_WORD} code units). `peq[c]` has
   * bit j set when the word's j-th code unit (from 1) is `c`; it is cleared after each walk.
   * `levels` holds, per trie depth, one bit set per typo count e ≤ 2: bit j set when the word's
   * first j code units are within e typos of the path's characters.
   */
  peq: new Int32Array(0),
  levels: new Int32Array(3 * 64),
  /** The bits 0..n of a word of n code units. */
  full: 0,
};

/**
 * The longest word the bit-parallel walk takes: its bit sets have a bit for each prefix of the
 * word, the empty one included, in 32 bits. Longer words take the row-by-row walk.
 */
const MAX_BITS_WORD = 31;

/** Terms within `maxTypos` of `word` (see {@link TermDictionary.lookup}); `maxTypos` ≥ 1. */
function typoWalk(
  cells: Int32Array,
  terms: number,
  word: string,
  maxTypos: number,
  prefix: boolean,
): TermMatch[] {
  const w = walk;
  const n = word.length;
  if (w.q.length < n) w.q = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) w.q[i] = word.charCodeAt(i);
  w.n = n;
  w.prefix = prefix;
  w.cells = cells;
  // One spare cell past the end for the band; depth never passes n + maxTypos + 2 (see visit).
  w.width = n + 2;
  if (w.stamp.length < terms) {
    const size = Math.max(terms, 2 * w.stamp.length);
    w.stamp = new Int32Array(size);
    w.bestTypos = new Int32Array(size);
    w.bestFull = new Uint8Array(size);
    w.walkNo = 0;
  }
  // Stamps are the walk's number: a wrap would make old stamps look current.
  if (++w.walkNo === 0x7fffffff) {
    w.stamp.fill(0);
    w.walkNo = 1;
  }
  w.found.length = 0;
  if (n <= MAX_BITS_WORD && maxTypos <= 2) bitWalk(maxTypos);
  else rowWalk(maxTypos);
  // Not kept past the walk: a deleted index's trie would stay alive until the next lookup.
  w.cells = NO_CELLS;
  const out: TermMatch[] = [];
  for (const term of w.found) out.push({ term, typos: w.bestTypos[term]!, full: w.bestFull[term] === 1 });
  return out;
}

/** The row-by-row walk: distance rows of the table, a band of them per trie node. */
function rowWalk(maxTypos: number): void {
  const w = walk;
  const n = w.n;
  const width = w.width;
  const cells = (n + maxTypos + 4) * width;
  if (w.rows.length < cells) w.rows = new Int32Array(2 * cells);
  // Row 0 whole (distances from the empty prefix).
  const rows = w.rows;
  for (let j = 0; j <= n + 1; j++) rows[j] = j;
  const t = w.cells;
  const q0 = w.q[0];
  for (let k = t[KID]!; k !== 0; k = t[(k << 2) + NEXT]!) {
    const c = t[k << 2]!;
    // A different first letter costs one typo more: the subtree gets one less to spend.
    const extra = c === q0 ? 0 : 1;
    const budget = maxTypos - extra;
    if (budget < 1 && extra === 1) continue;
    visit(k, c, -1, 1, budget, extra, Number.MAX_SAFE_INTEGER);
  }
}

/**
 * The bit-parallel walk (Wu and Manber's automaton for k differences, with Hyyrö's adjacent
 * transpositions): a trie node's distances within the budget are one bit set per typo count,
 * computed from its parent's and grandparent's in a few word operations, where the row walk
 * computes up to five cells. Same answers as the row walk (tested against each other and
 * against brute force).
 */
function bitWalk(maxTypos: number): void {
  const w = walk;
  const n = w.n;
  const q = w.q;
  if (w.peq.length === 0) w.peq = new Int32Array(0x10000);
  const peq = w.peq;
  if (w.levels.length < 3 * (n + 4)) w.levels = new Int32Array(6 * (n + 4));
  const m = w.levels;
  w.full = (-1 >>> (31 - n)) | 0;
  for (let j = 1; j <= n; j++) {
    const c = q[j - 1]!;
    peq[c] = peq[c]! | (1 << j);
  }
  try {
    // Depth 0, the empty path: the word's first j units are j typos away from it.
    m[0] = 0b1;
    m[1] = 0b11;
    m[2] = maxTypos === 2 ? 0b111 : 0;
    const q0 = q[0];
    const t = w.cells;
    for (let k = t[KID]!; k !== 0; k = t[(k << 2) + NEXT]!) {
      const c = t[k << 2]!;
      // A different first letter costs one typo more: the subtree gets one less to spend.
      const extra = c === q0 ? 0 : 1;
      const budget = maxTypos - extra;
      if (budget < 1) continue;
      // Depth 1 from depth 0 (no transposition yet); the sets above the budget stay empty.
      const bc = peq[c]!;
      const k0 = (m[0] << 1) & bc;
      const k1 = (((m[1] << 1) & bc) | (m[0] << 1) | m[0] | (k0 << 1)) & w.full;
      const k2 = budget === 2 ? (((m[2] << 1) & bc) | (m[1] << 1) | m[1] | (k1 << 1)) & w.full : 0;
      if ((budget === 2 ? k2 : k1) === 0) continue;
      m[3] = k0;
      m[4] = k1;
      m[5] = k2;
      visitBits(k, c, 1, budget, extra, Number.MAX_SAFE_INTEGER);
    }
  } finally {
    for (let j = 0; j < n; j++) peq[q[j]!] = 0;
  }
}

/**
 * Reports the term of `node` (reached by `ch` at `depth`, its bit sets already in `levels`,
 * something within `budget`), then computes each kid's sets and descends into the kids with
 * something within the budget — or, when a prefix already matched, reports the rest at once.
 */
function visitBits(
  node: number,
  ch: number,
  depth: number,
  budget: number,
  extra: number,
  bestPrefix: number,
): void {
  const w = walk;
  const t = w.cells;
  const m = w.levels;
  const n = w.n;
  const at = 3 * depth;
  const r0 = m[at]!;
  const r1 = m[at + 1]!;
  const r2 = m[at + 2]!; // empty when the budget is 1
  const whole = 1 << n;
  const d = (r0 & whole) !== 0 ? 0 : (r1 & whole) !== 0 ? 1 : (r2 & whole) !== 0 ? 2 : budget + 1;
  const rowMin = r0 !== 0 ? 0 : r1 !== 0 ? 1 : r2 !== 0 ? 2 : budget + 1;
  const prefix = w.prefix;
  const bp = prefix && d < bestPrefix ? d : bestPrefix;
  const term = t[(node << 2) + TERM]!;
  if (term >= 0) {
    if (d <= budget) emit(term, d + extra, true);
    if (prefix && bp <= budget) emit(term, bp + extra, false);
  }
  const first = t[(node << 2) + KID]!;
  if (first === 0) return;
  const keptAsPrefix = prefix && bp <= budget;
  if (keptAsPrefix && rowMin >= bp && depth >= n + bp) {
    // As in the row walk (see visit): every term below matches as a prefix with bp typos.
    for (let k = first; k !== 0; k = t[(k << 2) + NEXT]!) emitAll(k, bp + extra);
    return;
  }
  const peq = w.peq;
  const full = w.full;
  const bch = peq[ch]!;
  // The parent's sets, for a transposition completed by a kid.
  const g0 = m[at - 3]!;
  const g1 = m[at - 2]!;
  const next = at + 3;
  for (let k = first; k !== 0; k = t[(k << 2) + NEXT]!) {
    const c = t[k << 2]!;
    const bc = peq[c]!;
    // Bit j: the word's j-th unit is `ch` and its (j−1)-th is `c` (the two swapped).
    const swap = (bc << 1) & bch;
    // Within e typos at j: a match from e at j−1 before `c`; or, from e−1, a substitution
    // (j−1 before), an extra `c` (j before), a missing unit (j−1 now), a swap (j−2 two back).
    const k0 = (r0 << 1) & bc;
    const k1 = (((r1 << 1) & bc) | (r0 << 1) | r0 | (k0 << 1) | ((g0 << 2) & swap)) & full;
    const k2 = budget === 2 ? (((r2 << 1) & bc) | (r1 << 1) | r1 | (k1 << 1) | ((g1 << 2) & swap)) & full : 0;
    if ((budget === 2 ? k2 : k1) === 0) {
      // Nothing within the budget here or below (sets only shrink with depth): a prefix that
      // already matched is all that is left, for every term below.
      if (keptAsPrefix) emitAll(k, bp + extra);
      continue;
    }
    m[next] = k0;
    m[next + 1] = k1;
    m[next + 2] = k2;
    visitBits(k, c, depth + 1, budget, extra, bp);
  }
}

/** Keeps `term`'s lowest typo count (a whole-word match wins a tie), in first-found order. */
function emit(term: number, typos: number, full: boolean): void {
  const w = walk;
  if (w.stamp[term] !== w.walkNo) {
    w.stamp[term] = w.walkNo;
    w.bestTypos[term] = typos;
    w.bestFull[term] = full ? 1 : 0;
    w.found.push(term);
    return;
  }
  const prev = w.bestTypos[term]!;
  if (typos < prev || (typos === prev && full && w.bestFull[term] === 0)) {
    w.bestTypos[term] = typos;
    w.bestFull[term] = full ? 1 : 0;
  }
}

/** Every term at or below `node`, as a prefix match with `typos`. */
function emitAll(node: number, typos: number): void {
  const t = walk.cells;
  const stack = walk.stack;
  const bottom = stack.length;
  stack.push(node);
  while (stack.length > bottom) {
    const cur = stack.pop()! << 2;
    const term = t[cur + TERM]!;
    if (term >= 0) emit(term, typos, false);
    for (let k = t[cur + KID]!; k !== 0; k = t[(k << 2) + NEXT]!) stack.push(k);
  }
}

/**
 * Computes the distance row of `node` (reached by `ch` after `prevCh`, at `depth`) from its
 * parents' rows, reports its term, and descends while something below can stay within `budget`.
 */
function visit(
  node: number,
  ch: number,
  prevCh: number,
  depth: number,
  budget: number,
  extra: number,
  bestPrefix: number,
): void {
  const w = walk;
  const q = w.q;
  const n = w.n;
  const rows = w.rows;
  const width = w.width;
  const row = depth * width;
  const prev = row - width;
  const prev2 = prev - width; // read only from depth 2 on
  // Only the band |j - depth| <= budget can hold a distance within budget: cells outside it
  // are not computed, and the two next to it (the only ones a later row reads) hold
  // budget + 1, which stands for any larger distance without changing any within budget.
  const over = budget + 1;
  const lo = depth - budget > 1 ? depth - budget : 1;
  const hi = depth + budget < n ? depth + budget : n;
  rows[row] = depth;
  rows[row + lo - 1] = lo === 1 ? depth : over;
  rows[row + hi + 1] = over;
  let rowMin = depth;
  let left = rows[row + lo - 1]!;
  for (let j = lo; j <= hi; j++) {
    const qj = q[j - 1]!;
    let v = left + 1;
    const up = rows[prev + j]! + 1;
    if (up < v) v = up;
    const diag = rows[prev + j - 1]! + (qj === ch ? 0 : 1);
    if (diag < v) v = diag;
    if (j >= 2 && depth >= 2 && qj === prevCh && q[j - 2] === ch) {
      const swap = rows[prev2 + j - 2]! + 1;
      if (swap < v) v = swap;
    }
    rows[row + j] = v;
    left = v;
    if (v < rowMin) rowMin = v;
  }
  const d = hi === n ? rows[row + n]! : over;
  const prefix = w.prefix;
  const bp = prefix && d < bestPrefix ? d : bestPrefix;
  const t = w.cells;
  const term = t[(node << 2) + TERM]!;
  if (term >= 0) {
    if (d <= budget) emit(term, d + extra, true);
    if (prefix && bp <= budget) emit(term, bp + extra, false);
  }
  const first = t[(node << 2) + KID]!;
  if (first === 0) return;
  if (prefix && bp <= budget && rowMin >= bp && depth >= n + bp) {
    // Row minima never decrease with depth: nothing below can beat bp, so every term below
    // matches as a prefix with bp typos. Collect them without more rows — once deeper terms
    // are too long to match the whole word with bp typos (a whole-word match with as few
    // typos as the prefix is reported as whole: `full`).
    for (let k = first; k !== 0; k = t[(k << 2) + NEXT]!) emitAll(k, bp + extra);
    return;
  }
  const keptAsPrefix = prefix && bp <= budget;
  if (rowMin > budget && !keptAsPrefix) return;
  if (rowMin === budget && !keptAsPrefix && depth + 1 > budget) {
    // The budget is spent: a kid stays within it only by matching a query character exactly
    // where this row is at the budget. (A swap completed by the kid qualifies too: it needs
    // the row before at budget − 1 two cells back, which puts this row at the budget one cell
    // back.) Only those kids get a row.
    const nextLo = depth + 1 - budget > 1 ? depth + 1 - budget : 1;
    const nextHi = depth + 1 + budget < n ? depth + 1 + budget : n;
    for (let k = first; k !== 0; k = t[(k << 2) + NEXT]!) {
      const c = t[k << 2]!;
      for (let j = nextLo; j <= nextHi; j++) {
        if (q[j - 1] === c && rows[row + j - 1] === budget) {
          visit(k, c, ch, depth + 1, budget, extra, bp);
          break;
        }
      }
    }
    return;
  }
  for (let k = first; k !== 0; k = t[(k << 2) + NEXT]!)
    visit(k, t[k << 2]!, ch, depth + 1, budget, extra, bp);
}

/**
 * The two hashes {@link TermDictionary.internAscii} expects, over UTF-16 code units (FNV-1a, and
 * a rotate-multiply hash). `nextWord` (text/normalize.ts) computes the same inline while scanning.
 */
export function termHashes(term: string): [number, number] {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x2545f491;
  for (let i = 0; i < term.length; i++) {
    const c = term.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(((h2 << 5) | (h2 >>> 27)) ^ c, 0x9e3779b1);
  }
  return [h1 | 0, h2 | 0];
}
