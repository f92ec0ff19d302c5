import { z } from 'zod';
import { mutationIdSchema, objectIdSchema, userIdSchema } from '../ids';
import { LIMITS } from '../limits';
import { multiLineText, singleLineText, unixSecondsSchema } from '../text';
import { groupToken, userToken, visibleToSchema } from '../visibility';
import { attempt, isUnique, recentMutationIdsSchema, versionSchema } from './common';

/** `visible_to` of a group record: its owner and its members (through the group token). */
export function groupVisibleTo(group: { objectID: string; owner_id: string }): string[] {
  return [userToken(group.owner_id), groupToken(group.objectID)];
}

/**
 * A group in the `groups` index. `user_id` and `owner_id` are the same account (`user_id` so every
 * versioned record has its owner in the same field); the owner is always a member. Membership
 * changes only through the key service's member routes.
 */
export const groupSchema = z
  .strictObject({
    objectID: objectIdSchema,
    user_id: userIdSchema,
    owner_id: userIdSchema,
    name: singleLineText(LIMITS.groupNameChars),
    description: multiLineText(LIMITS.groupDescriptionChars),
    member_user_ids: z
      .array(userIdSchema)
      .min(1)
      .max(LIMITS.membersPerGroup)
      .refine(isUnique, 'must not repeat a member'),
    visible_to: visibleToSchema,
    created_at: unixSecondsSchema,
    updated_at: unixSecondsSchema,
    version: versionSchema,
    last_mutation_id: mutationIdSchema,
    recent_mutation_ids: recentMutationIdsSchema.optional(),
  })
  .superRefine((g, ctx) => {
    if (g.user_id !== g.owner_id)
      ctx.addIssue({ code: 'custom', path: ['owner_id'], message: 'must equal user_id' });
    if (!g.member_user_ids.includes(g.owner_id)) {
      ctx.addIssue({ code: 'custom', path: ['member_user_ids'], message: 'must include the owner' });
    }
    if (g.updated_at < g.created_at)
      ctx.addIssue({ code: 'custom', path: ['updated_at'], message: 'must not be before created_at' });
    const expected = attempt(() => groupVisibleTo(g));
    if (expected && expected.join('\n') !== g.visible_to.join('\n')) {
      ctx.addIssue({
        code: 'custom',
        path: ['visible_to'],
        message: 'must be the owner and the group token',
      });
    }
  });
/** A group record. */
export type Group = z.infer<typeof groupSchema>;

/** What a client sends to create a group (the caller becomes owner and first member). */
export const groupCreateInputSchema = z.strictObject({
  name: singleLineText(LIMITS.groupNameChars),
  description: multiLineText(LIMITS.groupDescriptionChars).default(''),
});
/** A group create request as sent. */
export type GroupCreateInput = z.input<typeof groupCreateInputSchema>;

/** The `changes` of a group update (owner only). */
export const groupChangesSchema = z
  .strictObject({
    name: singleLineText(LIMITS.groupNameChars).optional(),
    description: multiLineText(LIMITS.groupDescriptionChars).optional(),
  })
  .refine((c) => c.name !== undefined || c.description !== undefined, 'changes must not be empty');
/** Group update changes as sent. */
export type GroupChangesInput = z.input<typeof groupChangesSchema>;

/** Body of `POST /v1/groups/:id/members`. */
export const groupMemberInputSchema = z.strictObject({ user_id: userIdSchema });
/** Body of `POST /v1/groups/:id/members`. */
export type GroupMemberInput = z.infer<typeof groupMemberInputSchema>;
