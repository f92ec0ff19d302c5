import { z } from 'zod';
import { groupIdSchema, userIdSchema } from './ids';
import { LIMITS } from './limits';

/** Who may see a record: only its owner (and direct shares), its groups, or every signed-in user. */
export const PRIVACY_VALUES = ['private', 'group', 'community'] as const;
/** Zod schema of {@link Privacy}. */
export const privacySchema = z.enum(PRIVACY_VALUES);
/** Who may see a record. */
export type Privacy = z.infer<typeof privacySchema>;

/** The `visible_to` token every signed-in user's key matches. */
export const COMMUNITY_TOKEN = 'community';

/**
 * Encodes a user or group id for use inside a `visible_to` token.
 *
 * Algolia compares facet values case-insensitively, but OIDC `sub` values are case-sensitive:
 * `user:Ab` and `user:aB` must not match each other. Every uppercase ASCII letter becomes `^` and
 * its lowercase form (`auth0|Ab` → `auth0|^ab`); `^` is outside the id alphabet, so the encoding is
 * injective and all-lowercase ids (UUIDs, most issuers' subs) are unchanged.
 */
export function encodePrincipal(id: string): string {
  return id.replace(/[A-Z]/g, (c) => `^${c.toLowerCase()}`);
}

/** Inverse of {@link encodePrincipal}. */
export function decodePrincipal(encoded: string): string {
  return encoded.replace(/\^([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The `visible_to` token of a user. Throws on an id outside the allowed alphabet. */
export function userToken(userId: string): string {
  return `user:${encodePrincipal(userIdSchema.parse(userId))}`;
}

/** The `visible_to` token of a group. Throws on an id that is not a group objectID. */
export function groupToken(groupId: string): string {
  return `group:${encodePrincipal(groupIdSchema.parse(groupId))}`;
}

const TOKEN_RE = /^(?:community|user:[\x21\x23-\x26\x28-\x5B\x5D-\x5F\x61-\x7E]{1,510}|group:[0-9a-f-]{36})$/;

/** One `visible_to` element as stored: `community`, `user:<encoded id>` or `group:<id>`. */
export const visibilityTokenSchema = z.string().regex(TOKEN_RE, 'must be "community", "user:<id>" or "group:<id>"');

/** The stored `visible_to` array (bounded: owner + direct shares + groups + community). */
export const visibleToSchema = z
  .array(visibilityTokenSchema)
  .min(1)
  .max(2 + LIMITS.directSharesPerRecord + LIMITS.groupsPerRecord);

/** The inputs `visible_to` is computed from. */
export interface VisibilityInput {
  /** The owner's user id. */
  user_id: string;
  /** Who may see the record. */
  privacy: Privacy;
  /** Groups the record is shared with; they count only when `privacy` is `group`. */
  group_ids: readonly string[];
  /** Users the record is shared with directly, whatever the privacy. */
  shared_with_user_ids: readonly string[];
}

/**
 * The `visible_to` array of a record, computed on every write (never accepted from a client):
 * `user:<owner>`, then `user:<id>` per direct share, then `group:<id>` per group when privacy is
 * `group`, then `community` when privacy is `community`. Deduplicated, in that stable order. Throws
 * a ZodError when an id is malformed.
 */
export function computeVisibleTo(input: VisibilityInput): string[] {
  const privacy = privacySchema.parse(input.privacy);
  const tokens = [userToken(input.user_id)];
  for (const id of input.shared_with_user_ids) tokens.push(userToken(id));
  if (privacy === 'group') for (const id of input.group_ids) tokens.push(groupToken(id));
  if (privacy === 'community') tokens.push(COMMUNITY_TOKEN);
  return [...new Set(tokens)];
}

/** Quotes a filter value with `"`, escaping `\` and `"` (Algolia's filter grammar). */
export function quoteFilterValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The filter embedded in a user's secured search key: one OR-group (valid conjunctive normal form)
 * `visible_to:"community" OR visible_to:"user:<me>" OR visible_to:"group:<g1>" …`.
 * Group ids are deduplicated in the given order. Throws on malformed ids or more than
 * {@link LIMITS.groupsPerUser} groups.
 */
export function visibilityFilter(userId: string, groupIds: readonly string[] = []): string {
  const groups = [...new Set(groupIds)];
  if (groups.length > LIMITS.groupsPerUser) {
    throw new RangeError(`a search key can cover at most ${LIMITS.groupsPerUser} groups, got ${groups.length}`);
  }
  const tokens = [COMMUNITY_TOKEN, userToken(userId), ...groups.map(groupToken)];
  return tokens.map((t) => `visible_to:${quoteFilterValue(t)}`).join(' OR ');
}
