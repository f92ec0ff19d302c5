import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('reads a file larger than its chunk', () => {
    const text =
      Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i, t: 'café 東京 😀'.repeat(i % 7) })).join(
        '\n',
      ) + '\n';
    expect(linesOf(text, 4096)).toEqual(expected(text));
  });
});
