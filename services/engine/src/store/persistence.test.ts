import { closeSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngine } from '../index';
import { Persistence, writeFully } from './persistence';

// What the data folder must survive: a disk that fills part-way through a write, and a snapshot
// whose first line names a log that is not there.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A file handle whose writes take at most `step` bytes, and none once `room` is used up. */
function cramped(step: number, room: number): { file: FileHandle; written: number[] } {
  const written: number[] = [];
  const file = {
    write: (bytes: Uint8Array, offset: number, length: number) => {
      const n = Math.min(step, length, room - written.length);
      for (let i = 0; i < n; i++) written.push(bytes[offset + i]!);
      return Promise.resolve({ bytesWritten: n, buffer: bytes });
    },
  } as unknown as FileHandle;
  return { file, written };
}

describe('writeFully', () => {
  it('goes on after short writes until every byte is written', async () => {
    const { file, written } = cramped(3, 1_000);
    const bytes = Uint8Array.from({ length: 50 }, (_, i) => i);
    await writeFully(file, bytes);
    expect(written).toEqual([...bytes]);
  });

  it('fails when a write makes no progress (a full disk), instead of taking the file for complete', async () => {
    const { file } = cramped(7, 20);
    await expect(writeFully(file, new Uint8Array(50))).rejects.toThrow(/no progress/);
  });
});

describe('opening a data folder', () => {
  it('refuses a snapshot naming a missing log while older logs remain, and deletes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ndf-persist-'));
    dirs.push(dir);
    const first = await startEngine({ appId: 'A', adminKey: 'admin', dataDir: dir });
    const saved = await fetch(`${first.url}/1/indexes/notes`, {
      method: 'POST',
      headers: { 'x-algolia-application-id': 'A', 'x-algolia-api-key': 'admin' },
      body: JSON.stringify({ objectID: 'n1', text: 'kept' }),
    });
    expect(saved.status).toBe(201);
    await first.close();
    const snapshot = join(dir, 'snapshot.ndjson');
    const text = readFileSync(snapshot, 'utf8');
    const nextLog = Number(/"nextLog":(\d+)/.exec(text)?.[1]);
    expect(nextLog).toBeGreaterThan(0);
    // An older log still there (as after an interrupted compaction), and the header damaged to
    // name a log that does not exist.
    writeFileSync(join(dir, `wal-${String(nextLog).padStart(8, '0')}.log`), '');
    writeFileSync(snapshot, text.replace(`"nextLog":${nextLog}`, `"nextLog":${nextLog + 5}`));
    const files = (): string[] =>
      readdirSync(dir)
        .filter((f) => f !== 'LOCK')
        .sort();
    const before = files();
    await expect(startEngine({ appId: 'A', adminKey: 'admin', dataDir: dir })).rejects.toThrow(
      /names log .* missing/,
    );
    expect(files()).toEqual(before);
  });
});

describe('a failed append', () => {
  it('sends the next writes to a new log file, which replays after the ones before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ndf-persist-'));
    dirs.push(dir);
    const p = Persistence.open(dir);
    p.load();
    p.startLog();
    await p.append({ n: 1 });
    // The disk refuses the next write (here: its file descriptor swapped for one that is not open).
    const log = (p as unknown as { log: { fd: number } }).log;
    const fd = log.fd;
    log.fd = 2 ** 30;
    await expect(p.append({ n: 2 })).rejects.toThrow();
    // Once the disk takes writes again, they succeed: in a new file.
    await p.append({ n: 3 });
    await p.drain();
    p.close();
    closeSync(fd);
    expect(readdirSync(dir).filter((f) => f.startsWith('wal-'))).toHaveLength(2);
    const again = Persistence.open(dir);
    expect(again.load().log).toEqual([{ n: 1 }, { n: 3 }]);
    again.close();
  });
});
