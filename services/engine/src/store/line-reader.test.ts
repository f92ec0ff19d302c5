import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LineReader } from './line-reader';

const dir = mkdtempSync(join(tmpdir(), 'line-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function linesOf(text: string, chunkBytes: number): string[] {
  const path = join(dir, 'f.txt');
  writeFileSync(path, text);
  const r = new LineReader(path, chunkBytes);
  const out: string[] = [];
  try {
    for (let l = r.next(); l !== null; l = r.next()) out.push(l);
  } finally {
    r.close();
  }
  return out;
}

/** What reading the whole file and splitting it gives (a final newline ends the last line). */
function expected(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (text.endsWith('\n')) parts.pop();
  return parts;
}

describe('LineReader (snapshot lines read in chunks)', () => {
  it('gives the lines of the file whatever the chunk size, multi-byte characters split across chunks included', () => {
    const char = fc.constantFrom('a', 'é', '東', '😀', '\n', '"', '\\');
    fc.assert(
      fc.property(fc.string({ unit: char, maxLength: 60 }), fc.integer({ min: 1, max: 9 }), (text, chunk) => {
        expect(linesOf(text, chunk)).toEqual(expected(text));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the lines of large non-Latin files read in large chunks (the faster decoder), cut characters included', () => {
    const char = fc.constantFrom('Ж', 'ё', '東', '😀', 'a', ' ', '\n', '\u00a0');
    fc.assert(
      fc.property(
        fc.array(char, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 16_000, max: 70_000 }),
        fc.integer({ min: 20_000, max: 300_000 }),
        (alphabet, chunk, size) => {
          const unit = alphabet.join('');
          const text = unit.repeat(Math.ceil(size / unit.length));
          expect(linesOf(text, chunk)).toEqual(expected(text));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('decodes a file cut short inside a character as the whole file decodes', () => {
    const path = join(dir, 'cut.txt');
    const bytes = Buffer.from('line one\nЖук 😀');
    for (let cut = bytes.length - 3; cut <= bytes.length; cut++) {
      writeFileSync(path, bytes.subarray(0, cut));
      const r = new LineReader(path, 4);
      const out: string[] = [];
      for (let l = r.next(); l !== null; l = r.next()) out.push(l);
      r.close();
      expect(out).toEqual(expected(bytes.subarray(0, cut).toString('utf8')));
    }
  });

  it('reads a file larger than its chunk', () => {
    const text =
      Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i, t: 'café 東京 😀'.repeat(i % 7) })).join(
        '\n',
      ) + '\n';
    expect(linesOf(text, 4096)).toEqual(expected(text));
  });

  it('says which lines came from ASCII bytes only (then one-byte strings), whatever the chunk size', () => {
    // Long ASCII pieces too: a slice of 13 or more characters is a view (of a two-byte string,
    // two-byte), a shorter one a copy.
    const char = fc.constantFrom('a', 'b', ' ', 'abcdefghijklmnopqrstuvwxyz', 'é', '’', '😀', '\n');
    const isAscii = (s: string): boolean => Buffer.byteLength(s) === s.length;
    fc.assert(
      fc.property(
        fc.string({ unit: char, maxLength: 60 }),
        fc.integer({ min: 1, max: 40 }),
        (text, chunk) => {
          const path = join(dir, 'g.txt');
          writeFileSync(path, text);
          const r = new LineReader(path, chunk);
          try {
            for (let l = r.next(); l !== null; l = r.next()) {
              if (!isAscii(l)) expect(r.lastAscii).toBe(false);
              // v8.serialize tags a one-byte string `"`.
              if (r.lastAscii) expect(serialize(l)[2]).toBe(0x22);
            }
          } finally {
            r.close();
          }
        },
      ),
      { numRuns: 300 },
    );
    // Lines after a non-ASCII chunk are known ASCII again once their chunks are.
    const mixed = join(dir, 'm.txt');
    writeFileSync(mixed, `don’t\n${'plain text, long enough to be a view\n'.repeat(10)}`);
    const m = new LineReader(mixed, 30);
    const flags: boolean[] = [];
    const twoByteClaimedAscii: string[] = [];
    for (let l = m.next(); l !== null; l = m.next()) {
      flags.push(m.lastAscii);
      if (m.lastAscii && serialize(l)[2] !== 0x22) twoByteClaimedAscii.push(l);
    }
    m.close();
    expect(flags.at(0)).toBe(false);
    expect(flags.at(-1)).toBe(true);
    expect(twoByteClaimedAscii).toEqual([]);
    // A file of ASCII lines only: every line known ASCII.
    const path = join(dir, 'h.txt');
    writeFileSync(path, 'one\ntwo\nthree');
    const r = new LineReader(path, 4);
    const seen: boolean[] = [];
    for (let l = r.next(); l !== null; l = r.next()) seen.push(r.lastAscii);
    r.close();
    expect(seen).toEqual([true, true, true]);
  });

  it('reads blocks of lines as one string each, interleaved with single lines, as the lines of the file (and their CRC-32)', () => {
    const char = fc.constantFrom('a', 'b', ' ', 'abcdefghijklmnopqrstuvwxyz', 'é', 'Ж', '😀', '\n', '\n');
    fc.assert(
      fc.property(
        fc.string({ unit: char, maxLength: 120 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 200 }),
        (text, chunk, steps, maxBytes) => {
          const path = join(dir, 'b.txt');
          writeFileSync(path, text);
          const want = expected(text);
          const r = new LineReader(path, chunk);
          const got: string[] = [];
          r.beginCrc();
          try {
            for (let s = 0; got.length < want.length; s++) {
              const count = steps[s % steps.length]!;
              const block = count > 0 ? r.block(count, maxBytes) : null;
              if (block === null) {
                // Nothing read: the same lines come one by one.
                const l = r.next();
                if (l === null) break;
                got.push(l);
                continue;
              }
              const { text: all, bounds } = block;
              expect(bounds.length).toBe(2 * count);
              const lines = Array.from({ length: count }, (_, i) =>
                all.slice(bounds[2 * i], bounds[2 * i + 1]),
              );
              got.push(...lines);
              // The block is those lines, each followed by its newline, and nothing else.
              expect(all).toBe(lines.map((l) => `${l}\n`).join(''));
              const ascii = lines.every((l) => Buffer.byteLength(l) === l.length);
              expect(r.lastAscii).toBe(ascii);
              if (ascii) expect(serialize(all)[2]).toBe(0x22); // one-byte
            }
            expect(got).toEqual(want);
            expect(r.next()).toBeNull();
            // Every byte read, by blocks or line by line, counted once.
            expect(r.endCrc()).toBe(crc32(Buffer.from(text)));
          } finally {
            r.close();
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives a block only when all its lines are whole (each with its newline) and within the size asked', () => {
    const path = join(dir, 'c.txt');
    writeFileSync(path, 'one\ntwo\nthree');
    let r = new LineReader(path, 4);
    expect(r.block(3)).toBeNull(); // the last line has no newline: read with next()
    expect(r.block(2)?.text).toBe('one\ntwo\n');
    expect(r.next()).toBe('three');
    r.close();
    writeFileSync(path, `${'x'.repeat(100)}\nshort\n`);
    r = new LineReader(path, 8);
    expect(r.block(2, 64)).toBeNull(); // 107 bytes do not fit in 64
    expect(r.block(2, 200)?.text).toBe(`${'x'.repeat(100)}\nshort\n`);
    r.close();
  });

  it('reads large non-Latin blocks (through the transcoder) as the lines of the file', () => {
    // U+0A0A then U+0400 is 0A 0A 00 04 in UTF-16LE: "0A 00" at an odd offset, not a newline
    // (for a search in the UTF-16 bytes; tried, no faster than the string's).
    const char = fc.constantFrom('ਊ', 'Ѐ', 'Ж', 'ё', '😀', 'a', ' ', '\n');
    fc.assert(
      fc.property(
        // Lines of up to a few KB (fast-check keeps strings short unless told): blocks of 16 KB
        // and more go through the transcoder.
        fc.array(
          fc
            .tuple(fc.string({ unit: char, maxLength: 40 }), fc.integer({ min: 1, max: 80 }))
            .map(([unit, times]) => unit.repeat(times)),
          { minLength: 1, maxLength: 200, size: 'max' },
        ),
        fc.integer({ min: 1, max: 50 }),
        (lines, per) => {
          const text = lines.map((l) => `${l.replaceAll('\n', ' ')}ਊ\n`).join('');
          const path = join(dir, 'u.txt');
          writeFileSync(path, text);
          const want = expected(text);
          const r = new LineReader(path, 64 * 1024);
          const got: string[] = [];
          r.beginCrc();
          try {
            while (got.length < want.length) {
              const block = r.block(Math.min(per, want.length - got.length));
              if (block === null) {
                got.push(r.next()!);
                continue;
              }
              const n = block.bounds.length / 2;
              for (let i = 0; i < n; i++)
                got.push(block.text.slice(block.bounds[2 * i], block.bounds[2 * i + 1]));
            }
            expect(got).toEqual(want);
            expect(r.endCrc()).toBe(crc32(Buffer.from(text)));
          } finally {
            r.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
