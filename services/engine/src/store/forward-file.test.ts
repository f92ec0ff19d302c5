/**
 * Forward files (a snapshot's tokenized index): what is written reads back the same, and damage
 * anywhere makes the reader refuse the file (the engine then re-tokenizes), empty sections included.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PostingStore } from '../core/postings';
import type { ForwardExport } from '../core/search-index';
import { readForward, writeForward } from './persistence';

const dir = mkdtempSync(join(tmpdir(), 'ndf-forward-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
async function written(f: ForwardExport): Promise<string> {
  const path = join(dir, `fwd-${files++}.bin`);
  const fh = await open(path, 'w');
  try {
    await writeForward(fh, f);
  } finally {
    await fh.close();
  }
  return path;
}

function plain(f: ForwardExport | undefined): unknown {
  if (!f) return f;
  const p = f.postings;
  return {
    terms: f.terms,
    stride: f.stride,
    lens: Array.from(f.lens),
    starts: Array.from(f.starts),
    tokens: Array.from(f.tokens),
    postings: p && { terms: Array.from(p.terms), offs: Array.from(p.offs), ids: Array.from(p.ids) },
  };
}

/** Postings of docs whose tokens are `docs`, exported with `map` (old doc id → new, -1 drops). */
function postingsOf(docs: number[][], map: number[], terms: number): ForwardExport['postings'] {
  const flat = docs.flat();
  const offsets = docs.map((_, d) => docs.slice(0, d).flat().length);
  const arena = Int32Array.from(flat);
  const store = new PostingStore({
    arena: () => arena,
    offset: (d) => offsets[d]!,
    length: (d) => docs[d]!.length,
  });
  docs.forEach((_, d) => store.add(d, terms));
  return store.exportRemapped(Int32Array.from(map), terms);
}

describe('forward files', () => {
  const full: ForwardExport = {
    terms: ['apple', 'pear', 'plum'],
    stride: 2,
    lens: Int32Array.from([3, 2]),
    starts: Int32Array.from([0, 2, 0, 1]),
    tokens: Int32Array.from([0, 1, -1, 2, -1]),
    postings: postingsOf(
      [
        [0, 1, -1],
        [2, -1],
      ],
      [0, 1],
      3,
    ),
  };

  it('reads back what was written, and refuses a file with any byte damaged', async () => {
    const path = await written(full);
    expect(plain(readForward(path))).toEqual(plain(full));
    const bytes = readFileSync(path);
    for (let at = 0; at < bytes.length; at++) {
      const damaged = Buffer.from(bytes);
      damaged[at]! ^= 0x20;
      writeFileSync(path, damaged);
      expect(readForward(path), `byte ${at}`).toBeUndefined();
    }
  });

  it('reads back an export whose sections are empty (every doc with postings deleted)', async () => {
    // exportRemapped then returns empty views of non-empty buffers; the token sections are
    // empty arrays of empty buffers (zlib's crc32 of those is 0 whatever the running CRC).
    const f: ForwardExport = {
      terms: ['apple', 'pear'],
      stride: 2,
      lens: new Int32Array(0),
      starts: new Int32Array(0),
      tokens: new Int32Array(0),
      postings: postingsOf([[0], [1]], [-1, -1], 2),
    };
    expect(f.postings?.ids.length).toBe(0);
    expect(plain(readForward(await written(f)))).toEqual(plain(f));
  });

  it('covers the bytes before an empty section with the CRC (damage is refused)', async () => {
    // Records without searchable text: no tokens, but a dictionary and group starts.
    const f: ForwardExport = {
      terms: ['apple'],
      stride: 2,
      lens: Int32Array.from([0, 0]),
      starts: Int32Array.from([0, 0, 0, 0]),
      tokens: new Int32Array(0),
    };
    const path = await written(f);
    expect(plain(readForward(path))).toEqual(plain(f));
    const bytes = readFileSync(path);
    bytes[bytes.indexOf('apple') + 1]! ^= 0x20; // "aPple"
    writeFileSync(path, bytes);
    expect(readForward(path)).toBeUndefined();
  });
});
