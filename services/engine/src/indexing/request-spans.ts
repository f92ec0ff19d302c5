/**
 * Where each batch request's `body` lies in the request's JSON text, so a record can be kept as
 * its own text (see `SearchIndex`) without being serialized again. The scan reads what JSON.parse
 * reads: the last `requests` key of the top-level object and, in each of its elements, the last
 * `body` key (JSON.parse keeps the last of duplicate keys); keys are compared decoded.
 *
 * Only for text that JSON.parse accepted: the scan does not validate, it finds boundaries.
 */

import {
  forEachMember,
  keyIs,
  LBRACE,
  LBRACKET,
  RBRACKET,
  COMMA,
  skipValue,
  skipWs,
} from '../text/json-scan';

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
