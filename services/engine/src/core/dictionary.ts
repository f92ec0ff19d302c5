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

/** A trie node: parallel arrays of child characters and nodes (cheap to iterate). */
interface TrieNode {
  chars: number[];
  kids: TrieNode[];
  /** Term id ending here, or -1. */
  term: number;
}

function newNode(): TrieNode {
  return { chars: [], kids: [], term: -1 };
}

function child(node: TrieNode, c: number): TrieNode | undefined {
  const i = node.chars.indexOf(c);
  return i < 0 ? undefined : node.kids[i];
}

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
  private readonly root: TrieNode = newNode();
  /** Bumped whenever a term is added: lets callers cache lookups. */
  version = 0;

  /**
   * `trie: false` makes an interning-only table (no {@link lookup}): what a batch tokenized
   * off the main thread needs, without paying for the trie.
   */
  constructor(private readonly options: { trie: boolean } = { trie: true }) {}

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
    let node = this.root;
    for (let i = 0; i < term.length; i++) {
      const c = term.charCodeAt(i);
      let next = child(node, c);
      if (next === undefined) {
        next = newNode();
        node.chars.push(c);
        node.kids.push(next);
      }
      node = next;
    }
    node.term = id;
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
   * Terms within `maxTypos` of `word` (as a whole word, or as a prefix of the term when `prefix`).
   * Each term appears once, with its lowest typo count.
   */
  lookup(word: string, maxTypos: number, prefix: boolean): TermMatch[] {
    const out: TermMatch[] = [];
    if (word.length === 0) return out;
    if (maxTypos <= 0) {
      if (!prefix) {
        const id = this.ids.get(word);
        if (id !== undefined) out.push({ term: id, typos: 0, full: true });
        return out;
      }
      let node: TrieNode | undefined = this.root;
      for (let i = 0; i < word.length && node; i++) node = child(node, word.charCodeAt(i));
      if (node) this.collect(node, 0, node.term, out);
      return out;
    }
    return typoWalk(this.root, this.terms.length, word, maxTypos, prefix);
  }

  /** Every term at or below `node`, with `typos` (`exactTerm` is the whole word's). */
  private collect(node: TrieNode, typos: number, exactTerm: number, out: TermMatch[]): void {
    const stack: TrieNode[] = [node];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      if (cur.term >= 0) out.push({ term: cur.term, typos, full: cur.term === exactTerm });
      for (const kid of cur.kids) stack.push(kid);
    }
  }
}

/**
 * The state of one bounded-edit-distance walk, kept between lookups (one walk at a time: lookups
 * are synchronous). Rows of the distance table live in one buffer, `width` cells per trie depth;
 * each term's best match so far is stamped with the walk's number instead of kept in a map.
 */
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
  stack: [] as TrieNode[],
};

/** Terms within `maxTypos` of `word` (see {@link TermDictionary.lookup}); `maxTypos` ≥ 1. */
function typoWalk(
  root: TrieNode,
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
  // One spare cell past the end for the band; depth never passes n + maxTypos + 2 (see visit).
  const width = n + 2;
  w.width = width;
  const cells = (n + maxTypos + 4) * width;
  if (w.rows.length < cells) w.rows = new Int32Array(2 * cells);
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
  // Row 0 whole (distances from the empty prefix).
  const rows = w.rows;
  for (let j = 0; j <= n + 1; j++) rows[j] = j;
  const rootKids = root.kids;
  const q0 = w.q[0];
  for (let k = 0; k < rootKids.length; k++) {
    const c = root.chars[k]!;
    // A different first letter costs one typo more: the subtree gets one less to spend.
    const extra = c === q0 ? 0 : 1;
    const budget = maxTypos - extra;
    if (budget < 1 && extra === 1) continue;
    visit(rootKids[k]!, c, -1, 1, budget, extra, Number.MAX_SAFE_INTEGER);
  }
  const out: TermMatch[] = [];
  for (const term of w.found) out.push({ term, typos: w.bestTypos[term]!, full: w.bestFull[term] === 1 });
  return out;
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
function emitAll(node: TrieNode, typos: number): void {
  const stack = walk.stack;
  const bottom = stack.length;
  stack.push(node);
  while (stack.length > bottom) {
    const cur = stack.pop()!;
    if (cur.term >= 0) emit(cur.term, typos, false);
    for (const kid of cur.kids) stack.push(kid);
  }
}

/**
 * Computes the distance row of `node` (reached by `ch` after `prevCh`, at `depth`) from its
 * parents' rows, reports its term, and descends while something below can stay within `budget`.
 */
function visit(
  node: TrieNode,
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
  if (node.term >= 0) {
    if (d <= budget) emit(node.term, d + extra, true);
    if (prefix && bp <= budget) emit(node.term, bp + extra, false);
  }
  const kids = node.kids;
  if (kids.length === 0) return;
  if (prefix && bp <= budget && rowMin >= bp && depth >= n + bp) {
    // Row minima never decrease with depth: nothing below can beat bp, so every term below
    // matches as a prefix with bp typos. Collect them without more rows — once deeper terms
    // are too long to match the whole word with bp typos (a whole-word match with as few
    // typos as the prefix is reported as whole: `full`).
    for (let k = 0; k < kids.length; k++) emitAll(kids[k]!, bp + extra);
    return;
  }
  const keptAsPrefix = prefix && bp <= budget;
  if (rowMin > budget && !keptAsPrefix) return;
  const chars = node.chars;
  if (rowMin === budget && !keptAsPrefix && depth + 1 > budget) {
    // The budget is spent: a kid stays within it only by matching a query character exactly
    // where this row is at the budget. (A swap completed by the kid qualifies too: it needs
    // the row before at budget − 1 two cells back, which puts this row at the budget one cell
    // back.) Only those kids get a row.
    const nextLo = depth + 1 - budget > 1 ? depth + 1 - budget : 1;
    const nextHi = depth + 1 + budget < n ? depth + 1 + budget : n;
    for (let k = 0; k < kids.length; k++) {
      const c = chars[k]!;
      for (let j = nextLo; j <= nextHi; j++) {
        if (q[j - 1] === c && rows[row + j - 1] === budget) {
          visit(kids[k]!, c, ch, depth + 1, budget, extra, bp);
          break;
        }
      }
    }
    return;
  }
  for (let k = 0; k < kids.length; k++) visit(kids[k]!, chars[k]!, ch, depth + 1, budget, extra, bp);
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
