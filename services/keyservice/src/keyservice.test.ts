/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- HTTP replies are probed as untyped JSON in assertions */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READER_HIDDEN_ATTRIBUTES, indexName, profileObjectId } from '@newdreamflow/domain';
import { dreamInput, startHarness, type Harness } from '../test/harness';

// The key service end to end: real engine, real dev IdP, real tokens, HTTP only.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('basics', () => {
  it('answers healthz without a token', async () => {
    const r = await h.call('GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ok' });
  });

  it('refuses tokens in the query string even when valid', async () => {
    const token = await h.token('ada');
    const r = await h.call('POST', `/v1/search-key?access_token=${token}`);
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('unauthorized');
  });

  it('answers 401 in the error envelope with WWW-Authenticate', async () => {
    const r = await h.call('POST', '/v1/search-key');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(r.json).toMatchObject({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('mints a secured key with exact indices, TTL and hosts', async () => {
    const { key } = await h.searchAs('ada');
    expect(key.appId).toBe('NDFTEST');
    expect(key.hosts).toEqual([h.engine.url]);
    expect(key.indices).toContain('test_dreams');
    expect(key.indices).toContain('test_dreams_created_at_desc');
    const now = Math.floor(Date.now() / 1000);
    expect(key.validUntil).toBeGreaterThan(now);
    expect(key.validUntil).toBeLessThanOrEqual(now + 900 + 1);
    const decoded = Buffer.from(key.searchKey, 'base64').toString('utf8').slice(64);
    const params = new URLSearchParams(decoded);
    expect(params.get('filters')).toContain(`visible_to:"user:${h.sub('ada')}"`);
    expect(params.get('userToken')).toMatch(/^u_[A-Za-z0-9_-]+$/);
  });
});

describe('create, read, search', () => {
  it('creates a dream, computes ACL/author/timestamps, and the owner finds it', async () => {
    const token = await h.token('ada');
    const id = randomUUID();
    const mutationId = randomUUID();
    const r = await h.call('PUT', `/v1/records/dreams/${id}`, {
      token,
      body: { record: dreamInput({ visible_to: undefined }), mutationId },
    });
    expect(r.status).toBe(201);
    expect(r.json.record).toMatchObject({
      objectID: id,
      user_id: h.sub('ada'),
      version: 1,
      last_mutation_id: mutationId,
      visible_to: [`user:${h.sub('ada')}`],
      author: { user_id: h.sub('ada'), display_name: 'Ada Lovelace' },
      trashed: false,
    });
    const read = await h.call('GET', `/v1/records/test_dreams/${id}`, { token });
    expect(read.status).toBe(200);
    expect(read.json.record.title).toBe('Flying over the sea');
    const { client } = await h.searchAs('ada');
    const res = await client.search({
      requests: [{ indexName: 'test_dreams', query: 'flying', filters: `objectID:${id}` }],
    });
    const first = res.results[0] as { hits: Array<{ objectID: string; visible_to?: unknown }> };
    expect(first.hits.map((x) => x.objectID)).toEqual([id]);
    expect(first.hits[0]?.visible_to).toBeUndefined();
  });

  it('refuses client-supplied ACL and server fields (400 with field errors)', async () => {
    const token = await h.token('ada');
    const r = await h.call('PUT', `/v1/records/dreams/${randomUUID()}`, {
      token,
      body: {
        record: dreamInput({ visible_to: ['community'], user_id: h.sub('grace') }),
        mutationId: randomUUID(),
      },
    });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_request');
    expect(JSON.stringify(r.json.error.details.fields)).toMatch(/visible_to|user_id/);
  });

  it('answers 413 for a record over the size limit', async () => {
    const token = await h.token('ada');
    const r = await h.call('PUT', `/v1/records/dreams/${randomUUID()}`, {
      token,
      body: { record: dreamInput({ description: 'x'.repeat(20_000) }), mutationId: randomUUID() },
    });
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe('payload_too_large');
  });

  it('hides who else can see a record (READER_HIDDEN_ATTRIBUTES) from every reader but the owner', async () => {
    const ada = await h.token('ada');
    const gid = randomUUID();
    expect(
      (
        await h.call('PUT', `/v1/records/groups/${gid}`, {
          token: ada,
          body: { record: { name: 'Kept choice' }, mutationId: randomUUID() },
        })
      ).status,
    ).toBe(201);
    // A community dream that keeps its group choice (for switching back) and a direct share.
    const id = randomUUID();
    const record = dreamInput({
      privacy: 'community',
      group_ids: [gid],
      shared_with_user_ids: [h.sub('grace')],
    });
    expect(
      (
        await h.call('PUT', `/v1/records/dreams/${id}`, {
          token: ada,
          body: { record, mutationId: randomUUID() },
        })
      ).status,
    ).toBe(201);
    const own = await h.call('GET', `/v1/records/dreams/${id}`, { token: ada });
    expect(own.json.record).toMatchObject({
      group_ids: [gid],
      shared_with_user_ids: [h.sub('grace')],
      visible_to: expect.any(Array),
    });
    for (const reader of ['grace', 'linus']) {
      const r = await h.call('GET', `/v1/records/dreams/${id}`, { token: await h.token(reader) });
      expect(r.status).toBe(200);
      for (const attribute of READER_HIDDEN_ATTRIBUTES)
        expect(r.json.record, `${reader}: ${attribute}`).not.toHaveProperty(attribute);
      expect(r.json.record.title).toBe('Flying over the sea');
    }
  });

  it('answers 404 for a record that exists but is not visible', async () => {
    const id = randomUUID();
    const c = await h.call('PUT', `/v1/records/dreams/${id}`, {
      token: await h.token('ada'),
      body: { record: dreamInput(), mutationId: randomUUID() },
    });
    expect(c.status).toBe(201);
    const r = await h.call('GET', `/v1/records/dreams/${id}`, { token: await h.token('grace') });
    expect(r.status).toBe(404);
  });

  it('uses the public profile for the author once it exists', async () => {
    const token = await h.token('grace');
    const pid = profileObjectId(h.sub('grace'));
    const p = await h.call('PUT', `/v1/records/profiles_public/${pid}`, {
      token,
      body: { record: { display_name: 'Rear Admiral Grace' }, mutationId: randomUUID() },
    });
    expect(p.status).toBe(201);
    const d = await h.call('PUT', `/v1/records/things/${randomUUID()}`, {
      token,
      body: { record: { title: 'COBOL', thing_date: 1_700_000_000 }, mutationId: randomUUID() },
    });
    expect(d.status).toBe(201);
    expect(d.json.record.author.display_name).toBe('Rear Admiral Grace');
    // Nobody else's profile id.
    const other = await h.call('PUT', `/v1/records/profiles_public/${profileObjectId(h.sub('ada'))}`, {
      token,
      body: { record: { display_name: 'Not Ada' }, mutationId: randomUUID() },
    });
    expect(other.status).toBe(403);
    expect(indexName('test_', 'profiles_public')).toBe('test_profiles_public');
  });
});
