import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serialize } from 'node:v8';
import { gc, heapAfterGc } from '../testing/gc';
import { asciiJson, asciiViews, storedJsonBytes } from './ascii-json';

/** How V8 holds a string: v8.serialize tags a one-byte string `"`, a two-byte one `c`. */
function representation(s: string): 'one-byte' | 'two-byte' {
  const bytes = serialize(s);
  let at = 2; // after the version header
  while (bytes[at] === 0) at++; // padding before a two-byte string
  return bytes[at] === 0x22 ? 'one-byte' : 'two-byte';
}

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

  it('makes one-byte strings, also of ASCII records cut from a two-byte request', () => {
    const request = JSON.stringify([{ t: 'plain' }, { t: 'don’t' }, { t: 'also plain' }]);
    const cut = (t: string): string => request.slice(request.indexOf(t), request.indexOf(t) + t.length);
    const plain = cut('{"t":"plain"}'); // ASCII, but a view of a two-byte string
    expect(representation(request)).toBe('two-byte');
    expect(representation(plain)).toBe('two-byte');
    const texts = [plain, undefined, cut('{"t":"don’t"}'), cut('{"t":"also plain"}')];
    const views = asciiViews(texts);
    expect(views.map((v) => (v === undefined ? v : representation(v)))).toEqual([
      'one-byte',
      undefined,
      'one-byte',
      'one-byte',
    ]);
    const parse = (t: string | undefined): unknown => (t === undefined ? t : JSON.parse(t));
    expect(views.map(parse)).toEqual(texts.map(parse));
    expect(representation(asciiJson(plain))).toBe('one-byte');
    expect(representation(asciiJson(request))).toBe('one-byte');
  });

  it('copies snapshot lines known one-byte ASCII as they are, never keeping a view of their chunk', () => {
    type Shape = (line: string) => (string | undefined)[];
    const viewsOf = (shape: Shape): (string | undefined)[] => {
      // A 10 MB chunk of which only one line is kept.
      const chunk = `${'{"a":1}\n'.repeat(1_250_000)}{"objectID":"one line long enough to be a view"}`;
      const line = chunk.slice(chunk.lastIndexOf('\n') + 1);
      const views = asciiViews(shape(line), true);
      // (Compared with a copy: a value handed to expect() may be kept by it.)
      expect(views).toEqual(shape(JSON.parse(JSON.stringify(line)) as string));
      expect(views.filter((v): v is string => v !== undefined && v !== '').map(representation)).toEqual([
        'one-byte',
      ]);
      return views;
    };
    viewsOf((l) => [l]); // the first such chunk leaves ≈ 10 MB behind whatever is done with it
    const before = heapAfterGc();
    const kept = [viewsOf((l) => [l]), viewsOf((l) => ['', l]), viewsOf((l) => [undefined, l, ''])];
    expect(heapAfterGc() - before).toBeLessThan(4 * 1024 * 1024);
    expect(kept).toHaveLength(3);
    expect(asciiViews(['{"a":1}', '{"b":2}'], true)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('keeps no buffer as large as a huge text after escaping it', () => {
    const before = process.memoryUsage().arrayBuffers;
    const huge = JSON.stringify({ body: 'x’'.repeat(6_000_000) }); // 36M characters escaped
    expect(asciiJson(huge).length).toBeGreaterThan(30_000_000);
    gc();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
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
