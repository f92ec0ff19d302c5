/* eslint-disable @typescript-eslint/no-unsafe-member-access -- HTTP replies are probed as untyped JSON in assertions */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { algoliasearch } from 'algoliasearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toClientHosts } from './algolia/client';
import { startHarness, type Harness } from '../test/harness';

// Cross-tenant isolation, property-based: random users, groups and records written through the
// key service; then, with each user's secured key, every read path of the engine (search,
// multi-query, faceting, facet search, user filters that try to widen access, browse) must return
// exactly — never more than — what the model says that user may see.

// Two subs that differ only by case: Algolia compares facet values case-insensitively, so a naive
// `visible_to:"user:auth0|Ab"` would also match `auth0|aB`'s records.
const USERS = [
  { username: 'ab-upper', sub: 'auth0|Ab' },
  { username: 'ab-lower', sub: 'auth0|aB' },
  { username: 'carol', sub: 'carol-0003' },
  { username: 'dave', sub: 'dave-0004' },
];
const TAGS = ['alpha', 'beta', 'gamma'];

interface ModelRecord {
  id: string;
  index: 'dreams' | 'things';
  owner: number;
  privacy: 'private' | 'group' | 'community';
  groups: string[];
  shares: number[];
  tag: string;
}

let h: Harness;
const groups = new Map<string, Set<number>>();
const records: ModelRecord[] = [];

beforeAll(async () => {
  h = await startHarness({
    accounts: {
      accounts: USERS.map((u) => ({ ...u, password: `${u.username}-password`, name: u.username })),
    },
  });
});
afterAll(async () => {
  await h.close();
});

function entitled(user: number): Set<string> {
  const out = new Set<string>();
  for (const r of records) {
    const seen =
      r.owner === user ||
      r.shares.includes(user) ||
      r.privacy === 'community' ||
      (r.privacy === 'group' && r.groups.some((g) => groups.get(g)?.has(user)));
    if (seen) out.add(r.id);
  }
  return out;
}

const scenario = fc.record({
  newGroups: fc.array(fc.record({ owner: fc.nat(3), members: fc.subarray([0, 1, 2, 3]) }), {
    minLength: 1,
    maxLength: 2,
  }),
  leave: fc.option(fc.record({ group: fc.nat(10), member: fc.nat(3) }), { nil: undefined }),
  newRecords: fc.array(
    fc.record({
      owner: fc.nat(3),
      index: fc.constantFrom('dreams' as const, 'things' as const),
      privacy: fc.constantFrom('private' as const, 'group' as const, 'community' as const),
      groupPicks: fc.array(fc.nat(10), { maxLength: 2 }),
      shares: fc.subarray([0, 1, 2, 3]),
      tag: fc.constantFrom(...TAGS),
    }),
    { minLength: 4, maxLength: 10 },
  ),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

async function apply(s: Scenario): Promise<void> {
  for (const g of s.newGroups) {
    const id = randomUUID();
    const token = await h.token(USERS[g.owner]?.username ?? '');
    const r = await h.call('PUT', `/v1/records/groups/${id}`, {
      token,
      body: { record: { name: `g-${id.slice(0, 6)}` }, mutationId: randomUUID() },
    });
    expect(r.status).toBe(201);
    const members = new Set([g.owner]);
    for (const m of g.members) {
      if (m === g.owner) continue;
      const add = await h.call('POST', `/v1/groups/${id}/members`, {
        token,
        body: { user_id: USERS[m]?.sub },
      });
      expect(add.status).toBe(200);
      members.add(m);
    }
    groups.set(id, members);
  }
  if (s.leave) {
    const ids = [...groups.keys()];
    const gid = ids[s.leave.group % ids.length] ?? '';
    const members = groups.get(gid);
    const owner = [...(members ?? [])][0];
    if (members?.has(s.leave.member) && s.leave.member !== owner) {
      const r = await h.call(
        'DELETE',
        `/v1/groups/${gid}/members/${encodeURIComponent(USERS[s.leave.member]?.sub ?? '')}`,
        {
          token: await h.token(USERS[s.leave.member]?.username ?? ''),
        },
      );
      expect(r.status).toBe(200);
      members.delete(s.leave.member);
    }
  }
  const byOwner = new Map<number, unknown[]>();
  for (const r of s.newRecords) {
    const mine = [...groups].filter(([, m]) => m.has(r.owner)).map(([id]) => id);
    const picked =
      r.privacy === 'group'
        ? [
            ...new Set(
              r.groupPicks.map((i) => mine[i % Math.max(1, mine.length)]).filter((g): g is string => !!g),
            ),
          ]
        : [];
    const shares = r.shares.filter((u) => u !== r.owner);
    const id = randomUUID();
    records.push({
      id,
      index: r.index,
      owner: r.owner,
      privacy: r.privacy,
      groups: picked,
      shares,
      tag: r.tag,
    });
    const record = {
      title: `entry ${id.slice(0, 8)}`,
      tags: [r.tag],
      privacy: r.privacy,
      group_ids: picked,
      shared_with_user_ids: shares.map((u) => USERS[u]?.sub),
      ...(r.index === 'dreams' ? { dream_date: 1_700_000_000 } : { thing_date: 1_700_000_000 }),
    };
    byOwner.set(r.owner, [
      ...(byOwner.get(r.owner) ?? []),
      { op: 'create', index: r.index, id, record, mutationId: randomUUID() },
    ]);
  }
  for (const [owner, mutations] of byOwner) {
    const r = await h.call('POST', '/v1/mutations', {
      token: await h.token(USERS[owner]?.username ?? ''),
      body: { mutations },
    });
    expect(r.status).toBe(200);
    expect((r.json.results as Array<{ status: number }>).map((x) => x.status)).toEqual(
      mutations.map(() => 201),
    );
  }
}

type Hit = { objectID: string };
type Result = { hits: Hit[]; facets?: Record<string, Record<string, number>> };

async function checkUser(user: number): Promise<void> {
  const { key, client } = await h.searchAs(USERS[user]?.username ?? '');
  const allowed = entitled(user);
  const expectedIds = (index: string) =>
    new Set(records.filter((r) => r.index === index && allowed.has(r.id)).map((r) => r.id));

  // Multi-query over both indices, with facets.
  const res = await client.search({
    requests: (['dreams', 'things'] as const).map((i) => ({
      indexName: `test_${i}`,
      query: '',
      hitsPerPage: 1000,
      facets: ['tags'],
    })),
  });
  for (const [n, index] of (['dreams', 'things'] as const).entries()) {
    const r = res.results[n] as Result;
    const got = new Set(r.hits.map((x) => x.objectID));
    expect(got).toEqual(expectedIds(index));
    const counts: Record<string, number> = {};
    for (const rec of records)
      if (rec.index === index && allowed.has(rec.id)) counts[rec.tag] = (counts[rec.tag] ?? 0) + 1;
    expect(r.facets?.tags ?? {}).toEqual(counts);
  }

  // A query that matches every title, and a filter trying to widen access to someone else's records.
  const other = USERS[(user + 1) % USERS.length]?.sub ?? '';
  const widened = await client.search({
    requests: [
      { indexName: 'test_dreams', query: 'entry', hitsPerPage: 1000 },
      {
        indexName: 'test_dreams',
        query: '',
        hitsPerPage: 1000,
        filters: `visible_to:"user:${other}" OR visible_to:"community"`,
      },
    ],
  });
  for (const r of widened.results as Result[])
    for (const hit of r.hits) expect(allowed.has(hit.objectID)).toBe(true);
  expect(new Set((widened.results[0] as Result).hits.map((x) => x.objectID))).toEqual(expectedIds('dreams'));

  // Facet value search (what a searchable RefinementList sends).
  const facet = await client.search({
    requests: [{ indexName: 'test_things', type: 'facet', facet: 'tags', facetQuery: '' }],
  });
  const facetHits = (facet.results[0] as { facetHits: Array<{ value: string; count: number }> }).facetHits;
  for (const fh of facetHits) {
    expect(fh.count).toBe(
      records.filter((r) => r.index === 'things' && allowed.has(r.id) && r.tag === fh.value).length,
    );
  }

  // Browse needs the browse ACL, which a search-only parent never has.
  const hosts = toClientHosts(key.hosts);
  const full = algoliasearch(key.appId, key.searchKey, hosts ? { hosts } : undefined);
  await expect(full.browse({ indexName: 'test_dreams', browseParams: {} })).rejects.toMatchObject({
    status: 403,
  });
  // Nor can it write.
  await expect(full.saveObject({ indexName: 'test_dreams', body: { title: 'x' } })).rejects.toMatchObject({
    status: 403,
  });
}

describe('cross-tenant isolation', () => {
  it('every read path returns exactly the entitled records, for random users, groups and records', async () => {
    await Promise.all(USERS.map((u) => h.token(u.username)));
    // Always include private records of both case-colliding users, whatever the generator draws.
    await apply({
      newGroups: [{ owner: 0, members: [2] }],
      leave: undefined,
      newRecords: [0, 1].flatMap((owner) =>
        (['dreams', 'things'] as const).map((index) => ({
          owner,
          index,
          privacy: 'private' as const,
          groupPicks: [],
          shares: [],
          tag: 'alpha',
        })),
      ),
    });
    for (let u = 0; u < USERS.length; u++) await checkUser(u);
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        await apply(s);
        for (let u = 0; u < USERS.length; u++) await checkUser(u);
      }),
      { numRuns: 8, endOnFailure: true },
    );
  }, 120_000);
});
