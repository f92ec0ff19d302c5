/* eslint-disable @typescript-eslint/no-non-null-assertion -- doc ids index arrays sized to hold
   them (grown on join), and block numbers index the blocks array. */
/**
 * Record texts of a batch kept as views of one string. A bulk import keeps each record as its
 * JSON text; one string per record is a young object the garbage collector copies twice before it
 * settles, while one string per batch (≈ 2 MB) is allocated where it is never copied, and each
 * record holds a small view of it. That string is the request's own text when every kept record
 * is a slice of it (see join), or a copy of the texts.
 *
 * A block's strings live as long as any of their views does, so when a block's records are
 * replaced, deleted or parsed until fewer than half of its bytes are still viewed, the remaining
 * views are copied out and the block is let go: a block never holds more than about twice the
 * text its records use. A block is one string, or two: one of ASCII texts (one byte per
 * character) and one of dense non-Latin texts kept as they are (two bytes per character; see
 * asciiViews), counted at their size.
 */
import { asciiViews } from '../text/ascii-json';
import { ownCopy } from '../text/own-copy';

/**
 * Bytes V8 holds for a kept text: ASCII one per character, other texts (dense non-Latin, kept as
 * they are, in a two-byte string) two.
 */
function bytesOf(text: string): number {
  // A non-ASCII character early on decides without the native UTF-8 length, which reads every
  // character of a two-byte string (a Russian writer's record).
  for (let i = 0, head = Math.min(text.length, 64); i < head; i++)
    if (text.charCodeAt(i) > 0x7f) return 2 * text.length;
  return Buffer.byteLength(text) === text.length ? text.length : 2 * text.length;
}

interface Block {
  /** Bytes (see bytesOf) still viewed by records of the block. */
  live: number;
  /** Bytes of the block's strings. */
  size: number;
  /** Doc ids of the block: `first` to `end` (exclusive); not all of them hold a view. */
  first: number;
  end: number;
}

/** Stored records, by doc id: an object, or JSON text (possibly a view of a block). */
export type StoredRecords = (object | string | undefined)[];

export class TextBlocks {
  /** Per doc id: its block's number + 1 while it holds a view of that block, else 0. */
  private blockOf = new Int32Array(1024);
  private blocks: (Block | undefined)[] = [];
  /** The block whose docs are being admitted (see {@link settle}), or -1. */
  private opening = -1;

  /**
   * Joins the JSON texts of docs `first`, `first + 1`, … into one block and returns them as
   * views of it (undefined where no text is given), as asciiViews keeps them. The docs must
   * hold the views returned, then {@link settle} is called: until then the block is not let go (a
   * batch that repeats an objectID releases its own earlier docs while later ones are not yet
   * admitted). `oneByteAscii`: the texts are one-byte strings of ASCII already, but for dense
   * non-Latin texts given as they are (see asciiViews). `parent`: a one-byte ASCII string every
   * text is a slice of (a bulk request's text): the texts are kept as they are, with `parent` as
   * their block, instead of copied into a new one (the request's other bytes are few; when many of
   * its records are not kept as text, the block is let go at once, see settle).
   */
  join(
    first: number,
    texts: readonly (string | undefined)[],
    oneByteAscii = false,
    parent?: string,
  ): (string | undefined)[] {
    if (texts.every((t) => t === undefined || t === '')) return [...texts];
    if (parent !== undefined) {
      this.opening = this.adopt(first, texts, parent.length);
      return [...texts];
    }
    // JSON texts: kept ASCII, one byte per character, or dense non-Latin text as it is.
    const views = asciiViews(texts, oneByteAscii);
    this.opening = this.adopt(first, views);
    return views;
  }

  /**
   * Tracks `views`, the stored texts of docs `first`, `first + 1`, … (undefined: no text), which
   * are views of one string or two (see asciiViews), as a block. Returns its number (-1 when there
   * is no text). `size`: the bytes of the string(s) viewed, when more than the views themselves.
   */
  adopt(first: number, views: readonly (string | undefined)[], size?: number): number {
    let live = 0;
    for (const t of views) if (t !== undefined) live += bytesOf(t);
    if (live === 0) return -1;
    this.reserve(first + views.length);
    const number = this.blocks.length;
    this.blocks.push({ live, size: Math.max(size ?? live, live), first, end: first + views.length });
    for (let d = 0; d < views.length; d++) if (views[d] !== undefined) this.blockOf[first + d] = number + 1;
    return number;
  }

  /** Whether doc `id` holds a view of a block. */
  isView(id: number): boolean {
    return id < this.blockOf.length && this.blockOf[id]! > 0;
  }

  /**
   * Doc `id` is about to let go of its stored text `text` (deleted, replaced or parsed). When its
   * block falls under half viewed, the block's other views in `records` are replaced by copies.
   */
  release(id: number, text: string, records: StoredRecords): void {
    if (!this.isView(id)) return;
    const number = this.blockOf[id]! - 1;
    this.blockOf[id] = 0;
    this.blocks[number]!.live -= bytesOf(text);
    if (number !== this.opening) this.letGoIfSparse(number, records);
  }

  /** The docs of the block last joined all hold their views: it may be let go from now on. */
  settle(records: StoredRecords): void {
    const number = this.opening;
    this.opening = -1;
    if (number >= 0) this.letGoIfSparse(number, records);
  }

  /** Copies a block's views out once under half of it is viewed, and forgets the block. */
  private letGoIfSparse(number: number, records: StoredRecords): void {
    const block = this.blocks[number];
    if (block === undefined || block.live * 2 >= block.size) return;
    for (let d = block.first; d < block.end; d++) {
      if (this.blockOf[d] !== number + 1) continue;
      const r = records[d];
      if (typeof r === 'string') records[d] = ownCopy(r);
      this.blockOf[d] = 0;
    }
    this.blocks[number] = undefined;
  }

  /** Forgets every block (the records holding views are gone). */
  clear(): void {
    this.blockOf = new Int32Array(1024);
    this.blocks = [];
    this.opening = -1;
  }

  /** Blocks still held (for tests). */
  get liveBlocks(): number {
    return this.blocks.filter((b) => b !== undefined).length;
  }

  private reserve(n: number): void {
    if (n <= this.blockOf.length) return;
    const next = new Int32Array(Math.max(n, this.blockOf.length * 2));
    next.set(this.blockOf);
    this.blockOf = next;
  }
}
