import { v4 as uuidv4, v5 as uuidv5 } from 'uuid';
import { z } from 'zod';
import { LIMITS } from './limits';

/**
 * The project's fixed UUIDv5 namespace. Every deterministic objectID (migrated legacy rows,
 * story-body chunks, pattern records, public profiles) is a UUIDv5 under this namespace (or under a
 * UUID derived from it), so ids are stable across runs, machines and environments.
 *
 * It is `uuidv5("newdreamflow.app", NAMESPACE_DNS)`; the test suite recomputes it.
 * Never change it: every migrated record's objectID depends on it.
 */
export const PROJECT_NAMESPACE = 'c0e80cff-9eb2-5375-8366-1fe217b8f762';

/** Canonical lowercase UUID of any RFC 9562 version (1–8). */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UUID_V4_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UUID_V4_OR_V5_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[45][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Any canonical lowercase UUID (e.g. a client's `mutation_id`). */
export const uuidSchema = z.string().regex(UUID_RE, 'must be a lowercase canonical UUID');

/**
 * An objectID of a stored record: a lowercase UUIDv4 (created in the app) or UUIDv5 (migrated
 * records and derived records such as chunks and patterns). Uppercase is refused: objectIDs are
 * case-sensitive, so `ABC…` and `abc…` would be two records.
 */
export const objectIdSchema = z.string().regex(UUID_V4_OR_V5_RE, 'must be a lowercase UUIDv4 or UUIDv5');

/**
 * An objectID a client may choose for a new record: UUIDv4 only. Refusing v5 stops a client from
 * squatting the (predictable) id of a legacy record before the migration writes it.
 */
export const newObjectIdSchema = z.string().regex(UUID_V4_RE, 'must be a lowercase UUIDv4');

/** A client-generated mutation id (any canonical lowercase UUID; the app uses v4). */
export const mutationIdSchema = uuidSchema;

/** True for a lowercase UUIDv4 or UUIDv5. */
export function isObjectId(value: unknown): value is string {
  return typeof value === 'string' && UUID_V4_OR_V5_RE.test(value);
}

/** A fresh random UUIDv4 (uses the platform CSPRNG through `crypto.getRandomValues`). */
export function newObjectId(): string {
  return uuidv4();
}

/** A UUIDv5 of `name` under `namespace` (RFC 9562 §5.5, SHA-1). */
export function uuidV5(name: string, namespace: string): string {
  return uuidv5(name, namespace);
}

/** Names of the legacy Django models the migration maps to objectIDs. */
export const legacyModelSchema = z.enum(['dream', 'thing', 'story', 'group', 'profile', 'user']);
/** A legacy model name. */
export type LegacyModel = z.infer<typeof legacyModelSchema>;

/**
 * The objectID of a migrated legacy row: `uuidv5("legacy:<model>:<pk>", PROJECT_NAMESPACE)`.
 * Deterministic, so re-running the migration rewrites the same records instead of duplicating them.
 */
export function legacyObjectId(model: LegacyModel, pk: string | number): string {
  legacyModelSchema.parse(model);
  const key = typeof pk === 'number' ? pkFromNumber(pk) : pk;
  if (key.length === 0 || key.length > 255)
    throw new RangeError('legacy primary key must be 1..255 characters');
  return uuidv5(`legacy:${model}:${key}`, PROJECT_NAMESPACE);
}

function pkFromNumber(pk: number): string {
  if (!Number.isSafeInteger(pk) || pk < 0)
    throw new RangeError(`legacy primary key must be a non-negative integer, got ${pk}`);
  return String(pk);
}

/**
 * Characters allowed in a user id (an OIDC `sub`) or group id: printable ASCII without space and
 * without `"`, `'`, `` ` ``, `\` and `^`. This admits every issuer format we know (`auth0|abc`,
 * `google-oauth2|123`, `samlp|conn|a@b.c`, UUIDs, base64/base64url, Apple's `000.abc.123`) while
 * keeping ids safe inside filter strings, and keeps `^` free as the case escape of
 * {@link encodePrincipal}. OIDC Core §5.1 limits `sub` to 255 ASCII characters.
 */
const PRINCIPAL_RE = /^[\x21\x23-\x26\x28-\x5B\x5D\x5F\x61-\x7E]+$/;

/** A user id: the OIDC `sub` of an account (case-sensitive). */
export const userIdSchema = z
  .string()
  .min(1)
  .max(LIMITS.principalIdChars)
  .regex(PRINCIPAL_RE, 'must be printable ASCII without spaces, quotes, backslash, backtick or ^');

/** A group id: the objectID of its record in the `groups` index. */
export const groupIdSchema = objectIdSchema;

/** True when `value` is an acceptable user id. */
export function isUserId(value: unknown): value is string {
  return userIdSchema.safeParse(value).success;
}
