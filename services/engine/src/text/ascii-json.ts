/* eslint-disable @typescript-eslint/no-non-null-assertion -- a hot loop over the bytes of a body,
   indexed within their length (and valid UTF-8 sequences within it). */
/**
 * Record texts kept as ASCII. V8 stores a string with any character above U+00FF in two bytes per
 * character, so one curly apostrophe in a record doubled the memory of its text, and of the 2 MB
 * batch string its view kept alive; a writer's records nearly all have one. A JSON text stays the
 * same JSON with every non-ASCII code unit written as a `\uXXXX` escape (they occur only inside
 * strings), and is then a one-byte string: ≈ 1 byte per character instead of 2, a few more bytes
 * per escaped character. Not for dense non-Latin text (Cyrillic, Greek, CJK prose), which escapes
 * would make up to three times larger: kept as it is. Sizes reported to clients stay those of the
 * record's own JSON ({@link storedJsonBytes}).
 */

import { isUtf8 } from 'node:buffer';
import { ownCopy } from './own-copy';

const NON_ASCII_G = /[^\x00-\x7f]/g; // eslint-disable-line no-control-regex -- the whole ASCII range
const FORGET = /x/;

const escapeUnit = (c: string): string => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');

/**
 * `json` with every non-ASCII code unit escaped: ASCII content, but not necessarily a one-byte
 * string (a slice of a two-byte string, or `replace`'s result from one, stays two-byte).
 */
function escapeNonAscii(json: string): string {
  const escaped = json.replace(NON_ASCII_G, escapeUnit);
  // A match leaves its subject in RegExp's last-match state (`RegExp.input`) until the next one:
  // a record cut from a request would keep the whole request alive. A match of its own ends that.
  FORGET.test('x');
  return escaped;
}

/**
 * Reused for the round trips below (a block is ≈ 2 MB; allocating one per batch is churn), up to
 * {@link SCRATCH_MAX}: a larger text (a request can be 64 MB) gets a buffer of its own, let go.
 */
let scratch = Buffer.allocUnsafe(0);
const SCRATCH_MAX = 8 * 1024 * 1024;

/** A buffer of at least `size` bytes: the scratch buffer, grown (up to SCRATCH_MAX) when short. */
function scratchOf(size: number): Buffer {
  if (scratch.length >= size) return scratch;
  const buf = Buffer.allocUnsafe(
    size <= SCRATCH_MAX ? Math.min(SCRATCH_MAX, Math.max(size, 2 * scratch.length)) : size,
  );
  if (buf.length <= SCRATCH_MAX) scratch = buf;
  return buf;
}

/**
 * An ASCII string as a one-byte string of its own: written to bytes and decoded as UTF-8, which
 * V8 makes a one-byte heap string for ASCII (latin1 decoding would make an external string of a
 * large one, which V8 counts as external memory). Only for ASCII: latin1 writing drops the high
 * byte of anything else.
 */
function oneByte(ascii: string): string {
  const buf = scratchOf(ascii.length);
  const n = buf.write(ascii, 0, 'latin1');
  return buf.toString('utf8', 0, n);
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** Writes `\uXXXX` for UTF-16 code unit `u` at `o` (room checked by the caller); returns the end. */
function putEscape(out: Buffer, o: number, u: number): number {
  out[o] = 0x5c;
  out[o + 1] = 0x75;
  out[o + 2] = HEX[u >> 12]!;
  out[o + 3] = HEX[(u >> 8) & 15]!;
  out[o + 4] = HEX[(u >> 4) & 15]!;
  out[o + 5] = HEX[u & 15]!;
  return o + 6;
}

const NO_WORDS = new Int32Array(0);
/** Words counted between two looks at whether a size is already sure to be over (escapedSize). */
const BLOCK_WORDS = 16 * 1024;
/** Input bytes escaped between two checks of the output's room (and growth). */
const CHUNK = 64 * 1024;
/**
 * Escaped text more than 1.5 times the size of its UTF-8 (plus 1 KB, which lets short bodies of
 * non-Latin words through): dense non-Latin text — Cyrillic, Greek, CJK, where most characters
 * become 6 bytes for 2 or 3 — is decoded as it is instead, or the request string and the
 * write-ahead log, which holds the request text, would be 2–3 times as large. (In the doubled
 * inequality `2 * out > 3 * in + MAX_GROWTH_SLACK`.)
 */
const MAX_GROWTH_SLACK = 2048;
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** ASCII characters `trim()` removes: tab, line feed, vertical tab, form feed, carriage return, space. */
const isTrimmedAscii = (b: number | undefined): boolean =>
  b === 0x20 || (b !== undefined && b >= 0x09 && b <= 0x0d);

/**
 * The JSON text in `bytes` (UTF-8) with every non-ASCII character escaped (see
 * {@link asciiJson}), made in one pass over the bytes: a one-byte string, and what `JSON.parse`
 * reads from it is what it reads from the bytes decoded. A writer's batch is ≈ 2 MB with a
 * non-ASCII character every 80 bytes or so; decoded as UTF-8 it was a two-byte string, slower to
 * parse, whose every record text had to be escaped again to be kept.
 *
 * Undefined when escaping could change the text's meaning: bytes that are not valid UTF-8
 * (decoding replaces them with U+FFFD), a non-ASCII character right after a backslash (`"\é"` is
 * invalid JSON, `"\\u00e9"` valid), or a non-ASCII character first or last once ASCII whitespace is
 * skipped (`trim()` drops a byte order mark or a no-break space there; escaped, they would stay as
 * text); or when the escaped text would be more than 1.5 times as large as the bytes.
 */
export function asciiJsonText(
  bytes: Buffer,
  /** The caller checked that `bytes` are valid UTF-8. */
  validUtf8 = false,
): string | undefined {
  if (!validUtf8 && !isUtf8(bytes)) return undefined;
  const n = bytes.length;
  let first = 0;
  while (first < n && isTrimmedAscii(bytes[first])) first++;
  let last = n - 1;
  while (last > first && isTrimmedAscii(bytes[last])) last--;
  if (first < n && (bytes[first]! >= 0x80 || bytes[last]! >= 0x80)) return undefined;
  let out = scratchOf(n + (n >> 3) + 16);
  let view = new DataView(out.buffer, out.byteOffset, out.length);
  // ASCII is copied four bytes at a time: read as aligned Int32 words, written through a DataView
  // (the output's offset moves by escapes). No native call per run: runs are ≈ 80 bytes.
  const head = Math.min(n, (4 - (bytes.byteOffset & 3)) & 3);
  const count = (n - head) >> 2;
  const words = count > 0 ? new Int32Array(bytes.buffer, bytes.byteOffset + head, count) : NO_WORDS;
  const wordsEnd = head + 4 * count;
  let o = 0;
  let i = 0;
  let counted = false;
  while (i < n) {
    // Out as soon as the end is sure to be over (the rest at least as long as it is).
    if (2 * (o + n - i) > 3 * n + MAX_GROWTH_SLACK) return undefined;
    // Text this dense so far (Cyrillic, CJK) is usually over: what the rest escapes to is counted
    // (a fraction of escaping it) and decides now, exactly as escaping it all would.
    if (!counted && i > 0 && 2 * o > 3 * i) {
      counted = true;
      const budget = Math.floor((3 * n + MAX_GROWTH_SLACK) / 2) - o;
      if (escapedSize(bytes, i, budget) > budget) return undefined;
    }
    // Room for the next chunk: each input byte makes at most 3 output bytes (`é` → `\u00e9`), and
    // a word or a character may run up to 3 bytes past the chunk.
    const stop = Math.min(n, i + CHUNK);
    if (o + 3 * (stop - i) + 12 > out.length) {
      const bigger = Buffer.allocUnsafe(Math.max(o + 3 * (stop - i) + 12, 2 * out.length));
      out.copy(bigger, 0, 0, o);
      out = bigger;
      view = new DataView(out.buffer, out.byteOffset, out.length);
    }
    while (i < stop) {
      const c = bytes[i]!;
      if (c < 0x80) {
        if (i >= head && i < wordsEnd && ((i - head) & 3) === 0) {
          let w = (i - head) >> 2;
          const wStop = Math.min(count, ((stop - head) >> 2) + 1);
          for (; w < wStop; w++) {
            const x = words[w]!;
            if ((x & 0x80808080) !== 0) break;
            view.setInt32(o, x, LITTLE_ENDIAN); // as the Int32Array read it
            o += 4;
          }
          const at = head + 4 * w;
          if (at > i) {
            i = at;
            continue;
          }
        }
        out[o++] = c;
        i++;
        continue;
      }
      if (bytes[i - 1] === 0x5c) return undefined;
      // Valid UTF-8 (checked above): a lead byte and its continuation bytes.
      if (c < 0xe0) {
        o = putEscape(out, o, ((c & 0x1f) << 6) | (bytes[i + 1]! & 0x3f));
        i += 2;
      } else if (c < 0xf0) {
        o = putEscape(out, o, ((c & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f));
        i += 3;
      } else {
        const v =
          (((c & 0x07) << 18) |
            ((bytes[i + 1]! & 0x3f) << 12) |
            ((bytes[i + 2]! & 0x3f) << 6) |
            (bytes[i + 3]! & 0x3f)) -
          0x10000;
        o = putEscape(out, o, 0xd800 | (v >> 10));
        o = putEscape(out, o, 0xdc00 | (v & 0x3ff));
        i += 4;
      }
    }
  }
  if (2 * o > 3 * n + MAX_GROWTH_SLACK) return undefined;
  // ASCII bytes decoded as UTF-8: a one-byte heap string.
  return out.toString('utf8', 0, o);
}

/**
 * Bytes `asciiJsonText` makes of `bytes[from, end)` (valid UTF-8, `from` on a character): one per
 * ASCII byte, 6 per character of 2 or 3 bytes, 12 per one of 4 (two escaped surrogates). Counted
 * four bytes at a time: each byte lane's top bits say ASCII, lead byte, or lead of 4. With
 * `atMost`: as soon as the size is sure to be larger (what is counted, plus at least a byte for
 * each byte left), that lower bound instead.
 */
export function escapedSize(bytes: Uint8Array, from: number, atMost = Infinity): number {
  const n = bytes.length;
  let ascii = 0;
  let leads = 0;
  let leads4 = 0;
  let i = from;
  const byte = (b: number): void => {
    if (b < 0x80) ascii++;
    else if (b >= 0xc0) {
      leads++;
      if (b >= 0xf0) leads4++;
    }
  };
  while (i < n && ((bytes.byteOffset + i) & 3) !== 0) byte(bytes[i++]!);
  const count = (n - i) >> 2;
  if (count > 0) {
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, count);
    let high = 0;
    for (let w0 = 0; w0 < count; w0 += BLOCK_WORDS) {
      const end = Math.min(count, w0 + BLOCK_WORDS);
      for (let w = w0; w < end; w++) {
        const x = words[w]!;
        const top = x & 0x80808080;
        if (top === 0) continue;
        // Per lane, at its top bit: set (non-ASCII), and bit 6 too (a lead byte), and bits 5, 4 (of 4).
        const lead = top & (x << 1);
        const lead4 = lead & (x << 2) & (x << 3);
        high += Math.imul((top >>> 7) & 0x01010101, 0x01010101) >>> 24;
        leads += Math.imul((lead >>> 7) & 0x01010101, 0x01010101) >>> 24;
        leads4 += Math.imul((lead4 >>> 7) & 0x01010101, 0x01010101) >>> 24;
      }
      // The bytes left make at least one each, but for up to 3 that end a character counted here.
      const atLeast = ascii + 4 * end - high + 6 * leads + 6 * leads4 + (n - i - 4 * end - 3);
      if (atLeast > atMost) return atLeast;
    }
    ascii += 4 * count - high;
    i += 4 * count;
  }
  while (i < n) byte(bytes[i++]!);
  return ascii + 6 * leads + 6 * leads4;
}

/**
 * `json` (a JSON text) with every non-ASCII code unit escaped, as a one-byte string of its own
 * (never a view of a longer string). `JSON.parse` of either gives the same value.
 */
export function asciiJson(json: string): string {
  return oneByte(escapeNonAscii(json));
}

/**
 * Whether `json` is text escaping would make larger than V8's two bytes per character: more than
 * one UTF-16 unit in five non-ASCII (Cyrillic, Greek, CJK prose; `\uXXXX` is 6 bytes). A look at
 * its start picks the cheaper way to the same answer: text that starts dense is counted until the
 * answer is sure (see everyDense: a Russian writer's record is decided in its first part, where
 * a native UTF-8 length read all of it — ≈ 0.4 s of a Russian import); other text is measured
 * natively first (each non-ASCII unit takes one or two bytes more in UTF-8, so a small excess
 * settles it without a count, and ASCII text is read at native speed).
 */
function isDense(json: string): boolean {
  const n = json.length;
  const k = Math.min(n, 128);
  let wide = 0;
  for (let i = 0; i < k; i++) if (json.charCodeAt(i) > 0x7f) wide++;
  if (4 * wide < k && 5 * (Buffer.byteLength(json) - n) <= n) return false;
  return everyDense([json]);
}

/**
 * Whether every one of `texts` is dense non-Latin text (exactly as isDense decides), counting
 * only until the answer is sure: a Russian writer's record is decided in its first quarter,
 * where isDense's native UTF-8 length reads every character of it.
 */
export function everyDense(texts: readonly string[]): boolean {
  for (const t of texts) {
    const n = t.length;
    let wide = 0;
    let i = 0;
    for (; i < n; i++) {
      if (t.charCodeAt(i) > 0x7f && 5 * ++wide > n) break;
      // Too few characters left to pass one in five.
      if (5 * (wide + n - 1 - i) <= n) return false;
    }
    if (i === n) return false;
  }
  return true;
}

/**
 * How a record's JSON text is kept on its own (a replica's copy): {@link asciiJson}, or, for dense
 * non-Latin text, an own copy as it is (never a view of the request it was cut from).
 */
export function keptJson(json: string): string {
  return isDense(json) ? ownCopy(json) : asciiJson(json);
}

/**
 * JSON `texts` as they are kept, copied into new strings and returned as views of them (undefined
 * stays undefined): escaped (see {@link asciiJson}) into one one-byte string — a record of plain
 * ASCII cut from a request with a curly quote elsewhere is a two-byte string too, and one two-byte
 * piece makes a joined string two-byte — except dense non-Latin texts, which escaping would make
 * up to three times larger: joined as they are into a second string. One or two copies for a
 * batch or a snapshot chunk.
 */
export function asciiViews(
  texts: readonly (string | undefined)[],
  /**
   * The texts are one-byte ASCII strings already (snapshot lines decoded from ASCII bytes, slices
   * of a request text made by asciiJsonText), except dense texts given as they are (any text
   * that is not ASCII is taken for one).
   */
  oneByteAscii = false,
): (string | undefined)[] {
  const wide = texts.map(
    (t) => t !== undefined && (oneByteAscii ? Buffer.byteLength(t) !== t.length : isDense(t)),
  );
  const narrow = texts.map((t, i) => (wide[i] ? undefined : t));
  // Joined as they are only when that makes a new string: join() of a single non-empty text (others
  // empty) is that text itself, a view of whatever it was cut from.
  const asIs = oneByteAscii && narrow.filter((t) => t !== undefined && t !== '').length > 1;
  const escaped = asIs ? narrow : narrow.map((t) => (t === undefined ? undefined : escapeNonAscii(t)));
  const joined = escaped.filter((t): t is string => t !== undefined).join('');
  const narrowViews = viewsOf(escaped, asIs ? joined : oneByte(joined));
  if (!wide.includes(true)) return narrowViews;
  const dense = texts.map((t, i) => (wide[i] ? t : undefined));
  const denseTexts = dense.filter((t): t is string => t !== undefined);
  // join() of two or more texts is a new string; of one, that text itself (a view of its request).
  const wideViews = viewsOf(
    dense,
    denseTexts.length > 1 ? denseTexts.join('') : ownCopy(denseTexts[0] ?? ''),
  );
  return texts.map((_, i) => (wide[i] ? wideViews[i] : narrowViews[i]));
}

/**
 * Whether `text`, ASCII JSON (see {@link asciiJson}), is dense non-Latin text once its escapes of
 * non-ASCII characters are read (see isDense): more than one escape in ten characters of it.
 * `utf8Bytes`, its {@link storedJsonBytes}, bounds the count (each such escape is 3 to 4 bytes
 * longer than its character's UTF-8): most texts need no count.
 */
export function isDenseEscaped(text: string, utf8Bytes: number): boolean {
  const n = text.length;
  if (10 * (n - utf8Bytes) <= 3 * n) return false;
  let escapes = 0;
  // Escapes read left to right as storedJsonBytes reads them (`\\u00e9` is a backslash, then text).
  for (let at = text.indexOf('\\'); at >= 0; at = text.indexOf('\\', at)) {
    const c = text.charCodeAt(at + 1) === 0x75 ? hex4(text, at + 2) : -1;
    at += c < 0 ? 2 : 6;
    if (c >= 0x80) escapes++;
  }
  return 10 * escapes > n;
}

/** `texts` as views of `joined`, their concatenation (undefined skipped). */
function viewsOf(texts: readonly (string | undefined)[], joined: string): (string | undefined)[] {
  const views: (string | undefined)[] = [];
  let at = 0;
  for (const t of texts) {
    views.push(t === undefined ? undefined : joined.slice(at, at + t.length));
    at += t?.length ?? 0;
  }
  return views;
}

/** The value of the four hex digits at `at`, or -1. */
function hex4(text: string, at: number): number {
  let v = 0;
  for (let k = at; k < at + 4; k++) {
    const c = text.charCodeAt(k);
    const d =
      c >= 0x30 && c <= 0x39
        ? c - 0x30
        : c >= 0x61 && c <= 0x66
          ? c - 0x57
          : c >= 0x41 && c <= 0x46
            ? c - 0x37
            : -1;
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

/**
 * UTF-8 bytes of the record's own JSON for a stored text that {@link asciiJson} may have escaped
 * (exact when the text was the record's own minimal JSON before): each escape of a non-ASCII
 * character counts as that character's UTF-8 bytes. Escaped lone surrogates were escapes in the
 * record's JSON too; an escaped surrogate pair was one 4-byte character. A writer's record has
 * dozens of escapes: found with indexOf, not a regular expression's match objects.
 */
export function storedJsonBytes(text: string): number {
  let n = Buffer.byteLength(text);
  for (let at = text.indexOf('\\'); at >= 0; at = text.indexOf('\\', at)) {
    // Two-character escapes (`\\` among them) are skipped whole.
    const c = text.charCodeAt(at + 1) === 0x75 ? hex4(text, at + 2) : -1;
    if (c < 0) {
      at += 2;
      continue;
    }
    at += 6;
    if (c < 0x80) continue;
    if (c < 0x800) n -= 4;
    else if (c < 0xd800 || c > 0xdfff) n -= 3;
    else if (c <= 0xdbff && text.charCodeAt(at) === 0x5c && text.charCodeAt(at + 1) === 0x75) {
      const low = hex4(text, at + 2);
      if (low >= 0xdc00 && low <= 0xdfff) {
        n -= 8; // 12 bytes of escapes for one 4-byte character
        at += 6;
      }
    }
  }
  return n;
}
