import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexSettings } from '@newdreamflow/domain';
import { setupIndices } from './setup';
import { startHarness, type Harness } from '../test/harness';

// The deployable entry (`npm run keyservice`) and the setup command, as processes/functions an
// operator runs.
const PKG = resolve(dirname(fileURLToPath(import.meta.url)), '..');

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: PKG,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, stderr: () => stderr };
}

describe('npm run keyservice', () => {
  it('fails fast naming every missing variable', async () => {
    const p = run(['src/main.ts'], {});
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toContain('OIDC_ISSUER: is required but not set');
    expect(p.stderr()).toContain('ALGOLIA_SEARCH_KEY: is required but not set');
  });

  it('prints exactly one "listening on" line, serves, and exits 0 on SIGTERM', async () => {
    const p = run(['src/main.ts'], {
      OIDC_ISSUER: h.config.oidc.issuer,
      OIDC_AUDIENCE: h.config.oidc.audience,
      ALGOLIA_APP_ID: h.config.algolia.appId,
      ALGOLIA_ADMIN_KEY: h.config.algolia.adminKey,
      ALGOLIA_SEARCH_KEY: h.config.algolia.searchKey,
      ALGOLIA_HOSTS: h.config.algolia.hosts.join(','),
      INDEX_PREFIX: h.config.indexPrefix,
      MEDIA_STORAGE: `disk:${h.dataDir}/media-main`,
      PORT: '0',
    });
    const line = await new Promise<string>((res, rej) => {
      createInterface({ input: p.child.stdout }).once('line', res);
      p.child.once('exit', (code) => rej(new Error(`exited ${code}: ${p.stderr()}`)));
    });
    expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = line.slice('listening on '.length);
    const token = await h.token('ada');
    const key = await fetch(`${url}/v1/search-key`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(key.status).toBe(200);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});

describe('setup', () => {
  it('is idempotent and leaves every index with the domain settings', async () => {
    const again = await setupIndices(h.admin, h.config.indexPrefix);
    const expected = indexSettings(h.config.indexPrefix);
    expect(again.indices.sort()).toEqual(Object.keys(expected).sort());
    for (const [indexName, settings] of Object.entries(expected)) {
      const actual = await h.admin.getSettings({ indexName });
      expect(actual).toMatchObject(settings);
    }
  });
});
