/**
 * Text normalization and tokenization, identical at index and query time.
 *
 * Tokens are runs of Unicode letters and digits; everything else separates. A token is
 * lowercased and stripped of diacritics (NFD, then combining marks removed), as Algolia does.
 */
import { ownCopy } from './own-copy';

// eslint-disable-next-line no-control-regex -- the whole ASCII range, control characters included
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const ASCII_TOKEN = /[A-Za-z0-9]+/g;
const UNICODE_TOKEN = /[\p{L}\p{N}]+/gu;
const COMBINING_MARKS = /\p{M}+/gu;

/** Normalizes one token (or any short string): lowercase, no diacritics. */
export function normalizeWord(raw: string): string {
  if (ASCII_ONLY.test(raw)) return raw.toLowerCase();
  return raw.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase().normalize('NFC');
}

/** A token with its place in the original string (for highlighting). */
export interface TokenSpan {
  /** Normalized token. */
  norm: string;
  /** Offset of the first UTF-16 unit in the original text. */
  start: number;
  /** Offset just after the token in the original text. */
  end: number;
}

// A bounded memo of raw token → normalized token: vocabularies repeat, normalization does not
// need to run once per occurrence.
const memo = new Map<string, string>();
const MEMO_LIMIT = 500_000;

/** {@link normalizeWord}, memoized (for scanners that meet the same words again and again). */
export function normalizeMemo(raw: string): string {
  let n = memo.get(raw);
  if (n === undefined) {
    // Own copies: `raw` is cut from a text (a view keeps the whole text alive), and so may be `n`.
    n = ownCopy(normalizeWord(raw));
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(ownCopy(raw), n);
  }
  return n;
}

/** Calls `onToken` with every normalized token of `text`, in order. Hot path of indexing. */
export function forEachToken(text: string, onToken: (norm: string) => void): void {
  const re = ASCII_ONLY.test(text) ? ASCII_TOKEN : UNICODE_TOKEN;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const norm = normalizeMemo(m[0]);
    // NFD of some letters yields only marks; skip tokens that normalize to nothing.
    if (norm.length > 0) onToken(norm);
  }
}

/** Tokens of `text` with their offsets (for highlighting and snippeting). */
export function tokenizeWithOffsets(text: string): TokenSpan[] {
  const out: TokenSpan[] = [];
  const re = ASCII_ONLY.test(text) ? ASCII_TOKEN : UNICODE_TOKEN;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const norm = normalizeMemo(m[0]);
    if (norm.length > 0) out.push({ norm, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Normalized tokens of `text`. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  forEachToken(text, (t) => out.push(t));
  return out;
}

/**
 * Maps a prefix length counted in normalized characters back to a length in the original token
 * (diacritics may make the original longer). Used to highlight only the matched prefix.
 */
export function originalPrefixLength(original: string, normalizedPrefixLength: number): number {
  if (ASCII_ONLY.test(original)) return Math.min(normalizedPrefixLength, original.length);
  let count = 0;
  let i = 0;
  for (const ch of original) {
    if (count >= normalizedPrefixLength) break;
    count += normalizeWord(ch).length;
    i += ch.length;
  }
  return i;
}

/** A reusable growable buffer of term ids. */
export class TokenBuffer {
  a = new Int32Array(4096);
  n = 0;

  push(v: number): void {
    if (this.n === this.a.length) {
      const next = new Int32Array(this.a.length * 2);
      next.set(this.a);
      this.a = next;
    }
    this.a[this.n++] = v;
  }
}

/** What {@link internTokens} needs from a dictionary. */
export interface TokenInterner {
  intern(term: string): number;
  internAscii(text: string, start: number, end: number, h1: number, h2: number): number;
}

/**
 * Pushes the term id of every token of `text` onto `out`. The hot path of indexing: ASCII text
 * is scanned by char code and looked up without allocating a string per token.
 */
export function internTokens(text: string, dict: TokenInterner, out: TokenBuffer): void {
  internTokensIn(text, 0, text.length, dict, out);
}

/**
 * For each UTF-16 code unit: its lowercase ASCII code when it is an ASCII letter or digit,
 * {@link OTHER_WORD} when it is another letter or digit (`\p{L}`, `\p{N}`) or a surrogate (a pair
 * may be one), 0 when it separates tokens — as `UNICODE_TOKEN` splits. One load replaces the range
 * checks per char.
 */
const OTHER_WORD = 255;
const WORD_CHAR = (() => {
  const t = new Uint8Array(65536);
  for (let c = 0; c < 128; c++) {
    const letter = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    t[c] = letter ? c : c >= 65 && c <= 90 ? c | 32 : 0;
  }
  // Every code unit from 128 on, surrogates as letters; runs of letters found by one regex scan
  // (a test per char would cost ≈ 10 ms at every start, in the engine and in its worker).
  const units = new Uint16Array(65536 - 128);
  for (let c = 128; c < 65536; c++) units[c - 128] = c >= 0xd800 && c <= 0xdfff ? 0x61 : c;
  const all = new TextDecoder('utf-16le').decode(units);
  for (const m of all.matchAll(/[\p{L}\p{N}]+/gu))
    t.fill(OTHER_WORD, m.index + 128, m.index + 128 + m[0].length);
  return t;
})();

const WORD = /^[\p{L}\p{N}]$/u;

/**
 * For each UTF-16 code unit that normalizes to one code unit on its own, whatever surrounds it:
 * that unit (ASCII letters and digits: lowercase; `é` → `e`, `Й` → `и`, `Ω` → `ω`); 0 otherwise.
 * Then a word made of such units normalizes to their units one for one, so the scan hashes it as
 * it reads it, as it does ASCII words. Only Latin, Greek and Cyrillic letters and digits, where
 * that holds (no composition across letters as with Hangul jamo), except capital sigma, whose
 * lowercase depends on where it stands in the word (`Σ` → `ς` at the end).
 */
const NORM_UNIT = (() => {
  const t = new Uint16Array(65536);
  for (let c = 0; c < 128; c++) t[c] = WORD_CHAR[c] ?? 0; // ASCII: lowercase letters and digits
  const ranges: [number, number][] = [
    [0x00c0, 0x024f], // Latin-1 letters, Latin Extended-A and -B
    [0x0370, 0x03ff], // Greek
    [0x0400, 0x052f], // Cyrillic and its supplement
    [0x1e00, 0x1fff], // Latin Extended Additional, Greek Extended
  ];
  const safe = (u: number): boolean =>
    (u < 128 && t[u] !== 0) || ranges.some(([from, to]) => u >= from && u <= to);
  for (const [from, to] of ranges) {
    for (let c = from; c <= to; c++) {
      if (WORD_CHAR[c] !== OTHER_WORD || c === 0x03a3) continue;
      const n = normalizeWord(String.fromCharCode(c));
      if (n.length === 1 && safe(n.charCodeAt(0))) t[c] = n.charCodeAt(0);
    }
  }
  return t;
})();

/** `text[start, end)` normalized, for a word {@link nextWord} hashed (its units one for one). */
export function hashedWord(text: string, start: number, end: number): string {
  let out = '';
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a char code indexes 64K entries
  for (let i = start; i < end; i++) out += String.fromCharCode(NORM_UNIT[text.charCodeAt(i)]!);
  return out;
}

/**
 * Code units taken by the word character at `text[i]` (before `to`), 0 when it is not one: a
 * surrogate counts only as half of a pair (within the slice) for a letter or digit, as
 * `UNICODE_TOKEN` reads a slice.
 */
function otherWordUnits(text: string, i: number, to: number): number {
  const hi = text.charCodeAt(i);
  if (hi < 0xd800 || hi > 0xdfff) return 1;
  if (hi > 0xdbff || i + 1 >= to) return 0;
  const lo = text.charCodeAt(i + 1);
  return lo >= 0xdc00 && lo <= 0xdfff && WORD.test(text.slice(i, i + 2)) ? 2 : 0;
}

/**
 * {@link internTokens} of `text.slice(from, to)` without slicing it (a sliced string makes every
 * char read slower): the tokens of {@link forEachToken}, found by one scan. An ASCII word is
 * hashed as it is scanned and looked up without allocating a string; a word with other letters
 * (é, ß, Cyrillic, an astral letter) is sliced and normalized (memoized).
 */
export function internTokensIn(
  text: string,
  from: number,
  to: number,
  dict: TokenInterner,
  out: TokenBuffer,
): void {
  const word = newWordScan();
  for (let end = nextWord(text, from, to, word); end >= 0; end = nextWord(text, end, to, word)) {
    if (word.hashed) {
      out.push(dict.internAscii(text, word.start, end, word.h1, word.h2));
      continue;
    }
    const norm = normalizeMemo(text.slice(word.start, end));
    // As forEachToken: never an empty term (no letter or digit is known to normalize to nothing).
    if (norm.length > 0) out.push(dict.intern(norm));
  }
}

/** Where {@link nextWord} leaves the word it found. */
export interface WordScan {
  start: number;
  /**
   * A word of units that normalize one for one (ASCII, most Latin, Greek and Cyrillic letters):
   * `h1`, `h2` are the hashes of it normalized (termHashes; {@link hashedWord} spells it).
   */
  hashed: boolean;
  h1: number;
  h2: number;
}

export const newWordScan = (): WordScan => ({ start: 0, hashed: true, h1: 0, h2: 0 });

/**
 * The scan indexing and highlighting share: the next token of `text[i, to)` as `UNICODE_TOKEN`
 * finds it. Returns its end (-1 when there is none) and leaves its start in `word`; an ASCII word
 * is hashed as it is scanned (the loop ASCII text spends its time in), a word with other letters
 * is only delimited (its caller normalizes it).
 */
export function nextWord(text: string, i: number, to: number, word: WordScan): number {
  while (i < to) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a char code indexes 64K entries
    const w = WORD_CHAR[text.charCodeAt(i)]!;
    if (w === 0) {
      i++;
      continue;
    }
    word.start = i;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- as above
    let n = NORM_UNIT[text.charCodeAt(i)]!;
    if (n !== 0) {
      // Same as termHashes() in core/dictionary.ts, over the normalized units.
      let h1 = 0x811c9dc5 | 0;
      let h2 = 0x2545f491;
      do {
        h1 = Math.imul(h1 ^ n, 0x01000193);
        h2 = Math.imul(((h2 << 5) | (h2 >>> 27)) ^ n, 0x9e3779b1);
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- as above
        n = ++i < to ? NORM_UNIT[text.charCodeAt(i)]! : 0;
      } while (n !== 0);
      // Ended by a separator (or the end), or by a letter that does not normalize one for one: then
      // the whole word is normalized as a string.
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- as above
      if (i >= to || WORD_CHAR[text.charCodeAt(i)]! === 0 || otherWordUnits(text, i, to) === 0) {
        word.hashed = true;
        word.h1 = h1;
        word.h2 = h2;
        return i;
      }
    } else if (w === OTHER_WORD && otherWordUnits(text, i, to) === 0) {
      i++; // a surrogate that is not half of a letter: a separator
      continue;
    }
    word.hashed = false;
    return wordEnd(text, i, to);
  }
  return -1;
}

/** Where the word that goes on at `text[i]` ends (before `to`). */
function wordEnd(text: string, i: number, to: number): number {
  while (i < to) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a char code indexes 64K entries
    const w = WORD_CHAR[text.charCodeAt(i)]!;
    const units = w === 0 ? 0 : w === OTHER_WORD ? otherWordUnits(text, i, to) : 1;
    if (units === 0) break;
    i += units;
  }
  return i;
}
