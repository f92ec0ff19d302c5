/* eslint-disable @typescript-eslint/no-unsafe-member-access -- HTTP replies are probed as untyped JSON in assertions */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dreamInput, startHarness, type Harness } from '../test/harness';

// Requests shaped to get around the per-user budget or to trip the error handler.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ rateLimit: { perMinute: 6, burst: 5 } });
});
afterAll(async () => {
  await h.close();
});

const createItem = () => ({
  op: 'create',
  index: 'dreams',
  id: randomUUID(),
  record: dreamInput(),
  mutationId: randomUUID(),
});

describe('the per-user budget', () => {
  it('charges a mutation batch per item: a batch cannot carry more writes than the budget', async () => {
    const token = await h.token('ada');
    const batch = await h.call('POST', '/v1/mutations', {
      token,
      body: { mutations: Array.from({ length: 20 }, createItem) },
    });
    expect(batch.status).toBe(429);
    expect(Number(batch.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const written = await h.admin.searchSingleIndex({
      indexName: 'test_dreams',
      searchParams: { query: '', filters: `user_id:"${h.sub('ada')}"` },
    });
    expect(written.nbHits).toBe(0);
  });
});

describe('group membership routes', () => {
  it('takes the member id from the path as sent (decoded once), never a 500', async () => {
    const token = await h.token('grace');
    const id = randomUUID();
    const created = await h.call('PUT', `/v1/records/groups/${id}`, {
      token,
      body: { record: { name: 'percent' }, mutationId: randomUUID() },
    });
    expect(created.status).toBe(201);
    // `%25E0` is the id `%E0`: decoding it a second time throws (URIError).
    const odd = await h.call('DELETE', `/v1/groups/${id}/members/%25E0`, { token });
    expect(odd.status).toBe(200);
    const added = await h.call('POST', `/v1/groups/${id}/members`, { token, body: { user_id: 'a@b' } });
    expect(added.status).toBe(200);
    // `a%2540b` names the id `a%40b`, not `a@b`: nothing to remove.
    const other = await h.call('DELETE', `/v1/groups/${id}/members/a%2540b`, { token });
    expect(other.status).toBe(200);
    expect(other.json.record.member_user_ids).toContain('a@b');
  });
});
