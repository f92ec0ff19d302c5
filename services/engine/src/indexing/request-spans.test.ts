import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestBodySpans } from './request-spans';

/** Reformats JSON text with random whitespace between tokens (what other clients may send). */
function spaced(text: string, ws: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    out += c;
    if (inString) {
      if (c === '\\') out += text[++i]!;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if ('{}[],:'.includes(c)) out += ws;
  }
  return out;
}

const body = fc.dictionary(
  fc.string({ unit: fc.constantFrom('a', 'b', '"', '\\', '}', '{', ']', 'é', '😀', ' ', 'body') }),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 5 },
);
const request = fc.oneof(
  fc.record({ action: fc.constant('addObject'), body }),
  fc.record({ body: fc.oneof(fc.jsonValue({ maxDepth: 2 }), body) }),
  fc.jsonValue({ maxDepth: 2 }),
);

describe('requestBodySpans', () => {
  it('finds the body JSON.parse finds, for any batch text (whitespace, escapes, nesting)', () => {
    fc.assert(
      fc.property(
        fc.array(request, { maxLength: 6 }),
        fc.constantFrom('', ' ', '\n  ', '\t'),
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
        (requests, ws, extra) => {
          const text = spaced(JSON.stringify({ ...extra, requests }), ws);
          const spans = requestBodySpans(text);
          expect(spans).not.toBeNull();
          const parsed = (JSON.parse(text) as { requests: unknown[] }).requests;
          expect(spans!.length).toBe(parsed.length * 2);
          parsed.forEach((r, i) => {
            const b = (r as { body?: unknown } | null)?.body;
            const isObject = typeof b === 'object' && b !== null && !Array.isArray(b);
            if (!isObject) expect([spans![2 * i], spans![2 * i + 1]]).toEqual([-1, -1]);
            else expect(JSON.parse(text.slice(spans![2 * i], spans![2 * i + 1]))).toEqual(b);
          });
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('takes the last of duplicate keys, also written with escapes, as JSON.parse does', () => {
    const text =
      '{"requests":[{"body":{"n":1}}],"x":1,"requ\\u0065sts":[{"body":{"n":2},"b\\u006fdy":{"n":3}},{"body":{"n":4},"body":[5]}]}';
    const spans = requestBodySpans(text)!;
    expect(text.slice(spans[0], spans[1])).toBe('{"n":3}');
    expect([spans[2], spans[3]]).toEqual([-1, -1]);
  });

  it('says null when there is no requests array', () => {
    expect(requestBodySpans('{"requests":{}}')).toBeNull();
    expect(requestBodySpans('{"other":[]}')).toBeNull();
    expect(requestBodySpans('[1]')).toBeNull();
    expect(requestBodySpans('{"requests":[]}')).toEqual(new Int32Array(0));
  });
});
