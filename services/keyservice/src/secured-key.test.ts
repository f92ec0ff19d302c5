import { randomUUID } from 'node:crypto';
import { algoliasearch } from 'algoliasearch';
import { liteClient } from 'algoliasearch/lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_INDICES, indexNames, indexPatterns, parseIndexName } from '@newdreamflow/domain';
import { startEngine, type RunningEngine } from '@newdreamflow/engine';
import { algoliaStatus, createAlgoliaClient, toClientHosts } from './algolia/client';
import { algoliaUserToken, mintSearchKey } from './secured-key';
import { setupIndices } from './setup';

// Secured keys must stay short (Algolia warns very long keys can fail on some networks). The
// lengths below are documented in README.md; realistic inputs: a UUID sub, UUID group ids and the
// full set of index names with a `prod_` prefix.
const client = algoliasearch('APPID', 'admin');

function keyFor(groups: number): string {
  return mintSearchKey({
    client,
    appId: 'APPID',
    parentKey: 'a'.repeat(32),
    hosts: [],
    indexPrefix: 'prod_',
    ttlSeconds: 900,
    issuer: 'https://idp.example.com/',
    userId: randomUUID(),
    groupIds: Array.from({ length: groups }, () => randomUUID()),
    now: 1_800_000_000,
  }).searchKey;
}

describe('secured key length', () => {
  it('reports the key length for 0, 1, 10 and 50 groups', () => {
    const lengths = Object.fromEntries([0, 1, 10, 50].map((n) => [n, keyFor(n).length]));
    console.log(`secured key length by group count (prefix prod_, exact index names): ${JSON.stringify(lengths)}`);
    // Each group adds one `visible_to:"group:<uuid>"` atom: ~95 characters once URL-encoded and
    // base64-encoded; the exact names of 18 indices cost ~600 on their own.
    expect((lengths[10] ?? 0) - (lengths[1] ?? 0)).toBeLessThan(9 * 100);
    expect(lengths[50]).toBeLessThan(8_000);
  });

  // Known gap, kept visible: the 1,000-character target for 10 groups cannot be met with the
  // domain's token format (`group:<36-char uuid>` inside `visible_to:"…"` atoms) and exact index
  // names — the 10 group atoms alone take ~950 characters. See README.md "Secured key length".
  it.fails('stays under 1,000 characters for a user in 10 groups (not met yet: see README)', () => {
    console.log('secured key for 10 groups is over 1,000 characters with the current token format (expected failure)');
    expect(keyFor(10).length).toBeLessThan(1_000);
  });

  it('embeds exactly the restrictions the service means', () => {
    const key = keyFor(2);
    const params = new URLSearchParams(Buffer.from(key, 'base64').toString('utf8').slice(64));
    expect(params.get('validUntil')).toBe(String(1_800_000_000 + 900));
    // One wildcard per base index (primary + replicas), not 18 exact names.
    expect(params.get('restrictIndices')?.split(',')).toEqual(indexPatterns('prod_'));
    expect(params.get('restrictIndices')).toBe('prod_dreams*,prod_things*,prod_stories*,prod_patterns*,prod_groups*,prod_profiles_public*');
    expect(params.get('filters')?.split(' OR ')).toHaveLength(4);
  });

  it('derives a pseudonymous, valid Algolia userToken', () => {
    const t = algoliaUserToken('https://idp.example.com/', 'auth0|someone@example.com');
    expect(t).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(t).toBe(algoliaUserToken('https://idp.example.com/', 'auth0|someone@example.com'));
    expect(t).not.toBe(algoliaUserToken('https://other.example.com/', 'auth0|someone@example.com'));
  });
});

describe('restrictIndices (against the real engine)', () => {
  // A parent that may search every index, so only the secured key's own restrictIndices confines it.
  const appId = 'NDFREACH';
  const adminKey = `admin-${randomUUID()}`;
  let engine: RunningEngine;
  let admin: ReturnType<typeof createAlgoliaClient>;
  let parentKey: string;
  const owner = randomUUID();
  const stranger = randomUUID();

  beforeAll(async () => {
    engine = await startEngine({ port: 0, appId, adminKey });
    admin = createAlgoliaClient(appId, adminKey, [engine.url]);
    await setupIndices(admin, 'test_');
    await setupIndices(admin, 'staging_');
    const extra = ['dreams', 'dreamsX', 'test_dreams_backup', 'test_secrets', 'other_test_dreams'];
    // Replicas receive their primary's records.
    const primaries = [...BASE_INDICES.map((b) => `test_${b}`), ...BASE_INDICES.map((b) => `staging_${b}`), ...extra];
    for (const indexName of primaries) {
      if (extra.includes(indexName)) {
        const s = await admin.setSettings({ indexName, indexSettings: { attributesForFaceting: ['filterOnly(visible_to)'] } });
        await admin.waitForTask({ indexName, taskID: s.taskID });
      }
      const { taskID } = await admin.batch({
        indexName,
        batchWriteParams: {
          requests: [
            { action: 'addObject', body: { objectID: `${indexName}-community`, title: 'open', visible_to: ['community'] } },
            { action: 'addObject', body: { objectID: `${indexName}-private`, title: 'closed', visible_to: [`user:${stranger}`] } },
          ],
        },
      });
      await admin.waitForTask({ indexName, taskID });
    }
    ({ key: parentKey } = await admin.addApiKey({ acl: ['search'], description: 'every index' }));
    await admin.waitForApiKey({ key: parentKey, operation: 'add' });
  });
  afterAll(async () => {
    await engine.close();
  });

  async function reach(indexName: string): Promise<string[] | number> {
    const { searchKey } = mintSearchKey({
      client: admin,
      appId,
      parentKey,
      hosts: [engine.url],
      indexPrefix: 'test_',
      ttlSeconds: 900,
      issuer: 'https://idp.example.com/',
      userId: owner,
      groupIds: [],
      now: Math.floor(Date.now() / 1000),
    });
    const client = liteClient(appId, searchKey, { hosts: toClientHosts([engine.url]) ?? [] });
    try {
      const { results } = await client.search({ requests: [{ indexName, query: '' }] });
      return (results[0] as { hits: Array<{ objectID: string }> }).hits.map((hit) => hit.objectID);
    } catch (error) {
      return algoliaStatus(error) ?? -1;
    }
  }

  it('reaches every index and replica of its environment', async () => {
    for (const name of indexNames('test_')) {
      const primary = `test_${parseIndexName('test_', name)?.index ?? ''}`;
      expect(await reach(name), name).toEqual([`${primary}-community`]);
    }
  });

  it('reaches no index of another environment, unprefixed or outside the app’s names', async () => {
    for (const name of [...indexNames('staging_'), 'dreams', 'dreamsX', 'test_secrets', 'other_test_dreams']) expect(await reach(name), name).toBe(403);
  });

  it('reaches a same-environment index named <prefix><base>… (documented), still through its filters', async () => {
    // Accepted trade-off of one wildcard per base (README "Secured keys"): only the admin key can
    // create indices, and the key's visible_to filter still applies to every hit.
    expect(await reach('test_dreams_backup')).toEqual(['test_dreams_backup-community']);
  });
});
