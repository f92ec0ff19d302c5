import { sha256 } from '@noble/hashes/sha2.js';
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

/** Bits of SHA-256 kept in a group token, and the base-36 digits that hold them (36^16 > 2^80). */
const GROUP_TOKEN_BITS = 80;
const GROUP_TOKEN_DIGITS = 16;
const GROUP_TOKEN_RE = /^g_[0-9a-z]{16}$/;

/**
 * The `visible_to` token of a group: `g_` + the first 80 bits of SHA-256(group id) in 16 lowercase
 * base-36 digits (`g_2hl0xmeymtlhl9ra`). Throws on an id that is not a group objectID.
 *
 * Why this shape: every group a user belongs to is one atom of their secured key's filter, so the
 * token's length is paid per group in every key (Algolia warns long keys can fail on some networks);
 * 18 characters instead of `group:<uuid>`'s 42, and needing no quotes in the filter (letters,
 * digits and `_` only: `visible_to:g_…`).
 *
 * Why a truncated *hash* and not a truncated id: group ids are chosen by clients. A truncated id
 * would let anyone who knows a victim's group id create a group whose id shares the kept part, and
 * with it the victim's token. To collide with a hash, an attacker who knows the victim's id must
 * find a second preimage of 80-bit-truncated SHA-256 among valid UUIDv4s: ~2^80 hash evaluations
 * per target (2^80/N against N known ids at once; 2^64 after knowing 65,536), beyond any attacker's
 * reach and far beyond any gain. A birthday collision (~2^40 work) needs the attacker to choose both
 * ids, so it only merges two of the attacker's own groups. Accidental collisions among n honest
 * groups have probability ~n²/2^81 (about 4e-13 for a million groups).
 */
export function groupToken(groupId: string): string {
  const digest = sha256(new TextEncoder().encode(groupIdSchema.parse(groupId)));
  let n = 0n;
  for (const byte of digest.subarray(0, GROUP_TOKEN_BITS / 8)) n = (n << 8n) | BigInt(byte);
  return `g_${n.toString(36).padStart(GROUP_TOKEN_DIGITS, '0')}`;
}

/** True for a group token as {@link groupToken} makes them. */
export function isGroupToken(token: unknown): token is string {
  return typeof token === 'string' && GROUP_TOKEN_RE.test(token);
}

const TOKEN_RE = /^(?:community|user:[\x21\x23-\x26\x28-\x5B\x5D-\x5F\x61-\x7E]{1,510}|g_[0-9a-z]{16})$/;

/** One `visible_to` element as stored: `community`, `user:<encoded id>` or a {@link groupToken}. */
export const visibilityTokenSchema = z
  .string()
  .regex(TOKEN_RE, 'must be "community", "user:<id>" or a group token "g_<16 base-36 digits>"');

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
  /**
   * In the trash: seen by its owner only, whatever the privacy and shares. Trashing is how the
   * app deletes, so what a writer deleted must not stay in others' searches until the trash is
   * emptied; taking it out of the trash gives the audience back.
   */
  trashed?: boolean;
}

/**
 * The `visible_to` array of a record, computed on every write (never accepted from a client):
 * `user:<owner>`, then `user:<id>` per direct share, then {@link groupToken} per group when privacy is
 * `group`, then `community` when privacy is `community`. Deduplicated, in that stable order. A
 * trashed record is its owner's alone (`user:<owner>`). Throws a ZodError when an id is malformed
 * (trashed or not).
 */
export function computeVisibleTo(input: VisibilityInput): string[] {
  const privacy = privacySchema.parse(input.privacy);
  const tokens = [userToken(input.user_id)];
  for (const id of input.shared_with_user_ids) tokens.push(userToken(id));
  if (privacy === 'group') for (const id of input.group_ids) tokens.push(groupToken(id));
  if (privacy === 'community') tokens.push(COMMUNITY_TOKEN);
  if (input.trashed === true) return tokens.slice(0, 1);
  return [...new Set(tokens)];
}

/** Quotes a filter value with `"`, escaping `\` and `"` (Algolia's filter grammar). */
export function quoteFilterValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The filter embedded in a user's secured search key: one OR-group (valid conjunctive normal form)
 * `visible_to:community OR visible_to:"user:<me>" OR visible_to:g_<…> …`. `community` and group
 * tokens are bare words of letters, digits and `_` (no quotes needed; shorter keys); the user
 * token is quoted because ids may hold `:`, `|`, `@` and the like. Group ids are deduplicated in
 * the given order. Throws on malformed ids or more than {@link LIMITS.groupsPerUser} groups.
 */
export function visibilityFilter(userId: string, groupIds: readonly string[] = []): string {
  const groups = [...new Set(groupIds)];
  if (groups.length > LIMITS.groupsPerUser) {
    throw new RangeError(
      `a search key can cover at most ${LIMITS.groupsPerUser} groups, got ${groups.length}`,
    );
  }
  const atoms = [COMMUNITY_TOKEN, quoteFilterValue(userToken(userId)), ...groups.map(groupToken)];
  return atoms.map((value) => `visible_to:${value}`).join(' OR ');
}
