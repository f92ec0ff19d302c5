/**
 * The data folder: `snapshot.ndjson` (a compacted state, replaced atomically: temp file, fsync,
 * rename, directory fsync) and `wal-<n>.log` files holding every operation logged since.
 *
 * The snapshot's header names the first log it does not contain; older logs are deleted once
 * the snapshot is durable. Opening replays the snapshot, then the logs in order.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import type { JsonRecord } from '../core/record-path';
import type { StoredSettings } from '../core/settings';
import type { ForwardExport } from '../core/search-index';
import type { Segment } from '../core/postings';
import { LineReader, type LineBlock } from './line-reader';
import { asciiViews, everyDense } from '../text/ascii-json';
import { fsyncDirectory, readLog, WriteAheadLog } from './wal';

/** Everything a snapshot holds. */
export interface SnapshotState {
  lastTask: number;
  keys: unknown;
  indices: {
    name: string;
    settings: StoredSettings;
    virtual: boolean;
    primary?: string;
    createdAt: string;
    updatedAt: string;
    /** Objects, or JSON text (as stored by the index, as read from a snapshot). */
    records: (JsonRecord | string)[];
    /**
     * Read from a snapshot: records `k * textBlock` to `(k + 1) * textBlock - 1` are views of one
     * string (see TextBlocks), which the index must track or copy.
     */
    textBlock?: number;
    /** The forward index of `records` (restores without tokenizing again). */
    forward?: ForwardExport;
    /**
     * Read from a snapshot whose checksum of this index matched (format 2): its records are as
     * they were written, so the index may read of each only what it needs (see restoreForward).
     */
    verified?: boolean;
  }[];
  /** Logged operations not applied yet (indexing delay). */
  pending: unknown[];
}

const headerSchema = z.object({
  format: z.literal('ndf-engine-snapshot'),
  // 2: each index's line and records are followed by their CRC-32 (`{"crc32":…}`); 1: no checksum.
  version: z.union([z.literal(1), z.literal(2)]),
  nextLog: z.number().int().min(1),
  lastTask: z.number().int().min(0),
  keys: z.unknown(),
  pending: z.array(z.unknown()),
});
const indexLineSchema = z.object({
  index: z.object({
    name: z.string(),
    settings: z.record(z.string(), z.unknown()),
    virtual: z.boolean(),
    primary: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    count: z.number().int().min(0),
    forward: z
      .string()
      .regex(/^fwd-\d+-\d+\.bin$/)
      .optional(),
  }),
});

const SNAPSHOT = 'snapshot.ndjson';
const LOCK = 'LOCK';

/**
 * One engine per data folder: a `LOCK` file holds the owner's pid. A lock left by a process that
 * no longer runs (kill -9) is taken over.
 */
function lockFolder(dir: string): void {
  const path = join(dir, LOCK);
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx' });
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const owner = Number(readFileSync(path, 'utf8').trim());
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
    throw new Error(`data folder ${dir} is in use by process ${owner}`);
  }
  writeFileSync(path, String(process.pid));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
const COMPACT_BYTES = 128 * 1024 * 1024;

function logName(n: number): string {
  return `wal-${String(n).padStart(8, '0')}.log`;
}

export class Persistence {
  private log: WriteAheadLog | null = null;
  private logNumber = 1;
  private compacting = false;

  private constructor(
    readonly dir: string,
    private readonly compactBytes: number,
  ) {}

  /** Opens (creating) a data folder; the log is compacted into a snapshot past `compactBytes`. */
  static open(dir: string, compactBytes = COMPACT_BYTES): Persistence {
    // A folder made here is fsynced into its parent before any write in it is acknowledged.
    if (mkdirSync(dir, { recursive: true }) !== undefined) fsyncDirectory(dirname(dir));
    lockFolder(dir);
    return new Persistence(dir, compactBytes);
  }

  private logs(): number[] {
    return readdirSync(this.dir)
      .map((f) => /^wal-(\d{8})\.log$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /** Reads the snapshot (if any) and every log entry after it. */
  load(): { state: SnapshotState | null; log: unknown[] } {
    let state: SnapshotState | null = null;
    let nextLog = 1;
    const path = join(this.dir, SNAPSHOT);
    if (existsSync(path)) {
      const r = readSnapshot(path);
      state = r.state;
      nextLog = r.nextLog;
      // A damaged forward file means re-tokenizing on every start until a snapshot rewrites it.
      this.stale = r.state.indices.some((i) => i.forward === undefined && i.records.length > 0);
    }
    // A snapshot cut short by a crash before its rename is never read.
    rmSync(join(this.dir, `${SNAPSHOT}.tmp`), { force: true });
    const all = this.logs();
    // A snapshot naming log N was renamed into place after log N existed, and older logs are
    // deleted only after it: older ones with no log from N on mean a damaged snapshot header,
    // and deleting them (below) would drop acknowledged writes. Checked before anything is removed.
    if (existsSync(path) && all.length > 0 && !all.some((n) => n >= nextLog))
      throw new Error(
        `data folder ${this.dir}: the snapshot names log ${nextLog}, which is missing, while ` +
          `older logs remain: refusing to delete them`,
      );
    const entries: unknown[] = [];
    const keep = new Set<string>();
    // (Forward files named by the loaded snapshot stay; leftovers of an interrupted one go.)
    if (existsSync(path))
      for (const f of readdirSync(this.dir))
        if (f.startsWith(`fwd-${nextLog}-`) && f.endsWith('.bin')) keep.add(f);
    this.removeStaleForward(keep);
    const logs = this.logs().filter((n) => n >= nextLog);
    for (const n of logs) {
      const file = join(this.dir, logName(n));
      const { entries: e, damaged } = readLog(file);
      for (const d of damaged)
        process.stderr.write(
          `engine: ${file} is damaged from byte ${d.from} to ${d.to}; the entries after it are kept\n`,
        );
      for (const x of e) entries.push(x);
    }
    this.logNumber = logs.at(-1) ?? nextLog;
    // Logs older than the snapshot are leftovers of an interrupted compaction.
    for (const n of this.logs()) if (n < nextLog) rmSync(join(this.dir, logName(n)), { force: true });
    return { state, log: entries };
  }

  /** Opens the current log for appending (after load). */
  startLog(): void {
    const path = join(this.dir, logName(this.logNumber));
    const { bytes } = readLog(path);
    this.log = new WriteAheadLog(path, bytes);
  }

  private stale = false;

  /** The loaded snapshot did not serve as it is (e.g. a forward file that no longer fits). */
  markStale(): void {
    this.stale = true;
  }

  /**
   * False when the snapshot on disk already holds the whole state (nothing logged since it was
   * written or loaded): closing then need not write a new one, which for a large store takes
   * seconds.
   */
  get changedSinceSnapshot(): boolean {
    return this.stale || (this.log?.size ?? 0) > 0;
  }

  append(entry: unknown): Promise<void> {
    if (!this.log) throw new Error('log not open');
    if (this.log.hasFailed) this.replaceFailedLog();
    return this.log.append(entry);
  }

  /**
   * After a failed append (a full disk, an I/O error) the next writes go to a new log file, so
   * that they succeed again once the disk takes them; the failed file ends in a frame it refused,
   * read back as a torn tail. Opening the new file may fail too (the disk still full): the write
   * is refused, and the next one tries again.
   */
  private replaceFailedLog(): void {
    const failed = this.log;
    this.log = new WriteAheadLog(join(this.dir, logName(this.logNumber + 1)), 0);
    this.logNumber += 1;
    try {
      failed?.close();
    } catch {
      // Already unusable; nothing more to release.
    }
  }

  /** Waits for pending appends and any snapshot being written. */
  async drain(): Promise<void> {
    await this.log?.drain();
    await this.writing;
  }

  private idleTimer: NodeJS.Timeout | null = null;

  /**
   * Compacts once the log is large: after a second without writes (so bulk imports are not slowed
   * by snapshots), or at once past four times the threshold (bounding replay after a crash).
   */
  maybeCompact(capture: () => SnapshotState): void {
    if (this.compacting || !this.log || this.log.size < this.compactBytes) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const run = (): void => {
      this.idleTimer = null;
      if (this.compacting || !this.log || this.closed) return;
      this.compacting = true;
      const state = capture();
      let done: Promise<void>;
      try {
        done = this.snapshot(state);
      } catch (e) {
        // Starting the new log failed (the folder gone or unwritable): from a timer, a throw
        // would end the process.
        done = Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
      done
        .catch((e: unknown) => {
          // The log still holds everything: a failed compaction loses nothing; say so and go on.
          process.stderr.write(`engine: compaction failed: ${e instanceof Error ? e.message : String(e)}\n`);
        })
        .finally(() => {
          this.compacting = false;
        });
    };
    if (this.log.size >= 4 * this.compactBytes) run();
    else {
      this.idleTimer = setTimeout(run, 1000);
      this.idleTimer.unref();
    }
  }

  /**
   * Writes `state` (captured synchronously, so it is consistent) as the new snapshot: the current
   * log is retired and a new one started, so the snapshot covers exactly the retired logs.
   */
  snapshot(state: SnapshotState): Promise<void> {
    // This snapshot supersedes a compaction waiting for idle time.
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    // Switch logs now (synchronously, where the state was captured); write files in order. The
    // new log is opened first: if that throws, nothing has changed.
    const old = this.log;
    const oldNumber = this.logNumber;
    const next = new WriteAheadLog(join(this.dir, logName(oldNumber + 1)), 0);
    this.logNumber = oldNumber + 1;
    this.log = next;
    const nextLog = this.logNumber;
    const run = this.writing.then(() => this.writeSnapshot(state, nextLog, old, oldNumber));
    this.writing = run.catch(() => undefined);
    return run;
  }

  private writing: Promise<unknown> = Promise.resolve();

  private async writeSnapshot(
    state: SnapshotState,
    nextLog: number,
    old: WriteAheadLog | null,
    oldNumber: number,
  ): Promise<void> {
    const forwardNames: (string | undefined)[] = [];
    let installed = false;
    try {
      await this.writeSnapshotFiles(state, nextLog, old, oldNumber, forwardNames, () => {
        installed = true;
      });
    } catch (e) {
      // Not installed: its forward files are nobody's, and a full disk needs their space back
      // (each retry names new ones). Installed: the snapshot names them; they stay.
      if (!installed)
        for (const name of forwardNames) if (name) rmSync(join(this.dir, name), { force: true });
      throw e;
    }
  }

  private async writeSnapshotFiles(
    state: SnapshotState,
    nextLog: number,
    old: WriteAheadLog | null,
    oldNumber: number,
    forwardNames: (string | undefined)[],
    onInstalled: () => void,
  ): Promise<void> {
    // Forward-index files first: the snapshot that names them becomes visible only after.
    for (const [k, index] of state.indices.entries()) {
      const fwd = index.forward;
      if (!fwd) {
        forwardNames.push(undefined);
        continue;
      }
      const name = `fwd-${nextLog}-${k}.bin`;
      const tmpBin = join(this.dir, `${name}.tmp`);
      const fhb = await open(tmpBin, 'w');
      try {
        await writeForward(fhb, fwd);
        await fhb.sync();
      } catch (e) {
        // A failed snapshot must not keep holding the space it took (a full disk).
        await fhb.close();
        rmSync(tmpBin, { force: true });
        throw e;
      }
      await fhb.close();
      renameSync(tmpBin, join(this.dir, name));
      forwardNames.push(name);
    }
    const lines = snapshotLines(state, nextLog, forwardNames);
    const tmp = join(this.dir, `${SNAPSHOT}.tmp`);
    const fh = await open(tmp, 'w');
    try {
      let chunk: string[] = [];
      let size = 0;
      for (const line of lines) {
        chunk.push(line);
        size += line.length;
        if (size > 4 * 1024 * 1024) {
          await writeFully(fh, Buffer.from(chunk.join('')));
          chunk = [];
          size = 0;
        }
      }
      if (chunk.length > 0) await writeFully(fh, Buffer.from(chunk.join('')));
      await fh.sync();
    } catch (e) {
      await fh.close();
      rmSync(tmp, { force: true });
      throw e;
    }
    await fh.close();
    renameSync(tmp, join(this.dir, SNAPSHOT));
    onInstalled();
    fsyncDirectory(this.dir);
    if (old) {
      await old.drain();
      old.close();
    }
    for (const n of this.logs()) if (n <= oldNumber) rmSync(join(this.dir, logName(n)), { force: true });
    this.removeStaleForward(new Set(forwardNames.filter((n): n is string => n !== undefined)));
  }

  private removeStaleForward(keep: Set<string>): void {
    for (const f of readdirSync(this.dir)) {
      if (/^fwd-\d+-\d+\.bin(\.tmp)?$/.test(f) && !keep.has(f)) rmSync(join(this.dir, f), { force: true });
    }
  }

  private closed = false;

  close(): void {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    rmSync(join(this.dir, LOCK), { force: true });
    this.log?.close();
    this.log = null;
  }
}

/** A record's snapshot line: its stored text when that is one line, else its JSON. */
function oneLine(r: JsonRecord | string): string {
  if (typeof r !== 'string') return JSON.stringify(r);
  return r.includes('\n') ? JSON.stringify(JSON.parse(r)) : r;
}

/** The snapshot format written (see headerSchema); version 1 snapshots are still read. */
const SNAPSHOT_VERSION = 2;
const crcLineSchema = z.object({ crc32: z.number().int().min(0) });

function* snapshotLines(
  state: SnapshotState,
  nextLog: number,
  forwardNames: (string | undefined)[],
): Generator<string> {
  yield (
    JSON.stringify({
      format: 'ndf-engine-snapshot',
      version: SNAPSHOT_VERSION,
      nextLog,
      lastTask: state.lastTask,
      keys: state.keys ?? null,
      pending: state.pending,
    }) + '\n'
  );
  for (const [k, index] of state.indices.entries()) {
    const { records, forward: _forward, ...meta } = index;
    const fwd = forwardNames[k];
    const indexLine =
      JSON.stringify({ index: { ...meta, count: records.length, ...(fwd ? { forward: fwd } : {}) } }) + '\n';
    yield indexLine;
    // The checksum of the index line and its records: a restart reads of each record only what
    // indexing needs, so damage it does not read would otherwise go unseen until the record is
    // parsed (or a rebuild trips on it); a damaged forward file name could name another index's.
    let crc = crc32(indexLine);
    for (const r of records) {
      const line = oneLine(r) + '\n';
      crc = crc32(line, crc);
      yield line;
    }
    yield JSON.stringify({ crc32: crc }) + '\n';
  }
  yield JSON.stringify({ end: true }) + '\n';
}

function readSnapshot(path: string): { state: SnapshotState; nextLog: number } {
  const reader = new LineReader(path);
  try {
    return parseSnapshot(
      path,
      () => reader.next(),
      () => reader.lastAscii,
      (count) => reader.block(count),
      { begin: () => reader.beginCrc(), end: () => reader.endCrc() },
    );
  } finally {
    reader.close();
  }
}

/** Snapshot records read into one shared string (see parseSnapshot). */
const TEXT_BLOCK = 1024;

function parseSnapshot(
  path: string,
  nextLine: () => string | null,
  /** Whether the line last read was decoded from ASCII bytes (a one-byte string). */
  lastAscii: () => boolean = () => false,
  /** The next lines as one string, if the reader can (see LineReader.block). */
  nextBlock: (count: number) => LineBlock | null = () => null,
  /** A CRC-32 of the bytes of the lines read between begin() and end() (see LineReader). */
  crc: { begin: () => void; end: () => number } = { begin: () => undefined, end: () => -1 },
): { state: SnapshotState; nextLog: number } {
  const corrupt = (why: string): never => {
    throw new Error(`snapshot ${path} is corrupt: ${why}`);
  };
  const headLine = nextLine();
  if (headLine === null) return corrupt('empty');
  // JSON.parse's own message quotes the text (record bodies in `pending`): not surfaced.
  const jsonOf = (text: string, what: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return corrupt(`${what} is not valid JSON`);
    }
  };
  const headJson = jsonOf(headLine, 'the header');
  const head = headerSchema.safeParse(headJson);
  if (!head.success) {
    const version = (headJson as { version?: unknown } | null)?.version;
    if (typeof version === 'number' && version > SNAPSHOT_VERSION)
      throw new Error(
        `snapshot ${path} is of format ${version}, written by a newer engine (this one reads formats 1 to ${SNAPSHOT_VERSION})`,
      );
    return corrupt('bad header');
  }
  const checked = head.data.version >= 2;
  const state: SnapshotState = {
    lastTask: head.data.lastTask,
    keys: head.data.keys ?? undefined,
    indices: [],
    pending: head.data.pending,
  };
  for (;;) {
    // The checksum covers the index line too (its name, settings and forward file's name).
    if (checked) crc.begin();
    const line = nextLine();
    if (line === null) return corrupt('missing end marker');
    const obj = jsonOf(line, 'an index line') as Record<string, unknown>;
    if (obj.end === true) break;
    const idx = indexLineSchema.safeParse(obj);
    if (!idx.success) return corrupt('bad index line');
    // Records stay text: the index reads of each what it indexes and keeps the text. Every
    // TEXT_BLOCK lines are one string (decoded at once by the reader, or copied out of the lines
    // read one by one), of which each record is a view: one allocation instead of one per record
    // for the garbage collector to copy.
    const count = idx.data.index.count;
    const records: string[] = [];
    const lines: string[] = [];
    for (let first = 0; first < count; first += TEXT_BLOCK) {
      const n = Math.min(TEXT_BLOCK, count - first);
      // Read as one string where the reader can: the records of an ASCII block are views of it.
      const block = nextBlock(n);
      let ascii = true;
      if (block !== null) {
        const { text, bounds } = block;
        for (let i = 0; i < n; i++) lines.push(text.slice(bounds[2 * i], bounds[2 * i + 1]));
        ascii = lastAscii();
        // Kept as they are: ASCII, or dense non-Latin text (what the engine writes as it is); a
        // snapshot written before texts were kept ASCII may have others, made so below.
        if (ascii || everyDense(lines)) {
          for (const l of lines) records.push(l);
          lines.length = 0;
          continue;
        }
      } else
        for (let i = 0; i < n; i++) {
          const l = nextLine();
          if (l === null) return corrupt('truncated records');
          lines.push(l);
          ascii &&= lastAscii();
        }
      // One-byte ASCII (see asciiViews): as read, or made so (a snapshot written before texts
      // were kept ASCII); dense non-Latin lines as they are.
      for (const v of asciiViews(lines, ascii)) records.push(v ?? '');
      lines.length = 0;
    }
    if (checked) {
      const sum = crc.end();
      const crcLine = nextLine();
      if (crcLine === null) return corrupt('missing checksum');
      const written = crcLineSchema.safeParse(jsonOf(crcLine, 'a checksum line'));
      if (!written.success) return corrupt('bad checksum line');
      if (written.data.crc32 !== sum)
        return corrupt(`index ${JSON.stringify(idx.data.index.name)} does not match its checksum`);
    }
    const { count: _count, forward: fwdName, ...meta } = idx.data.index;
    const forward = fwdName ? readForward(join(dirname(path), fwdName)) : undefined;
    state.indices.push({
      ...meta,
      settings: meta.settings,
      records,
      textBlock: TEXT_BLOCK,
      ...(forward ? { forward } : {}),
      ...(checked ? { verified: true } : {}),
    });
  }
  return { state, nextLog: head.data.nextLog };
}

const FORWARD_MAGIC = 0x4e444646; // "NDFF"

/**
 * The sections of a forward file (binary forward index: header, terms as JSON, lens, starts,
 * tokens, posting lists; a CRC-32 of it all follows), each a view of the export's own arrays:
 * written one after another rather than copied into one buffer as large as the index's tokens,
 * which doubled a snapshot's memory.
 */
function forwardSections(f: ForwardExport): Uint8Array[] {
  const terms = Buffer.from(JSON.stringify(f.terms), 'utf8');
  const p = f.postings;
  const head = Buffer.alloc(24);
  head.writeUInt32LE(FORWARD_MAGIC, 0);
  head.writeUInt32LE(2, 4);
  head.writeUInt32LE(f.stride, 8);
  head.writeUInt32LE(f.lens.length, 12);
  head.writeUInt32LE(f.tokens.length, 16);
  head.writeUInt32LE(terms.length, 20);
  const bytes = (a: Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  // Posting lists: term count (0xffffffff = none), then terms, offsets, ids.
  const termCount = Buffer.alloc(4);
  termCount.writeUInt32LE(p ? p.terms.length : 0xffffffff, 0);
  return [
    head,
    terms,
    Buffer.alloc(((terms.length + 3) & ~3) - terms.length), // terms padded to 4 bytes
    bytes(f.lens),
    bytes(f.starts),
    bytes(f.tokens),
    termCount,
    ...(p ? [bytes(p.terms), bytes(p.offs), bytes(p.ids)] : []),
  ];
}

/** Writes `f` as a forward file (see {@link readForward}) to `file`, from its current position. */
/**
 * Writes all of `bytes` at the file's position. A write that fills the disk part-way reports the
 * bytes it wrote and no error: taken for complete, a truncated snapshot was installed and the logs
 * it replaced deleted. Short writes go on; one that writes nothing is an error.
 */
export async function writeFully(file: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) {
    const { bytesWritten } = await file.write(bytes, at, bytes.length - at);
    if (bytesWritten <= 0) throw new Error('write made no progress (is the disk full?)');
    at += bytesWritten;
  }
}

export async function writeForward(file: FileHandle, f: ForwardExport): Promise<void> {
  let crc = 0;
  for (const section of forwardSections(f)) {
    // zlib's crc32 of an empty view of a 0-byte buffer is 0, not `crc`: empty sections skipped.
    if (section.length > 0) crc = crc32(section, crc);
    await writeFully(file, section);
  }
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(crc, 0);
  await writeFully(file, tail);
}

/**
 * Reads a forward file; undefined when missing or damaged (the caller re-tokenizes). Each
 * section is read straight into its own array (no copy of the whole file in memory: it is as
 * large as the index's tokens), the CRC-32 computed along the way.
 */
export function readForward(path: string): ForwardExport | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const file = fd;
    const end = fstatSync(file).size - 4;
    let pos = 0;
    let crc = 0;
    const readInto = (target: Uint8Array): void => {
      if (pos + target.length > end) throw new Error('truncated');
      for (let got = 0; got < target.length;) {
        const n = readSync(file, target, got, target.length - got, pos + got);
        if (n === 0) throw new Error('truncated');
        got += n;
      }
      pos += target.length;
      if (target.length > 0) crc = crc32(target, crc); // as writeForward
    };
    const head = Buffer.alloc(24);
    readInto(head);
    if (head.readUInt32LE(0) !== FORWARD_MAGIC || head.readUInt32LE(4) !== 2) return undefined;
    const stride = head.readUInt32LE(8);
    const nDocs = head.readUInt32LE(12);
    const nTokens = head.readUInt32LE(16);
    const termsLen = head.readUInt32LE(20);
    // Sizes from a damaged header must not allocate more than the file holds.
    if (24 + termsLen + 4 * (nDocs + nDocs * stride + nTokens) > end) return undefined;
    const termsBuf = Buffer.alloc((termsLen + 3) & ~3);
    readInto(termsBuf);
    const terms = z.array(z.string()).parse(JSON.parse(termsBuf.toString('utf8', 0, termsLen)));
    // Each section in its own array (later writes grow or merge them one by one).
    const take = (n: number, headroom = 0): Int32Array => {
      if (pos + n * 4 > end) throw new Error('truncated');
      const out = new Int32Array(n + headroom);
      readInto(new Uint8Array(out.buffer, 0, n * 4));
      return headroom === 0 ? out : out.subarray(0, n);
    };
    const lens = take(nDocs);
    const starts = take(nDocs * stride);
    // The index adopts the tokens as its arena: a quarter of room to grow (see restoreForward).
    const tokens = take(nTokens, nTokens >> 2);
    const nTerms = take(1)[0] ?? 0;
    let postings: Segment | undefined;
    if (nTerms !== -1) {
      const pTerms = take(nTerms);
      const pOffs = take(nTerms + 1);
      const nIds = pOffs[nTerms] ?? 0;
      postings = { terms: pTerms, offs: pOffs, ids: take(nIds) };
    }
    if (pos !== end) return undefined;
    const tail = Buffer.alloc(4);
    if (readSync(file, tail, 0, 4, end) !== 4 || tail.readUInt32LE(0) !== crc) return undefined;
    return { terms, stride, lens, starts, tokens, ...(postings ? { postings } : {}) };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
