import { isAscii } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/**
 * Lines of a file read in chunks: a snapshot can be hundreds of MB, and one string of it would
 * sit on the heap as garbage until a full collection (the process keeps that memory).
 */
export class LineReader {
  private readonly fd: number;
  private readonly buf: Buffer;
  private readonly decoder = new StringDecoder('utf8');
  private lines: string[] = [];
  private at = 0;
  private rest: string[] = [];
  /** Whether every byte behind `rest` was ASCII. */
  private restAscii = true;
  /** Whether every byte behind `lines` was ASCII (then they are one-byte strings). */
  private linesAscii = true;
  private eof = false;

  constructor(path: string, chunkBytes = 4 * 1024 * 1024) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
    this.fd = openSync(path, 'r');
  }

  next(): string | null {
    while (this.at >= this.lines.length) {
      if (this.eof) return null;
      const n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      this.at = 0;
      if (n === 0) {
        this.eof = true;
        const last = this.rest.join('') + this.decoder.end();
        this.lines = last === '' ? [] : [last];
        this.linesAscii = this.restAscii;
        this.rest = [];
        continue;
      }
      const bytes = this.buf.subarray(0, n);
      const ascii = isAscii(bytes);
      const text = this.decoder.write(bytes);
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
