/**
 * Append-only write-ahead log: entries are `[u32 length][u32 crc32][JSON payload]`, appended and
 * fdatasync'ed before the write they carry is acknowledged. Concurrent appends share one sync
 * (group commit). On open, a torn or corrupt tail is truncated.
 */
import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
  existsSync,
} from 'node:fs';
import { fdatasync, writev } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { BufferPool } from '../buffer-pool';

const writevAsync = promisify(writev);
const syncAsync = promisify(fdatasync);

/**
 * fsyncs a directory, so the names created in it are durable. Not on Windows: NTFS has no such
 * call (opening a directory and flushing it fails with EPERM), and its metadata journal keeps
 * names.
 */
export function fsyncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The largest entry a log holds (the largest request body is 64 MB). Below 0x09090909: a frame
 * length read from JSON text (whose bytes are at least a tab) is always larger, so the search for
 * the next entry after damage never checksums a length read from inside a pretty-printed body.
 */
export const MAX_FRAME = 128 * 1024 * 1024;

/** The entry framed at `off` in `buf`, or undefined when no intact entry starts there. */
function entryAt(buf: Buffer, off: number): { entry: unknown; end: number } | undefined {
  if (off + 8 > buf.length) return undefined;
  const len = buf.readUInt32LE(off);
  if (len > MAX_FRAME) return undefined;
  const sum = buf.readUInt32LE(off + 4);
  if (off + 8 + len > buf.length) return undefined;
  const payload = buf.subarray(off + 8, off + 8 + len);
  if (crc32(payload) !== sum) return undefined;
  try {
    return { entry: JSON.parse(payload.toString('utf8')) as unknown, end: off + 8 + len };
  } catch {
    return undefined;
  }
}

/** An engine log entry's task id (every logged operation has one). */
function taskIdOf(entry: unknown): number | undefined {
  const id = (entry as { taskID?: unknown } | null)?.taskID;
  return typeof id === 'number' ? id : undefined;
}

/** Where the next intact entry (a JSON object) starts in `buf` after `from`, or -1. */
function nextIntactEntry(buf: Buffer, from: number): number {
  for (let p = from + 1; p + 9 <= buf.length; p++) {
    // Entries are JSON objects: most positions are ruled out before any checksum.
    const len = buf.readUInt32LE(p);
    if (buf[p + 8] !== 0x7b || len > MAX_FRAME || p + 8 + len > buf.length) continue;
    if (entryAt(buf, p) !== undefined) return p;
  }
  return -1;
}

/**
 * Reads every intact entry of a log file and truncates a torn tail (an append a crash cut short).
 * Damage with intact entries after it is no torn tail: those entries were acknowledged (or, after
 * a power loss, may have been), and cutting the file there dropped them without a word. The
 * damaged bytes are skipped, the entries after them kept, and the damage reported (`damaged`);
 * the file keeps them, so every start reads it the same way.
 */
export function readLog(path: string): {
  entries: unknown[];
  bytes: number;
  damaged: { from: number; to: number }[];
} {
  if (!existsSync(path)) return { entries: [], bytes: 0, damaged: [] };
  const buf = readFileSync(path);
  const entries: unknown[] = [];
  const damaged: { from: number; to: number }[] = [];
  let off = 0;
  let lastTaskId = -Infinity;
  while (off < buf.length) {
    const at = entryAt(buf, off);
    if (at) {
      entries.push(at.entry);
      lastTaskId = taskIdOf(at.entry) ?? lastTaskId;
      off = at.end;
      continue;
    }
    const next = nextIntactEntry(buf, off);
    if (next < 0) break;
    // After a power loss some file systems show old blocks (a deleted log's entries) in a file's
    // unsynced tail: intact, but not this log's. The log's own entries count up their task ids.
    const foundId = taskIdOf(entryAt(buf, next)?.entry);
    if (foundId !== undefined && !(foundId > lastTaskId)) break;
    damaged.push({ from: off, to: next });
    off = next;
  }
  if (off < buf.length) {
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, off);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return { entries, bytes: off, damaged };
}

/**
 * An entry whose JSON the caller already has (saves serializing large batches twice), as parts
 * written end to end: a request's 2 MB text is not copied into a concatenated string first.
 */
export class EncodedEntry {
  /** Texts, or bytes (UTF-8) copied as they are. */
  readonly parts: readonly (string | Uint8Array)[];
  constructor(...parts: (string | Uint8Array)[]) {
    this.parts = parts;
  }
}

/** A frame and, when it came from a pool, the buffer to give back once written. */
interface Frame {
  buf: Buffer;
  pooled?: Buffer;
}

function frame(entry: unknown, pool?: BufferPool): Frame {
  const parts = entry instanceof EncodedEntry ? entry.parts : [JSON.stringify(entry)];
  // Encode straight after the header: no separate payload buffer and no concatenation.
  let bytes = 0;
  for (const p of parts) bytes += typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : p.length;
  // Never a frame the reader would not take back (see MAX_FRAME): refused before it is written.
  if (bytes > MAX_FRAME) throw new Error(`write-ahead log entry of ${bytes} bytes is too large`);
  const pooled = pool && 8 + bytes >= pool.min ? pool.take(8 + bytes) : undefined;
  const buf = pooled ? pooled.subarray(0, 8 + bytes) : Buffer.allocUnsafe(8 + bytes);
  let at = 8;
  for (const p of parts) {
    if (typeof p === 'string') at += buf.write(p, at, 'utf8');
    else {
      buf.set(p, at);
      at += p.length;
    }
  }
  buf.writeUInt32LE(bytes, 0);
  buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
  return pooled ? { buf, pooled } : { buf };
}

interface Pending extends Frame {
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** An open log file accepting appends. */
export class WriteAheadLog {
  private readonly fd: number;
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private failed: Error | null = null;
  /** Large frames' buffers, reused once written (see BufferPool). */
  private readonly pool = new BufferPool();
  /** Bytes in the file. */
  size: number;
  /** Bytes in the file up to the end of the last entry synced (what a failed batch goes back to). */
  private synced: number;

  constructor(
    readonly path: string,
    existingBytes: number,
  ) {
    const created = !existsSync(path);
    this.fd = openSync(path, 'a');
    // A new file's name is made durable before its first entry is acknowledged (POSIX does not
    // promise that fdatasync of the file carries its directory entry). Failing that, the file is
    // not kept: a later attempt creates it again, and fsyncs again.
    if (created)
      try {
        fsyncDirectory(dirname(path));
      } catch (e) {
        closeSync(this.fd);
        rmSync(path, { force: true });
        throw e;
      }
    this.size = existingBytes;
    this.synced = existingBytes;
  }

  /** Appends `entry`; resolves once it is durable. */
  append(entry: unknown): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const f = frame(entry, this.pool);
    this.size += f.buf.length;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...f, resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    // Let the current tick's appends join this sync.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        // writev: the frames go to the kernel as they are, without copying them into one buffer.
        let bufs = batch.map((p) => p.buf);
        while (bufs.length > 0) {
          let { bytesWritten } = await writevAsync(this.fd, bufs);
          // A short write: drop the buffers written whole, keep the rest of a partial one.
          let i = 0;
          for (const b of bufs) {
            if (bytesWritten < b.length) break;
            bytesWritten -= b.length;
            i++;
          }
          bufs = bufs.slice(i);
          const [first, ...rest] = bufs;
          if (first && bytesWritten > 0) bufs = [first.subarray(bytesWritten), ...rest];
        }
        // The kernel has the bytes: the frames' buffers may be reused.
        for (const p of batch) if (p.pooled) this.pool.give(p.pooled);
        await syncAsync(this.fd);
        for (const p of batch) this.synced += p.buf.length;
        for (const p of batch) p.resolve();
      } catch (e) {
        this.failed = e instanceof Error ? e : new Error('write-ahead log write failed');
        // The batch is refused (500): none of its entries may come back after a crash, not even
        // those written whole before the disk filled. Cutting a file needs no free space.
        try {
          ftruncateSync(this.fd, this.synced);
          fdatasyncSync(this.fd);
        } catch {
          // The file stays failed; a replay may then find those entries.
        }
        for (const p of batch) p.reject(e);
        for (const p of this.queue) p.reject(e);
        this.queue = [];
      }
    }
    this.flushing = null;
  }

  /** Whether a write or sync failed: this file takes no more appends. */
  get hasFailed(): boolean {
    return this.failed !== null;
  }

  /** Waits for every pending append. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Appends synchronously (used on shutdown paths). */
  appendSync(entry: unknown): void {
    const { buf } = frame(entry);
    writeSync(this.fd, buf);
    fdatasyncSync(this.fd);
    this.size += buf.length;
    this.synced += buf.length;
  }

  close(): void {
    closeSync(this.fd);
  }
}
