import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import {
  BASE_INDICES,
  LIMITS,
  READER_HIDDEN_ATTRIBUTES,
  RecordTooLargeError,
  SERVICE_BOOKKEEPING_ATTRIBUTES,
  assertRecordSize,
  baseIndexSchema,
  applyDreamChanges,
  applyStoryChanges,
  applyThingChanges,
  assembleDream,
  assembleStory,
  assembleThing,
  buildThingsPreview,
  computeVisibleTo,
  dreamChangesSchema,
  dreamCreateInputSchema,
  dreamSchema,
  groupChangesSchema,
  groupCreateInputSchema,
  groupMemberInputSchema,
  groupSchema,
  groupToken,
  groupVisibleTo,
  hasAppliedMutation,
  indexName,
  retiredIdsIndexName,
  isGroupToken,
  joinStoryBody,
  mutationIdSchema,
  newObjectIdSchema,
  objectIdSchema,
  parseIndexName,
  profileChangesSchema,
  profileCreateInputSchema,
  profileObjectId,
  profilePublicSchema,
  profileVisibleTo,
  quoteFilterValue,
  recordMutationId,
  recordSizeBytes,
  splitStoryBody,
  storyChangesSchema,
  storyChunkObjectId,
  storyChunkObjectIds,
  storyCreateInputSchema,
  storySchema,
  StoryBodyError,
  thingChangesSchema,
  thingCreateInputSchema,
  thingSchema,
  userIdSchema,
  userToken,
  versionSchema,
  COMMUNITY_TOKEN,
  type BaseIndex,
  type DreamCreate,
  type MutationBookkeeping,
  type StoryBodyChunk,
  type StoryCreate,
  type ThingCreate,
} from '@newdreamflow/domain';
import type { Caller } from '../auth/token-verifier';
import { ApiError } from '../errors';
import type { Logger } from '../logger';
import { authorOf } from './author';
import type { PatternMaintainer } from './patterns';
import type { BatchWrite, RecordStore, StoredObject } from './record-store';
import { fieldErrors, parseOr400 } from './validation';

/** A successful write: the HTTP status and JSON body to answer. */
export interface WriteResult {
  status: 200 | 201;
  body: Record<string, unknown>;
}

/** The result of one item of `POST /v1/mutations`. */
export type MutationResult = { status: number; body: unknown };

/** The write gateway and permission-checked reads (the HTTP layer only routes to it). */
export interface Gateway {
  read(caller: Caller, index: string, id: string): Promise<StoredObject>;
  create(caller: Caller, index: string, id: string, body: unknown): Promise<WriteResult>;
  update(caller: Caller, index: string, id: string, body: unknown): Promise<WriteResult>;
  remove(caller: Caller, index: string, id: string, body: unknown): Promise<WriteResult>;
  mutations(caller: Caller, body: unknown): Promise<{ results: MutationResult[] }>;
  addMember(caller: Caller, groupId: string, body: unknown): Promise<WriteResult>;
  removeMember(caller: Caller, groupId: string, userId: string): Promise<WriteResult>;
  /** Ids of the groups `userId` is a member of (owner included). */
  groupIdsOf(userId: string): Promise<string[]>;
  /** The groups `userId`'s search key covers: all, or past the limit, owned then oldest first. */
  searchKeyGroupsOf(userId: string): Promise<string[]>;
}

/** Dependencies of {@link createGateway}. */
export interface GatewayOptions {
  store: RecordStore;
  patterns: PatternMaintainer;
  indexPrefix: string;
  maxRecordBytes: number;
  logger: Logger;
  /** Unix seconds (injectable for tests). */
  now?: () => number;
}

const createBody = z.strictObject({ record: z.unknown(), mutationId: mutationIdSchema });
const updateBody = z.strictObject({
  changes: z.unknown(),
  baseVersion: versionSchema,
  mutationId: mutationIdSchema,
});
const deleteBody = z.strictObject({ baseVersion: versionSchema, mutationId: mutationIdSchema });
const mutationItem = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('create'),
    index: z.string(),
    id: z.string(),
    record: z.unknown(),
    mutationId: mutationIdSchema,
  }),
  z.strictObject({
    op: z.literal('update'),
    index: z.string(),
    id: z.string(),
    changes: z.unknown(),
    baseVersion: versionSchema,
    mutationId: mutationIdSchema,
  }),
  z.strictObject({
    op: z.literal('delete'),
    index: z.string(),
    id: z.string(),
    baseVersion: versionSchema,
    mutationId: mutationIdSchema,
  }),
]);
/** Most mutations accepted in one `POST /v1/mutations`. */
export const MAX_MUTATIONS_PER_BATCH = 100;
const mutationsBody = z.strictObject({
  mutations: z.array(mutationItem).min(1).max(MAX_MUTATIONS_PER_BATCH),
});

/** Indices written through the record routes (patterns are derived; chunks follow their story). */
type WritableIndex = 'dreams' | 'things' | 'stories' | 'groups' | 'profiles_public';
const WRITABLE = new Set<BaseIndex>(['dreams', 'things', 'stories', 'groups', 'profiles_public']);

const storedSchemas = {
  dreams: dreamSchema,
  things: thingSchema,
  stories: storySchema,
  groups: groupSchema,
  profiles_public: profilePublicSchema,
} as const;

/** A record about to be written, with what else the write implies. */
interface Prepared {
  record: StoredObject;
  /** Stories: the body chunk records to write once the main record is applied. */
  chunks?: StoryBodyChunk[];
}

/** Bytes kept free under the record limit for the operation objects of a versioned write. */
const WRITE_HEADROOM_BYTES = 96;

/** What a preview refresh reads of each story. */
const STORY_PREVIEW_ATTRIBUTES = [
  'objectID',
  'record_type',
  'user_id',
  'thing_ids',
  'visible_to',
  'things_preview',
  'preview_version',
];

const conflict = (
  current: StoredObject | null,
  message = 'the record has changed since the version you edited',
): ApiError => new ApiError('conflict', message, { current });
const forbidden = (message = 'only the owner may change this record'): ApiError =>
  new ApiError('forbidden', message);
const notFound = (): ApiError => new ApiError('not_found', 'no such record');

/**
 * Creates the write gateway: validation with the domain schemas, ownership, computed ACL and
 * denormalized fields, versioned writes (`IncrementFrom` on `version` + `last_mutation_id`,
 * read back after the task is published), story chunks, pattern maintenance and write logs.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { store, patterns, logger, maxRecordBytes } = options;
  const prefix = options.indexPrefix;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const nameOf = (index: BaseIndex): string => indexName(prefix, index);
  // Chunks are written as partial updates whose `story_version` is an IncrementSet operation
  // (~40 bytes longer than the number); engines may size the request body rather than the
  // resulting record, so leave that much headroom.
  const chunkLimitBytes = maxRecordBytes - 64;
  // Likewise a versioned write's body carries `version` (and a story's `preview_version`) as
  // operation objects instead of numbers: a record within ~80 bytes of the limit was refused by
  // the engine (an opaque 500) after passing our check.
  const recordLimitBytes = maxRecordBytes - WRITE_HEADROOM_BYTES;

  /**
   * The idempotency window gives way to the record size limit: the oldest mutation ids are dropped
   * (down to the last one) rather than refusing a write of a record that is full of content.
   */
  function fitRecentMutations(record: StoredObject): StoredObject {
    const recent = Array.isArray(record.recent_mutation_ids)
      ? [...(record.recent_mutation_ids as string[])]
      : undefined;
    if (!recent) return record;
    const out = { ...record, recent_mutation_ids: recent };
    while (recent.length > 1 && recordSizeBytes(out) > recordLimitBytes) recent.shift();
    return out;
  }

  function resolveIndex(param: string): BaseIndex {
    const parsed = parseIndexName(prefix, param);
    if (parsed && !parsed.replica) return parsed.index;
    const base = baseIndexSchema.safeParse(param);
    if (base.success) return base.data;
    throw new ApiError('not_found', `no such index: ${param}`);
  }

  function writable(index: BaseIndex): WritableIndex {
    if (!WRITABLE.has(index))
      throw new ApiError('forbidden', `${index} records are maintained by the service and cannot be written`);
    return index as WritableIndex;
  }

  function validateStored(index: WritableIndex, record: StoredObject, where: string): void {
    const result = storedSchemas[index].safeParse(record);
    if (!result.success) {
      throw new ApiError('invalid_request', 'the resulting record is invalid', {
        fields: fieldErrors(result.error, [where]),
      });
    }
    try {
      assertRecordSize(record, recordLimitBytes, nameOf(index));
    } catch (error) {
      if (error instanceof RecordTooLargeError) {
        throw new ApiError('payload_too_large', error.message, {
          sizeBytes: error.sizeBytes,
          limitBytes: error.limitBytes,
        });
      }
      throw error;
    }
  }

  async function groupIdsOf(userId: string): Promise<string[]> {
    const hits = await store.browse(nameOf('groups'), `member_user_ids:${quoteFilterValue(userId)}`, [
      'objectID',
      'member_user_ids',
    ]);
    // Facet matching ignores case; user ids do not.
    return hits
      .filter((g) => Array.isArray(g.member_user_ids) && (g.member_user_ids as unknown[]).includes(userId))
      .map((g) => g.objectID)
      .sort();
  }

  /**
   * The groups a search key covers: every group `userId` is in, or, past the limit of a key
   * (others can add anyone to their groups), the groups the user owns, then the oldest, so a
   * flood of groups never takes a user's own away nor fails their key.
   */
  async function searchKeyGroupsOf(userId: string): Promise<string[]> {
    const hits = await store.browse(nameOf('groups'), `member_user_ids:${quoteFilterValue(userId)}`, [
      'objectID',
      'owner_id',
      'created_at',
      'member_user_ids',
    ]);
    const mine = hits.filter(
      (g) => Array.isArray(g.member_user_ids) && (g.member_user_ids as unknown[]).includes(userId),
    );
    if (mine.length > LIMITS.groupsPerUser) {
      logger.warn('search-key.groups-capped', { user: userId, groups: mine.length });
      const rank = (g: StoredObject): number => (g.owner_id === userId ? 0 : 1);
      mine.sort(
        (a, b) =>
          rank(a) - rank(b) ||
          Number(a.created_at) - Number(b.created_at) ||
          a.objectID.localeCompare(b.objectID),
      );
    }
    return mine
      .slice(0, LIMITS.groupsPerUser)
      .map((g) => g.objectID)
      .sort();
  }

  const retiredName = retiredIdsIndexName(prefix);
  /** Indices whose deleted ids are retired (a profile's id is its owner's, and stays theirs). */
  const retires = (index: WritableIndex): boolean => index !== 'profiles_public';
  const retiredId = (index: WritableIndex, id: string): string => `${index}:${id}`;

  /** Whether `id` was a record of `index` once and was deleted (see retiredIdsIndexName). */
  async function isRetired(index: WritableIndex, id: string): Promise<boolean> {
    return retires(index) && (await store.get(retiredName, retiredId(index, id))) !== null;
  }

  /** Retires `id` for good; done (and published) before the record is deleted. */
  async function retire(index: WritableIndex, id: string): Promise<void> {
    if (!retires(index)) return;
    await store.batch(retiredName, [
      { action: 'updateObject', body: { objectID: retiredId(index, id), retired_at: now() } },
    ]);
  }

  /** 403 naming the first of `groupIds` the caller is not a member of now (a missing group counts). */
  async function checkGroupMembership(caller: Caller, groupIds: readonly string[]): Promise<void> {
    if (groupIds.length === 0) return;
    const groups = await store.getMany(nameOf('groups'), groupIds);
    groupIds.forEach((id, i) => {
      const g = groups[i];
      const members = g && Array.isArray(g.member_user_ids) ? (g.member_user_ids as unknown[]) : [];
      if (!members.includes(caller.userId))
        throw new ApiError('forbidden', `you are not a member of group ${id}`, { group_id: id });
    });
  }

  /**
   * The group rule of a content update. When the result shares with groups (`privacy: group`), the
   * writer must be a member of *every* group it names now — ids already on the record included, so
   * someone who left (or was removed from) a group can neither switch a record back to it nor keep
   * pushing edits into it. The one exception is moving the record to the trash, which only narrows
   * who sees it. Under another privacy `group_ids` grant nothing (they are kept so switching back
   * restores the choice): only ids this write adds are checked, and stale ones stay inert until a
   * switch to `group` checks them.
   */
  async function checkGroupSharing(
    caller: Caller,
    next: { privacy: string; group_ids: readonly string[] },
    previous: readonly string[],
    changes: Record<string, unknown>,
  ): Promise<void> {
    const set = Object.entries(changes).filter(([, v]) => v !== undefined);
    const onlyTrashing = set.length === 1 && set[0]?.[0] === 'trashed' && set[0][1] === true;
    if (next.privacy === 'group' && !onlyTrashing) return checkGroupMembership(caller, next.group_ids);
    return checkGroupMembership(
      caller,
      next.group_ids.filter((g) => !previous.includes(g)),
    );
  }

  /**
   * The `things_preview` of a story: the things its writer may read *and* every reader of the story
   * may read (community things, or things whose `visible_to` covers the story's), so a story never
   * leaks a thing through its preview.
   */
  async function thingsPreview(
    writerId: string,
    thingIds: readonly string[],
    storyVisibleTo: readonly string[],
  ) {
    return previewFrom(await store.getMany(nameOf('things'), thingIds), writerId, thingIds, storyVisibleTo);
  }

  /** {@link thingsPreview} from things already read (`null`: missing), in any order. */
  function previewFrom(
    read: ReadonlyArray<StoredObject | null>,
    writerId: string,
    thingIds: readonly string[],
    storyVisibleTo: readonly string[],
  ) {
    const wanted = new Set(thingIds);
    const things = read.flatMap((t) => {
      if (!t || !wanted.has(t.objectID) || t.trashed === true || !Array.isArray(t.visible_to)) return [];
      const vis = t.visible_to as string[];
      const writerSees =
        t.user_id === writerId || vis.includes(COMMUNITY_TOKEN) || vis.includes(userToken(writerId));
      const everyReaderSees =
        vis.includes(COMMUNITY_TOKEN) || storyVisibleTo.every((tok) => vis.includes(tok));
      return writerSees && everyReaderSees
        ? [
            {
              objectID: t.objectID,
              title: String(t.title),
              image_urls: Array.isArray(t.image_urls) ? (t.image_urls as string[]) : [],
            },
          ]
        : [];
    });
    return buildThingsPreview(thingIds, things);
  }

  /**
   * Recomputes stored stories' `things_preview` from the things as they are now and writes those
   * that changed, guarded by `preview_version: IncrementFrom(p)` (every story write bumps it too),
   * so a refresh computed from an older story never lands over a newer write; `version` is left
   * alone. Runs after every thing write (for each story naming the thing) and after every story
   * write (its preview was computed from things read before the write: a thing that changed in
   * between is caught by one of the two). All the stories go in one read of their things and one
   * batch, whatever their number: anyone may write stories naming someone's community thing, and
   * one write each would let them slow that writer's every edit down story by story.
   */
  async function refreshStoryPreviews(first: readonly StoredObject[]): Promise<void> {
    let stories = first.filter(
      (s) =>
        s.record_type === 'story' &&
        typeof s.user_id === 'string' &&
        Array.isArray(s.thing_ids) &&
        Array.isArray(s.visible_to),
    );
    for (let attempt = 0; stories.length > 0 && attempt < 8; attempt++) {
      const thingIds = [...new Set(stories.flatMap((s) => s.thing_ids as string[]))];
      const things = await store.getMany(nameOf('things'), thingIds);
      const changed = stories.flatMap((story) => {
        const preview = previewFrom(
          things,
          story.user_id as string,
          story.thing_ids as string[],
          story.visible_to as string[],
        );
        if (isDeepStrictEqual(preview, story.things_preview)) return [];
        const p = typeof story.preview_version === 'number' ? story.preview_version : 0;
        return [{ objectID: story.objectID, preview, p }];
      });
      if (changed.length === 0) return;
      await store.batch(
        nameOf('stories'),
        changed.map(({ objectID, preview, p }): BatchWrite => ({
          action: 'partialUpdateObjectNoCreate',
          body: {
            objectID,
            things_preview: preview,
            preview_version: { _operation: 'IncrementFrom', value: p },
          },
        })),
      );
      const after = await store.getMany(
        nameOf('stories'),
        changed.map((c) => c.objectID),
      );
      stories = [];
      changed.forEach(({ objectID, preview, p }, i) => {
        const story = after[i];
        if (!story) return; // deleted meanwhile
        if (story.preview_version === p + 1 && isDeepStrictEqual(story.things_preview, preview))
          logger.info('preview.refresh', { index: 'stories', objectID });
        // Another write landed first: computed again from the story as it is now.
        else stories.push(story);
      });
    }
    for (const story of stories)
      logger.warn('preview.refresh.gave_up', { index: 'stories', objectID: story.objectID });
  }

  async function refreshStoryPreview(story: StoredObject): Promise<void> {
    await refreshStoryPreviews([story]);
  }

  /** Refreshes the preview of every story (whoever owns it) that names `thingId`. */
  async function refreshPreviewsOf(thingId: string): Promise<void> {
    const stories = await store.browse(
      nameOf('stories'),
      `thing_ids:${quoteFilterValue(thingId)} AND record_type:story`,
      STORY_PREVIEW_ATTRIBUTES,
    );
    await refreshStoryPreviews(stories);
  }

  async function readStoryBody(story: StoredObject): Promise<string> {
    const count = typeof story.body_chunk_count === 'number' ? story.body_chunk_count : 1;
    const chunks = await store.getMany(nameOf('stories'), storyChunkObjectIds(story.objectID, count));
    if (chunks.some((c) => c === null))
      throw new ApiError('unavailable', 'the story body is being written; retry', null, 1);
    try {
      return joinStoryBody(chunks as unknown as StoryBodyChunk[]);
    } catch (error) {
      if (error instanceof StoryBodyError)
        throw new ApiError('unavailable', 'the story body is being written; retry', null, 1);
      throw error;
    }
  }

  /** Runs a domain function that splits a story body; a body that cannot fit becomes a 413. */
  function splitting<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof StoryBodyError) throw new ApiError('payload_too_large', error.message);
      throw error;
    }
  }

  /**
   * Writes a story's chunk records and deletes those past the new count. `story_version` only moves
   * forward (IncrementSet), so a slow writer of an older version never overwrites a newer chunk.
   */
  async function writeChunks(
    storyId: string,
    chunks: readonly StoryBodyChunk[],
    previousCount: number,
  ): Promise<void> {
    const requests: BatchWrite[] = chunks.map((c) => ({
      action: 'partialUpdateObject',
      body: { ...c, story_version: { _operation: 'IncrementSet', value: c.story_version } },
    }));
    for (const objectID of storyChunkObjectIds(storyId, previousCount, chunks.length)) {
      requests.push({ action: 'deleteObject', body: { objectID } });
    }
    await store.batch(nameOf('stories'), requests);
  }

  async function prepareCreate(
    caller: Caller,
    index: WritableIndex,
    id: string,
    raw: unknown,
    mutationId: string,
  ): Promise<Prepared> {
    const t = now();
    switch (index) {
      case 'dreams':
      case 'things':
      case 'stories': {
        const schema =
          index === 'dreams'
            ? dreamCreateInputSchema
            : index === 'things'
              ? thingCreateInputSchema
              : storyCreateInputSchema;
        const input = parseOr400(schema, raw, ['record'], 'the record');
        // Whatever the privacy: a record names only groups its writer belongs to.
        await checkGroupMembership(caller, input.group_ids);
        const stamp = {
          objectID: id,
          author: await authorOf(caller, store, nameOf('profiles_public')),
          now: t,
          mutationId,
        };
        if (index === 'dreams') return { record: asStored(assembleDream(input as DreamCreate, stamp)) };
        if (index === 'things') return { record: asStored(assembleThing(input as ThingCreate, stamp)) };
        const storyInput = input as StoryCreate;
        const visibleTo = computeVisibleTo({ ...storyInput, user_id: caller.userId });
        const preview = await thingsPreview(caller.userId, storyInput.thing_ids, visibleTo);
        const { story, chunks } = splitting(() => assembleStory(storyInput, stamp, preview, chunkLimitBytes));
        return { record: asStored(story), chunks };
      }
      case 'groups': {
        const input = parseOr400(groupCreateInputSchema, raw, ['record'], 'the record');
        if ((await groupIdsOf(caller.userId)).length >= LIMITS.groupsPerUser) {
          throw new ApiError('conflict', `you are already in ${LIMITS.groupsPerUser} groups`);
        }
        const owner = { objectID: id, owner_id: caller.userId };
        const base = {
          created_at: t,
          updated_at: t,
          version: 1,
          last_mutation_id: mutationId,
          recent_mutation_ids: [mutationId],
        };
        return {
          record: {
            ...base,
            user_id: caller.userId,
            ...owner,
            ...input,
            member_user_ids: [caller.userId],
            visible_to: groupVisibleTo(owner),
          },
        };
      }
      case 'profiles_public': {
        const input = parseOr400(profileCreateInputSchema, raw, ['record'], 'the record');
        const base = {
          objectID: id,
          created_at: t,
          updated_at: t,
          version: 1,
          last_mutation_id: mutationId,
          recent_mutation_ids: [mutationId],
        };
        return {
          record: { ...base, user_id: caller.userId, ...input, visible_to: profileVisibleTo(caller.userId) },
        };
      }
    }
  }

  async function prepareUpdate(
    caller: Caller,
    index: WritableIndex,
    current: StoredObject,
    raw: unknown,
    mutationId: string,
  ): Promise<Prepared> {
    const stamp = { now: Math.max(now(), Number(current.created_at)), mutationId };
    const bump = {
      updated_at: stamp.now,
      version: Number(current.version) + 1,
      last_mutation_id: mutationId,
      recent_mutation_ids: recordMutationId(bookkeeping(current), mutationId),
    };
    switch (index) {
      case 'dreams': {
        const changes = parseOr400(dreamChangesSchema, raw, ['changes'], 'the changes');
        const typed = storedAs(dreamSchema, current);
        const next = applyDreamChanges(typed, changes, stamp);
        await checkGroupSharing(caller, next, typed.group_ids, changes);
        return { record: asStored(next) };
      }
      case 'things': {
        const changes = parseOr400(thingChangesSchema, raw, ['changes'], 'the changes');
        const typed = storedAs(thingSchema, current);
        const next = applyThingChanges(typed, changes, stamp);
        await checkGroupSharing(caller, next, typed.group_ids, changes);
        return { record: asStored(next) };
      }
      case 'stories': {
        const changes = parseOr400(storyChangesSchema, raw, ['changes'], 'the changes');
        const typed = storedAs(storySchema, current);
        // Chunks repeat the story's ACL, title and trash flag, so every update re-stamps them all.
        const currentBody = changes.body ?? (await readStoryBody(current));
        const { body: _body, ...rest } = definedOnly(changes);
        const draft = { ...typed, ...rest };
        await checkGroupSharing(caller, draft, typed.group_ids, changes);
        const preview = await thingsPreview(caller.userId, draft.thing_ids, computeVisibleTo(draft));
        const { story, chunks } = splitting(() =>
          applyStoryChanges(
            typed,
            currentBody,
            { ...changes, body: currentBody },
            stamp,
            preview,
            chunkLimitBytes,
          ),
        );
        return { record: asStored(story), chunks };
      }
      case 'groups': {
        const changes = definedOnly(parseOr400(groupChangesSchema, raw, ['changes'], 'the changes'));
        return { record: { ...current, ...changes, ...bump } };
      }
      case 'profiles_public': {
        const changes = definedOnly(parseOr400(profileChangesSchema, raw, ['changes'], 'the changes'));
        return { record: { ...current, ...changes, ...bump } };
      }
    }
  }

  /** Partial update guarded by `IncrementFrom(expected)` on `version`, then the record as it is now. */
  async function versionedWrite(
    index: BaseIndex,
    record: StoredObject,
    expected: number,
    createIfNotExists: boolean,
  ): Promise<StoredObject | null> {
    const { objectID, version: _version, ...attributes } = record;
    const guarded: Record<string, unknown> = {
      ...attributes,
      version: { _operation: 'IncrementFrom', value: expected },
    };
    // Every story write moves the preview lock, so a preview refresh read before it is ignored.
    if (index === 'stories') guarded.preview_version = { _operation: 'Increment', value: 1 };
    await store.partialUpdate(nameOf(index), objectID, guarded, createIfNotExists);
    return store.get(nameOf(index), objectID);
  }

  /** After an applied write: chunks, patterns. Idempotent, so a retried mutation can repeat it. */
  async function afterWrite(
    index: WritableIndex,
    before: StoredObject | null,
    after: StoredObject,
    chunks: StoryBodyChunk[] | undefined,
  ): Promise<void> {
    if (index === 'stories' && chunks) {
      const previous = before && typeof before.body_chunk_count === 'number' ? before.body_chunk_count : 0;
      await writeChunks(after.objectID, chunks, previous);
    }
    if (index === 'dreams' || index === 'things') await patterns.onEntryChanged(index, before, after);
    if (index === 'things') await refreshPreviewsOf(after.objectID);
    if (index === 'stories') await refreshStoryPreview(after);
  }

  /** Chunks of a story whose mutation was applied but maybe not completed (a crash, a lost answer). */
  async function repairStory(story: StoredObject, requestBody: string | undefined): Promise<void> {
    const first = await store.get(nameOf('stories'), storyChunkObjectId(story.objectID, 0));
    if (first && first.story_version === story.version) return;
    const body = requestBody ?? (await readStoryBody(story).catch(() => undefined));
    if (body === undefined) return;
    // The previous version's chunk count is unknown here; chunks past the current count (if any) stay
    // behind with an older story_version and are ignored by reads.
    const chunks = splitting(() => splitStoryBody(storedAs(storySchema, story), body, chunkLimitBytes));
    await writeChunks(story.objectID, chunks, chunks.length);
  }

  async function logged<T>(
    caller: Caller,
    op: string,
    index: string,
    id: string,
    fn: () => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const fields = { user: caller.userId, op, index, objectID: id };
    try {
      const result = await fn();
      const status = (result as { status?: number }).status ?? 200;
      logger.info('write', {
        ...fields,
        outcome: 'ok',
        status,
        latencyMs: Math.round(performance.now() - started),
      });
      return result;
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 500;
      const outcome = error instanceof ApiError ? error.code : 'error';
      logger.info('write', {
        ...fields,
        outcome,
        status,
        latencyMs: Math.round(performance.now() - started),
      });
      throw error;
    }
  }

  async function create(
    caller: Caller,
    indexParam: string,
    id: string,
    rawBody: unknown,
  ): Promise<WriteResult> {
    const index = writable(resolveIndex(indexParam));
    return logged(caller, 'create', index, id, async () => {
      const { record: raw, mutationId } = parseOr400(createBody, rawBody);
      if (index === 'profiles_public') {
        if (id !== profileObjectId(caller.userId))
          throw new ApiError('forbidden', 'a profile id must be profileObjectId(your user id)');
      } else parseOr400(newObjectIdSchema, id, ['id'], 'the objectID');
      const current = await store.get(nameOf(index), id);
      if (current) return existingOnCreate(caller, index, current, mutationId, raw);
      // Whoever re-created a deleted id would inherit what still names it: the records shared with
      // a deleted group, the stories that list a deleted thing.
      if (await isRetired(index, id))
        throw forbidden('this id belonged to a deleted record and cannot be used again');
      const prepared = await prepareCreate(caller, index, id, raw, mutationId);
      validateStored(index, prepared.record, 'record');
      const after = await versionedWrite(index, prepared.record, 0, true);
      if (!after || after.last_mutation_id !== mutationId) {
        // Someone created this id between our read and our write.
        if (!after || after.user_id !== caller.userId) throw forbidden('this id belongs to another record');
        throw conflict(after, 'a record with this id already exists');
      }
      await afterWrite(index, null, after, prepared.chunks);
      return { status: 201 as const, body: { record: after } };
    });
  }

  async function existingOnCreate(
    caller: Caller,
    index: WritableIndex,
    current: StoredObject,
    mutationId: string,
    raw: unknown,
  ): Promise<WriteResult> {
    if (current.user_id !== caller.userId) throw forbidden('this id belongs to another record');
    if (!hasAppliedMutation(bookkeeping(current), mutationId))
      throw conflict(current, 'a record with this id already exists');
    // A retried create that was applied: answer as the first time (with the record as it is now),
    // finishing what may be missing when it is still the last mutation.
    if (index === 'stories' && current.last_mutation_id === mutationId) {
      const body = storyCreateInputSchema.safeParse(raw);
      await repairStory(current, body.success ? body.data.body : undefined);
    }
    return { status: 201, body: { record: current } };
  }

  async function update(
    caller: Caller,
    indexParam: string,
    id: string,
    rawBody: unknown,
  ): Promise<WriteResult> {
    const index = writable(resolveIndex(indexParam));
    return logged(caller, 'update', index, id, async () => {
      const { changes, baseVersion, mutationId } = parseOr400(updateBody, rawBody);
      const current = await store.get(nameOf(index), id);
      if (!current) throw notFound();
      if (current.user_id !== caller.userId) throw forbidden();
      // A retry of a mutation already applied (the last one, or an earlier one that other writes
      // have since overtaken): answer with the record as it is now.
      if (hasAppliedMutation(bookkeeping(current), mutationId)) {
        if (index === 'stories' && current.last_mutation_id === mutationId) {
          const parsed = storyChangesSchema.safeParse(changes);
          await repairStory(current, parsed.success ? parsed.data.body : undefined);
        }
        // The first attempt may have failed after the write: previews are idempotent to refresh.
        if (index === 'things') await refreshPreviewsOf(id);
        return { status: 200 as const, body: { record: current } };
      }
      if (current.version !== baseVersion) throw conflict(current);
      const prepared = await prepareUpdate(caller, index, current, changes, mutationId);
      prepared.record = fitRecentMutations(prepared.record);
      validateStored(index, prepared.record, 'changes');
      const after = await versionedWrite(index, prepared.record, baseVersion, false);
      if (!after) throw notFound();
      if (after.last_mutation_id !== mutationId) throw conflict(after);
      await afterWrite(index, current, after, prepared.chunks);
      return { status: 200 as const, body: { record: after } };
    });
  }

  async function remove(
    caller: Caller,
    indexParam: string,
    id: string,
    rawBody: unknown,
  ): Promise<WriteResult> {
    const index = writable(resolveIndex(indexParam));
    return logged(caller, 'delete', index, id, async () => {
      const { baseVersion, mutationId } = parseOr400(deleteBody, rawBody);
      const deleted = { status: 200 as const, body: { objectID: id, deleted: true } };
      let current = await store.get(nameOf(index), id);
      // Deleting what is gone is a no-op (a retried delete after a lost answer lands here).
      if (!current) {
        if (index === 'things') await refreshPreviewsOf(id);
        return deleted;
      }
      if (current.user_id !== caller.userId) throw forbidden();
      if (current.last_mutation_id !== mutationId) {
        if (current.version !== baseVersion) throw conflict(current);
        // Claim the record with this mutation first: the version check makes the delete conditional.
        const mark: StoredObject = fitRecentMutations({
          ...current,
          version: baseVersion + 1,
          last_mutation_id: mutationId,
          recent_mutation_ids: recordMutationId(bookkeeping(current), mutationId),
          updated_at: Math.max(now(), Number(current.created_at)),
        });
        // Trashed, it is its owner's alone from this write on (as any trashed record), in case
        // the delete below does not happen.
        if ('trashed' in current) {
          mark.trashed = true;
          mark.visible_to = [userToken(current.user_id)];
        }
        const after = await versionedWrite(index, mark, baseVersion, false);
        if (!after) return deleted;
        if (after.last_mutation_id !== mutationId) throw conflict(after);
        // To patterns the claimed record is trashed, i.e. gone.
        if (index === 'dreams' || index === 'things') await patterns.onEntryChanged(index, current, after);
        current = after;
      }
      // A story's body chunks first: they repeat its old audience, and if what follows fails
      // they must not outlive the story's claim (a retried delete finishes the rest).
      if (index === 'stories') {
        const count = typeof current.body_chunk_count === 'number' ? current.body_chunk_count : 1;
        await store.batch(
          nameOf('stories'),
          storyChunkObjectIds(id, count).map((objectID): BatchWrite => ({
            action: 'deleteObject',
            body: { objectID },
          })),
        );
      }
      // Retired before the delete: a create that finds the record gone finds its id retired.
      await retire(index, id);
      await store.delete(nameOf(index), id);
      if (index === 'things') await refreshPreviewsOf(id);
      return deleted;
    });
  }

  async function read(caller: Caller, indexParam: string, id: string): Promise<StoredObject> {
    const index = resolveIndex(indexParam);
    if (!objectIdSchema.safeParse(id).success) throw notFound();
    const record = await store.get(nameOf(index), id);
    if (!record || !(await canSee(caller, record))) throw notFound();
    // Same policy as search keys (the domain's unretrievable attributes): who else can see a
    // record is not for other readers to know.
    const hidden = new Set<string>(
      record.user_id === caller.userId
        ? []
        : [...READER_HIDDEN_ATTRIBUTES, ...SERVICE_BOOKKEEPING_ATTRIBUTES],
    );
    const out = Object.fromEntries(
      Object.entries(record).filter(([key]) => !hidden.has(key)),
    ) as StoredObject;
    if (index === 'stories' && record.record_type === 'story') out.body = await readStoryBody(record);
    return out;
  }

  async function canSee(caller: Caller, record: StoredObject): Promise<boolean> {
    const vis = Array.isArray(record.visible_to) ? (record.visible_to as unknown[]) : [];
    if (vis.includes(COMMUNITY_TOKEN) || vis.includes(userToken(caller.userId))) return true;
    const groups = vis.filter(isGroupToken);
    if (groups.length === 0) return false;
    const mine = new Set((await groupIdsOf(caller.userId)).map(groupToken));
    return groups.some((g) => mine.has(g));
  }

  /** Read-modify-write of a group's member list, retried when another change lands in between. */
  async function changeMembers(
    caller: Caller,
    groupId: string,
    op: 'add' | 'remove',
    member: string,
  ): Promise<WriteResult> {
    return logged(caller, op === 'add' ? 'member.add' : 'member.remove', 'groups', groupId, async () => {
      if (!objectIdSchema.safeParse(groupId).success) throw notFound();
      parseOr400(userIdSchema, member, ['user_id'], 'the user id');
      for (let attempt = 0; attempt < 8; attempt++) {
        const group = await store.get(nameOf('groups'), groupId);
        const members =
          group && Array.isArray(group.member_user_ids) ? (group.member_user_ids as string[]) : undefined;
        if (!group || !members) throw notFound();
        const isOwner = group.owner_id === caller.userId;
        if (!isOwner && !(op === 'remove' && member === caller.userId && members.includes(caller.userId))) {
          if (!members.includes(caller.userId)) throw notFound();
          throw forbidden('only the group owner manages membership (members may leave)');
        }
        if (op === 'remove' && member === group.owner_id)
          throw new ApiError('conflict', 'the owner cannot leave the group; delete it instead');
        const present = members.includes(member);
        // An add left past the limit (its take-back failed): a retry takes it back now.
        if (op === 'add' && present && (await groupIdsOf(member)).length > LIMITS.groupsPerUser) {
          await changeMembers(caller, groupId, 'remove', member);
          throw new ApiError('conflict', `that user is already in ${LIMITS.groupsPerUser} groups`);
        }
        if ((op === 'add' && present) || (op === 'remove' && !present))
          return { status: 200 as const, body: { record: group } };
        if (op === 'add') {
          if (members.length >= LIMITS.membersPerGroup)
            throw new ApiError('conflict', `a group has at most ${LIMITS.membersPerGroup} members`);
          if ((await groupIdsOf(member)).length >= LIMITS.groupsPerUser) {
            throw new ApiError('conflict', `that user is already in ${LIMITS.groupsPerUser} groups`);
          }
        }
        const memberMutation = randomUUID();
        const next: StoredObject = {
          ...group,
          member_user_ids: op === 'add' ? [...members, member] : members.filter((m) => m !== member),
          updated_at: Math.max(now(), Number(group.created_at)),
          version: Number(group.version) + 1,
          last_mutation_id: memberMutation,
          recent_mutation_ids: recordMutationId(bookkeeping(group), memberMutation),
        };
        const fitted = fitRecentMutations(next);
        validateStored('groups', fitted, 'group');
        const after = await versionedWrite('groups', fitted, Number(group.version), false);
        if (after && after.last_mutation_id === fitted.last_mutation_id) {
          // Adds to several groups at once can all pass the check above: one that took the user
          // past the limit is taken back (each sees the others, so none stays past it).
          if (op === 'add' && (await groupIdsOf(member)).length > LIMITS.groupsPerUser) {
            await changeMembers(caller, groupId, 'remove', member);
            throw new ApiError('conflict', `that user is already in ${LIMITS.groupsPerUser} groups`);
          }
          return { status: 200 as const, body: { record: after } };
        }
      }
      throw new ApiError('unavailable', 'the group is changing too fast; retry', null, 1);
    });
  }

  async function mutations(caller: Caller, rawBody: unknown): Promise<{ results: MutationResult[] }> {
    const { mutations: items } = parseOr400(mutationsBody, rawBody);
    const results: MutationResult[] = [];
    let stopped = false;
    for (const item of items) {
      if (stopped) {
        results.push({
          status: 503,
          body: {
            error: {
              code: 'unavailable',
              message: 'not attempted: an earlier mutation failed',
              details: null,
            },
          },
        });
        continue;
      }
      try {
        const r =
          item.op === 'create'
            ? await create(caller, item.index, item.id, { record: item.record, mutationId: item.mutationId })
            : item.op === 'update'
              ? await update(caller, item.index, item.id, {
                  changes: item.changes,
                  baseVersion: item.baseVersion,
                  mutationId: item.mutationId,
                })
              : await remove(caller, item.index, item.id, {
                  baseVersion: item.baseVersion,
                  mutationId: item.mutationId,
                });
        results.push({ status: r.status, body: r.body });
      } catch (error) {
        if (error instanceof ApiError && error.status < 500) {
          results.push({ status: error.status, body: error.toBody() });
          continue;
        }
        // The backend failed: later items may depend on this one, so stop (the client replays).
        stopped = true;
        const e =
          error instanceof ApiError
            ? error
            : new ApiError('unavailable', 'the search backend is unavailable; retry later', null, 5);
        if (!(error instanceof ApiError))
          logger.error('mutation.failed', {
            user: caller.userId,
            error: error instanceof Error ? error.message : String(error),
          });
        results.push({ status: e.status, body: e.toBody() });
      }
    }
    return { results };
  }

  return {
    read,
    create,
    update,
    remove,
    mutations,
    addMember: async (caller, groupId, body) =>
      changeMembers(caller, groupId, 'add', parseOr400(groupMemberInputSchema, body).user_id),
    removeMember: async (caller, groupId, userId) => changeMembers(caller, groupId, 'remove', userId),
    groupIdsOf,
    searchKeyGroupsOf,
  };
}

/** A domain record as the store's loose record type. */
function asStored(record: object): StoredObject {
  return record as StoredObject;
}

/** A stored record parsed with its domain schema; a record that fails is corrupt (a 500, logged). */
function storedAs<S extends z.ZodType>(schema: S, record: StoredObject): z.output<S> {
  const parsed = schema.safeParse(record);
  if (!parsed.success)
    throw new Error(
      `stored record ${record.objectID} does not match its schema: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  return parsed.data;
}

/** The mutation bookkeeping of a stored record (malformed fields read as absent). */
function bookkeeping(record: StoredObject): MutationBookkeeping {
  const recent = record.recent_mutation_ids;
  const last = typeof record.last_mutation_id === 'string' ? record.last_mutation_id : undefined;
  const valid = Array.isArray(recent) && recent.every((m) => typeof m === 'string') ? recent : undefined;
  return {
    last_mutation_id: last ?? '',
    recent_mutation_ids: valid ?? (last === undefined ? [] : undefined),
  };
}

/** Drops keys whose value is undefined (absent optional fields must not erase stored ones). */
function definedOnly<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Every base index (re-exported for routes that list them). */
export const ALL_INDICES = BASE_INDICES;
