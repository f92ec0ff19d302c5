import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonBytes } from './json-bytes';

describe('jsonBytes', () => {
  it('equals the UTF-8 length of JSON.stringify for any parsed JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const parsed: unknown = JSON.parse(JSON.stringify(v));
        expect(jsonBytes(parsed)).toBe(Buffer.byteLength(JSON.stringify(parsed)));
      }),
      { numRuns: 2000 },
    );
  });

  it('counts escapes, non-ASCII, lone surrogates and numbers as JSON.stringify writes them', () => {
    for (const v of [
      { a: 'quote " back \\ tab \t nl \n ctrl \u0001', 'ké"y': 'été 😀', s: '\ud800x' },
      [1e21, -0, 0.1, 5e-7, -12.5, true, false, null, [], {}],
      { objectID: '1', nested: { deep: [{ x: 'y' }] } },
    ]) {
      expect(jsonBytes(v)).toBe(Buffer.byteLength(JSON.stringify(v)));
    }
  });
});
