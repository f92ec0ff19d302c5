import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EncodedEntry, readLog, WriteAheadLog } from './wal';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempLog(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ndf-wal-'));
  dirs.push(dir);
  return join(dir, 'log');
}

/** A distinct entry of about `kb` KB (large entries go through the frame buffer pool). */
const entry = (n: number, kb: number): { n: number; text: string } => ({
  n,
  text: `${n}:`.padEnd(kb * 1024, String.fromCharCode(97 + (n % 26))),
});

describe('write-ahead log', () => {
  it('keeps every large entry intact while frame buffers are reused (concurrent and sequential appends)', async () => {
    const path = tempLog();
    const wal = new WriteAheadLog(path, 0);
    const expected: unknown[] = [];
    let n = 0;
    for (let round = 0; round < 6; round++) {
      // Several in flight at once share a sync; sizes vary so buffers are taken out of order.
      const batch = [
        entry(n++, 70 + round * 40),
        entry(n++, 300 - round * 30),
        entry(n++, 8),
        entry(n++, 128),
      ];
      expected.push(...batch);
      await Promise.all(
        batch.map((e, i) =>
          wal.append(
            i % 2 === 0
              ? e
              : // Parts as text, or as their UTF-8 bytes (a request's own), written as they are.
                new EncodedEntry(
                  '{"n":',
                  String(e.n),
                  ',"text":',
                  i === 1 ? JSON.stringify(e.text) : Buffer.from(JSON.stringify(e.text)),
                  '}',
                ),
          ),
        ),
      );
      const single = entry(n++, 200);
      expected.push(single);
      await wal.append(single);
    }
    wal.close();
    const { entries } = readLog(path);
    expect(entries).toEqual(expected);
  });

  it('writes byte parts as they are, multi-byte characters included', async () => {
    const path = tempLog();
    const wal = new WriteAheadLog(path, 0);
    const text = 'Мне снилось море… ✈️ '.repeat(2000);
    await wal.append(new EncodedEntry('{"a":', Buffer.from(JSON.stringify(text)), ',"b":"é"}'));
    wal.close();
    expect(readLog(path).entries).toEqual([{ a: text, b: 'é' }]);
  });
});

describe('reading a damaged log', () => {
  async function written(n: number): Promise<{ path: string; bytes: Buffer }> {
    const path = tempLog();
    const log = new WriteAheadLog(path, 0);
    for (let i = 0; i < n; i++) await log.append({ n: i, text: `entry ${i}` });
    await log.drain();
    log.close();
    return { path, bytes: readFileSync(path) };
  }

  it('truncates a torn tail, and reports no damage', async () => {
    const { path, bytes } = await written(3);
    writeFileSync(path, Buffer.concat([bytes, Buffer.from([200, 0, 0, 0, 1, 2, 3])]));
    const r = readLog(path);
    expect(r.entries.map((e) => (e as { n: number }).n)).toEqual([0, 1, 2]);
    expect(r.damaged).toEqual([]);
    expect(readFileSync(path).length).toBe(bytes.length);
  });

  it('keeps the entries after damage in the middle, reports it, and leaves them in the file', async () => {
    const { path, bytes } = await written(3);
    const damaged = Buffer.from(bytes);
    damaged[10] = damaged[10]! ^ 0x01; // one bit of the first entry's payload
    writeFileSync(path, damaged);
    const r = readLog(path);
    // The first entry is lost; the acknowledged ones after it are not.
    expect(r.entries.map((e) => (e as { n: number }).n)).toEqual([1, 2]);
    expect(r.damaged).toHaveLength(1);
    expect(r.damaged[0]!.from).toBe(0);
    expect(readFileSync(path).equals(damaged)).toBe(true);
    // Read again (the next start): the same.
    expect(readLog(path).entries).toEqual(r.entries);
  });
});

describe('reading a damaged log of engine entries', () => {
  async function log(taskIDs: number[]): Promise<Buffer> {
    const path = tempLog();
    const w = new WriteAheadLog(path, 0);
    for (const taskID of taskIDs) await w.append({ op: { k: 'noop' }, taskID });
    await w.drain();
    w.close();
    return readFileSync(path);
  }
  const ids = (entries: unknown[]): number[] => entries.map((e) => (e as { taskID: number }).taskID);

  it('keeps later entries after damage only while their task ids go on counting up', async () => {
    const good = await log([5, 6, 7]);
    const damaged = Buffer.from(good);
    damaged[30] = damaged[30]! ^ 0x04; // inside the first entry
    const path = tempLog();
    writeFileSync(path, damaged);
    expect(ids(readLog(path).entries)).toEqual([6, 7]);
  });

  it('stops at damage followed by an older entry (a deleted log’s block after a power loss)', async () => {
    const current = await log([10, 11]);
    const stale = await log([3]);
    const path = tempLog();
    writeFileSync(path, Buffer.concat([current, Buffer.from([0, 0, 0, 0, 0, 0, 0]), stale]));
    const r = readLog(path);
    expect(ids(r.entries)).toEqual([10, 11]);
    expect(r.damaged).toEqual([]);
    // Cut there, as a torn tail.
    expect(readFileSync(path).length).toBe(current.length);
  });
});
