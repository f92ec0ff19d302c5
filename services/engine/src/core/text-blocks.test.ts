import { describe, expect, it } from 'vitest';
import { TextBlocks, type StoredRecords } from './text-blocks';
import { heapAfterGc } from '../testing/gc';

/** A record's JSON text of about `size` characters, different per (block, doc). */
const text = (block: number, doc: number, size = 100): string =>
  JSON.stringify({ objectID: `${block}-${doc}`, body: `${block}:${doc} `.padEnd(size, 'x') });

describe('text blocks', () => {
  it('returns views equal to the texts (non-ASCII escaped), and keeps docs without text as they are', () => {
    const blocks = new TextBlocks();
    const texts = [text(0, 0), undefined, text(0, 2), JSON.stringify({ objectID: 'é', body: '“Don’t” 😀' })];
    const views = blocks.join(5, texts);
    expect(views.slice(0, 3)).toEqual(texts.slice(0, 3));
    expect(views[3]).toBe('{"objectID":"\\u00e9","body":"\\u201cDon\\u2019t\\u201d \\ud83d\\ude00"}');
    expect(JSON.parse(views[3]!)).toEqual(JSON.parse(texts[3]!));
    expect([5, 6, 7, 8].map((d) => blocks.isView(d))).toEqual([true, false, true, true]);
    expect(blocks.join(9, [undefined, undefined])).toEqual([undefined, undefined]);
    expect(blocks.liveBlocks).toBe(1);
  });

  it('copies the remaining views out once fewer than half of a block is viewed', () => {
    const blocks = new TextBlocks();
    const texts = Array.from({ length: 10 }, (_, d) => text(1, d));
    const records: StoredRecords = [];
    blocks.join(0, texts).forEach((v, d) => (records[d] = v));
    blocks.settle(records);
    // Five of ten released: exactly half is still viewed, the block stays.
    for (let d = 0; d < 5; d++) {
      blocks.release(d, records[d] as string, records);
      records[d] = undefined;
    }
    expect(blocks.liveBlocks).toBe(1);
    expect(blocks.isView(5)).toBe(true);
    blocks.release(5, records[5] as string, records);
    records[5] = { parsed: true };
    expect(blocks.liveBlocks).toBe(0);
    expect([6, 7, 8, 9].some((d) => blocks.isView(d))).toBe(false);
    expect(records.slice(6)).toEqual(texts.slice(6));
    // Releasing a doc that no longer holds a view changes nothing.
    blocks.release(7, records[7] as string, records);
    expect(records[7]).toBe(texts[7]);
  });

  it('counts dense non-Latin texts (two bytes per character) at their size', () => {
    const blocks = new TextBlocks();
    // Ten ASCII texts and ten dense Cyrillic ones of the same length: 1 and 2 bytes per character.
    const ascii = Array.from({ length: 10 }, (_, d) => text(2, d));
    const dense = Array.from({ length: 10 }, (_, d) =>
      JSON.stringify({ objectID: `д${d}`, body: 'сон'.repeat(30) }),
    );
    expect(dense.every((t, d) => Math.abs(t.length - ascii[d]!.length) < 20)).toBe(true);
    const records: StoredRecords = [];
    blocks.join(0, [...ascii, ...dense]).forEach((v, d) => (records[d] = v));
    blocks.settle(records);
    expect(records.slice(10).every((r) => typeof r === 'string' && !r.includes('\\u'))).toBe(true);
    // Nine dense texts released: counted in characters half would still be viewed; in bytes it is
    // not (a block's two-byte string is twice its characters), so the views are copied out.
    for (let d = 10; d < 19; d++) {
      blocks.release(d, records[d] as string, records);
      records[d] = undefined;
    }
    expect(blocks.liveBlocks).toBe(0);
    expect(records.slice(0, 10)).toEqual(ascii);
    expect(records[19]).toBe(dense[9]);
  });

  it('keeps a block whose docs are being admitted until it settles', () => {
    // A batch that repeats an objectID: its later doc replaces the earlier ones (released) while
    // the docs after them are not admitted yet. Nothing may be let go (nor left untracked) then.
    const blocks = new TextBlocks();
    const texts = Array.from({ length: 10 }, (_, d) => text(2, d));
    const views = blocks.join(0, texts);
    const records: StoredRecords = [];
    for (let d = 0; d < 10; d++) {
      records[d] = views[d];
      if (d > 0 && d <= 7) {
        blocks.release(d - 1, records[d - 1] as string, records);
        records[d - 1] = undefined;
      }
      expect(blocks.liveBlocks).toBe(1);
    }
    expect([7, 8, 9].every((d) => blocks.isView(d))).toBe(true);
    blocks.settle(records);
    expect(blocks.liveBlocks).toBe(0);
    expect([7, 8, 9].some((d) => blocks.isView(d))).toBe(false);
    expect(records.slice(7)).toEqual(texts.slice(7));
  });

  it('copies a lone text rather than keep the string it was cut from', () => {
    const blocks = new TextBlocks();
    const records: StoredRecords = [];
    /** A 4 MB request of which one record's text (a slice of it) is kept as doc `b`. */
    const keepOne = (b: number): void => {
      const request = `${b}`.repeat(4 * 1024 * 1024) + text(b, 0);
      records[b] = blocks.join(b, [request.slice(request.length - text(b, 0).length)])[0];
      blocks.settle(records);
    };
    const before = heapAfterGc();
    for (let b = 0; b < 5; b++) keepOne(b);
    expect(records).toEqual([0, 1, 2, 3, 4].map((b) => text(b, 0)));
    // Five texts of 100 bytes stay; the requests would be 20 MB.
    expect(heapAfterGc() - before).toBeLessThan(2 * 1024 * 1024);
  });

  it('lets a block go once most of it is released (its survivors do not hold it)', () => {
    const heap = heapAfterGc;
    const blocks = new TextBlocks();
    const records: StoredRecords = [];
    const before = heap();
    // 20 blocks of ~1 MB (100 texts of 10 KB), 60 % of each released.
    for (let b = 0; b < 20; b++) {
      const first = records.length;
      const views = blocks.join(
        first,
        Array.from({ length: 100 }, (_, d) => text(b, d, 10_000)),
      );
      views.forEach((v, d) => (records[first + d] = v));
      blocks.settle(records);
      for (let d = 0; d < 60; d++) {
        blocks.release(first + d, records[first + d] as string, records);
        records[first + d] = undefined;
      }
    }
    expect(blocks.liveBlocks).toBe(0);
    // 800 texts of 10 KB remain (8 MB); the 20 blocks would be 20 MB.
    expect(heap() - before).toBeLessThan(12 * 1024 * 1024);
    expect(records.filter((r) => r !== undefined)).toHaveLength(800);
  });
});
