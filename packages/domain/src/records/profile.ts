import { z } from 'zod';
import { PROJECT_NAMESPACE, mutationIdSchema, objectIdSchema, userIdSchema, uuidV5 } from '../ids';
import { LIMITS } from '../limits';
import { httpUrlSchema, singleLineText, unixSecondsSchema } from '../text';
import { COMMUNITY_TOKEN, userToken, visibleToSchema } from '../visibility';
import { attempt, recentMutationIdsSchema, versionSchema } from './common';

/** The objectID of a user's public profile: `uuidv5("profile:<sub>", PROJECT_NAMESPACE)`. */
export function profileObjectId(userId: string): string {
  return uuidV5(`profile:${userIdSchema.parse(userId)}`, PROJECT_NAMESPACE);
}

/** `visible_to` of a public profile: every signed-in user, and its owner. */
export function profileVisibleTo(userId: string): string[] {
  return [userToken(userId), COMMUNITY_TOKEN];
}

/** A public profile in the `profiles_public` index (one per account). */
export const profilePublicSchema = z
  .strictObject({
    objectID: objectIdSchema,
    user_id: userIdSchema,
    display_name: singleLineText(LIMITS.displayNameChars),
    avatar_url: httpUrlSchema.nullable(),
    visible_to: visibleToSchema,
    created_at: unixSecondsSchema,
    updated_at: unixSecondsSchema,
    version: versionSchema,
    last_mutation_id: mutationIdSchema,
    recent_mutation_ids: recentMutationIdsSchema.optional(),
  })
  .superRefine((p, ctx) => {
    const objectID = attempt(() => profileObjectId(p.user_id));
    if (objectID && p.objectID !== objectID) {
      ctx.addIssue({ code: 'custom', path: ['objectID'], message: 'must be profileObjectId(user_id)' });
    }
    const visibleTo = attempt(() => profileVisibleTo(p.user_id));
    if (visibleTo && visibleTo.join('\n') !== p.visible_to.join('\n')) {
      ctx.addIssue({ code: 'custom', path: ['visible_to'], message: 'must be the owner and community' });
    }
    if (p.updated_at < p.created_at)
      ctx.addIssue({ code: 'custom', path: ['updated_at'], message: 'must not be before created_at' });
  });
/** A public profile record. */
export type ProfilePublic = z.infer<typeof profilePublicSchema>;

/** What a client sends to create its profile. */
export const profileCreateInputSchema = z.strictObject({
  display_name: singleLineText(LIMITS.displayNameChars),
  avatar_url: httpUrlSchema.nullable().default(null),
});
/** A profile create request as sent. */
export type ProfileCreateInput = z.input<typeof profileCreateInputSchema>;

/** The `changes` of a profile update. */
export const profileChangesSchema = z
  .strictObject({
    display_name: singleLineText(LIMITS.displayNameChars).optional(),
    avatar_url: httpUrlSchema.nullable().optional(),
  })
  .refine((c) => c.display_name !== undefined || c.avatar_url !== undefined, 'changes must not be empty');
/** Profile update changes as sent. */
export type ProfileChangesInput = z.input<typeof profileChangesSchema>;
