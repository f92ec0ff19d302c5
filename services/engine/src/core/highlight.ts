/* eslint-disable @typescript-eslint/no-non-null-assertion -- hot loops over typed arrays and
   dense id-indexed arrays: indices are in bounds by construction, and noUncheckedIndexedAccess
   would otherwise cost a check per element. */
/**
 * `_highlightResult` and `_snippetResult`: mirror the record's shape (objects stay maps, arrays
 * stay arrays, numbers become strings) with Algolia's leaf structure.
 */
import { termHashes, type TermDictionary } from './dictionary';
import type { QueryWord } from './search-index';
import { MAX_NESTING } from './operations';
import { setOwn } from './record-path';
import {
  newWordScan,
  nextWord,
  normalizeMemo,
  originalPrefixLength,
  tokenizeWithOffsets,
} from '../text/normalize';

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
  /** Each query word's length in code points (what a prefix match highlights of a word). */
  typed: number[];
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
  return { h1s, terms, typed: words.map((w) => Array.from(w.text).length) };
}

/**
 * The scan of {@link matchTokens} with a lookup: the tokens of `tokenizeWithOffsets`, found the
 * way indexing finds them (`internTokensIn`): a word of ASCII, Latin, Greek or Cyrillic letters
 * (those that normalize one for one) is hashed as it is scanned and looked up only when a query
 * term has its first hash; a word with other letters is normalized and looked up by string, as
 * without a lookup. A writer's curly quotes or an accented name no longer send the whole text down
 * the slow path.
 */
function matchScan(
  text: string,
  o: HighlightOptions,
  lookup: HighlightLookup,
  onlyMatched: boolean,
): { tokens: TokenMatch[]; all: number } {
  const out: TokenMatch[] = [];
  let all = 0;
  const word = newWordScan();
  for (
    let end = nextWord(text, 0, text.length, word);
    end >= 0;
    end = nextWord(text, end, text.length, word)
  ) {
    const start = word.start;
    if (word.hashed) {
      all++;
      let words = NO_WORDS;
      let hlEnd = end;
      if (lookup.h1s.has(word.h1)) {
        const id = o.dict.findAscii(text, start, end, word.h1, word.h2);
        const e = id >= 0 ? lookup.terms.get(id) : undefined;
        if (e) {
          words = [];
          for (let q = 0; q < o.words.length; q++) if (e.mask & (1 << q)) words.push(q);
          if ((e.mask & e.fullMask) === 0) {
            const typed = Math.max(...words.map((q) => lookup.typed[q]!));
            hlEnd = Math.min(end, start + typed);
          }
        }
      }
      if (!onlyMatched || words.length > 0) out.push({ start, end, hlEnd, words });
      continue;
    }
    const norm = normalizeMemo(text.slice(start, end));
    if (norm.length === 0) continue;
    all++;
    const t = matchWord(text, start, end, norm, o);
    if (!onlyMatched || t.words.length > 0) out.push(t);
  }
  return { tokens: out, all };
}

/** The query words a token (normalized to `norm`) matches, looked up by string. */
function matchWord(text: string, start: number, end: number, norm: string, o: HighlightOptions): TokenMatch {
  const id = o.dict.idOf(norm);
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
  let hlEnd = end;
  if (words.length > 0 && !full) {
    const typed = Math.max(...words.map((i) => Array.from(o.words[i]!.text).length));
    hlEnd = start + originalPrefixLength(text.slice(start, end), typed);
  }
  return { start, end, hlEnd, words };
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
  if (o.lookup) return matchScan(text, o, o.lookup, onlyMatched);
  // Without a lookup (the reference the scan is tested against): every token by string.
  const spans = tokenizeWithOffsets(text);
  const out = spans.map((s) => matchWord(text, s.start, s.end, s.norm, o));
  return { tokens: onlyMatched ? out.filter((t) => t.words.length > 0) : out, all: spans.length };
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
  // An ellipsis is set off by the space next to the cut, as in Algolia's snippets ("… Docker
  // Compose", "with this …" in answers quoted in public code): one whitespace character that
  // stood there, not punctuation.
  const gap = (at: number): string => (/\s/.test(text[at] ?? '') ? text[at]! : '');
  const head = startTok > 0 && o.ellipsis !== '' ? o.ellipsis + gap(from - 1) : '';
  const tail = endTok < tokens.length && o.ellipsis !== '' ? gap(to) + o.ellipsis : '';
  return { value: head + body + tail, matchLevel: level };
}

function plainTokens(text: string): TokenMatch[] {
  return tokenizeWithOffsets(text).map((s) => ({ start: s.start, end: s.end, hlEnd: s.end, words: [] }));
}

/** Mirrors `value` with highlight leaves (undefined for values that cannot be highlighted). */
export function mirror(value: unknown, leaf: (s: string) => unknown, depth = 0): unknown {
  if (typeof value === 'string') return leaf(value);
  if (typeof value === 'number') return leaf(String(value));
  // Not deeper than a record may nest (MAX_NESTING; records stored before that was checked).
  if (depth > MAX_NESTING) return undefined;
  if (Array.isArray(value)) return value.map((v) => mirror(v, leaf, depth + 1) ?? leaf(''));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const m = mirror(v, leaf, depth + 1);
      if (m !== undefined) setOwn(out, k, m);
    }
    return out;
  }
  return undefined;
}
