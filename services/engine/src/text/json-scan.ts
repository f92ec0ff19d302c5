/**
 * Scanning JSON text that JSON.parse accepted, for the boundaries of its values: what a reader
 * needs to take one member of a large object without parsing the rest. It does not validate.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
export const LBRACE = 0x7b;
const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
const COLON = 0x3a;
export const COMMA = 0x2c;

export function skipWs(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** Index just after the string starting at `i` (a quote). */
export function skipString(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q < 0) throw new Error('unterminated string');
    // Escaped when preceded by an odd number of backslashes.
    let b = q - 1;
    while (b > i && text.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** Index just after the value starting at `i`. */
export function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c === LBRACE || c === LBRACKET) {
    let depth = 0;
    let j = i;
    for (;;) {
      const d = text.charCodeAt(j);
      if (d === QUOTE) {
        j = skipString(text, j);
        continue;
      }
      if (d === LBRACE || d === LBRACKET) depth++;
      else if (d === RBRACE || d === RBRACKET) {
        depth--;
        if (depth === 0) return j + 1;
      } else if (Number.isNaN(d)) throw new Error('unterminated value');
      j++;
    }
  }
  // Number or literal: up to the next delimiter.
  let j = i;
  for (;;) {
    const d = text.charCodeAt(j);
    if (Number.isNaN(d) || d === COMMA || d === RBRACE || d === RBRACKET || d <= 0x20) return j;
    j++;
  }
}

/** True when the key string `text[start, end)` (quotes included) decodes to `name`. */
export function keyIs(text: string, start: number, end: number, name: string): boolean {
  const raw = text.slice(start + 1, end - 1);
  return raw === name || (raw.includes('\\') && (JSON.parse(text.slice(start, end)) as string) === name);
}

/** The key string `text[start, end)` (quotes included), decoded. */
export function decodedKey(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end - 1);
  return raw.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : raw;
}

/** Calls `onMember(keyStart, keyEnd, valueStart, valueEnd)` for each member of the object at `i`; returns its end. */
export function forEachMember(
  text: string,
  i: number,
  onMember: (keyStart: number, keyEnd: number, valueStart: number, valueEnd: number) => void,
): number {
  let j = skipWs(text, i + 1);
  if (text.charCodeAt(j) === RBRACE) return j + 1;
  for (;;) {
    const keyEnd = skipString(text, j);
    const colon = skipWs(text, keyEnd);
    if (text.charCodeAt(colon) !== COLON) throw new Error('expected a colon');
    const valueStart = skipWs(text, colon + 1);
    const valueEnd = skipValue(text, valueStart);
    onMember(j, keyEnd, valueStart, valueEnd);
    const next = skipWs(text, valueEnd);
    const c = text.charCodeAt(next);
    if (c === RBRACE) return next + 1;
    if (c !== COMMA) throw new Error('expected a comma');
    j = skipWs(text, next + 1);
  }
}
