import {
  computeVisibleTo,
  groupVisibleTo,
  indexName,
  privacySchema,
  profileVisibleTo,
  storyChunkObjectIds,
  type BaseIndex,
} from '@newdreamflow/domain';
import type { BatchWrite, RecordStore, StoredObject } from './gateway/record-store';
import { silentLogger, type Logger } from './logger';

/** Indices whose records carry a `visible_to` the domain computes and a `version` to guard it. */
const REINDEXED = [
  'dreams',
  'things',
  'stories',
  'groups',
  'profiles_public',
] as const satisfies readonly BaseIndex[];

/** What a `reindex-visibility` run found and did. */
export interface ReindexResult {
  /** Records examined (story body chunks count with their story). */
  checked: number;
  /** Records whose `visible_to` (or whose chunks' `visible_to`) was rewritten, per index. */
  rewritten: Record<(typeof REINDEXED)[number], number>;
  /** Records left alone because their `visible_to` cannot be computed (malformed fields). */
  skipped: Array<{ index: string; objectID: string; reason: string }>;
}

/** Attributes the run needs (browsing only these keeps memory small on large indices). */
const ATTRIBUTES = [
  'objectID',
  'user_id',
  'owner_id',
  'privacy',
  'group_ids',
  'shared_with_user_ids',
  'trashed',
  'visible_to',
  'version',
  'last_mutation_id',
  'record_type',
  'story_id',
  'story_version',
  'body_chunk_count',
];

/** How often one record is re-examined when writes keep landing on it during the run. */
const MAX_ATTEMPTS = 8;

/**
 * Rewrites `visible_to` of every record whose stored tokens differ from what the domain computes
 * now — needed once after a change of the token format (e.g. `group:<uuid>` → `g_<hash>`), since
 * secured keys filter with the new tokens, or of the rule (trashed records seen by their owner
 * alone). Idempotent: a second run rewrites nothing.
 *
 * Safe against concurrent writes: each rewrite is a partial update guarded by
 * `version: IncrementFrom(v)`, so it applies only to the exact version that was examined (a write
 * that landed in between makes it a no-op, and the record is examined again). The version moves
 * by one; `last_mutation_id` and `updated_at` stay, so a retry of the last mutation is still
 * "already applied" while an edit based on the old version gets a 409 with the current record.
 * A story's body chunks repeat its ACL: after the story's rewrite they are re-stamped with
 * `story_version: IncrementSet(v + 1)` (only chunks that were at the story's version, so a newer
 * chunk is never overwritten and a stale one is never promoted).
 * Patterns carry only their owner's `user:` token and are not touched.
 */
export async function reindexVisibility(
  store: RecordStore,
  prefix: string,
  logger: Logger = silentLogger,
): Promise<ReindexResult> {
  const result: ReindexResult = {
    checked: 0,
    rewritten: { dreams: 0, things: 0, stories: 0, groups: 0, profiles_public: 0 },
    skipped: [],
  };
  for (const index of REINDEXED) {
    const name = indexName(prefix, index);
    const records = await store.browse(name, '', ATTRIBUTES);
    for (const first of records) {
      if (first.record_type === 'story_body_chunk') continue;
      result.checked += 1;
      let record: StoredObject | null = first;
      for (let attempt = 0; record && attempt < MAX_ATTEMPTS; attempt++) {
        const expected = expectedVisibleTo(index, record);
        if (typeof expected === 'string') {
          result.skipped.push({ index, objectID: record.objectID, reason: expected });
          logger.warn('reindex.skipped', { index, objectID: record.objectID, reason: expected });
          break;
        }
        const chunks = index === 'stories' ? await chunksOf(store, name, record) : [];
        const chunksStale = chunks.some(
          (c) => c.story_version === record?.version && !sameTokens(c.visible_to, expected),
        );
        if (sameTokens(record.visible_to, expected) && !chunksStale) break;
        const version = record.version as number;
        await store.partialUpdate(
          name,
          record.objectID,
          { visible_to: expected, version: { _operation: 'IncrementFrom', value: version } },
          false,
        );
        const after = await store.get(name, record.objectID);
        // Ours applied iff the version moved by one and no writer's mutation id replaced the examined one.
        const applied =
          after !== null &&
          after.version === version + 1 &&
          after.last_mutation_id === record.last_mutation_id;
        if (!applied) {
          record = after;
          continue;
        }
        const requests = chunks
          .filter((c) => c.story_version === version)
          .map((c): BatchWrite => ({
            action: 'partialUpdateObjectNoCreate',
            body: {
              objectID: c.objectID,
              visible_to: expected,
              story_version: { _operation: 'IncrementSet', value: version + 1 },
            },
          }));
        if (requests.length > 0) await store.batch(name, requests);
        result.rewritten[index] += 1;
        logger.info('reindex.rewritten', { index, objectID: record.objectID, chunks: requests.length });
        break;
      }
    }
  }
  return result;
}

/** The `visible_to` the domain computes for a record, or why it cannot. */
function expectedVisibleTo(index: (typeof REINDEXED)[number], r: StoredObject): string[] | string {
  if (typeof r.version !== 'number' || !Number.isSafeInteger(r.version) || r.version < 1)
    return 'no valid version';
  try {
    switch (index) {
      case 'groups':
        return groupVisibleTo({ objectID: r.objectID, owner_id: String(r.owner_id) });
      case 'profiles_public':
        return profileVisibleTo(String(r.user_id));
      default:
        return computeVisibleTo({
          user_id: String(r.user_id),
          privacy: privacySchema.parse(r.privacy),
          group_ids: stringArray(r.group_ids),
          shared_with_user_ids: stringArray(r.shared_with_user_ids),
          trashed: r.trashed === true,
        });
    }
  } catch (error) {
    return `visible_to cannot be computed: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`;
  }
}

function stringArray(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new TypeError('expected an array of strings');
  return value;
}

function sameTokens(stored: unknown, expected: readonly string[]): boolean {
  return (
    Array.isArray(stored) && stored.length === expected.length && expected.every((t, i) => stored[i] === t)
  );
}

/** The body chunks of a story's current chunk count (missing ones left out). */
async function chunksOf(store: RecordStore, name: string, story: StoredObject): Promise<StoredObject[]> {
  const count = typeof story.body_chunk_count === 'number' ? story.body_chunk_count : 1;
  return (await store.getMany(name, storyChunkObjectIds(story.objectID, count))).filter(
    (c): c is StoredObject => c !== null,
  );
}
