/* eslint-disable @typescript-eslint/no-unsafe-member-access -- HTTP replies are probed as untyped JSON in assertions */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupSchema, groupToken, groupVisibleTo, LIMITS } from '@newdreamflow/domain';
import { startHarness, type Harness } from '../test/harness';

// A user's groups are capped (LIMITS.groupsPerUser) because each is an atom of their search key's
// filter. Other users can add anyone to their groups, so the cap must hold under concurrent adds,
// and a user past it (an older data folder, a race lost elsewhere) must still get a working key
// that keeps their own groups.

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

/** The group tokens a secured key's filter covers (decoded from the key itself). */
function keyGroupTokens(searchKey: string): string[] {
  const restrictions = new URLSearchParams(Buffer.from(searchKey, 'base64').toString('utf8').slice(64));
  return [...(restrictions.get('filters') ?? '').matchAll(/visible_to:(g_[0-9a-z]{16})/g)].map((m) => m[1]!);
}

async function makeGroups(username: string, n: number): Promise<string[]> {
  const token = await h.token(username);
  const ids = Array.from({ length: n }, () => randomUUID());
  for (const id of ids) {
    const r = await h.call('PUT', `/v1/records/groups/${id}`, {
      token,
      body: { record: { name: `${username}'s group` }, mutationId: randomUUID() },
    });
    expect(r.status).toBe(201);
  }
  return ids;
}

describe('groups per user', () => {
  it('holds the cap when many owners add the same user at once', async () => {
    const ada = h.sub('ada');
    const [own] = await makeGroups('ada', 1);
    const foreign = [
      ...(await makeGroups('grace', LIMITS.groupsPerUser / 2 + 5)),
      ...(await makeGroups('linus', LIMITS.groupsPerUser / 2 + 5)),
    ];
    const tokens = { grace: await h.token('grace'), linus: await h.token('linus') };
    const half = LIMITS.groupsPerUser / 2 + 5;
    const replies = await Promise.all(
      foreign.map((gid, i) =>
        h.call('POST', `/v1/groups/${gid}/members`, {
          token: i < half ? tokens.grace : tokens.linus,
          body: { user_id: ada },
        }),
      ),
    );
    for (const r of replies) expect([200, 409]).toContain(r.status);
    const groups = await h.ks.gateway.groupIdsOf(ada);
    expect(groups.length).toBeLessThanOrEqual(LIMITS.groupsPerUser);
    expect(groups).toContain(own);
    expect(replies.filter((r) => r.status === 200).length).toBe(groups.length - 1);
    // The key still works and covers every group she is in.
    const { key } = await h.searchAs('ada');
    expect(keyGroupTokens(key.searchKey).sort()).toEqual(groups.map(groupToken).sort());
  }, 60_000);

  it('gives a user past the cap a working key that keeps the groups they own', async () => {
    const graceId = h.sub('grace');
    // Grace owns one group and is written, behind the gateway's back, into more groups than a key
    // may cover — as a data folder from before the cap held could have her.
    const [own] = await makeGroups('grace', 1);
    const flood = Array.from({ length: LIMITS.groupsPerUser + 3 }, (_, i) => {
      const objectID = randomUUID();
      return groupSchema.parse({
        objectID,
        owner_id: h.sub('linus'),
        user_id: h.sub('linus'),
        name: `flood ${i}`,
        description: '',
        member_user_ids: [h.sub('linus'), graceId],
        visible_to: groupVisibleTo({ objectID, owner_id: h.sub('linus') }),
        created_at: 1,
        updated_at: 1,
        version: 1,
        last_mutation_id: randomUUID(),
      });
    });
    for (const batch of await h.admin.saveObjects({ indexName: 'test_groups', objects: flood }))
      await h.admin.waitForTask({ indexName: 'test_groups', taskID: batch.taskID });
    const all = await h.ks.gateway.groupIdsOf(graceId);
    expect(all.length).toBeGreaterThan(LIMITS.groupsPerUser);
    const reply = await h.call('POST', '/v1/search-key', { token: await h.token('grace') });
    expect(reply.status).toBe(200);
    const covered = keyGroupTokens(reply.json.searchKey as string);
    expect(covered).toHaveLength(LIMITS.groupsPerUser);
    // Her own groups first (the one made last too, though the newest of all), then the oldest.
    expect(covered).toContain(groupToken(own!));
    expect(covered.filter((t) => flood.some((g) => groupToken(g.objectID) === t))).toHaveLength(
      LIMITS.groupsPerUser - (all.length - flood.length),
    );
    expect(h.logs.some((l) => l.includes('search-key.groups-capped'))).toBe(true);
    // An add of a membership she already has, while past the cap (an add whose take-back failed,
    // retried), is taken back now.
    const retried = await h.call('POST', `/v1/groups/${flood[0]!.objectID}/members`, {
      token: await h.token('linus'),
      body: { user_id: graceId },
    });
    expect(retried.status).toBe(409);
    expect(await h.ks.gateway.groupIdsOf(graceId)).not.toContain(flood[0]!.objectID);
  }, 60_000);
});
