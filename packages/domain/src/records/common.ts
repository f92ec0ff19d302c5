import { z } from 'zod';
import { groupIdSchema, mutationIdSchema, objectIdSchema, userIdSchema } from '../ids';
import { LIMITS } from '../limits';
import { httpUrlSchema, singleLineText, unixSecondsSchema } from '../text';
import { computeVisibleTo, privacySchema, visibleToSchema } from '../visibility';

/** Refinement: no element of the array appears twice. */
export function isUnique(values: readonly unknown[]): boolean {
  return new Set(values).size === values.length;
}

/**
 * Runs a derivation inside a refinement: `undefined` when it throws (its inputs already failed their
 * own field checks, which report the problem).
 */
export function attempt<T>(derive: () => T): T | undefined {
  try {
    return derive();
  } catch {
    return undefined;
  }
}

/** Removes duplicates, keeping the first occurrence. */
export function dedupe<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** The denormalized author shown on every user-content record. */
export const authorSchema = z.strictObject({
  user_id: userIdSchema,
  display_name: singleLineText(LIMITS.displayNameChars),
  avatar_url: httpUrlSchema.nullable(),
});
/** The denormalized author shown on every user-content record. */
export type Author = z.infer<typeof authorSchema>;

/** Record version: starts at 1, incremented by every accepted write. */
export const versionSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/**
 * Sharing fields of a stored record. `group_ids` only counts when `privacy` is `group`, but is kept
 * otherwise so switching privacy back restores the user's previous choice.
 */
export const storedSharingShape = {
  privacy: privacySchema,
  group_ids: z.array(groupIdSchema).max(LIMITS.groupsPerRecord).refine(isUnique, 'must not repeat a group'),
  shared_with_user_ids: z
    .array(userIdSchema)
    .max(LIMITS.directSharesPerRecord)
    .refine(isUnique, 'must not repeat a user'),
};

/** Sharing fields as a client sends them: defaults filled in, duplicates removed. */
export const inputSharingShape = {
  privacy: privacySchema.default('private'),
  group_ids: z.array(groupIdSchema).max(LIMITS.groupsPerRecord).default([]).transform(dedupe),
  shared_with_user_ids: z.array(userIdSchema).max(LIMITS.directSharesPerRecord).default([]).transform(dedupe),
};

/** Sharing fields allowed in an update's `changes` (each optional, no defaults). */
export const updateSharingShape = {
  privacy: privacySchema.optional(),
  group_ids: z.array(groupIdSchema).max(LIMITS.groupsPerRecord).transform(dedupe).optional(),
  shared_with_user_ids: z.array(userIdSchema).max(LIMITS.directSharesPerRecord).transform(dedupe).optional(),
};

/**
 * Fields the key service computes on every write. A client never sends them; the stored schemas
 * require them.
 */
export const SERVER_FIELDS = [
  'objectID',
  'user_id',
  'author',
  'visible_to',
  'created_at',
  'updated_at',
  'version',
  'last_mutation_id',
  'recent_mutation_ids',
] as const;
/** A server-computed field name. */
export type ServerField = (typeof SERVER_FIELDS)[number];

/**
 * The last {@link LIMITS.recentMutationIds} mutation ids applied to a record, oldest first, ending
 * with `last_mutation_id`. Absent on records written before it existed (then only
 * `last_mutation_id` is known). Service bookkeeping: unretrievable to search keys.
 */
export const recentMutationIdsSchema = z
  .array(mutationIdSchema)
  .max(LIMITS.recentMutationIds)
  .refine(isUnique, 'must not repeat a mutation id');

/** The mutation bookkeeping of a versioned record. */
export interface MutationBookkeeping {
  last_mutation_id: string;
  recent_mutation_ids?: readonly string[] | undefined;
}

/** The `recent_mutation_ids` of a record after applying mutation `id` (bounded, unique, `id` last). */
export function recordMutationId(record: MutationBookkeeping, id: string): string[] {
  const previous = record.recent_mutation_ids ?? [record.last_mutation_id];
  return [...previous.filter((m) => m !== id), id].slice(-LIMITS.recentMutationIds);
}

/** True when mutation `id` is among those applied to the record (a retry is "already applied"). */
export function hasAppliedMutation(record: MutationBookkeeping, id: string): boolean {
  return record.last_mutation_id === id || (record.recent_mutation_ids ?? []).includes(id);
}

/** Fields every stored user-content record (dream, thing, story) carries. */
export const storedContentBaseShape = {
  objectID: objectIdSchema,
  user_id: userIdSchema,
  author: authorSchema,
  ...storedSharingShape,
  visible_to: visibleToSchema,
  created_at: unixSecondsSchema,
  updated_at: unixSecondsSchema,
  version: versionSchema,
  last_mutation_id: mutationIdSchema,
  recent_mutation_ids: recentMutationIdsSchema.optional(),
  /** In the trash: hidden from normal views by a `trashed:false` filter. */
  trashed: z.boolean(),
};

/** The subset of a stored record that {@link checkStoredContentInvariants} looks at. */
interface ContentInvariantInput {
  user_id: string;
  author: { user_id: string };
  privacy: z.infer<typeof privacySchema>;
  group_ids: readonly string[];
  shared_with_user_ids: readonly string[];
  visible_to: readonly string[];
  created_at: number;
  updated_at: number;
  trashed?: boolean;
}

/**
 * Cross-field rules of a stored user-content record: the author is the owner, the owner is not in
 * its own share list, `updated_at >= created_at`, and `visible_to` is exactly what
 * {@link computeVisibleTo} gives (so a stale or forged ACL never passes validation).
 */
export function checkStoredContentInvariants(record: ContentInvariantInput, ctx: z.RefinementCtx): void {
  if (record.author.user_id !== record.user_id) {
    ctx.addIssue({ code: 'custom', path: ['author', 'user_id'], message: 'author must be the owner' });
  }
  if (record.shared_with_user_ids.includes(record.user_id)) {
    ctx.addIssue({ code: 'custom', path: ['shared_with_user_ids'], message: 'must not contain the owner' });
  }
  if (record.updated_at < record.created_at) {
    ctx.addIssue({ code: 'custom', path: ['updated_at'], message: 'must not be before created_at' });
  }
  // Field-level issues (say, a malformed id) do not stop refinements in zod 4, so this must not throw.
  const expected = attempt(() => computeVisibleTo(record));
  if (
    expected &&
    (expected.length !== record.visible_to.length || expected.some((t, i) => record.visible_to[i] !== t))
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['visible_to'],
      message: 'does not match privacy, group_ids, shared_with_user_ids and trashed',
    });
  }
}

/** The server-computed part of a new record, as the key service assembles it. */
export interface ServerStamp {
  /** The record's objectID (from the request path). */
  objectID: string;
  /** The caller's author block (their `sub`, display name and avatar). */
  author: Author;
  /** Unix seconds of the write. */
  now: number;
  /** The request's mutation id. */
  mutationId: string;
}
