import { DEFAULT_RECORD_LIMIT_BYTES } from '../limits';
import { splitStoryBody } from '../story-body';
import { computeVisibleTo } from '../visibility';
import { recordMutationId, type Author } from './common';
import type { Dream, DreamChanges, DreamCreate, Thing, ThingChanges, ThingCreate } from './entry';
import type { Story, StoryBodyChunk, StoryChanges, StoryCreate, ThingPreview } from './story';

/**
 * Pure assembly of stored records from validated client input plus the server-computed fields —
 * what the key service (and seeding, and the migration) write. Inputs must already be parsed by the
 * matching input schema; the results satisfy the stored schemas.
 */

/** Server-side facts of a create. */
export interface CreateStamp {
  /** objectID chosen by the client (validated with `newObjectIdSchema`) or derived by the migration. */
  objectID: string;
  /** The caller's author block (`author.user_id` is the owner). */
  author: Author;
  /** Unix seconds of the write. */
  now: number;
  /** The request's mutation id. */
  mutationId: string;
}

/** Server-side facts of an update. */
export interface UpdateStamp {
  /** Unix seconds of the write. */
  now: number;
  /** The request's mutation id. */
  mutationId: string;
}

/** Server-computed fields of a new record; `visible_to` is filled in by {@link withAcl}. */
function base(stamp: CreateStamp) {
  return {
    objectID: stamp.objectID,
    user_id: stamp.author.user_id,
    author: stamp.author,
    visible_to: [] as string[],
    created_at: stamp.now,
    updated_at: stamp.now,
    version: 1,
    last_mutation_id: stamp.mutationId,
    recent_mutation_ids: [stamp.mutationId],
    trashed: false,
  };
}

/** Drops the owner from its own share list and computes `visible_to`. */
function withAcl<
  T extends Pick<Dream, 'user_id' | 'privacy' | 'group_ids' | 'shared_with_user_ids' | 'visible_to'>,
>(r: T): T {
  r.shared_with_user_ids = r.shared_with_user_ids.filter((id) => id !== r.user_id);
  r.visible_to = computeVisibleTo(r);
  return r;
}

/** A new dream record (version 1). */
export function assembleDream(input: DreamCreate, stamp: CreateStamp): Dream {
  return withAcl({ ...base(stamp), ...input });
}

/** A new thing record (version 1). */
export function assembleThing(input: ThingCreate, stamp: CreateStamp): Thing {
  return withAcl({ ...base(stamp), ...input });
}

/**
 * A new story (version 1) and its body chunks. `thingsPreview` comes from `buildThingsPreview` over
 * the things the author can read.
 */
export function assembleStory(
  input: StoryCreate,
  stamp: CreateStamp,
  thingsPreview: ThingPreview[],
  limitBytes: number = DEFAULT_RECORD_LIMIT_BYTES,
): { story: Story; chunks: StoryBodyChunk[] } {
  const { body, ...rest } = input;
  const story: Story = withAcl({
    ...base(stamp),
    ...rest,
    record_type: 'story' as const,
    story_id: stamp.objectID,
    things_preview: thingsPreview,
    body_chunk_count: 1,
  });
  const chunks = splitStoryBody(story, body, limitBytes);
  story.body_chunk_count = chunks.length;
  return { story, chunks };
}

function bump<T extends Dream | Thing | Story>(current: T, changes: object, stamp: UpdateStamp): T {
  const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  return withAcl({
    ...current,
    ...defined,
    version: current.version + 1,
    updated_at: Math.max(current.updated_at, stamp.now),
    last_mutation_id: stamp.mutationId,
    recent_mutation_ids: recordMutationId(current, stamp.mutationId),
  });
}

/** The dream after an accepted update: changes applied, version + 1, ACL recomputed. */
export function applyDreamChanges(current: Dream, changes: DreamChanges, stamp: UpdateStamp): Dream {
  return bump(current, changes, stamp);
}

/** The thing after an accepted update. */
export function applyThingChanges(current: Thing, changes: ThingChanges, stamp: UpdateStamp): Thing {
  return bump(current, changes, stamp);
}

/**
 * The story after an accepted update, and its new chunks. Pass the current body (joined from the
 * stored chunks) so ACL or title changes re-stamp every chunk; pass `thingsPreview` when
 * `thing_ids` changed. Chunks with index ≥ the new count are stale: delete them
 * (`storyChunkObjectIds(story.objectID, oldCount, newCount)`).
 */
export function applyStoryChanges(
  current: Story,
  currentBody: string,
  changes: StoryChanges,
  stamp: UpdateStamp,
  thingsPreview: ThingPreview[] = current.things_preview,
  limitBytes: number = DEFAULT_RECORD_LIMIT_BYTES,
): { story: Story; chunks: StoryBodyChunk[] } {
  const { body, ...rest } = changes;
  const story = bump(current, rest, stamp);
  story.things_preview = thingsPreview;
  const chunks = splitStoryBody(story, body ?? currentBody, limitBytes);
  story.body_chunk_count = chunks.length;
  return { story, chunks };
}
