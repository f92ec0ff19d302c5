/* eslint-disable @typescript-eslint/no-non-null-assertion -- hot loops over typed arrays and
   dense id-indexed arrays: indices are in bounds by construction, and noUncheckedIndexedAccess
   would otherwise cost a check per element. */
/**
 * `_highlightResult` and `_snippetResult`: mirror the record's shape (objects stay maps, arrays
 * stay arrays, numbers become strings) with Algolia's leaf structure.
 */
import type { TermDictionary } from './dictionary';
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

function matchTokens(text: string, o: HighlightOptions): { tokens: TokenMatch[]; all: number } {
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
  const { tokens } = matchTokens(text, o);
  const matched = new Set<number>();
  for (const t of tokens) for (const w of t.words) matched.add(w);
  const level = levelOf(matched, o.words.length);
  const leaf: HighlightLeaf = {
    value: render(text, tokens, 0, text.length, o),
    matchLevel: level,
    matchedWords: [...matched].sort((a, b) => a - b).map((i) => o.words[i]!.text),
  };
  if (level !== 'none') {
    leaf.fullyHighlighted = tokens.length > 0 && tokens.every((t) => t.words.length > 0 && t.hlEnd === t.end);
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
