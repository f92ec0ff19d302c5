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
        this.rest = [];
        continue;
      }
      const text = this.decoder.write(this.buf.subarray(0, n));
      if (!text.includes('\n')) {
        // Part of a long line: kept in pieces, joined once its end is read.
        this.rest.push(text);
        this.lines = [];
        continue;
      }
      const parts = (this.rest.join('') + text).split('\n');
      this.rest = [parts.pop() ?? ''];
      this.lines = parts;
    }
    return this.lines[this.at++] ?? null;
  }

  close(): void {
    closeSync(this.fd);
  }
}
