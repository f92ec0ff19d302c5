import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiJson, storedJsonBytes } from './ascii-json';

// Strings a record may hold: ASCII, a writer's punctuation, accents, other scripts, emoji, lone
// surrogates, control characters, backslashes and text that looks like an escape.
const unit = fc.oneof(
  fc.constantFrom('a', ' ', '"', '\\', '/', '\n', '\u0001', '\u007f', 'u00e9', '\\u00e9'),
  fc.constantFrom('é', '’', '“', '—', '…', 'ß', 'мир', '日本', '\u2028', '\uffff', '😀', '𝒜'),
  fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ud83d'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
);
const str = fc.array(unit, { maxLength: 12 }).map((u) => u.join(''));
const record = fc.record({
  objectID: str,
  title: str,
  body: str,
  tags: fc.array(str, { maxLength: 3 }),
  nested: fc.dictionary(str, fc.oneof(str, fc.integer(), fc.constant(null)), { maxKeys: 3 }),
});

describe('asciiJson', () => {
  it('keeps the JSON value, makes the text ASCII, and leaves ASCII texts as they are', () => {
    fc.assert(
      fc.property(record, (r) => {
        const json = JSON.stringify(r);
        const ascii = asciiJson(json);
        expect(ascii).toMatch(/^[\x00-\x7f]*$/); // eslint-disable-line no-control-regex -- ASCII
        expect(JSON.parse(ascii)).toEqual(JSON.parse(json));
        expect(asciiJson(ascii)).toBe(ascii);
      }),
      { numRuns: 3000 },
    );
  });

  it('reports the UTF-8 size of the record’s own JSON for the escaped text', () => {
    fc.assert(
      fc.property(record, (r) => {
        const json = JSON.stringify(r);
        expect(storedJsonBytes(asciiJson(json))).toBe(Buffer.byteLength(json));
        expect(storedJsonBytes(json)).toBe(Buffer.byteLength(json));
      }),
      { numRuns: 3000 },
    );
  });

  it('escapes a writer’s text into about its UTF-8 size, one byte per character', () => {
    const json = JSON.stringify({ body: '“Don’t,” she said — café… 😀' });
    const ascii = asciiJson(json);
    expect(ascii).toBe(
      '{"body":"\\u201cDon\\u2019t,\\u201d she said \\u2014 caf\\u00e9\\u2026 \\ud83d\\ude00"}',
    );
    expect(storedJsonBytes(ascii)).toBe(Buffer.byteLength(json));
  });
});
