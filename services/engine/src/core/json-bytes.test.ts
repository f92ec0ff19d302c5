import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainJsonText, jsonBytes } from './json-bytes';

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

  it('sizes any string exactly: every control character, quotes, backslashes, lone and paired surrogates', () => {
    const unit = fc.oneof(
      fc.constantFrom(...Array.from({ length: 32 }, (_, c) => String.fromCharCode(c))),
      fc.constantFrom('"', '\\', '/', 'a', ' ', 'é', '’', '\u2028', '\u2029', '\u007f', '\uffff', '😀'),
      fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ud83d'),
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 30 }), (units) => {
        const s = units.join('');
        expect(jsonBytes(s)).toBe(Buffer.byteLength(JSON.stringify(s)));
        expect(jsonBytes({ [s]: [s] })).toBe(Buffer.byteLength(JSON.stringify({ [s]: [s] })));
      }),
      { numRuns: 5000 },
    );
  });

  it('sizes values from a plain JSON text without scanning strings, exactly', () => {
    const ascii = fc.string({ unit: fc.constantFrom(...' azAZ09~!#[]{}:,"\\/\n\t\u007f'.split('')) });
    const value = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(ascii, fc.oneof(ascii, fc.array(ascii), fc.integer())),
    );
    let plain = 0;
    fc.assert(
      fc.property(value, (v) => {
        const text = JSON.stringify(v);
        if (!isPlainJsonText(Buffer.from(text))) return;
        plain++;
        expect(jsonBytes(JSON.parse(text), true)).toBe(Buffer.byteLength(text));
      }),
      { numRuns: 3000 },
    );
    expect(plain).toBeGreaterThan(300);
  });

  it('calls a text plain only when it is ASCII without a backslash', () => {
    expect(isPlainJsonText(Buffer.from('{"a":"b c","n":[1,2.5e3]}'))).toBe(true);
    expect(isPlainJsonText(Buffer.from('{"a":"say \\"hi\\""}'))).toBe(false);
    expect(isPlainJsonText(Buffer.from('{"a":"line\\n"}'))).toBe(false);
    expect(isPlainJsonText(Buffer.from('{"a":"été"}'))).toBe(false);
  });
});
