/**
 * Text normalization and tokenization, identical at index and query time.
 *
 * Tokens are runs of Unicode letters and digits; everything else separates. A token is
 * lowercased and stripped of diacritics (NFD, then combining marks removed), as Algolia does.
 */

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

function normalizeMemo(raw: string): string {
  let n = memo.get(raw);
  if (n === undefined) {
    n = normalizeWord(raw);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(raw, n);
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
 * For each UTF-16 code unit: its lowercase ASCII code when it is a letter or digit, 0 when it is
 * an ASCII separator, {@link NON_ASCII} otherwise. One load replaces four range checks per char.
 */
const NON_ASCII = 255;
const WORD_CHAR = (() => {
  const t = new Uint8Array(65536).fill(NON_ASCII);
  for (let c = 0; c < 128; c++) {
    const letter = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    t[c] = letter ? c : c >= 65 && c <= 90 ? c | 32 : 0;
  }
  return t;
})();

/**
 * {@link internTokens} of `text.slice(from, to)` without slicing it (a sliced string makes every
 * char read slower). The scan assumes ASCII and starts over on the Unicode path at the first
 * other character; terms it interned before that come in the same order either way.
 */
export function internTokensIn(
  text: string,
  from: number,
  to: number,
  dict: TokenInterner,
  out: TokenBuffer,
): void {
  const mark = out.n;
  let i = from;
  while (i < to) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a char code indexes 64K entries
    let w = WORD_CHAR[text.charCodeAt(i)]!;
    if (w === 0) {
      i++;
      continue;
    }
    if (w === NON_ASCII) break;
    const start = i;
    // Same as termHashes() in core/dictionary.ts.
    let h1 = 0x811c9dc5 | 0;
    let h2 = 0x2545f491;
    do {
      h1 = Math.imul(h1 ^ w, 0x01000193);
      h2 = Math.imul(((h2 << 5) | (h2 >>> 27)) ^ w, 0x9e3779b1);
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- as above
      w = ++i < to ? WORD_CHAR[text.charCodeAt(i)]! : 0;
    } while (w !== 0 && w !== NON_ASCII);
    if (w === NON_ASCII) break;
    out.push(dict.internAscii(text, start, i, h1, h2));
  }
  if (i < to) {
    out.n = mark;
    forEachToken(text.slice(from, to), (t) => out.push(dict.intern(t)));
  }
}
