/**
 * The data folder: `snapshot.ndjson` (a compacted state, replaced atomically: temp file, fsync,
 * rename, directory fsync) and `wal-<n>.log` files holding every operation logged since.
 *
 * The snapshot's header names the first log it does not contain; older logs are deleted once
 * the snapshot is durable. Opening replays the snapshot, then the logs in order.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { JsonRecord } from '../core/record-path';
import type { StoredSettings } from '../core/settings';
import { readLog, WriteAheadLog } from './wal';

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
    records: JsonRecord[];
  }[];
  /** Logged operations not applied yet (indexing delay). */
  pending: unknown[];
}

const headerSchema = z.object({
  format: z.literal('ndf-engine-snapshot'),
  version: z.literal(1),
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
  }),
});

const SNAPSHOT = 'snapshot.ndjson';
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
    mkdirSync(dir, { recursive: true });
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
    }
    const entries: unknown[] = [];
    const logs = this.logs().filter((n) => n >= nextLog);
    for (const n of logs) {
      const { entries: e } = readLog(join(this.dir, logName(n)));
      for (const x of e) entries.push(x);
    }
    this.logNumber = logs.length > 0 ? logs[logs.length - 1]! : nextLog;
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

  append(entry: unknown): Promise<void> {
    if (!this.log) throw new Error('log not open');
    return this.log.append(entry);
  }

  async drain(): Promise<void> {
    await this.log?.drain();
  }

  /** Compacts when the log is large: starts a new log and writes a snapshot in the background. */
  maybeCompact(capture: () => SnapshotState): void {
    if (this.compacting || !this.log || this.log.size < this.compactBytes) return;
    this.compacting = true;
    const state = capture();
    void this.snapshot(state).finally(() => {
      this.compacting = false;
    });
  }

  /**
   * Writes `state` (captured synchronously, so it is consistent) as the new snapshot: the current
   * log is retired and a new one started, so the snapshot covers exactly the retired logs.
   */
  snapshot(state: SnapshotState): Promise<void> {
    // Switch logs now (synchronously, where the state was captured); write files in order.
    const old = this.log;
    const oldNumber = this.logNumber;
    this.logNumber = oldNumber + 1;
    this.log = new WriteAheadLog(join(this.dir, logName(this.logNumber)), 0);
    const nextLog = this.logNumber;
    const run = this.writing.then(() => this.writeSnapshot(state, nextLog, old, oldNumber));
    this.writing = run.catch(() => undefined);
    return run;
  }

  private writing: Promise<unknown> = Promise.resolve();

  private async writeSnapshot(state: SnapshotState, nextLog: number, old: WriteAheadLog | null, oldNumber: number): Promise<void> {
    const lines = snapshotLines(state, nextLog);
    const tmp = join(this.dir, `${SNAPSHOT}.tmp`);
    const fh = await open(tmp, 'w');
    try {
      let chunk: string[] = [];
      let size = 0;
      for (const line of lines) {
        chunk.push(line);
        size += line.length;
        if (size > 4 * 1024 * 1024) {
          await fh.write(chunk.join(''));
          chunk = [];
          size = 0;
        }
      }
      if (chunk.length > 0) await fh.write(chunk.join(''));
      await fh.sync();
    } finally {
      await fh.close();
    }
    renameSync(tmp, join(this.dir, SNAPSHOT));
    const dfd = openSync(this.dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
    if (old) {
      await old.drain();
      old.close();
    }
    for (const n of this.logs()) if (n <= oldNumber) rmSync(join(this.dir, logName(n)), { force: true });
  }

  close(): void {
    this.log?.close();
    this.log = null;
  }
}

function* snapshotLines(state: SnapshotState, nextLog: number): Generator<string> {
  yield JSON.stringify({
    format: 'ndf-engine-snapshot',
    version: 1,
    nextLog,
    lastTask: state.lastTask,
    keys: state.keys ?? null,
    pending: state.pending,
  }) + '\n';
  for (const idx of state.indices) {
    const { records, ...meta } = idx;
    yield JSON.stringify({ index: { ...meta, count: records.length } }) + '\n';
    for (const r of records) yield JSON.stringify(r) + '\n';
  }
  yield JSON.stringify({ end: true }) + '\n';
}

function readSnapshot(path: string): { state: SnapshotState; nextLog: number } {
  const text = readFileSync(path, 'utf8');
  let pos = 0;
  const nextLine = (): string | null => {
    if (pos >= text.length) return null;
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl;
    const line = text.slice(pos, end);
    pos = end + 1;
    return line;
  };
  const corrupt = (why: string): never => {
    throw new Error(`snapshot ${path} is corrupt: ${why}`);
  };
  const headLine = nextLine();
  if (headLine === null) return corrupt('empty');
  const head = headerSchema.safeParse(JSON.parse(headLine));
  if (!head.success) return corrupt('bad header');
  const state: SnapshotState = {
    lastTask: head.data.lastTask,
    keys: head.data.keys ?? undefined,
    indices: [],
    pending: head.data.pending,
  };
  for (;;) {
    const line = nextLine();
    if (line === null) return corrupt('missing end marker');
    const obj = JSON.parse(line) as Record<string, unknown>;
    if (obj.end === true) break;
    const idx = indexLineSchema.safeParse(obj);
    if (!idx.success) return corrupt('bad index line');
    const records: JsonRecord[] = new Array(idx.data.index.count);
    for (let i = 0; i < idx.data.index.count; i++) {
      const l = nextLine();
      if (l === null) return corrupt('truncated records');
      records[i] = JSON.parse(l) as JsonRecord;
    }
    const { count: _count, ...meta } = idx.data.index;
    state.indices.push({ ...meta, settings: meta.settings as StoredSettings, records });
  }
  return { state, nextLog: head.data.nextLog };
}
