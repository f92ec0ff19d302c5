/**
 * Where each batch request's `body` lies in the request's JSON text, so a record can be kept as
 * its own text (see `SearchIndex`) without being serialized again. The scan reads what JSON.parse
 * reads: the last `requests` key of the top-level object and, in each of its elements, the last
 * `body` key (JSON.parse keeps the last of duplicate keys); keys are compared decoded.
 *
 * Only for text that JSON.parse accepted: the scan does not validate, it finds boundaries.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

function skipWs(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** Index just after the string starting at `i` (a quote). */
function skipString(text: string, i: number): number {
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
function skipValue(text: string, i: number): number {
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
function keyIs(text: string, start: number, end: number, name: string): boolean {
  const raw = text.slice(start + 1, end - 1);
  return raw === name || (raw.includes('\\') && (JSON.parse(text.slice(start, end)) as string) === name);
}

/** Calls `onMember(keyStart, keyEnd, valueStart, valueEnd)` for each member of the object at `i`; returns its end. */
function forEachMember(
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

/**
 * For the batch request whose JSON text is `text`: `[start, end)` of each request's `body` value
 * (an object), as pairs in request order; `-1, -1` for a request without an object body. Null when
 * the text has no `requests` array.
 */
export function requestBodySpans(text: string): Int32Array | null {
  try {
    const top = skipWs(text, 0);
    if (text.charCodeAt(top) !== LBRACE) return null;
    let requests = -1;
    forEachMember(text, top, (ks, ke, vs) => {
      if (keyIs(text, ks, ke, 'requests')) requests = vs;
    });
    if (requests < 0 || text.charCodeAt(requests) !== LBRACKET) return null;
    const spans: number[] = [];
    let j = skipWs(text, requests + 1);
    if (text.charCodeAt(j) === RBRACKET) return new Int32Array(0);
    for (;;) {
      let start = -1;
      let end = -1;
      if (text.charCodeAt(j) === LBRACE) {
        j = forEachMember(text, j, (ks, ke, vs, ve) => {
          if (!keyIs(text, ks, ke, 'body')) return;
          const isObject = text.charCodeAt(vs) === LBRACE;
          start = isObject ? vs : -1;
          end = isObject ? ve : -1;
        });
      } else j = skipValue(text, j);
      spans.push(start, end);
      const next = skipWs(text, j);
      const c = text.charCodeAt(next);
      if (c === RBRACKET) return Int32Array.from(spans);
      if (c !== COMMA) return null;
      j = skipWs(text, next + 1);
    }
  } catch {
    return null;
  }
}
