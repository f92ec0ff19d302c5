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
    const n = word.length;
    const q = new Int32Array(n);
    for (let i = 0; i < n; i++) q[i] = word.charCodeAt(i);
    const rows: Int32Array[] = [];
    // Row 0 whole (distances from the empty prefix); one spare cell past the end for the band.
    const row0 = new Int32Array(n + 2);
    for (let j = 0; j <= n + 1; j++) row0[j] = j;
    rows.push(row0);
    const best = new Map<number, TermMatch>();
    const emit = (term: number, typos: number, full: boolean): void => {
      const prev = best.get(term);
      if (prev === undefined || typos < prev.typos || (typos === prev.typos && full && !prev.full)) {
        best.set(term, { term, typos, full });
      }
    };
    const visit = (
      node: TrieNode,
      ch: number,
      prevCh: number,
      depth: number,
      budget: number,
      extra: number,
      bestPrefix: number,
    ): void => {
      let row = rows[depth];
      if (row === undefined) {
        row = new Int32Array(n + 2);
        rows[depth] = row;
      }
      const prev = rows[depth - 1]!;
      const prev2 = depth >= 2 ? rows[depth - 2]! : null;
      // Only the band |j - depth| <= budget can hold a distance within budget: cells outside it
      // are not computed, and the two next to it (the only ones a later row reads) hold
      // budget + 1, which stands for any larger distance without changing any within budget.
      const over = budget + 1;
      const lo = depth - budget > 1 ? depth - budget : 1;
      const hi = depth + budget < n ? depth + budget : n;
      row[0] = depth;
      row[lo - 1] = lo === 1 ? depth : over;
      row[hi + 1] = over;
      let rowMin = depth;
      for (let j = lo; j <= hi; j++) {
        const cost = q[j - 1] === ch ? 0 : 1;
        let v = Math.min(row[j - 1]! + 1, prev[j]! + 1, prev[j - 1]! + cost);
        if (prev2 !== null && j >= 2 && q[j - 1] === prevCh && q[j - 2] === ch) {
          v = Math.min(v, prev2[j - 2]! + 1);
        }
        row[j] = v;
        if (v < rowMin) rowMin = v;
      }
      const d = hi === n ? row[n]! : over;
      const bp = prefix ? Math.min(bestPrefix, d) : bestPrefix;
      if (node.term >= 0) {
        if (d <= budget) emit(node.term, d + extra, true);
        if (prefix && bp <= budget) emit(node.term, bp + extra, false);
      }
      if (node.kids.length === 0) return;
      if (prefix && bp <= budget && rowMin >= bp && depth >= n + bp) {
        // Row minima never decrease with depth: nothing below can beat bp, so every term below
        // matches as a prefix with bp typos. Collect them without more rows — once deeper terms
        // are too long to match the whole word with bp typos (a whole-word match with as few
        // typos as the prefix is reported as whole: `full`).
        for (const kid of node.kids) this.collect(kid, bp + extra, -1, (m) => emit(m.term, m.typos, false));
        return;
      }
      const keptAsPrefix = prefix && bp <= budget;
      if (rowMin > budget && !keptAsPrefix) return;
      const kids = node.kids;
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
            if (q[j - 1] === c && row[j - 1] === budget) {
              visit(kids[k]!, c, ch, depth + 1, budget, extra, bp);
              break;
            }
          }
        }
        return;
      }
      for (let k = 0; k < kids.length; k++) visit(kids[k]!, chars[k]!, ch, depth + 1, budget, extra, bp);
    };
    {
      const rootKids = this.root.kids;
      for (let k = 0; k < rootKids.length; k++) {
        const c = this.root.chars[k]!;
        const kid = rootKids[k]!;
        // A different first letter costs one typo more: the subtree gets one less to spend.
        const extra = c === q[0] ? 0 : 1;
        const budget = maxTypos - extra;
        if (budget < 1 && extra === 1) continue;
        visit(kid, c, -1, 1, budget, extra, Number.MAX_SAFE_INTEGER);
      }
    }
    for (const m of best.values()) out.push(m);
    return out;
  }

  private collect(
    node: TrieNode,
    typos: number,
    exactTerm: number,
    out: TermMatch[] | ((m: TermMatch) => void),
  ): void {
    const stack: TrieNode[] = [node];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      if (cur.term >= 0) {
        const m = { term: cur.term, typos, full: cur.term === exactTerm };
        if (typeof out === 'function') out(m);
        else out.push(m);
      }
      for (const kid of cur.kids) stack.push(kid);
    }
  }
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
