import { isAscii, isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { decodeValidUtf8 } from '../text/utf8-text';

/** Lines read by {@link LineReader.block}: one string, each line a view of it. */
export interface LineBlock {
  /** The lines' text (each line followed by its newline). */
  text: string;
  /** Line `i` is `text.slice(bounds[2i], bounds[2i + 1])`. */
  bounds: Int32Array;
}

const NEWLINE = 0x0a;

/**
 * Lines of a file read in chunks into one reused buffer: a snapshot can be hundreds of MB, and
 * one string of it would sit on the heap as garbage until a full collection (the process keeps
 * that memory). A line is decoded from its own bytes (lines end at a newline byte, never inside a
 * UTF-8 character); {@link block} decodes many ASCII lines at once.
 */
export class LineReader {
  private readonly fd: number;
  private buf: Buffer;
  /** The unread bytes are `buf[pos, end)`. */
  private pos = 0;
  private end = 0;
  private eof = false;
  private ascii = true;
  /** CRC-32 of the bytes of the lines read since {@link beginCrc} (newlines included), if counting. */
  private crc: number | undefined;

  constructor(path: string, chunkBytes = 4 * 1024 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(1, chunkBytes));
    this.fd = openSync(path, 'r');
  }

  /** The next line (without its newline), or null at the end of the file. */
  next(): string | null {
    let from = this.pos;
    for (;;) {
      const nl = this.newlineFrom(from);
      if (nl >= 0) {
        const line = this.decode(this.pos, nl);
        this.count(this.pos, nl + 1);
        this.pos = nl + 1;
        return line;
      }
      from = this.end;
      const shift = this.pos;
      if (!this.fill(true)) break;
      from -= shift;
    }
    // The last line, without a newline (a character cut short by the end of the file decodes to
    // replacement characters, as decoding the whole file gives).
    if (this.pos === this.end) return null;
    const line = this.decode(this.pos, this.end);
    this.count(this.pos, this.end);
    this.pos = this.end;
    return line;
  }

  /** Starts a CRC-32 of the bytes of the lines read from now on (see {@link endCrc}). */
  beginCrc(): void {
    this.crc = 0;
  }

  /** The CRC-32 of the bytes of the lines read since {@link beginCrc}, newlines included. */
  endCrc(): number {
    const crc = this.crc ?? 0;
    this.crc = undefined;
    return crc;
  }

  /**
   * The next `count` lines decoded as one string (a snapshot's records: one copy of their bytes
   * instead of a string per line copied again into a block). Null when they do not fit in the
   * buffer, grown up to `maxBytes` for them, or the last has no newline (a file cut short), with
   * nothing read: the caller then reads them with {@link next}.
   */
  block(count: number, maxBytes = 64 * 1024 * 1024): LineBlock | null {
    const cuts = new Int32Array(count); // newline offsets from `pos`
    let found = 0;
    let from = this.pos;
    while (found < count) {
      const nl = this.newlineFrom(from);
      if (nl >= 0) {
        cuts[found++] = nl - this.pos;
        from = nl + 1;
        continue;
      }
      from = this.end;
      const shift = this.pos;
      if (!this.fill(this.buf.length < maxBytes)) return null;
      from -= shift;
    }
    const stop = this.pos + (cuts[count - 1] ?? 0) + 1;
    const bytes = this.buf.subarray(this.pos, stop);
    const ascii = isAscii(bytes);
    // Decoded as next() decodes each line: a newline byte is never part of a UTF-8 character, so
    // decoding the lines together gives the same characters (replacements included).
    const text = ascii ? bytes.toString('utf8') : this.decode(this.pos, stop);
    const bounds = new Int32Array(2 * count);
    let start = 0;
    for (let i = 0; i < count; i++) {
      // Byte offsets are character offsets in ASCII; otherwise the newlines are found again.
      const nl = ascii ? (cuts[i] ?? 0) : text.indexOf('\n', start);
      bounds[2 * i] = start;
      bounds[2 * i + 1] = nl;
      start = nl + 1;
    }
    this.count(this.pos, stop);
    this.pos = stop;
    this.ascii = ascii;
    return { text, bounds };
  }

  /** Whether the line last returned was decoded from ASCII bytes only (a one-byte string). */
  get lastAscii(): boolean {
    return this.ascii;
  }

  close(): void {
    closeSync(this.fd);
  }

  private count(from: number, to: number): void {
    // zlib's CRC of an empty view is 0 whatever the value passed: nothing to add then.
    if (this.crc !== undefined && to > from) this.crc = crc32(this.buf.subarray(from, to), this.crc);
  }

  /** Where the first newline at or after `from` is among the unread bytes, or -1. */
  private newlineFrom(from: number): number {
    if (from >= this.end) return -1;
    const nl = this.buf.indexOf(NEWLINE, from);
    return nl >= 0 && nl < this.end ? nl : -1;
  }

  private decode(from: number, to: number): string {
    const bytes = this.buf.subarray(from, to);
    this.ascii = isAscii(bytes);
    // Non-ASCII text that is valid UTF-8 (what the engine writes) through the faster decoder.
    return this.ascii || !isUtf8(bytes) ? bytes.toString('utf8') : decodeValidUtf8(bytes);
  }

  /**
   * Moves the unread bytes to the start of the buffer and reads more after them; `grow` doubles
   * the buffer when it is full of one line. False at the end of the file (or, without `grow`,
   * when there is no room).
   */
  private fill(grow: boolean): boolean {
    if (this.eof) return false;
    if (this.pos > 0) {
      this.buf.copy(this.buf, 0, this.pos, this.end);
      this.end -= this.pos;
      this.pos = 0;
    }
    if (this.end === this.buf.length) {
      if (!grow) return false;
      const bigger = Buffer.allocUnsafe(2 * this.buf.length);
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
    const n = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
    if (n === 0) {
      this.eof = true;
      return false;
    }
    this.end += n;
    return true;
  }
}
