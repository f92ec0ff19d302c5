/* eslint-disable @typescript-eslint/no-unsafe-member-access -- HTTP replies are probed as untyped JSON in assertions */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dreamSchema,
  groupSchema,
  groupToken,
  storyBodyChunkSchema,
  storyChunkObjectIds,
  storySchema,
} from '@newdreamflow/domain';
import { dreamInput, startHarness, type Harness } from '../test/harness';
import { RecordStore, type StoredObject } from './gateway/record-store';
import { reindexVisibility } from './reindex-visibility';

// `reindex-visibility` against the real engine: records written with the previous token format
// (`group:<uuid>`) become invisible to group members' secured keys; the command rewrites them,
// guarded by IncrementFrom so a concurrent write is never overwritten.

let h: Harness;
let ada: string;
let grace: string;
let gid: string;

beforeAll(async () => {
  h = await startHarness();
  [ada, grace] = await Promise.all([h.token('ada'), h.token('grace')]);
  gid = randomUUID();
  expect(
    (
      await h.call('PUT', `/v1/records/groups/${gid}`, {
        token: ada,
        body: { record: { name: 'Salon' }, mutationId: randomUUID() },
      })
    ).status,
  ).toBe(201);
  expect(
    (await h.call('POST', `/v1/groups/${gid}/members`, { token: ada, body: { user_id: h.sub('grace') } }))
      .status,
  ).toBe(200);
});
afterAll(async () => {
  await h.close();
});

const store = (): RecordStore => new RecordStore(h.admin);
const raw = async (index: string, id: string): Promise<StoredObject | null> =>
  store().get(`test_${index}`, id);

/** Rewrites a record's stored group tokens back to the old `group:<uuid>` format. */
async function downgrade(index: string, id: string): Promise<void> {
  const r = await raw(index, id);
  const old = (r?.visible_to as string[]).map((t) => (t === groupToken(gid) ? `group:${gid}` : t));
  await store().partialUpdate(`test_${index}`, id, { visible_to: old }, false);
}

async function graceFinds(id: string): Promise<boolean> {
  const { client } = await h.searchAs('grace');
  const res = await client.search({
    requests: [{ indexName: 'test_dreams', query: '', filters: `objectID:${id}` }],
  });
  return (res.results[0] as { hits: unknown[] }).hits.length === 1;
}

describe('reindex-visibility', () => {
  it('rewrites old-format tokens on entries, stories (and their chunks) and groups, once', async () => {
    const lastMutation = randomUUID();
    const dream = randomUUID();
    expect(
      (
        await h.call('PUT', `/v1/records/dreams/${dream}`, {
          token: ada,
          body: { record: dreamInput({ privacy: 'group', group_ids: [gid] }), mutationId: lastMutation },
        })
      ).status,
    ).toBe(201);
    const paragraphs = Array.from({ length: 40 }, (_, i) => ({
      type: 'paragraph',
      content: [{ type: 'text', text: `Part ${i} ${'salon '.repeat(40)}` }],
    }));
    const body = JSON.stringify({ type: 'doc', content: paragraphs });
    const story = randomUUID();
    const s = await h.call('PUT', `/v1/records/stories/${story}`, {
      token: ada,
      body: {
        record: { title: 'Salon story', body, privacy: 'group', group_ids: [gid] },
        mutationId: randomUUID(),
      },
    });
    expect(s.status).toBe(201);
    const count = s.json.record.body_chunk_count as number;
    expect(count).toBeGreaterThan(1);
    const chunkIds = storyChunkObjectIds(story, count);

    await downgrade('dreams', dream);
    await downgrade('stories', story);
    for (const c of chunkIds) await downgrade('stories', c);
    await downgrade('groups', gid);
    // Stored with the old format: invisible to the member's key, and no longer valid records.
    expect(await graceFinds(dream)).toBe(false);
    expect(dreamSchema.safeParse(await raw('dreams', dream)).success).toBe(false);

    const result = await reindexVisibility(store(), 'test_');
    expect(result.rewritten).toMatchObject({ dreams: 1, stories: 1, groups: 1, things: 0 });
    expect(result.skipped).toEqual([]);

    const d = await raw('dreams', dream);
    expect(dreamSchema.parse(d)).toMatchObject({
      visible_to: [`user:${h.sub('ada')}`, groupToken(gid)],
      version: 2,
      last_mutation_id: lastMutation,
    });
    expect(groupSchema.safeParse(await raw('groups', gid)).success).toBe(true);
    const st = storySchema.parse(await raw('stories', story));
    expect(st.version).toBe(2);
    for (const c of chunkIds)
      expect(storyBodyChunkSchema.parse(await raw('stories', c))).toMatchObject({
        story_version: 2,
        visible_to: st.visible_to,
      });

    // Visible again to the member, through search and the permission-checked read (body joined).
    expect(await graceFinds(dream)).toBe(true);
    const read = await h.call('GET', `/v1/records/stories/${story}`, { token: grace });
    expect(read.status).toBe(200);
    expect(read.json.record.body).toBe(body);
    // The owner's retry of the last mutation is still "already applied"; an edit of the old version is a conflict.
    const retry = await h.call('PATCH', `/v1/records/dreams/${dream}`, {
      token: ada,
      body: { changes: { title: 'x' }, baseVersion: 1, mutationId: lastMutation },
    });
    expect(retry.status).toBe(200);
    const stale = await h.call('PATCH', `/v1/records/dreams/${dream}`, {
      token: ada,
      body: { changes: { title: 'y' }, baseVersion: 1, mutationId: randomUUID() },
    });
    expect(stale.status).toBe(409);

    // Idempotent.
    const again = await reindexVisibility(store(), 'test_');
    expect(again.rewritten).toEqual({ dreams: 0, things: 0, stories: 0, groups: 0, profiles_public: 0 });
    expect((await raw('dreams', dream))?.version).toBe(2);
  });

  it('takes a record trashed before trashed records were their owner’s alone out of others’ sight', async () => {
    const dream = randomUUID();
    const w = await h.call('PUT', `/v1/records/dreams/${dream}`, {
      token: ada,
      body: { record: dreamInput({ privacy: 'group', group_ids: [gid] }), mutationId: randomUUID() },
    });
    expect(w.status).toBe(201);
    const t = await h.call('PATCH', `/v1/records/dreams/${dream}`, {
      token: ada,
      body: { changes: { trashed: true }, baseVersion: 1, mutationId: randomUUID() },
    });
    expect(t.json.record.visible_to).toEqual([`user:${h.sub('ada')}`]);
    // As the previous release stored it: trashed, yet with its audience.
    await store().partialUpdate(
      'test_dreams',
      dream,
      { visible_to: [`user:${h.sub('ada')}`, groupToken(gid)] },
      false,
    );
    expect(await graceFinds(dream)).toBe(true);
    const result = await reindexVisibility(store(), 'test_');
    expect(result.rewritten.dreams).toBe(1);
    expect(await graceFinds(dream)).toBe(false);
    expect(dreamSchema.parse(await raw('dreams', dream))).toMatchObject({
      trashed: true,
      visible_to: [`user:${h.sub('ada')}`],
    });
  });

  it('never overwrites a write that lands between its read and its rewrite', async () => {
    const dream = randomUUID();
    expect(
      (
        await h.call('PUT', `/v1/records/dreams/${dream}`, {
          token: ada,
          body: { record: dreamInput({ privacy: 'group', group_ids: [gid] }), mutationId: randomUUID() },
        })
      ).status,
    ).toBe(201);
    await downgrade('dreams', dream);
    const owner = `user:${h.sub('ada')}`;
    const winner = randomUUID();
    // A store whose first guarded rewrite of this dream is overtaken by the owner making it private
    // (the write the gateway would do: IncrementFrom(1), a new mutation id, a fresh visible_to).
    // Every state the record passes through after a rewrite is observed: none may expose it.
    const observed: unknown[] = [];
    class Racing extends RecordStore {
      private raced = false;
      override async partialUpdate(
        index: string,
        objectID: string,
        attributes: Record<string, unknown>,
        create: boolean,
      ): Promise<void> {
        if (!this.raced && objectID === dream) {
          this.raced = true;
          await super.partialUpdate(
            index,
            objectID,
            {
              privacy: 'private',
              visible_to: [owner],
              last_mutation_id: winner,
              version: { _operation: 'IncrementFrom', value: 1 },
            },
            false,
          );
        }
        await super.partialUpdate(index, objectID, attributes, create);
        if (objectID === dream) observed.push((await this.get(index, objectID))?.visible_to);
      }
    }
    const result = await reindexVisibility(new Racing(h.admin), 'test_');
    expect(result.skipped).toEqual([]);
    const d = await raw('dreams', dream);
    // The stale group token computed from version 1 was not written over the private version 2.
    expect(d).toMatchObject({
      privacy: 'private',
      visible_to: [owner],
      version: 2,
      last_mutation_id: winner,
    });
    expect(await graceFinds(dream)).toBe(false);
    expect(observed.length).toBeGreaterThan(0);
    for (const v of observed) expect(v).toEqual([owner]);
  });

  it('runs as the operator command `reindex-visibility`', async () => {
    const dream = randomUUID();
    expect(
      (
        await h.call('PUT', `/v1/records/dreams/${dream}`, {
          token: ada,
          body: { record: dreamInput({ privacy: 'group', group_ids: [gid] }), mutationId: randomUUID() },
        })
      ).status,
    ).toBe(201);
    await downgrade('dreams', dream);
    const cwd = resolve(dirname(fileURLToPath(import.meta.url)), '..');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'reindex-visibility'],
      {
        cwd,
        env: {
          ...process.env,
          ALGOLIA_APP_ID: h.config.algolia.appId,
          ALGOLIA_ADMIN_KEY: h.config.algolia.adminKey,
          ALGOLIA_HOSTS: h.engine.url,
          INDEX_PREFIX: 'test_',
        },
      },
    );
    expect(stdout).toMatch(
      /^checked \d+ records; rewrote visible_to of dreams 1, things 0, stories 0, groups 0, profiles_public 0; skipped 0\n$/,
    );
    expect(await graceFinds(dream)).toBe(true);
  });
});
