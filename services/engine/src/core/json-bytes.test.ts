import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonBytes, jsonStringsOf, type JsonStrings } from './json-bytes';

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

  it('sizes values from a JSON text without scanning strings, exactly, by what the text says', () => {
    const chars = (s: string) => fc.constantFrom(...s.split(''));
    // Strings with characters JSON escapes, and strings of ASCII, accents, quotes, an emoji.
    const anyStr = fc.string({ unit: chars(' az~"\\/\n\t\u007f\u00e9\u2019\ud83d\ude42\ud800') });
    const ascii = fc.string({ unit: chars(' azAZ09~!#[]{}:,/\u007f') });
    const text = fc.string({
      unit: fc.oneof(chars(' azAZ09~!#[]{}:,/\u007f'), chars('\u00e9\u2019\u00a0\u0080'), fc.constant('🙂')),
    });
    const record = (str: fc.Arbitrary<string>) =>
      fc.dictionary(str, fc.oneof(str, fc.array(str), fc.integer()));
    const value = fc.oneof(fc.jsonValue(), record(anyStr), record(ascii), record(text));
    const seen: Record<JsonStrings, number> = { plain: 0, unescaped: 0, any: 0 };
    fc.assert(
      fc.property(value, (v) => {
        const text = JSON.stringify(v);
        const bytes = Buffer.from(text);
        const strings = jsonStringsOf(bytes);
        seen[strings]++;
        expect(jsonBytes(JSON.parse(text), strings)).toBe(bytes.length);
      }),
      { numRuns: 4000 },
    );
    expect(seen.plain).toBeGreaterThan(200);
    expect(seen.unescaped).toBeGreaterThan(200);
    expect(seen.any).toBeGreaterThan(200);
  });

  it("says what a text's strings are: plain ASCII, unescaped UTF-8, or anything", () => {
    expect(jsonStringsOf(Buffer.from('{"a":"b c","n":[1,2.5e3]}'))).toBe('plain');
    expect(jsonStringsOf(Buffer.from('{"a":"say \\"hi\\""}'))).toBe('any');
    expect(jsonStringsOf(Buffer.from('{"a":"line\\n"}'))).toBe('any');
    expect(jsonStringsOf(Buffer.from('{"a":"été ’ 🙂"}'))).toBe('unescaped');
    expect(jsonStringsOf(Buffer.from('{"a":"été\\n"}'))).toBe('any');
    // Not UTF-8 (a lone continuation byte, an encoded surrogate): decoding replaces them.
    expect(jsonStringsOf(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x80, 0x22, 0x7d]))).toBe('any');
    expect(
      jsonStringsOf(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])),
    ).toBe('any');
    // Plain strings' sizes are their lengths, unescaped ones' their UTF-8 (a caller that says so).
    expect(jsonBytes({ a: 'été' }, 'unescaped')).toBe(Buffer.byteLength('{"a":"été"}'));
  });
});
