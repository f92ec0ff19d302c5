/**
 * `npm run engine` runs the bundled engine (bin/engine.mjs builds dist/main.mjs from the sources):
 * it must start from the bundle, answer, and exit cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { bundleEngine } from './engine.mjs';

describe('npm run engine (bin/engine.mjs)', () => {
  it('builds a bundle at least as new as every source file', async () => {
    const path = await bundleEngine();
    const src = join(import.meta.dirname, '..', 'src');
    const newest = Math.max(
      ...readdirSync(src, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
        .map((f) => statSync(join(src, f)).mtimeMs),
    );
    expect(statSync(path).mtimeMs).toBeGreaterThanOrEqual(newest);
  });

  it('starts from the bundle (through a symlinked path too), serves the protocol with its data folder, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'engine-bin-'));
    try {
      // A checkout reached through a symlink (macOS /tmp, a linked home) must still start.
      symlinkSync(import.meta.dirname, join(dir, 'bin-link'));
      const child = spawn(
        process.execPath,
        [
          join(dir, 'bin-link', 'engine.mjs'),
          '--port',
          '0',
          '--data',
          join(dir, 'data'),
          '--app-id',
          'BIN',
          '--admin-key',
          'bin-admin-key',
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const lines: string[] = [];
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          lines.push(line);
          const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`engine exited early (${code})`)));
      });
      const headers = { 'x-algolia-application-id': 'BIN', 'x-algolia-api-key': 'bin-admin-key' };
      const saved = await fetch(`${url}/1/indexes/notes`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ objectID: 'n1', title: 'bundled' }),
      });
      expect(saved.status).toBe(201);
      const got = await fetch(`${url}/1/indexes/notes/n1`, { headers });
      expect(await got.json()).toEqual({ objectID: 'n1', title: 'bundled' });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(lines).toEqual([`listening on ${url}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
