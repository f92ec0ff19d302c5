/**
 * Crash safety: the engine runs as a child process with a tiny compaction threshold (so log
 * switches and snapshots happen during the burst), is killed with SIGKILL in the middle of a write
 * burst, and restarts with every acknowledged write present. A torn tail is also simulated.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { algoliasearch, type Algoliasearch } from 'algoliasearch';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../../..');
const APP = 'CRASH';
const ADMIN = 'crash-admin-key';

function start(dir: string): Promise<{ child: ChildProcess; client: Algoliasearch }> {
  const child = spawn(
    process.execPath,
    [
      // What `npm run engine` runs: the bundled engine (built on first use).
      join(root, 'services/engine/bin/engine.mjs'),
      '--port',
      '0',
      '--data',
      dir,
      '--app-id',
      APP,
      '--admin-key',
      ADMIN,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ENGINE_COMPACT_BYTES: '65536' } },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        const hosts = [
          { url: '127.0.0.1', port: Number(m[1]), protocol: 'http' as const, accept: 'readWrite' as const },
        ];
        resolve({
          child,
          client: algoliasearch(APP, ADMIN, { hosts, timeouts: { connect: 2000, read: 5000, write: 5000 } }),
        });
      }
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`engine exited before listening (${code ?? signal})`)),
    );
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe('crash safety', () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged write across kill -9 and a torn log tail', async () => {
    const first = await start(dir);
    const acked = new Map<string, number>(); // objectID → acknowledged version
    let stop = false;
    let killedAfter = 0;
    const writer = async (w: number): Promise<void> => {
      let i = 0;
      while (!stop) {
        const id = `w${w}-${i % 40}`;
        const version = Math.floor(i / 40) + 1;
        const batch = Array.from({ length: 20 }, (_, k) => ({
          action: 'updateObject' as const,
          body: { objectID: `${id}-${k}`, version, text: `record ${w} ${i} ${'x'.repeat(200)}` },
        }));
        try {
          await first.client.batch({ indexName: 'things', batchWriteParams: { requests: batch } });
        } catch {
          return; // the engine died mid-request: not acknowledged
        }
        for (const b of batch) acked.set(b.body.objectID, version);
        i++;
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    // Kill once enough writes are acknowledged (several compactions have happened by then).
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (acked.size >= 3000 || [...acked.values()].some((v) => v >= 4)) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    killedAfter = acked.size;
    first.child.kill('SIGKILL');
    stop = true;
    await exited(first.child);
    await Promise.all(writers);
    expect(killedAfter).toBeGreaterThan(0);
    const snapshot = new Map(acked);

    // A torn tail: half an entry at the end of the newest log.
    expect(readdirSync(dir), 'compaction ran during the burst').toContain('snapshot.ndjson');
    const logs = readdirSync(dir)
      .filter((f) => f.startsWith('wal-'))
      .sort();
    expect(logs.length).toBeGreaterThan(0);
    appendFileSync(join(dir, logs[logs.length - 1]!), Buffer.from([200, 0, 0, 0, 1, 2, 3]));

    const second = await start(dir);
    try {
      const ids = [...snapshot.keys()];
      for (let i = 0; i < ids.length; i += 1000) {
        const chunk = ids.slice(i, i + 1000);
        const { results } = await second.client.getObjects({
          requests: chunk.map((objectID) => ({ indexName: 'things', objectID })),
        });
        results.forEach((r, k) => {
          const id = chunk[k]!;
          expect(r, `acknowledged ${id} missing`).not.toBeNull();
          // A later unacknowledged write may have landed; never an older one.
          expect((r as { version: number }).version).toBeGreaterThanOrEqual(snapshot.get(id)!);
        });
      }
      // The store accepts writes after recovery.
      const w = await second.client.saveObject({
        indexName: 'things',
        body: { objectID: 'after', ok: true },
      });
      await second.client.waitForTask({ indexName: 'things', taskID: w.taskID });
      expect(await second.client.getObject({ indexName: 'things', objectID: 'after' })).toEqual({
        objectID: 'after',
        ok: true,
      });
    } finally {
      second.child.kill('SIGTERM');
      await exited(second.child);
    }
    expect(second.child.exitCode).toBe(0);
  }, 60_000);
});
