import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { liteClient } from 'algoliasearch/lite';
import { describe, expect, it } from 'vitest';
import { obtainTokens } from '@newdreamflow/dev-idp';
import { createAlgoliaClient, toClientHosts, type SearchKeyResponse } from '@newdreamflow/keyservice';
import { startStack, type StackInfo } from './stack';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function searchKeyFor(info: StackInfo, username: string): Promise<SearchKeyResponse> {
  const account = info.accounts.find((a) => a.username === username);
  if (!account) throw new Error(`no demo account ${username}`);
  const tokens = await obtainTokens({
    issuer: info.idp,
    username,
    password: account.password,
    resource: info.resource,
    scope: info.scope,
  });
  const res = await fetch(`${info.keyservice}/v1/search-key`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as SearchKeyResponse;
}

async function searchDreams(
  key: SearchKeyResponse,
  prefix: string,
  query = '',
): Promise<Array<{ objectID: string; title: string; user_id: string }>> {
  const hosts = toClientHosts(key.hosts);
  const client = liteClient(key.appId, key.searchKey, hosts ? { hosts } : undefined);
  const res = await client.search({ requests: [{ indexName: `${prefix}dreams`, query, hitsPerPage: 1000 }] });
  return (res.results[0] as { hits: Array<{ objectID: string; title: string; user_id: string }> }).hits;
}

describe('npm run stack', () => {
  it('prints one parsable "stack ready" line, serves the demo accounts, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'dev/stack.ts',
        '--ephemeral',
        '--engine-port',
        '0',
        '--idp-port',
        '0',
        '--keyservice-port',
        '0',
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const lines: string[] = [];
    const ready = await new Promise<string>((resolveLine, reject) => {
      const rl = createInterface({ input: child.stdout });
      rl.on('line', (line) => {
        lines.push(line);
        if (line.startsWith('stack ready ')) resolveLine(line);
      });
      child.once('exit', (code) => reject(new Error(`stack exited early with ${code}`)));
    });
    try {
      const info = JSON.parse(ready.slice('stack ready '.length)) as StackInfo;
      expect(Object.keys(info).sort()).toEqual(
        [
          'accounts',
          'appId',
          'clientId',
          'engine',
          'idp',
          'indexPrefix',
          'keyservice',
          'resource',
          'scope',
        ].sort(),
      );
      expect(info.accounts.map((a) => a.username)).toEqual(expect.arrayContaining(['ada', 'grace']));
      const key = await searchKeyFor(info, 'ada');
      const hits = await searchDreams(key, info.indexPrefix);
      expect(hits.length).toBeGreaterThan(5);
      expect(hits.some((h) => h.title === 'Flying over the Thames')).toBe(true);
      // Grace's group dream is visible to ada (a member of the demo group), her private one is not.
      expect(hits.some((h) => h.title === 'Nanoseconds of wire')).toBe(true);
      expect(hits.some((h) => h.title === 'Clock running backwards')).toBe(false);
      expect(lines.filter((l) => l.trim() !== '')).toEqual([ready]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);

  it('persists secrets (0600) in the data folder, seeds only into an empty one, and reindexes visible_to of an existing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ndf-stack-test-'));
    try {
      const first = await startStack({
        dataDir: join(dir, 'data'),
        enginePort: 0,
        idpPort: 0,
        keyservicePort: 0,
        logger: { info() {}, warn() {}, error() {} },
      });
      const appId = first.info.appId;
      expect(first.seeded?.records).toBeGreaterThan(20);
      // A data folder written before the group-token format change: the demo group's dream carries
      // the old `group:<uuid>` token, which members' keys no longer match.
      const secrets = JSON.parse(await readFile(join(dir, 'data', 'stack-secrets.json'), 'utf8')) as {
        adminKey: string;
      };
      const admin = createAlgoliaClient(appId, secrets.adminKey, [first.info.engine]);
      const dreams = `${first.info.indexPrefix}dreams`;
      const { hits } = await admin.searchSingleIndex<{ visible_to: string[] }>({
        indexName: dreams,
        searchParams: { query: 'Nanoseconds of wire', hitsPerPage: 1 },
      });
      const groupDream = hits[0];
      expect(groupDream?.visible_to[1]).toMatch(/^g_/);
      const { taskID } = await admin.partialUpdateObject({
        indexName: dreams,
        objectID: groupDream!.objectID,
        attributesToUpdate: { visible_to: [groupDream!.visible_to[0], `group:${first.seeded!.groupId}`] },
      });
      await admin.waitForTask({ indexName: dreams, taskID: taskID! });
      expect(
        (await searchDreams(await searchKeyFor(first.info, 'ada'), first.info.indexPrefix)).some(
          (h) => h.title === 'Nanoseconds of wire',
        ),
      ).toBe(false);
      await first.close();
      const mode = (await stat(join(dir, 'data', 'stack-secrets.json'))).mode & 0o777;
      expect(mode).toBe(0o600);
      const second = await startStack({
        dataDir: join(dir, 'data'),
        enginePort: 0,
        idpPort: 0,
        keyservicePort: 0,
        logger: { info() {}, warn() {}, error() {} },
      });
      try {
        expect(second.info.appId).toBe(appId);
        expect(second.seeded).toBeUndefined();
        const hits = await searchDreams(
          await searchKeyFor(second.info, 'grace'),
          second.info.indexPrefix,
          'moth',
        );
        expect(hits.map((h) => h.title)).toEqual(['The moth in the machine']);
        // Restarting on the existing folder rewrote the old token.
        const adaHits = await searchDreams(await searchKeyFor(second.info, 'ada'), second.info.indexPrefix);
        expect(adaHits.some((h) => h.title === 'Nanoseconds of wire')).toBe(true);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
