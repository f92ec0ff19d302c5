import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { representation } from '../testing/representation';
import { arrayBuffersAfterGc, heapAfterGc } from '../testing/gc';
import {
  asciiJson,
  asciiJsonText,
  asciiViews,
  escapedSize,
  everyDense,
  isDenseEscaped,
  keptJson,
  storedJsonBytes,
} from './ascii-json';

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

  it('keeps dense non-Latin texts as they are (escaped they would be up to 3 times larger), the rest ASCII', () => {
    const json = (t: string): string => JSON.stringify({ objectID: t.slice(0, 3), t });
    const cyrillic = json('Мне снился длинный коридор и дверь в конце');
    const cjk = json('我梦见一条很长的走廊，尽头有一扇门');
    const latin = json('She said “it’s fine” and left the café');
    const request = JSON.stringify([cyrillic, 'plain', latin, cjk]); // two-byte: slices are too
    const cut = (t: string): string => {
      const at = request.indexOf(JSON.stringify(t).slice(1, -1));
      return JSON.parse(`"${request.slice(at, at + JSON.stringify(t).length - 2)}"`) as string;
    };
    const texts = [cut(cyrillic), undefined, cut(latin), json('plain'), cut(cjk)];
    const views = asciiViews(texts);
    expect(views).toEqual([cyrillic, undefined, asciiJson(latin), json('plain'), cjk]);
    expect(views.map((v) => (v === undefined ? v : representation(v)))).toEqual([
      'two-byte',
      undefined,
      'one-byte',
      'one-byte',
      'two-byte',
    ]);
    expect(keptJson(cyrillic)).toBe(cyrillic);
    expect(keptJson(latin)).toBe(asciiJson(latin));
    // Sized as the records' own JSON either way.
    for (const [v, t] of [
      [views[0], cyrillic],
      [views[2], latin],
      [views[4], cjk],
    ] as const)
      expect(storedJsonBytes(v!)).toBe(Buffer.byteLength(t));
    // Only dense texts: no empty one-byte string is made, and the views are of a new string.
    expect(asciiViews([cut(cyrillic)])).toEqual([cyrillic]);
  });

  it('keeps no view of the request a text was cut from: dense, escaped, on its own or for a replica', () => {
    type Keep = (line: string, other: string) => unknown;
    const keep = (how: Keep): unknown => {
      // A 10 MB two-byte request of which one record is kept.
      const chunk = `${'{"a":"’"}\n'.repeat(1_000_000)}{"objectID":"x","t":"сон и явь, сон и явь"}`;
      const line = chunk.slice(chunk.lastIndexOf('\n') + 1);
      const other = chunk.slice(0, 19); // Latin records of the same request (escaped by a regex)
      return how(line, other);
    };
    keep((l) => asciiViews([l])); // the first such chunk leaves ≈ 10 MB behind whatever is done with it
    const before = heapAfterGc();
    const kept = [
      keep((l) => asciiViews([l])),
      keep((l, o) => asciiViews([l, o])),
      keep((l) => asciiViews([l, l])),
      keep((l) => keptJson(l)),
      keep((_, o) => keptJson(o)),
      keep((_, o) => asciiViews([o])),
    ];
    expect(heapAfterGc() - before).toBeLessThan(8 * 1024 * 1024);
    expect(kept).toHaveLength(6);
  });

  it('keeps no buffer as large as a huge text after escaping it', () => {
    const before = arrayBuffersAfterGc();
    const huge = JSON.stringify({ body: 'x’'.repeat(6_000_000) }); // 36M characters escaped
    expect(asciiJson(huge).length).toBeGreaterThan(30_000_000);
    expect(arrayBuffersAfterGc() - before).toBeLessThan(16 * 1024 * 1024);
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

describe('asciiJsonText', () => {
  /** The bytes at offset `shift` of a larger buffer (the scan reads aligned words: any offset). */
  const at = (bytes: Buffer, shift: number): Buffer => {
    const b = Buffer.alloc(bytes.length + shift + 3);
    bytes.copy(b, shift);
    return b.subarray(shift, shift + bytes.length);
  };
  const parsed = (t: string): unknown => {
    try {
      return { value: JSON.parse(t.trim()) as unknown };
    } catch {
      return 'invalid';
    }
  };

  it('escapes a UTF-8 JSON text as asciiJson does its decoded text, as a one-byte string', () => {
    const spacing = fc.constantFrom(0, 1, 2, '\t');
    const ws = fc.constantFrom('', ' ', '\n', ' \r\n\t ');
    let made = 0;
    fc.assert(
      fc.property(record, spacing, ws, ws, fc.integer({ min: 0, max: 3 }), (r, space, lead, tail, shift) => {
        const json = lead + JSON.stringify(r, null, space) + tail;
        const bytes = at(Buffer.from(json), shift);
        const text = asciiJsonText(bytes);
        // A backslash before a non-ASCII character (an escaped backslash here) is left alone.
        if (text === undefined) {
          expect(json).toMatch(/\\[^\x00-\x7f]/); // eslint-disable-line no-control-regex -- ASCII
          return;
        }
        made++;
        expect(text).toBe(asciiJson(json));
        expect(representation(text)).toBe('one-byte');
      }),
      { numRuns: 3000 },
    );
    expect(made).toBeGreaterThan(2000);
  });

  it('reads as the decoded bytes read, or declines, for any bytes', () => {
    // JSON-ish bytes, with UTF-8 sequences whole, cut, overlong or of surrogates.
    const piece = fc.oneof(
      fc.constantFrom(
        ...'{}[]":,\\ \nu0aé’😀\v\f\u3000\u2028\u1680\u00a0'.split('').map((c) => Buffer.from(c)),
      ),
      fc.constantFrom(
        Buffer.from('"x"'),
        Buffer.from('\\u00e9'),
        Buffer.from([0xef, 0xbb, 0xbf]), // byte order mark
        Buffer.from([0xc2, 0xa0]), // no-break space
        Buffer.from([0xe2, 0x80]), // cut
        Buffer.from([0x80]),
        Buffer.from([0xc0, 0xaf]), // overlong
        Buffer.from([0xed, 0xa0, 0x80]), // a surrogate
        Buffer.from([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
      ),
    );
    let declined = 0;
    let valid = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }), fc.integer({ min: 0, max: 3 }), (pieces, shift) => {
        const bytes = at(Buffer.concat(pieces), shift);
        const decoded = bytes.toString('utf8');
        const text = asciiJsonText(bytes);
        if (text === undefined) {
          declined++;
          return;
        }
        expect(text).toMatch(/^[\x00-\x7f]*$/); // eslint-disable-line no-control-regex -- ASCII
        expect(parsed(text)).toEqual(parsed(decoded));
        if (parsed(text) !== 'invalid') valid++;
      }),
      { numRuns: 20_000 },
    );
    expect(declined).toBeGreaterThan(1000);
    expect(valid).toBeGreaterThan(100);
  });

  it('declines bytes whose escaping could change their meaning', () => {
    const text = (s: string | number[]): string | undefined =>
      asciiJsonText(typeof s === 'string' ? Buffer.from(s) : Buffer.from(s));
    expect(text('{"a":"\\é"}')).toBeUndefined(); // invalid JSON; escaped, `"\\u00e9"` is valid
    expect(text('\ufeff{"a":"é"}')).toBeUndefined(); // trim() drops a byte order mark
    expect(text('{"a":"é"}\u00a0')).toBeUndefined(); // and a no-break space
    expect(text('\v\f\u00a0{"a":"é"}')).toBeUndefined(); // also after ASCII whitespace trim() drops
    expect(text([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d])).toBeUndefined(); // latin1 é
    expect(text(' {"a":"é\\\\é"} ')).toBeUndefined(); // an escaped backslash before é: declined too
    expect(text(' {"a":"é ’ 😀"}\n')).toBe(' {"a":"\\u00e9 \\u2019 \\ud83d\\ude00"}\n');
    expect(text('{"a":"plain"}')).toBe('{"a":"plain"}');
    expect(text('')).toBe('');
  });

  it('declines text that escaping would make much larger: dense non-Latin scripts', () => {
    const body = (text: string): Buffer => Buffer.from(JSON.stringify({ text }));
    // Cyrillic: 2 bytes per letter, 6 escaped; CJK: 3 bytes, 6 escaped.
    expect(asciiJsonText(body('Мне снился длинный коридор. '.repeat(400)))).toBeUndefined();
    expect(asciiJsonText(body('我梦见一条很长的走廊。'.repeat(400)))).toBeUndefined();
    // A writer's Latin text (accents, curly quotes) stays well under.
    const latin = body('She said “it’s fine” and left the café at noon; the rain kept on. '.repeat(400));
    expect(asciiJsonText(latin) === asciiJson(latin.toString('utf8'))).toBe(true);
    // An escaped record: dense once its escapes are read; escaped backslashes before `u` are text.
    const escapedDense = asciiJson(JSON.stringify({ t: 'Мне снился длинный коридор' }));
    expect(isDenseEscaped(escapedDense, storedJsonBytes(escapedDense))).toBe(true);
    // 10 escaped letters and 5 times the text \u0441 (not с) in 103 characters: not dense.
    const literal = asciiJson(JSON.stringify({ t: `${'с'.repeat(10)}${'\\u0441'.repeat(5)}` }));
    expect(literal.length).toBe(103);
    expect(isDenseEscaped(literal, storedJsonBytes(literal))).toBe(false);
    const latinEscaped = asciiJson(JSON.stringify({ t: 'She said “it’s fine” and left the café' }));
    expect(isDenseEscaped(latinEscaped, storedJsonBytes(latinEscaped))).toBe(false);
    // Judged on the whole body: dense text first, then enough ASCII, is escaped.
    const mixed = Buffer.from(
      JSON.stringify({ a: 'Мне снился длинный коридор. '.repeat(3000), b: 'plain words '.repeat(40_000) }),
    );
    expect(asciiJsonText(mixed) === asciiJson(mixed.toString('utf8'))).toBe(true);
    // A short body with a few non-Latin words passes (the slack).
    expect(asciiJsonText(body('Москва'))).toBe('{"text":"\\u041c\\u043e\\u0441\\u043a\\u0432\\u0430"}');
  });

  it('counts what escaping makes of any valid UTF-8, at any offset and alignment', () => {
    const unit = fc.constantFrom('a', ' ', '"', 'é', 'Ж', '東', '😀', '\u0800', '\uffff', '\u{10ffff}');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 200 }), fc.nat(3), fc.nat(50), (chars, pad, cut) => {
        const text = chars.join('');
        const utf8 = Buffer.from(text);
        // At a byte offset `pad` into its buffer (the word reads' alignment), from a character.
        const bytes = Buffer.concat([Buffer.alloc(pad), utf8]).subarray(pad);
        const from = Buffer.byteLength(chars.slice(0, Math.min(cut, chars.length)).join(''));
        const rest = bytes.subarray(from).toString('utf8');
        // Each UTF-16 unit above U+007F escaped as \uXXXX, ASCII as it is.
        let want = 0;
        for (const c of rest) want += c.charCodeAt(0) < 0x80 ? 1 : 6 * c.length;
        expect(escapedSize(bytes, from)).toBe(want);
      }),
      { numRuns: 3000 },
    );
    // With a limit: the size when within it, else a number above it (counted in 64 KB blocks).
    const big = Buffer.from('Жук ёлка 😀 plain words, '.repeat(30_000));
    const size = escapedSize(big, 0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 * size }), fc.nat(100), (atMost, cut) => {
        const from = Buffer.byteLength('Жук ёлка 😀 plain words, '.repeat(cut));
        const exact = escapedSize(big, from);
        const got = escapedSize(big, from, atMost);
        if (exact <= atMost) expect(got).toBe(exact);
        else expect(got).toBeGreaterThan(atMost);
      }),
      { numRuns: 3000 },
    );
    // Limits right at the size, from starts and ends all over the pattern (the last block's end
    // cuts characters one way or another).
    for (let from = 0; from < 40; from++) {
      if ((big[from]! & 0xc0) === 0x80) continue; // not on a character
      for (let cut = 0; cut < 40; cut++) {
        const part = big.subarray(0, big.length - cut);
        const whole = escapedSize(part, from);
        for (const atMost of [whole - 2, whole - 1, whole, whole + 1, whole + 2]) {
          const got = escapedSize(part, from, atMost);
          if (whole <= atMost) expect(got).toBe(whole);
          else expect(got).toBeGreaterThan(atMost);
        }
      }
    }
  });

  it('declines a large body exactly when escaping it all would be over the limit', () => {
    // Mixes of ASCII and dense pieces of 60–300 KB: the decision once dense text is met early is
    // the one a full escape gives.
    const piece = fc.record({
      text: fc.constantFrom('plain words and more ', 'Мне снился коридор ', '我梦见走廊', '😀 ok '),
      times: fc.integer({ min: 1, max: 6000 }),
    });
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 6 }), (pieces) => {
        const value = pieces.map((p) => p.text.repeat(p.times)).join('|');
        const bytes = Buffer.from(JSON.stringify({ value }));
        const full = asciiJson(bytes.toString('utf8'));
        const over = 2 * full.length > 3 * bytes.length + 2048;
        const got = asciiJsonText(bytes);
        if (over) expect(got).toBeUndefined();
        else expect(got === full).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('grows past its first buffer and keeps none as large as a huge text', () => {
    const before = arrayBuffersAfterGc();
    // 7 MB, escaped 9.8 MB: past its first buffer (1.125 times the bytes) and the scratch limit.
    const json = JSON.stringify({ body: `${'abcdefghé'.repeat(700_000)}😀` });
    const text = asciiJsonText(Buffer.from(json));
    expect(text?.length).toBe(json.length + 5 * 700_000 + 10);
    expect(text === asciiJson(json)).toBe(true); // (not toBe: a value handed to expect may be kept)
    expect(arrayBuffersAfterGc() - before).toBeLessThan(16 * 1024 * 1024);
  });
});

describe('storedJsonBytes', () => {
  it('counts escapes of non-ASCII characters as their UTF-8, other escapes as written', () => {
    const size = (s: string): number => storedJsonBytes(s);
    expect(size('"\\u00e9"')).toBe(4); // é: 2 bytes
    expect(size('"\\u2019"')).toBe(5);
    expect(size('"\\ud83d\\ude00"')).toBe(6); // one 4-byte character
    expect(size('"\\ud83d"')).toBe(8); // a lone surrogate stays an escape
    expect(size('"\\ude00\\ud83d"')).toBe(14);
    expect(size('"\\\\u00e9"')).toBe(9); // an escaped backslash, then text
    expect(size('"\\n\\u0041\\u00E9"')).toBe(12); // two-character escape, ASCII escape, upper case
  });
});

describe('everyDense', () => {
  it('decides as keptJson does which texts are kept as they are (dense), every one or not', () => {
    // Mostly Cyrillic with some ASCII, or mostly ASCII with some non-Latin: around the one-in-five line.
    const text = fc
      .tuple(fc.array(unit, { minLength: 1, maxLength: 30 }), fc.constantFrom('Ж', 'мир', '日本', '😀', 'é'))
      .map(([units, wide]) => units.join('') + wide);
    const dense = (t: string): boolean => keptJson(t) === t; // t has a non-ASCII character
    fc.assert(
      fc.property(fc.array(text, { maxLength: 5 }), (texts) => {
        expect(everyDense(texts)).toBe(texts.every(dense));
      }),
      { numRuns: 5000 },
    );
    expect(everyDense(['Мне снился коридор', 'и дверь'])).toBe(true);
    expect(everyDense(['Мне снился коридор', 'a door at the end of it, Ж'])).toBe(false);
  });
});
