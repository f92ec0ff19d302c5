import { createHash } from 'node:crypto';
import type { Algoliasearch, SecuredApiKeyRestrictions } from 'algoliasearch';
import { indexNames, indexPatterns, visibilityFilter } from '@newdreamflow/domain';

/** What `POST /v1/search-key` answers. */
export interface SearchKeyResponse {
  appId: string;
  /** The secured key: search-only, filtered to what the caller may see, expiring at `validUntil`. */
  searchKey: string;
  /** Unix seconds after which the engine refuses the key. */
  validUntil: number;
  /** Exact index names (primaries and replicas) the key may query. */
  indices: string[];
  /** Base URLs to send searches to; empty means Algolia's own hosts. */
  hosts: string[];
}

/** Options of {@link mintSearchKey}. */
export interface MintOptions {
  /** A client whose `generateSecuredApiKey` is the Node build's (HMAC with node:crypto). */
  client: Algoliasearch;
  appId: string;
  parentKey: string;
  hosts: string[];
  indexPrefix: string;
  ttlSeconds: number;
  issuer: string;
  userId: string;
  groupIds: readonly string[];
  /** Unix seconds now (injectable for tests). */
  now: number;
}

/**
 * A pseudonymous, stable Algolia `userToken` for (issuer, sub): Algolia allows only
 * `[A-Za-z0-9_-]{1,64}` and uses it for per-user rate limiting and analytics, so raw subs (which
 * may be emails or contain `|`) are hashed. 22 base64url characters (132 bits) keep distinct users
 * apart (a collision would only merge two users' rate limits and analytics) at half the length of
 * the whole digest — it is in every secured key.
 */
export function algoliaUserToken(issuer: string, userId: string): string {
  return 'u_' + createHash('sha256').update(`${issuer}\u0000${userId}`).digest('base64url').slice(0, 22);
}

/**
 * Derives the caller's secured key from the search-only parent: restricted to this environment's
 * indices by one wildcard per base index (`<prefix>dreams*` covers the primary and its replicas;
 * see {@link indexPatterns} — six patterns keep the key far shorter than 18 exact names), valid
 * for at most the TTL, tagged with the user token, and filtered to
 * `visible_to:community OR visible_to:"user:<me>" OR visible_to:g_<…>…` (records shared
 * directly with the caller carry `user:<me>` in `visible_to`, so they are covered).
 */
export function mintSearchKey(o: MintOptions): SearchKeyResponse {
  const indices = indexNames(o.indexPrefix);
  const validUntil = o.now + o.ttlSeconds;
  const searchKey = nodeHelpers(o.client).generateSecuredApiKey({
    parentApiKey: o.parentKey,
    restrictions: {
      filters: visibilityFilter(o.userId, o.groupIds),
      validUntil,
      restrictIndices: indexPatterns(o.indexPrefix),
      userToken: algoliaUserToken(o.issuer, o.userId),
    },
  });
  return { appId: o.appId, searchKey, validUntil, indices, hosts: o.hosts };
}

/** The Node build's helpers (HMAC via node:crypto); the package's browser typings omit them. */
interface NodeHelpers {
  generateSecuredApiKey(opts: { parentApiKey: string; restrictions?: SecuredApiKeyRestrictions }): string;
}

function nodeHelpers(client: Algoliasearch): NodeHelpers {
  const candidate = client as unknown as Partial<NodeHelpers>;
  if (typeof candidate.generateSecuredApiKey !== 'function') {
    throw new Error('algoliasearch was resolved to a non-Node build: generateSecuredApiKey is missing');
  }
  return candidate as NodeHelpers;
}
