/* eslint-disable @typescript-eslint/no-non-null-assertion -- hot loops over typed arrays and
   dense id-indexed arrays: indices are in bounds by construction, and noUncheckedIndexedAccess
   would otherwise cost a check per element. */
/**
 * `_highlightResult` and `_snippetResult`: mirror the record's shape (objects stay maps, arrays
 * stay arrays, numbers become strings) with Algolia's leaf structure.
 */
import { termHashes, type TermDictionary } from './dictionary';
import type { QueryWord } from './search-index';
import { originalPrefixLength, tokenizeWithOffsets } from '../text/normalize';

/** One highlight leaf. */
export interface HighlightLeaf {
  value: string;
  matchLevel: 'none' | 'partial' | 'full';
  matchedWords: string[];
  fullyHighlighted?: boolean;
}

/** One snippet leaf. */
export interface SnippetLeaf {
  value: string;
  matchLevel: 'none' | 'partial' | 'full';
}

export interface HighlightOptions {
  words: QueryWord[];
  dict: TermDictionary;
  /** Precomputed lookups for the query's variant terms (see {@link highlightLookup}). */
  lookup?: HighlightLookup;
  preTag: string;
  postTag: string;
  ellipsis: string;
}

interface TokenMatch {
  start: number;
  end: number;
  /** End of the highlighted part (prefix matches highlight only the typed prefix). */
  hlEnd: number;
  words: number[];
}

/** Which query words each variant term matches, and the first hashes of those terms. */
export interface HighlightLookup {
  h1s: Set<number>;
  /** term id → bit mask of the query words it matches, and of those it matches as a whole word. */
  terms: Map<number, { mask: number; fullMask: number }>;
}

/** Builds the per-query lookup that lets ASCII text be highlighted without allocating per token. */
export function highlightLookup(words: QueryWord[], dict: TermDictionary): HighlightLookup {
  const terms = new Map<number, { mask: number; fullMask: number }>();
  const h1s = new Set<number>();
  words.forEach((w, i) => {
    for (const [t, m] of w.matches) {
      let e = terms.get(t);
      if (!e) {
        e = { mask: 0, fullMask: 0 };
        terms.set(t, e);
        h1s.add(termHashes(dict.terms[t]!)[0]);
      }
      e.mask |= 1 << i;
      if (m.full) e.fullMask |= 1 << i;
    }
  });
  return { h1s, terms };
}

const ASCII = /^[\x00-\x7f]*$/; // eslint-disable-line no-control-regex -- the whole ASCII range

/** ASCII fast path of {@link matchTokens}: the scan of internTokens, hash-filtered lookups. */
function matchAscii(
  text: string,
  o: HighlightOptions,
  lookup: HighlightLookup,
  onlyMatched: boolean,
): { tokens: TokenMatch[]; all: number } {
  const out: TokenMatch[] = [];
  let all = 0;
  const n = text.length;
  let start = -1;
  let h1 = 0;
  let h2 = 0;
  for (let i = 0; i <= n; i++) {
    let c = i < n ? text.charCodeAt(i) : 32;
    const isUpper = c >= 65 && c <= 90;
    if (isUpper || (c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (isUpper) c |= 32;
      if (start < 0) {
        start = i;
        h1 = 0x811c9dc5 | 0;
        h2 = 0x2545f491;
      }
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(((h2 << 5) | (h2 >>> 27)) ^ c, 0x9e3779b1);
    } else if (start >= 0) {
      all++;
      let words = NO_WORDS;
      let hlEnd = i;
      if (lookup.h1s.has(h1 | 0)) {
        const id = o.dict.findAscii(text, start, i, h1 | 0, h2 | 0);
        const e = id >= 0 ? lookup.terms.get(id) : undefined;
        if (e) {
          words = [];
          for (let w = 0; w < o.words.length; w++) if (e.mask & (1 << w)) words.push(w);
          if ((e.mask & e.fullMask) === 0) {
            const typed = Math.max(...words.map((w) => o.words[w]!.text.length));
            hlEnd = Math.min(i, start + typed);
          }
        }
      }
      if (!onlyMatched || words.length > 0) out.push({ start, end: i, hlEnd, words });
      start = -1;
    }
  }
  return { tokens: out, all };
}

const NO_WORDS: number[] = [];

/**
 * Tokens of `text` with the query words they match; with `onlyMatched`, just the matching ones
 * (`all` still counts every token).
 */
function matchTokens(
  text: string,
  o: HighlightOptions,
  onlyMatched = false,
): { tokens: TokenMatch[]; all: number } {
  if (o.lookup && ASCII.test(text)) return matchAscii(text, o, o.lookup, onlyMatched);
  const spans = tokenizeWithOffsets(text);
  const out: TokenMatch[] = [];
  for (const s of spans) {
    const id = o.dict.idOf(s.norm);
    const words: number[] = [];
    let full = false;
    if (id >= 0) {
      o.words.forEach((w, i) => {
        const m = w.matches.get(id);
        if (m) {
          words.push(i);
          if (m.full) full = true;
        }
      });
    }
    let hlEnd = s.end;
    if (words.length > 0 && !full) {
      const typed = Math.max(...words.map((i) => Array.from(o.words[i]!.text).length));
      hlEnd = s.start + originalPrefixLength(text.slice(s.start, s.end), typed);
    }
    out.push({ start: s.start, end: s.end, hlEnd, words });
  }
  return { tokens: out, all: spans.length };
}

function levelOf(matched: Set<number>, total: number): 'none' | 'partial' | 'full' {
  if (matched.size === 0) return 'none';
  return matched.size >= total ? 'full' : 'partial';
}

function render(text: string, tokens: TokenMatch[], from: number, to: number, o: HighlightOptions): string {
  let out = '';
  let cursor = from;
  for (const t of tokens) {
    if (t.words.length === 0 || t.start < from || t.end > to) continue;
    out += text.slice(cursor, t.start) + o.preTag + text.slice(t.start, t.hlEnd) + o.postTag;
    cursor = t.hlEnd;
  }
  return out + text.slice(cursor, to);
}

/** Highlight leaf for one string value. */
export function highlightValue(text: string, o: HighlightOptions): HighlightLeaf {
  if (o.words.length === 0) return { value: text, matchLevel: 'none', matchedWords: [] };
  const { tokens, all } = matchTokens(text, o, true);
  const matched = new Set<number>();
  for (const t of tokens) for (const w of t.words) matched.add(w);
  const level = levelOf(matched, o.words.length);
  const leaf: HighlightLeaf = {
    value: render(text, tokens, 0, text.length, o),
    matchLevel: level,
    matchedWords: [...matched].sort((a, b) => a - b).map((i) => o.words[i]!.text),
  };
  if (level !== 'none') {
    const hits = tokens.filter((t) => t.words.length > 0);
    leaf.fullyHighlighted = all > 0 && hits.length === all && hits.every((t) => t.hlEnd === t.end);
  }
  return leaf;
}

/** Snippet leaf for one string value: `words` tokens around the first match. */
export function snippetValue(text: string, words: number, o: HighlightOptions): SnippetLeaf {
  const { tokens } = o.words.length > 0 ? matchTokens(text, o) : { tokens: plainTokens(text) };
  const matched = new Set<number>();
  for (const t of tokens) for (const w of t.words) matched.add(w);
  const level = o.words.length === 0 ? 'none' : levelOf(matched, o.words.length);
  if (tokens.length <= words) {
    return { value: render(text, tokens, 0, text.length, o), matchLevel: level };
  }
  const first = tokens.findIndex((t) => t.words.length > 0);
  let startTok = first <= 0 ? 0 : Math.max(0, first - Math.floor(words / 3));
  startTok = Math.min(startTok, tokens.length - words);
  const endTok = startTok + words;
  const from = startTok === 0 ? 0 : tokens[startTok]!.start;
  const to = endTok >= tokens.length ? text.length : tokens[endTok - 1]!.end;
  const body = render(text, tokens, from, to, o);
  return {
    value: (startTok > 0 ? o.ellipsis : '') + body + (endTok < tokens.length ? o.ellipsis : ''),
    matchLevel: level,
  };
}

function plainTokens(text: string): TokenMatch[] {
  return tokenizeWithOffsets(text).map((s) => ({ start: s.start, end: s.end, hlEnd: s.end, words: [] }));
}

/** Mirrors `value` with highlight leaves (undefined for values that cannot be highlighted). */
export function mirror(value: unknown, leaf: (s: string) => unknown): unknown {
  if (typeof value === 'string') return leaf(value);
  if (typeof value === 'number') return leaf(String(value));
  if (Array.isArray(value)) return value.map((v) => mirror(v, leaf) ?? leaf(''));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const m = mirror(v, leaf);
      if (m !== undefined) out[k] = m;
    }
    return out;
  }
  return undefined;
}
