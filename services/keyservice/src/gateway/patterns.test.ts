import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternObjectId, rebuildPatterns } from '@newdreamflow/domain';
import { dreamInput, startHarness, type Harness } from '../../test/harness';
import { silentLogger } from '../logger';
import { PatternMaintainer } from './patterns';
import { RecordStore, type StoredObject } from './record-store';

// When the bounded pattern records cannot be updated exactly, the maintainer rebuilds the
// affected patterns from the user's entries. Those entries must include the version of the entry
// that was just written — never a stale one — with the engine publishing writes late too.

let h: Harness;
let token: string;
const me = (): string => h.sub('linus');

beforeAll(async () => {
  h = await startHarness({ indexingDelayMs: 30 });
  token = await h.token('linus');
});
afterAll(async () => {
  await h.close();
});

async function dropPattern(kind: 'tag', value: string): Promise<void> {
  await new RecordStore(h.admin).delete('test_patterns', patternObjectId(me(), kind, value));
}

const coOf = async (value: string): Promise<string[] | undefined> =>
  (await h.ks.patterns.patternsOf(me()))
    .find((p) => p.kind === 'tag' && p.value === value)
    ?.co_occurrences.map((c) => c.value)
    .sort();

describe('pattern rebuilds see the entry just written', () => {
  it('through the gateway, with indexingDelayMs > 0', async () => {
    const id = randomUUID();
    const created = await h.call('PUT', `/v1/records/dreams/${id}`, {
      token,
      body: { record: dreamInput({ tags: ['lamp', 'moth'], themes: [] }), mutationId: randomUUID() },
    });
    expect(created.status).toBe(201);
    // A lost pattern record: the next change of an entry that had `lamp` must rebuild it.
    await dropPattern('tag', 'lamp');
    const r = await h.call('PATCH', `/v1/records/dreams/${id}`, {
      token,
      body: { changes: { tags: ['lamp', 'wick'] }, baseVersion: 1, mutationId: randomUUID() },
    });
    expect(r.status).toBe(200);
    expect(await coOf('lamp')).toEqual(['wick']);
    expect(await h.ks.patterns.patternsOf(me())).toEqual(
      rebuildPatterns(await h.ks.patterns.entriesOf(me())),
    );
  });

  it('even when the store’s browse still returns the previous version of the entry', async () => {
    const id = randomUUID();
    const created = await h.call('PUT', `/v1/records/dreams/${id}`, {
      token,
      body: { record: dreamInput({ tags: ['kite', 'string'], themes: [] }), mutationId: randomUUID() },
    });
    expect(created.status).toBe(201);
    const before = created.json as { record: StoredObject };
    // Browses answer from this snapshot: the entry as it was before the write below.
    const snapshot = await new RecordStore(h.admin).browse('test_dreams', '');
    class LaggingStore extends RecordStore {
      override async browse(
        indexName: string,
        filters: string,
        attributes?: readonly string[],
      ): Promise<StoredObject[]> {
        return indexName === 'test_dreams'
          ? snapshot.filter((r) => r.user_id === me())
          : super.browse(indexName, filters, attributes);
      }
    }
    await dropPattern('tag', 'kite');
    // The write itself, straight to the index (the gateway's own maintainer stays out of it).
    const after: StoredObject = {
      ...before.record,
      tags: ['kite', 'wind'],
      version: 2,
      last_mutation_id: randomUUID(),
    };
    await new RecordStore(h.admin).partialUpdate('test_dreams', id, after, false);
    await new PatternMaintainer(new LaggingStore(h.admin), 'test_', silentLogger).onEntryChanged(
      'dreams',
      before.record,
      after,
    );
    // Rebuilt from the new version (kite + wind), not the snapshot's (kite + string).
    expect(await coOf('kite')).toEqual(['wind']);
    expect((await h.ks.patterns.patternsOf(me())).find((p) => p.value === 'kite')).toEqual(
      rebuildPatterns(await h.ks.patterns.entriesOf(me())).find((p) => p.value === 'kite'),
    );
  });
});
