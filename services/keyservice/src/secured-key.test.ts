import { randomUUID } from 'node:crypto';
import { algoliasearch } from 'algoliasearch';
import { liteClient } from 'algoliasearch/lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_INDICES, indexNames, indexPatterns, parseIndexName } from '@newdreamflow/domain';
import { parseFilters, startEngine, type RunningEngine } from '@newdreamflow/engine';
import Validator from 'algolia-filters-js-syntax-validator';
import { algoliaStatus, createAlgoliaClient, toClientHosts } from './algolia/client';
import { algoliaUserToken, mintSearchKey } from './secured-key';
import { setupIndices } from './setup';

// Secured keys must stay short (Algolia warns very long keys can fail on some networks). The
// lengths below are documented in README.md; realistic inputs: a UUID sub, UUID group ids and a
// `prod_` prefix.
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

const restrictionsOf = (key: string): URLSearchParams =>
  new URLSearchParams(Buffer.from(key, 'base64').toString('utf8').slice(64));

describe('secured key length', () => {
  it('reports the key length for 0, 1, 10 and 50 groups, and stays under 1,000 characters for 10 groups', () => {
    const lengths = Object.fromEntries([0, 1, 10, 50].map((n) => [n, keyFor(n).length]));
    console.log(
      `secured key length by group count (prefix prod_, UUID sub and groups): ${JSON.stringify(lengths)}`,
    );
    expect(lengths[10]).toBeLessThan(1_000);
    // Each group adds one `visible_to:g_<16>` atom: 39 characters, 52 once base64-encoded.
    expect((lengths[10] ?? 0) - (lengths[1] ?? 0)).toBeLessThanOrEqual(9 * 52 + 4);
    expect(lengths[50]).toBeLessThan(3_200);
  });

  it('embeds a filter that Algolia’s grammar and the engine parse as one OR-group of visible_to atoms', () => {
    const filters = restrictionsOf(keyFor(3)).get('filters') ?? '';
    expect(filters).toMatch(
      /^visible_to:community OR visible_to:"user:[0-9a-f-]{36}"( OR visible_to:g_[0-9a-z]{16}){3}$/,
    );
    expect(new Validator().parse(filters).errorMessage).toBe('');
    const parsed = parseFilters(filters);
    expect(parsed).toHaveLength(1);
    expect(parsed[0]?.map((a) => (a.kind === 'facet' ? [a.attribute, a.negated] : a.kind))).toEqual(
      Array(5).fill(['visible_to', false]),
    );
    // Unquoted group tokens are read as the same facet values as quoted ones.
    const token = /g_[0-9a-z]{16}/.exec(filters)?.[0] ?? '';
    expect(parseFilters(`visible_to:${token}`)).toEqual(parseFilters(`visible_to:"${token}"`));
  });

  it('embeds exactly the restrictions the service means', () => {
    const params = restrictionsOf(keyFor(2));
    expect(params.get('validUntil')).toBe(String(1_800_000_000 + 900));
    // One wildcard per base index (primary + replicas), not 18 exact names.
    expect(params.get('restrictIndices')?.split(',')).toEqual(indexPatterns('prod_'));
    expect(params.get('restrictIndices')).toBe(
      'prod_dreams*,prod_things*,prod_stories*,prod_patterns*,prod_groups*,prod_profiles_public*',
    );
    expect(params.get('filters')?.split(' OR ')).toHaveLength(4);
  });

  it('derives a pseudonymous, valid Algolia userToken', () => {
    const t = algoliaUserToken('https://idp.example.com/', 'auth0|someone@example.com');
    expect(t).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    // 132 bits of SHA-256: distinct users never share rate limits or analytics by accident.
    expect(t).toMatch(/^u_[A-Za-z0-9_-]{22}$/);
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
    const primaries = [
      ...BASE_INDICES.map((b) => `test_${b}`),
      ...BASE_INDICES.map((b) => `staging_${b}`),
      ...extra,
    ];
    for (const indexName of primaries) {
      if (extra.includes(indexName)) {
        const s = await admin.setSettings({
          indexName,
          indexSettings: { attributesForFaceting: ['filterOnly(visible_to)'] },
        });
        await admin.waitForTask({ indexName, taskID: s.taskID });
      }
      const { taskID } = await admin.batch({
        indexName,
        batchWriteParams: {
          requests: [
            {
              action: 'addObject',
              body: { objectID: `${indexName}-community`, title: 'open', visible_to: ['community'] },
            },
            {
              action: 'addObject',
              body: { objectID: `${indexName}-private`, title: 'closed', visible_to: [`user:${stranger}`] },
            },
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
    for (const name of [...indexNames('staging_'), 'dreams', 'dreamsX', 'test_secrets', 'other_test_dreams'])
      expect(await reach(name), name).toBe(403);
  });

  it('reaches a same-environment index named <prefix><base>… (documented), still through its filters', async () => {
    // Accepted trade-off of one wildcard per base (README "Secured keys"): only the admin key can
    // create indices, and the key's visible_to filter still applies to every hit.
    expect(await reach('test_dreams_backup')).toEqual(['test_dreams_backup-community']);
  });
});
