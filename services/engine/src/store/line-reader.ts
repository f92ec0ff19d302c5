import { isAscii, isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { decodeValidUtf8 } from '../text/utf8-text';

/**
 * Lines of a file read in chunks: a snapshot can be hundreds of MB, and one string of it would
 * sit on the heap as garbage until a full collection (the process keeps that memory).
 */
export class LineReader {
  private readonly fd: number;
  private readonly buf: Buffer;
  /** Bytes at the start of `buf` left from the last read: a character it cut short. */
  private carry = 0;
  private lines: string[] = [];
  private at = 0;
  private rest: string[] = [];
  /** Whether every byte behind `rest` was ASCII. */
  private restAscii = true;
  /** Whether every byte behind `lines` was ASCII (then they are one-byte strings). */
  private linesAscii = true;
  private eof = false;

  constructor(path: string, chunkBytes = 4 * 1024 * 1024) {
    // Room for the up to three bytes of a character a read cut short, kept for the next one.
    this.buf = Buffer.allocUnsafe(chunkBytes + 3);
    this.fd = openSync(path, 'r');
  }

  next(): string | null {
    while (this.at >= this.lines.length) {
      if (this.eof) return null;
      const n = readSync(this.fd, this.buf, this.carry, this.buf.length - this.carry, null);
      this.at = 0;
      if (n === 0) {
        this.eof = true;
        // A character cut short by the end of the file: replacement characters, as decoding gives.
        const last = this.rest.join('') + this.buf.toString('utf8', 0, this.carry);
        this.carry = 0;
        this.lines = last === '' ? [] : [last];
        this.linesAscii = this.restAscii;
        this.rest = [];
        continue;
      }
      const bytes = this.buf.subarray(0, this.carry + n);
      const end = wholeCharsEnd(bytes);
      const whole = bytes.subarray(0, end);
      const ascii = isAscii(whole);
      // Non-ASCII text that is valid UTF-8 (what the engine writes) through the faster decoder.
      const text = ascii || !isUtf8(whole) ? whole.toString('utf8') : decodeValidUtf8(whole);
      // The cut character's bytes go first in the buffer, the next read after them.
      this.carry = bytes.copy(this.buf, 0, end);
      if (!text.includes('\n')) {
        // Part of a long line: kept in pieces, joined once its end is read.
        this.rest.push(text);
        this.restAscii &&= ascii;
        this.lines = [];
        continue;
      }
      const parts = (this.rest.join('') + text).split('\n');
      // All of them slices of one string: one-byte only if every piece of it was.
      this.linesAscii = this.restAscii && ascii;
      const tail = parts.pop() ?? '';
      // The tail is this chunk's bytes; cut from a two-byte string it is two-byte, and would make
      // every later chunk's lines two-byte too: copied.
      this.rest = [ascii && !this.linesAscii ? Buffer.from(tail, 'latin1').toString('latin1') : tail];
      this.restAscii = ascii;
      this.lines = parts;
    }
    return this.lines[this.at++] ?? null;
  }

  /** Whether the line last returned was decoded from ASCII bytes only (a one-byte string). */
  get lastAscii(): boolean {
    return this.linesAscii;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * Where the last whole UTF-8 character of `bytes` ends: before a lead byte whose continuation
 * bytes are not all there yet (they come with the next read). Anything else, valid or not, is
 * decoded as it is.
 */
function wholeCharsEnd(bytes: Buffer): number {
  const n = bytes.length;
  let i = n - 1;
  // At most three continuation bytes before the lead byte of a character.
  while (i >= 0 && i > n - 4 && ((bytes[i] ?? 0) & 0xc0) === 0x80) i--;
  if (i < 0) return n;
  const lead = bytes[i] ?? 0;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return n - i < need ? i : n;
}
