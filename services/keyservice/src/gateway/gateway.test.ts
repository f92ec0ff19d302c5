/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- HTTP replies are probed as untyped JSON in assertions */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupToken, rebuildPatterns, storyChunkObjectIds } from '@newdreamflow/domain';
import { dreamInput, startHarness, type Harness } from '../../test/harness';

// The write gateway over HTTP against the real engine and IdP: ownership, versions, conflicts,
// idempotency, groups, stories, the batch route and patterns.

let h: Harness;
let ada: string;
let grace: string;
let linus: string;

beforeAll(async () => {
  h = await startHarness();
  [ada, grace, linus] = await Promise.all([h.token('ada'), h.token('grace'), h.token('linus')]);
});
afterAll(async () => {
  await h.close();
});

async function createDream(
  token: string,
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; record: Record<string, unknown> }> {
  const id = randomUUID();
  const r = await h.call('PUT', `/v1/records/dreams/${id}`, {
    token,
    body: { record: dreamInput(overrides), mutationId: randomUUID() },
  });
  expect(r.status).toBe(201);
  return { id, record: r.json.record };
}

async function raw(index: string, id: string): Promise<Record<string, unknown> | null> {
  try {
    return await h.admin.getObject({ indexName: `test_${index}`, objectID: id });
  } catch {
    return null;
  }
}

describe('ownership', () => {
  it('refuses every write to another user’s record and changes nothing', async () => {
    const { id } = await createDream(ada, { privacy: 'community' });
    const before = await raw('dreams', id);
    const attempts = [
      h.call('PATCH', `/v1/records/dreams/${id}`, {
        token: grace,
        body: { changes: { title: 'Mine now' }, baseVersion: 1, mutationId: randomUUID() },
      }),
      h.call('PATCH', `/v1/records/dreams/${id}`, {
        token: grace,
        body: { changes: { trashed: true }, baseVersion: 1, mutationId: randomUUID() },
      }),
      h.call('DELETE', `/v1/records/dreams/${id}`, {
        token: grace,
        body: { baseVersion: 1, mutationId: randomUUID() },
      }),
      h.call('PUT', `/v1/records/dreams/${id}`, {
        token: grace,
        body: { record: dreamInput({ title: 'Overwrite' }), mutationId: randomUUID() },
      }),
      h.call('POST', '/v1/mutations', {
        token: grace,
        body: {
          mutations: [
            {
              op: 'update',
              index: 'dreams',
              id,
              changes: { privacy: 'private' },
              baseVersion: 1,
              mutationId: randomUUID(),
            },
          ],
        },
      }),
    ];
    const replies = await Promise.all(attempts);
    expect(replies.slice(0, 4).map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect(replies[4]?.json.results[0].status).toBe(403);
    for (const r of replies.slice(0, 4)) expect(r.json.error.code).toBe('forbidden');
    expect(await raw('dreams', id)).toEqual(before);
  });

  it('refuses writes to derived indices and replicas', async () => {
    const r1 = await h.call('PUT', `/v1/records/patterns/${randomUUID()}`, {
      token: ada,
      body: { record: {}, mutationId: randomUUID() },
    });
    expect(r1.status).toBe(403);
    const r2 = await h.call('PUT', `/v1/records/test_dreams_created_at_desc/${randomUUID()}`, {
      token: ada,
      body: { record: dreamInput(), mutationId: randomUUID() },
    });
    expect(r2.status).toBe(404);
  });

  it('refuses sharing into a group the writer is not in', async () => {
    const gid = randomUUID();
    expect(
      (
        await h.call('PUT', `/v1/records/groups/${gid}`, {
          token: grace,
          body: { record: { name: 'Grace only' }, mutationId: randomUUID() },
        })
      ).status,
    ).toBe(201);
    const r = await h.call('PUT', `/v1/records/dreams/${randomUUID()}`, {
      token: ada,
      body: { record: dreamInput({ privacy: 'group', group_ids: [gid] }), mutationId: randomUUID() },
    });
    expect(r.status).toBe(403);
  });
});

describe('versions and conflicts', () => {
  it('applies an update on the right base version and refuses a stale one with the current record', async () => {
    const { id } = await createDream(ada);
    const ok = await h.call('PATCH', `/v1/records/dreams/${id}`, {
      token: ada,
      body: { changes: { title: 'Second' }, baseVersion: 1, mutationId: randomUUID() },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.record).toMatchObject({ title: 'Second', version: 2 });
    const stale = await h.call('PATCH', `/v1/records/dreams/${id}`, {
      token: ada,
      body: { changes: { title: 'Third' }, baseVersion: 1, mutationId: randomUUID() },
    });
    expect(stale.status).toBe(409);
    expect(stale.json.error).toMatchObject({
      code: 'conflict',
      details: { current: { title: 'Second', version: 2 } },
    });
  });

  it('validates changes with field errors', async () => {
    const { id } = await createDream(ada);
    const r = await h.call('PATCH', `/v1/records/dreams/${id}`, {
      token: ada,
      body: {
        changes: { lucidity_level: 9, visible_to: ['community'] },
        baseVersion: 1,
        mutationId: randomUUID(),
      },
    });
    expect(r.status).toBe(400);
    const paths = (r.json.error.details.fields as Array<{ path: string }>).map((f) => f.path);
    expect(paths.some((p) => p.startsWith('changes'))).toBe(true);
  });
});

describe('concurrency', () => {
  async function race(harness: Harness, writers: number): Promise<void> {
    const token = await harness.token('ada');
    const id = randomUUID();
    const c = await harness.call('PUT', `/v1/records/dreams/${id}`, {
      token,
      body: { record: dreamInput(), mutationId: randomUUID() },
    });
    expect(c.status).toBe(201);
    const attempts = Array.from({ length: writers }, (_, i) => ({
      title: `Writer ${i}`,
      mutationId: randomUUID(),
    }));
    const replies = await Promise.all(
      attempts.map((a) =>
        harness.call('PATCH', `/v1/records/dreams/${id}`, {
          token,
          body: { changes: { title: a.title }, baseVersion: 1, mutationId: a.mutationId },
        }),
      ),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(writers - 1);
    const winner = replies.find((r) => r.status === 200)?.json.record as {
      title: string;
      last_mutation_id: string;
      version: number;
    };
    const stored = (await harness.admin.getObject({
      indexName: 'test_dreams',
      objectID: id,
    })) as unknown as typeof winner;
    expect(stored).toMatchObject({
      version: 2,
      title: winner.title,
      last_mutation_id: winner.last_mutation_id,
    });
    // The losers were told what won, so nothing is lost silently.
    for (const r of replies.filter((x) => x.status === 409))
      expect(r.json.error.details.current.last_mutation_id).toBe(winner.last_mutation_id);
  }

  it('lets exactly one of several writers on the same base version win', async () => {
    await race(h, 6);
  });

  it('does the same when the engine publishes writes late (indexingDelayMs)', async () => {
    const delayed = await startHarness({ indexingDelayMs: 40 });
    try {
      await race(delayed, 5);
    } finally {
      await delayed.close();
    }
  });
});

describe('idempotency (a retry after a lost answer has exactly one effect)', () => {
  it('create', async () => {
    const id = randomUUID();
    const body = { record: dreamInput(), mutationId: randomUUID() };
    const first = await h.call('PUT', `/v1/records/dreams/${id}`, { token: ada, body });
    const retry = await h.call('PUT', `/v1/records/dreams/${id}`, { token: ada, body });
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.json.record).toEqual(first.json.record);
    expect((await raw('dreams', id))?.version).toBe(1);
    // A different create on the same id is a conflict, not an overwrite.
    const other = await h.call('PUT', `/v1/records/dreams/${id}`, {
      token: ada,
      body: { record: dreamInput({ title: 'Other' }), mutationId: randomUUID() },
    });
    expect(other.status).toBe(409);
  });

  it('update', async () => {
    const { id } = await createDream(ada, { tags: ['a'] });
    const body = { changes: { tags: ['a', 'b'] }, baseVersion: 1, mutationId: randomUUID() };
    const first = await h.call('PATCH', `/v1/records/dreams/${id}`, { token: ada, body });
    const retry = await h.call('PATCH', `/v1/records/dreams/${id}`, { token: ada, body });
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect((await raw('dreams', id))?.version).toBe(2);
  });

  it('delete', async () => {
    const { id } = await createDream(ada);
    const body = { baseVersion: 1, mutationId: randomUUID() };
    const first = await h.call('DELETE', `/v1/records/dreams/${id}`, { token: ada, body });
    const retry = await h.call('DELETE', `/v1/records/dreams/${id}`, { token: ada, body });
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(await raw('dreams', id)).toBeNull();
  });

  it('a retry of an earlier mutation after another device’s landed is "already applied", within the window', async () => {
    const { id } = await createDream(ada);
    const m1 = { changes: { title: 'From the laptop' }, baseVersion: 1, mutationId: randomUUID() };
    expect((await h.call('PATCH', `/v1/records/dreams/${id}`, { token: ada, body: m1 })).status).toBe(200);
    const m2 = await h.call('PATCH', `/v1/records/dreams/${id}`, {
      token: ada,
      body: { changes: { title: 'From the phone' }, baseVersion: 2, mutationId: randomUUID() },
    });
    expect(m2.status).toBe(200);
    // The laptop lost m1's answer and retries it: applied already, answered with the current record.
    const retry = await h.call('PATCH', `/v1/records/dreams/${id}`, { token: ada, body: m1 });
    expect(retry.status).toBe(200);
    expect(retry.json.record).toMatchObject({ title: 'From the phone', version: 3 });
    expect(await raw('dreams', id)).toMatchObject({ title: 'From the phone', version: 3 });
    // The window keeps the last 20 mutations; older ones read as conflicts again.
    for (let v = 3; v < 3 + 20; v++) {
      expect(
        (
          await h.call('PATCH', `/v1/records/dreams/${id}`, {
            token: ada,
            body: { changes: { title: `v${v}` }, baseVersion: v, mutationId: randomUUID() },
          })
        ).status,
      ).toBe(200);
    }
    const stored = await raw('dreams', id);
    expect(stored?.recent_mutation_ids).toHaveLength(20);
    expect((await h.call('PATCH', `/v1/records/dreams/${id}`, { token: ada, body: m1 })).status).toBe(409);
    // Service bookkeeping: not for other readers, nor search keys.
    const community = await createDream(ada, { privacy: 'community' });
    const other = await h.call('GET', `/v1/records/dreams/${community.id}`, { token: grace });
    expect(other.status).toBe(200);
    expect(other.json.record).not.toHaveProperty('recent_mutation_ids');
    const { client } = await h.searchAs('grace');
    const hit = (
      (
        await client.search({
          requests: [{ indexName: 'test_dreams', query: '', filters: `objectID:${community.id}` }],
        })
      ).results[0] as { hits: Array<Record<string, unknown>> }
    ).hits[0];
    expect(hit).toBeDefined();
    expect(hit).not.toHaveProperty('recent_mutation_ids');
  });

  it('a retried create after an update landed, and a retried group change after a membership change', async () => {
    const id = randomUUID();
    const create = { record: dreamInput(), mutationId: randomUUID() };
    expect((await h.call('PUT', `/v1/records/dreams/${id}`, { token: ada, body: create })).status).toBe(201);
    expect(
      (
        await h.call('PATCH', `/v1/records/dreams/${id}`, {
          token: ada,
          body: { changes: { title: 'Edited' }, baseVersion: 1, mutationId: randomUUID() },
        })
      ).status,
    ).toBe(200);
    const retry = await h.call('PUT', `/v1/records/dreams/${id}`, { token: ada, body: create });
    expect(retry.status).toBe(201);
    expect(retry.json.record).toMatchObject({ title: 'Edited', version: 2 });

    const gid = randomUUID();
    expect(
      (
        await h.call('PUT', `/v1/records/groups/${gid}`, {
          token: ada,
          body: { record: { name: 'Window' }, mutationId: randomUUID() },
        })
      ).status,
    ).toBe(201);
    const rename = { changes: { name: 'Window seat' }, baseVersion: 1, mutationId: randomUUID() };
    expect((await h.call('PATCH', `/v1/records/groups/${gid}`, { token: ada, body: rename })).status).toBe(
      200,
    );
    expect(
      (await h.call('POST', `/v1/groups/${gid}/members`, { token: ada, body: { user_id: h.sub('linus') } }))
        .status,
    ).toBe(200);
    const again = await h.call('PATCH', `/v1/records/groups/${gid}`, { token: ada, body: rename });
    expect(again.status).toBe(200);
    expect(again.json.record).toMatchObject({ name: 'Window seat', version: 3 });
  });

  it('the window gives way to the record size limit (a full record stays editable; oldest ids go first)', async () => {
    const id = randomUUID();
    // A dream just under the 10,000-byte limit (less the 96 bytes kept for the write's operation
    // objects) with one mutation id.
    let description = 'x'.repeat(9_000);
    const probe = await h.call('PUT', `/v1/records/dreams/${id}`, {
      token: ada,
      body: { record: dreamInput({ description }), mutationId: randomUUID() },
    });
    expect(probe.status).toBe(201);
    const size = Buffer.byteLength(JSON.stringify(probe.json.record));
    description = 'x'.repeat(9_000 + (10_000 - 96 - size) - 10);
    let version = 1;
    const r0 = await h.call('PATCH', `/v1/records/dreams/${id}`, {
      token: ada,
      body: { changes: { description }, baseVersion: version++, mutationId: randomUUID() },
    });
    expect(r0.status).toBe(200);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const m = randomUUID();
      ids.push(m);
      const r = await h.call('PATCH', `/v1/records/dreams/${id}`, {
        token: ada,
        body: { changes: { title: `Edit ${i}` }, baseVersion: version++, mutationId: m },
      });
      expect(r.status, `edit ${i}`).toBe(200);
    }
    const stored = await raw('dreams', id);
    const recent = stored?.recent_mutation_ids as string[];
    expect(recent.length).toBeLessThan(5);
    expect(recent.at(-1)).toBe(ids.at(-1));
    expect(ids.slice(-recent.length)).toEqual(recent);
    expect(Buffer.byteLength(JSON.stringify(stored))).toBeLessThanOrEqual(10_000 - 96);
    // Moving it to the trash (the delete's claim appends a mutation id too) and deleting still work.
    expect(
      (
        await h.call('DELETE', `/v1/records/dreams/${id}`, {
          token: ada,
          body: { baseVersion: version, mutationId: randomUUID() },
        })
      ).status,
    ).toBe(200);
  });

  it('a replayed batch', async () => {
    const id = randomUUID();
    const body = {
      mutations: [
        {
          op: 'create',
          index: 'things',
          id,
          record: { title: 'Batch', thing_date: 1_700_000_000 },
          mutationId: randomUUID(),
        },
        {
          op: 'update',
          index: 'things',
          id,
          changes: { title: 'Batch 2' },
          baseVersion: 1,
          mutationId: randomUUID(),
        },
      ],
    };
    const first = await h.call('POST', '/v1/mutations', { token: ada, body });
    expect(first.json.results.map((r: { status: number }) => r.status)).toEqual([201, 200]);
    const retry = await h.call('POST', '/v1/mutations', { token: ada, body });
    // Both are recognised as applied: the create is in the record's recent mutations, the update is the last.
    expect(retry.json.results.map((r: { status: number }) => r.status)).toEqual([201, 200]);
    expect(await raw('things', id)).toMatchObject({ title: 'Batch 2', version: 2 });
  });
});

describe('trash', () => {
  it('trashes with a versioned update and empties the trash with a real delete', async () => {
    const { id } = await createDream(ada);
    const t = await h.call('PATCH', `/v1/records/dreams/${id}`, {
      token: ada,
      body: { changes: { trashed: true }, baseVersion: 1, mutationId: randomUUID() },
    });
    expect(t.json.record).toMatchObject({ trashed: true, version: 2 });
    const stale = await h.call('DELETE', `/v1/records/dreams/${id}`, {
      token: ada,
      body: { baseVersion: 1, mutationId: randomUUID() },
    });
    expect(stale.status).toBe(409);
    const del = await h.call('DELETE', `/v1/records/dreams/${id}`, {
      token: ada,
      body: { baseVersion: 2, mutationId: randomUUID() },
    });
    expect(del.status).toBe(200);
    expect(await raw('dreams', id)).toBeNull();
  });

  it('hides a trashed record from everyone but its owner until it comes out of the trash', async () => {
    // Trashing is how the app deletes: a community or shared post must leave others' searches and
    // reads at once, not when the trash is emptied.
    const { id } = await createDream(ada, {
      privacy: 'community',
      shared_with_user_ids: [h.sub('grace')],
      title: 'Regretted post',
    });
    const seen = async (username: string, token: string): Promise<[number, number]> => {
      const { client } = await h.searchAs(username);
      const res = await client.search({
        requests: [{ indexName: 'test_dreams', query: '', filters: `objectID:${id}` }],
      });
      const hits = (res.results[0] as { hits: unknown[] }).hits.length;
      return [hits, (await h.call('GET', `/v1/records/dreams/${id}`, { token })).status];
    };
    expect(await seen('grace', grace)).toEqual([1, 200]);
    expect(await seen('linus', linus)).toEqual([1, 200]);
    const t = await h.call('PATCH', `/v1/records/dreams/${id}`, {
      token: ada,
      body: { changes: { trashed: true }, baseVersion: 1, mutationId: randomUUID() },
    });
    expect(t.status).toBe(200);
    expect(t.json.record.visible_to).toEqual([`user:${h.sub('ada')}`]);
    expect(await seen('grace', grace)).toEqual([0, 404]);
    expect(await seen('linus', linus)).toEqual([0, 404]);
    expect(await seen('ada', ada)).toEqual([1, 200]);
    const back = await h.call('PATCH', `/v1/records/dreams/${id}`, {
      token: ada,
      body: { changes: { trashed: false }, baseVersion: 2, mutationId: randomUUID() },
    });
    expect(back.json.record.visible_to).toEqual([
      `user:${h.sub('ada')}`,
      `user:${h.sub('grace')}`,
      'community',
    ]);
    expect(await seen('linus', linus)).toEqual([1, 200]);
  });
});

describe('groups', () => {
  it('owner manages members; membership shows up in the next key; members may leave', async () => {
    const gid = randomUUID();
    const g = await h.call('PUT', `/v1/records/groups/${gid}`, {
      token: ada,
      body: { record: { name: 'Salon' }, mutationId: randomUUID() },
    });
    expect(g.status).toBe(201);
    expect(g.json.record).toMatchObject({ owner_id: h.sub('ada'), member_user_ids: [h.sub('ada')] });
    const { id } = await createDream(ada, { privacy: 'group', group_ids: [gid], title: 'Salon dream' });

    const before = await h.searchAs('grace');
    const search = async (client: typeof before.client) =>
      (
        (
          await client.search({
            requests: [{ indexName: 'test_dreams', query: '', filters: `objectID:${id}` }],
          })
        ).results[0] as { hits: unknown[] }
      ).hits.length;
    expect(await search(before.client)).toBe(0);
    expect((await h.call('GET', `/v1/records/dreams/${id}`, { token: grace })).status).toBe(404);

    // Only the owner adds members.
    expect(
      (await h.call('POST', `/v1/groups/${gid}/members`, { token: grace, body: { user_id: h.sub('grace') } }))
        .status,
    ).toBe(404);
    const add = await h.call('POST', `/v1/groups/${gid}/members`, {
      token: ada,
      body: { user_id: h.sub('grace') },
    });
    expect(add.status).toBe(200);
    expect(add.json.record.member_user_ids).toContain(h.sub('grace'));
    // A member still cannot manage others.
    expect(
      (await h.call('POST', `/v1/groups/${gid}/members`, { token: grace, body: { user_id: h.sub('linus') } }))
        .status,
    ).toBe(403);
    expect(
      (await h.call('DELETE', `/v1/groups/${gid}/members/${h.sub('ada')}`, { token: grace })).status,
    ).toBe(403);

    const after = await h.searchAs('grace');
    expect(await search(after.client)).toBe(1);
    // Which groups a record is shared with is hidden from readers, and cannot be probed by
    // filtering either (only the owner's own read shows it).
    const probe = await after.client.search({
      requests: [{ indexName: 'test_dreams', query: '', filters: `objectID:${id} AND group_ids:${gid}` }],
    });
    expect((probe.results[0] as { hits: unknown[] }).hits).toEqual([]);
    expect((await h.call('GET', `/v1/records/dreams/${id}`, { token: grace })).status).toBe(200);
    // The record itself did not change: it names the group, not its members.
    expect((await raw('dreams', id))?.visible_to).toEqual([`user:${h.sub('ada')}`, groupToken(gid)]);

    const leave = await h.call('DELETE', `/v1/groups/${gid}/members/${h.sub('grace')}`, { token: grace });
    expect(leave.status).toBe(200);
    expect(await search((await h.searchAs('grace')).client)).toBe(0);
    expect((await h.call('DELETE', `/v1/groups/${gid}/members/${h.sub('ada')}`, { token: ada })).status).toBe(
      409,
    );
    expect(
      (await h.call('POST', `/v1/groups/${gid}/members`, { token: linus, body: { user_id: h.sub('linus') } }))
        .status,
    ).toBe(404);
  });
});

describe('deleted ids are never given out again', () => {
  it('a deleted group’s id cannot be re-created, so records still shared with it stay out of reach', async () => {
    const gid = randomUUID();
    const mk = await h.call('PUT', `/v1/records/groups/${gid}`, {
      token: ada,
      body: { record: { name: 'Book club' }, mutationId: randomUUID() },
    });
    expect(mk.status).toBe(201);
    expect(
      (await h.call('POST', `/v1/groups/${gid}/members`, { token: ada, body: { user_id: h.sub('grace') } }))
        .status,
    ).toBe(200);
    // Grace shares into the group, then the owner deletes it.
    const shared = await createDream(grace, { privacy: 'group', group_ids: [gid], title: 'Club only' });
    const del = await h.call('DELETE', `/v1/records/groups/${gid}`, {
      token: ada,
      body: { baseVersion: 2, mutationId: randomUUID() },
    });
    expect(del.status).toBe(200);
    expect(await raw('groups', gid)).toBeNull();
    // Nobody — not another user, not its former owner — can make a group with that id again.
    for (const token of [linus, ada]) {
      const again = await h.call('PUT', `/v1/records/groups/${gid}`, {
        token,
        body: { record: { name: 'Book club' }, mutationId: randomUUID() },
      });
      expect(again.status).toBe(403);
      expect(again.json.error.code).toBe('forbidden');
    }
    expect(await raw('groups', gid)).toBeNull();
    const { client } = await h.searchAs('linus');
    const res = await client.search({
      requests: [{ indexName: 'test_dreams', query: '', filters: `objectID:${shared.id}` }],
    });
    expect((res.results[0] as { hits: unknown[] }).hits).toEqual([]);
    expect((await h.call('GET', `/v1/records/dreams/${shared.id}`, { token: linus })).status).toBe(404);
  });

  it('a deleted thing’s id cannot be re-created into the previews of stories that list it', async () => {
    const tid = randomUUID();
    const t = await h.call('PUT', `/v1/records/things/${tid}`, {
      token: ada,
      body: { record: { title: 'My trip', thing_date: 3, privacy: 'community' }, mutationId: randomUUID() },
    });
    expect(t.status).toBe(201);
    const sid = randomUUID();
    const s = await h.call('PUT', `/v1/records/stories/${sid}`, {
      token: ada,
      body: {
        record: { title: 'Travels', thing_ids: [tid], privacy: 'community' },
        mutationId: randomUUID(),
      },
    });
    expect(s.status).toBe(201);
    const gone = await h.call('DELETE', `/v1/records/things/${tid}`, {
      token: ada,
      body: { baseVersion: 1, mutationId: randomUUID() },
    });
    expect(gone.status).toBe(200);
    expect((await raw('stories', sid))?.things_preview).toEqual([]);
    const forged = await h.call('PUT', `/v1/records/things/${tid}`, {
      token: linus,
      body: { record: { title: 'SCAM', thing_date: 3, privacy: 'community' }, mutationId: randomUUID() },
    });
    expect(forged.status).toBe(403);
    expect(await raw('things', tid)).toBeNull();
    expect((await raw('stories', sid))?.things_preview).toEqual([]);
    // A retried delete is still a no-op.
    const retry = await h.call('DELETE', `/v1/records/things/${tid}`, {
      token: ada,
      body: { baseVersion: 1, mutationId: randomUUID() },
    });
    expect(retry.status).toBe(200);
  });
});

describe('group membership on writes (every group id is checked whenever the result shares with groups)', () => {
  // grace owns a group with ada as a member; ada shares into it, then is removed.
  async function groupWithAda(): Promise<string> {
    const gid = randomUUID();
    expect(
      (
        await h.call('PUT', `/v1/records/groups/${gid}`, {
          token: grace,
          body: { record: { name: 'Temporary' }, mutationId: randomUUID() },
        })
      ).status,
    ).toBe(201);
    expect(
      (await h.call('POST', `/v1/groups/${gid}/members`, { token: grace, body: { user_id: h.sub('ada') } }))
        .status,
    ).toBe(200);
    return gid;
  }
  const removeAda = async (gid: string) => {
    expect(
      (await h.call('DELETE', `/v1/groups/${gid}/members/${h.sub('ada')}`, { token: grace })).status,
    ).toBe(200);
  };
  const patch = (index: string, id: string, changes: unknown, baseVersion: number) =>
    h.call('PATCH', `/v1/records/${index}/${id}`, {
      token: ada,
      body: { changes, baseVersion, mutationId: randomUUID() },
    });

  it('refuses switching to group privacy with a group the writer has left (stale id already on the record)', async () => {
    const gid = await groupWithAda();
    const { id } = await createDream(ada, { privacy: 'private', group_ids: [gid] });
    await removeAda(gid);
    const before = await raw('dreams', id);
    const r = await patch('dreams', id, { privacy: 'group' }, 1);
    expect(r.status).toBe(403);
    expect(r.json.error).toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining(gid),
      details: { group_id: gid },
    });
    expect(await raw('dreams', id)).toEqual(before);
  });

  it('refuses any other update of a group-shared record while it names a group the writer left, except moving it to the trash', async () => {
    const gid = await groupWithAda();
    const { id } = await createDream(ada, { privacy: 'group', group_ids: [gid], title: 'Shared then left' });
    const sid = randomUUID();
    expect(
      (
        await h.call('PUT', `/v1/records/stories/${sid}`, {
          token: ada,
          body: { record: { title: 'Story', privacy: 'group', group_ids: [gid] }, mutationId: randomUUID() },
        })
      ).status,
    ).toBe(201);
    await removeAda(gid);
    for (const [index, rid] of [
      ['dreams', id],
      ['stories', sid],
    ] as const) {
      const r = await patch(index, rid, { title: 'Pushed to a group I left' }, 1);
      expect(r.status, index).toBe(403);
      expect(r.json.error.details, index).toEqual({ group_id: gid });
    }
    // Narrowing who sees it is always allowed: trash, or drop the group, or another privacy.
    const trash = await patch('dreams', id, { trashed: true }, 1);
    expect(trash.status).toBe(200);
    // Restoring from the trash would show it to the group again: checked.
    expect((await patch('dreams', id, { trashed: false }, 2)).status).toBe(403);
    const drop = await patch('dreams', id, { group_ids: [] }, 2);
    expect(drop.status).toBe(200);
    expect(drop.json.record).toMatchObject({
      privacy: 'group',
      group_ids: [],
      visible_to: [`user:${h.sub('ada')}`],
    });
    expect((await patch('stories', sid, { privacy: 'private' }, 1)).status).toBe(200);
  });

  it('keeps stale ids inert under another privacy (they grant nothing; switching back is checked)', async () => {
    const gid = await groupWithAda();
    const { id } = await createDream(ada, { privacy: 'community', group_ids: [gid] });
    await removeAda(gid);
    const r = await patch('dreams', id, { title: 'Still mine to edit' }, 1);
    expect(r.status).toBe(200);
    expect(r.json.record).toMatchObject({
      group_ids: [gid],
      visible_to: [`user:${h.sub('ada')}`, 'community'],
    });
  });

  it('refuses naming a group the writer is not in, whatever the privacy', async () => {
    const foreign = randomUUID();
    expect(
      (
        await h.call('PUT', `/v1/records/groups/${foreign}`, {
          token: grace,
          body: { record: { name: 'Not ada' }, mutationId: randomUUID() },
        })
      ).status,
    ).toBe(201);
    for (const privacy of ['private', 'community', 'group']) {
      const r = await h.call('PUT', `/v1/records/dreams/${randomUUID()}`, {
        token: ada,
        body: { record: dreamInput({ privacy, group_ids: [foreign] }), mutationId: randomUUID() },
      });
      expect(r.status, privacy).toBe(403);
      expect(r.json.error.details, privacy).toEqual({ group_id: foreign });
    }
    const { id } = await createDream(ada, { privacy: 'private' });
    expect((await patch('dreams', id, { group_ids: [foreign] }, 1)).status).toBe(403);
    // A group id that does not exist is refused the same way.
    expect((await patch('dreams', id, { group_ids: [randomUUID()] }, 1)).status).toBe(403);
  });
});

describe('stories', () => {
  it('refreshes previews of every story (any owner’s) when a thing changes: narrowed, retitled, trashed, deleted', async () => {
    const thing = async (title: string) => {
      const r = await h.call('PUT', `/v1/records/things/${randomUUID()}`, {
        token: ada,
        body: {
          record: { title, thing_date: 3, privacy: 'community', image_urls: ['https://img.example/t.png'] },
          mutationId: randomUUID(),
        },
      });
      expect(r.status).toBe(201);
      return r.json.record.objectID as string;
    };
    const [t1, t2, t3] = [
      await thing('Lighthouse keeper'),
      await thing('Harbour fog'),
      await thing('Night ferry'),
    ];
    // Grace composes a community story from ada's community things.
    const sid = randomUUID();
    const s = await h.call('PUT', `/v1/records/stories/${sid}`, {
      token: grace,
      body: {
        record: { title: 'Coastal', thing_ids: [t1, t2, t3], privacy: 'community' },
        mutationId: randomUUID(),
      },
    });
    expect(s.status).toBe(201);
    expect(s.json.record.things_preview.map((p: { objectID: string }) => p.objectID)).toEqual([t1, t2, t3]);
    const previewIds = async () =>
      ((await raw('stories', sid))?.things_preview as Array<{ objectID: string; title: string }>) ?? [];
    const patchThing = (id: string, changes: unknown) =>
      h.call('PATCH', `/v1/records/things/${id}`, {
        token: ada,
        body: { changes, baseVersion: 1, mutationId: randomUUID() },
      });

    // Ada makes one private: it leaves the stored preview, so search hits (and their searchable
    // preview titles) no longer carry it.
    expect((await patchThing(t1, { privacy: 'private' })).status).toBe(200);
    expect((await previewIds()).map((p) => p.objectID)).toEqual([t2, t3]);
    const { client } = await h.searchAs('linus');
    const hits = async (query: string) =>
      (
        (
          await client.search({
            requests: [{ indexName: 'test_stories', query, filters: `objectID:${sid}` }],
          })
        ).results[0] as { hits: Array<{ things_preview: Array<{ objectID: string }> }> }
      ).hits;
    expect(await hits('lighthouse')).toEqual([]);
    expect((await hits('coastal'))[0]?.things_preview.map((p) => p.objectID)).toEqual([t2, t3]);
    expect(
      (
        await h.call('GET', `/v1/records/stories/${sid}`, { token: await h.token('linus') })
      ).json.record.things_preview.map((p: { objectID: string }) => p.objectID),
    ).toEqual([t2, t3]);

    // A new title shows; a trashed or deleted thing leaves.
    expect((await patchThing(t2, { title: 'Harbour fog at dawn' })).status).toBe(200);
    expect((await previewIds()).map((p) => p.title)).toEqual(['Harbour fog at dawn', 'Night ferry']);
    expect((await patchThing(t3, { trashed: true })).status).toBe(200);
    expect((await previewIds()).map((p) => p.objectID)).toEqual([t2]);
    expect(
      (
        await h.call('DELETE', `/v1/records/things/${t2}`, {
          token: ada,
          body: { baseVersion: 2, mutationId: randomUUID() },
        })
      ).status,
    ).toBe(200);
    expect(await previewIds()).toEqual([]);

    // The refreshes never moved the story's version: its owner's edit of version 1 still applies.
    const edit = await h.call('PATCH', `/v1/records/stories/${sid}`, {
      token: grace,
      body: { changes: { title: 'Coastal, revised' }, baseVersion: 1, mutationId: randomUUID() },
    });
    expect(edit.status).toBe(200);
    expect(edit.json.record).toMatchObject({ version: 2, things_preview: [] });
  });

  it('refreshes any number of stories naming a thing in a bounded number of writes', async () => {
    // Anyone may write stories naming someone's community thing: one write per story would let
    // them slow that writer's every edit down story by story.
    const tid = randomUUID();
    const t = await h.call('PUT', `/v1/records/things/${tid}`, {
      token: ada,
      body: { record: { title: 'Lantern', thing_date: 3, privacy: 'community' }, mutationId: randomUUID() },
    });
    expect(t.status).toBe(201);
    const stories = Array.from({ length: 40 }, () => randomUUID());
    const made = await h.call('POST', '/v1/mutations', {
      token: linus,
      body: {
        mutations: stories.map((id) => ({
          op: 'create',
          index: 'stories',
          id,
          mutationId: randomUUID(),
          record: { title: 'Mine', thing_ids: [tid], privacy: 'private' },
        })),
      },
    });
    expect(made.json.results.map((r: { status: number }) => r.status)).toEqual(stories.map(() => 201));
    // Task ids count the engine's writes in between.
    const mark = async (): Promise<number> =>
      (await h.admin.saveObject({ indexName: 'test_scratch', body: { objectID: 'mark' } })).taskID;
    const before = await mark();
    const edit = await h.call('PATCH', `/v1/records/things/${tid}`, {
      token: ada,
      body: { changes: { title: 'Storm lantern' }, baseVersion: 1, mutationId: randomUUID() },
    });
    expect(edit.status).toBe(200);
    const writes = (await mark()) - before - 1;
    expect(writes).toBeLessThan(10);
    for (const id of stories)
      expect((await raw('stories', id))?.things_preview).toEqual([{ objectID: tid, title: 'Storm lantern' }]);
  });

  it('splits a long body into chunk records, reads it back whole, and previews only things every reader may see', async () => {
    const community = await h.call('PUT', `/v1/records/things/${randomUUID()}`, {
      token: ada,
      body: {
        record: {
          title: 'Public note',
          thing_date: 1,
          privacy: 'community',
          image_urls: ['https://img.example/a.png'],
        },
        mutationId: randomUUID(),
      },
    });
    const secret = await h.call('PUT', `/v1/records/things/${randomUUID()}`, {
      token: ada,
      body: { record: { title: 'Secret note', thing_date: 2 }, mutationId: randomUUID() },
    });
    const paragraphs = Array.from({ length: 60 }, (_, i) => ({
      type: 'paragraph',
      content: [{ type: 'text', text: `Paragraph ${i} ${'dreaming '.repeat(30)}` }],
    }));
    const body = JSON.stringify({ type: 'doc', content: paragraphs });
    const id = randomUUID();
    const thingIds = [community.json.record.objectID, secret.json.record.objectID];
    const r = await h.call('PUT', `/v1/records/stories/${id}`, {
      token: ada,
      body: {
        record: { title: 'Long story', thing_ids: thingIds, body, privacy: 'community' },
        mutationId: randomUUID(),
      },
    });
    expect(r.status).toBe(201);
    const count = r.json.record.body_chunk_count as number;
    expect(count).toBeGreaterThan(1);
    expect(r.json.record.things_preview).toEqual([
      { objectID: thingIds[0], title: 'Public note', image_url: 'https://img.example/a.png' },
    ]);
    const read = await h.call('GET', `/v1/records/stories/${id}`, { token: grace });
    expect(read.status).toBe(200);
    expect(read.json.record.body).toBe(body);

    // Shrinking the body deletes the chunks past the new count; an ACL change re-stamps the rest.
    const small = JSON.stringify({
      type: 'doc',
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Short now.' }] }],
    });
    const u = await h.call('PATCH', `/v1/records/stories/${id}`, {
      token: ada,
      body: { changes: { body: small, privacy: 'private' }, baseVersion: 1, mutationId: randomUUID() },
    });
    expect(u.status).toBe(200);
    expect(u.json.record.body_chunk_count).toBe(1);
    const chunks = await h.admin.getObjects({
      requests: storyChunkObjectIds(id, count).map((objectID) => ({ indexName: 'test_stories', objectID })),
    });
    expect(chunks.results.filter((c) => c !== null)).toHaveLength(1);
    expect(chunks.results[0]).toMatchObject({ story_version: 2, visible_to: [`user:${h.sub('ada')}`] });
    expect((await h.call('GET', `/v1/records/stories/${id}`, { token: grace })).status).toBe(404);
    expect((await h.call('GET', `/v1/records/stories/${id}`, { token: ada })).json.record.body).toBe(small);
  });
});

describe('patterns', () => {
  it('incremental maintenance equals a rebuild from scratch after a sequence of writes', async () => {
    const t = await h.token('linus');
    const me = h.sub('linus');
    const ids: string[] = [];
    const steps: Array<[string, string, unknown]> = [];
    for (let i = 0; i < 6; i++) {
      const id = randomUUID();
      ids.push(id);
      const r = await h.call('PUT', `/v1/records/dreams/${id}`, {
        token: t,
        body: {
          record: dreamInput({
            tags: [`t${i % 3}`, 'common'],
            themes: [`th${i % 2}`],
            entities: i % 2 ? ['Paris'] : [],
            dream_date: 1_700_000_000 + i * 86_400,
          }),
          mutationId: randomUUID(),
        },
      });
      steps.push(['create', id, r.status]);
    }
    const thing = randomUUID();
    await h.call('PUT', `/v1/records/things/${thing}`, {
      token: t,
      body: {
        record: { title: 'Journal', thing_date: 1_700_100_000, tags: ['common', 'ink'] },
        mutationId: randomUUID(),
      },
    });
    await h.call('PATCH', `/v1/records/dreams/${ids[0]}`, {
      token: t,
      body: {
        changes: { tags: ['t9'], dream_date: 1_600_000_000 },
        baseVersion: 1,
        mutationId: randomUUID(),
      },
    });
    await h.call('PATCH', `/v1/records/dreams/${ids[1]}`, {
      token: t,
      body: { changes: { trashed: true }, baseVersion: 1, mutationId: randomUUID() },
    });
    await h.call('DELETE', `/v1/records/dreams/${ids[2]}`, {
      token: t,
      body: { baseVersion: 1, mutationId: randomUUID() },
    });
    await h.call('PATCH', `/v1/records/dreams/${ids[1]}`, {
      token: t,
      body: { changes: { trashed: false }, baseVersion: 2, mutationId: randomUUID() },
    });

    const incremental = await h.ks.patterns.patternsOf(me);
    const expected = rebuildPatterns(await h.ks.patterns.entriesOf(me));
    expect(incremental.length).toBeGreaterThan(3);
    expect(incremental).toEqual(expected);
    expect(incremental.find((p) => p.kind === 'tag' && p.value === 'common')?.count).toBe(5);

    // The rebuild command agrees and is idempotent.
    await h.ks.patterns.rebuild(me);
    expect(await h.ks.patterns.patternsOf(me)).toEqual(expected);
  });
});

describe('write logs', () => {
  it('log every write with user, index, objectID, outcome and latency, and never a token', async () => {
    const { id } = await createDream(ada);
    const line = h.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.event === 'write' && l.objectID === id);
    expect(line).toMatchObject({
      user: h.sub('ada'),
      index: 'dreams',
      op: 'create',
      outcome: 'ok',
      status: 201,
      latencyMs: expect.any(Number),
    });
    const all = h.logs.join('\n');
    expect(all).not.toContain(ada);
    expect(all).not.toContain(h.config.algolia.adminKey);
    expect(all).not.toContain(h.config.algolia.searchKey);
  });
});
