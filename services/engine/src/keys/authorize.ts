import { timingSafeEqual } from 'node:crypto';
import { AlgoliaError } from '../errors';
import {
  andFilters,
  facetFiltersToExpr,
  numericFiltersToExpr,
  parseFilters,
  tagFiltersToExpr,
} from '../filters';
import type { FilterExpr } from '../filters';
import { ACLS, WRITE_ACLS, type Acl, type Need } from './acl';
import type { KeyStore, StoredKey } from './key-store';
import { isResponseField } from '../core/response-fields';
import { allowedBy, matchesPattern, refererAllowed } from './patterns';
import { parseSearchParamsString } from './search-params';
import { decodeSecuredApiKey, restrictsNothing, type SecuredRestrictions } from './secured-key';
import { sourceAllowed } from './sources';

/** Who is calling, with what rights and what the engine must force on every request. */
export interface Principal {
  kind: 'admin' | 'stored' | 'secured';
  acl: ReadonlySet<Acl>;
  canAccessIndex(name: string): boolean;
  /** Filters to AND with every query (secured-key and stored-key filters, already parsed). */
  filters: FilterExpr;
  /** Parameters forced on every request, not overridable by it. */
  forcedSearchParams: Record<string, unknown>;
  userToken?: string;
  /** Upper bound for hitsPerPage (and length) on this key. */
  maxHitsPerQuery?: number;
}

/** What the operation needs. */
export interface AuthorizationNeed {
  acl: Need;
  /** The index the operation targets, when it targets one. */
  indexName?: string;
  /** The caller's IP address, checked against `restrictSources`. */
  sourceIp?: string;
  /** The request's Referer header (or its Origin without one), checked against a key's `referers`. */
  referer?: string;
}

export const INVALID_KEY = 'Invalid Application-ID or API key';
export const METHOD_NOT_ALLOWED = 'Method not allowed with this API key';
export const INDEX_NOT_ALLOWED = 'Index not allowed with this API key';
export const VALID_UNTIL_EXPIRED = 'validUntil parameter expired (less than current date)';
/** Algolia's live answer to a referer a key does not allow (quoted by several of its users). */
export const REFERER_NOT_ALLOWED = 'Method not allowed with this referer';

const invalidKey = (): AlgoliaError => new AlgoliaError(403, INVALID_KEY);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The filter parameters a key may carry: ANDed with the request's, never replaced by them. */
const FILTER_PARAMS = ['filters', 'facetFilters', 'numericFilters', 'tagFilters'] as const;

function splitForced(params: Record<string, unknown>): {
  filters: FilterExpr;
  forced: Record<string, unknown>;
} {
  const forced: Record<string, unknown> = {};
  const parts: FilterExpr[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (!(FILTER_PARAMS as readonly string[]).includes(name)) {
      forced[name] = value;
    } else if (value === undefined) {
      continue;
    } else if (name === 'filters') {
      if (typeof value !== 'string') throw new AlgoliaError(400, 'filters: expected a string');
      parts.push(parseFilters(value));
    } else if (name === 'facetFilters') {
      parts.push(facetFiltersToExpr(value));
    } else if (name === 'numericFilters') {
      parts.push(numericFiltersToExpr(value));
    } else {
      parts.push(tagFiltersToExpr(value));
    }
  }
  return { filters: andFilters(...parts), forced };
}

/** `restrictSources` in a stored key's queryParameters is a restriction, not a search parameter. */
function withoutSources(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([name]) => name !== 'restrictSources'));
}

const ALL_ACLS: ReadonlySet<Acl> = new Set(ACLS);

/** The stored-like view of the configured search-only key. */
function searchKeyAsStored(value: string): StoredKey {
  return {
    value,
    acl: ['search'],
    description: 'Search-only API key',
    indexes: [],
    validity: 0,
    maxHitsPerQuery: 0,
    maxQueriesPerIPPerHour: 0,
    referers: [],
    queryParameters: '',
    createdAt: 0,
  };
}

/**
 * A decoded secured key, and what its parent and restrictions force on every request (worked
 * out on first successful use). Shared by every request with the key, so read-only.
 */
interface SecuredEntry {
  parentKey: string;
  restrictions: SecuredRestrictions;
  forced?: { filters: FilterExpr; searchParams: Record<string, unknown> };
}

/** Decoded secured keys, per key store, valid while the store's revision is unchanged. */
const securedCache = new WeakMap<KeyStore, { revision: number; entries: Map<string, SecuredEntry> }>();
/**
 * Each app user has a key of their own, used for every keystroke of a search: a server with many
 * writers must not decode (HMAC, query string, filter parse) a key per request. An entry is ≈ 1 KB.
 */
const SECURED_CACHE_SIZE = 10_000;
/** Secured keys longer than this (restrictions of ≈ 3 KB) are decoded on every request. */
const MAX_CACHED_KEY_LENGTH = 4096;

function decodeCached(store: KeyStore, key: string): SecuredEntry | undefined {
  let cache = securedCache.get(store);
  if (!cache || cache.revision !== store.revision) {
    cache = { revision: store.revision, entries: new Map() };
    securedCache.set(store, cache);
  }
  const hit = cache.entries.get(key);
  if (hit !== undefined) {
    // Most recently used last: the oldest entry is evicted first.
    cache.entries.delete(key);
    cache.entries.set(key, hit);
    return hit;
  }
  const decoded = decodeSecuredApiKey(key, store.parentCandidates());
  // Only keys signed by a parent are kept (anyone can send failing keys, 10,000 of them up to the
  // header limit each), and only keys of a sane length.
  if (!decoded) return undefined;
  const entry: SecuredEntry = { parentKey: decoded.parentKey, restrictions: decoded.restrictions };
  if (key.length > MAX_CACHED_KEY_LENGTH) return entry;
  if (cache.entries.size >= SECURED_CACHE_SIZE) {
    const oldest = cache.entries.keys().next();
    if (!oldest.done) cache.entries.delete(oldest.value);
  }
  cache.entries.set(key, entry);
  return entry;
}

/** Secured keys held decoded for `store` (for tests). */
export function cachedSecuredKeys(store: KeyStore): number {
  return securedCache.get(store)?.entries.size ?? 0;
}

/** Checks the `restrictSources` of a stored key's (or a secured key's parent's) queryParameters. */
function checkSources(params: Record<string, unknown>, need: AuthorizationNeed): void {
  const sources = params['restrictSources'];
  if (typeof sources === 'string' && sources.length > 0 && !sourceAllowed(sources, need.sourceIp))
    throw invalidKey();
}

/**
 * Checks a stored key's (or a secured key's parent's) `referers`. Called after the ACL and index
 * checks: Algolia answers a key's other index with "Index not allowed" whatever the referer.
 */
function checkReferer(key: StoredKey, need: AuthorizationNeed): void {
  if (!refererAllowed(key.referers, need.referer)) throw new AlgoliaError(403, REFERER_NOT_ALLOWED);
}

function checkAcl(acl: ReadonlySet<Acl>, need: Need): void {
  if (need === 'admin' || !acl.has(need)) throw new AlgoliaError(403, METHOD_NOT_ALLOWED);
}

/**
 * Authenticates a request and checks it may do `need`. Throws Algolia's errors:
 * 403 `Invalid Application-ID or API key` (unknown key, wrong application id, bad secured-key
 * signature, a write with a secured key), 403 `Method not allowed with this API key` (ACL; the
 * configured search-only key is checked like a stored key with ACL `search`, so its writes get
 * this one too, as Algolia answers a Search-Only API Key that writes), 403 `Index not allowed
 * with this API key`, 403 `Method not allowed with this referer` (checked last), 400 `validUntil
 * parameter expired (less than current date)`, and 400 `filters: …` when a key carries bad
 * filters. A secured key without any restriction is refused as invalid (Algolia answers one with
 * its parent's restrictions with a 403).
 *
 * `now` is in milliseconds.
 */
export function authorize(
  store: KeyStore,
  credentials: { appId?: string; apiKey?: string },
  expectedAppId: string,
  need: AuthorizationNeed,
  now: number = Date.now(),
): Principal {
  const { appId, apiKey } = credentials;
  if (
    appId === undefined ||
    apiKey === undefined ||
    apiKey.length === 0 ||
    !sameSecret(appId, expectedAppId)
  ) {
    throw invalidKey();
  }

  if (sameSecret(apiKey, store.adminKey)) {
    return {
      kind: 'admin',
      acl: ALL_ACLS,
      canAccessIndex: () => true,
      filters: [],
      forcedSearchParams: {},
    };
  }

  const isSearchKey = store.searchKey !== undefined && sameSecret(apiKey, store.searchKey);
  const stored = isSearchKey ? searchKeyAsStored(apiKey) : store.find(apiKey);
  if (stored) {
    const params = parseSearchParamsString(stored.queryParameters);
    checkSources(params, need);
    const acl = new Set(stored.acl);
    checkAcl(acl, need.acl);
    const canAccessIndex = (name: string): boolean => allowedBy(stored.indexes, name);
    if (need.indexName !== undefined && !canAccessIndex(need.indexName)) {
      throw new AlgoliaError(403, INDEX_NOT_ALLOWED);
    }
    checkReferer(stored, need);
    const { filters, forced } = splitForced(withoutSources(params));
    const principal: Principal = { kind: 'stored', acl, canAccessIndex, filters, forcedSearchParams: forced };
    if (stored.maxHitsPerQuery > 0) principal.maxHitsPerQuery = stored.maxHitsPerQuery;
    return principal;
  }

  const secured = decodeCached(store, apiKey);
  if (!secured) throw invalidKey();
  const parent =
    store.searchKey !== undefined && secured.parentKey === store.searchKey
      ? searchKeyAsStored(secured.parentKey)
      : store.find(secured.parentKey);
  if (!parent) throw invalidKey();
  const { restrictions } = secured;
  // "You must apply at least one restriction" (Algolia): a key restricting nothing is its parent.
  if (restrictsNothing(restrictions)) throw invalidKey();
  if (WRITE_ACLS.has(need.acl)) throw invalidKey();
  if (restrictions.validUntil !== undefined && !(restrictions.validUntil >= Math.floor(now / 1000))) {
    throw new AlgoliaError(400, VALID_UNTIL_EXPIRED);
  }
  const parentParams = parseSearchParamsString(parent.queryParameters);
  checkSources(parentParams, need);
  if (
    restrictions.restrictSources !== undefined &&
    !sourceAllowed(restrictions.restrictSources, need.sourceIp)
  ) {
    throw invalidKey();
  }
  const acl = new Set(parent.acl);
  checkAcl(acl, need.acl);
  // Unlike a stored key's `indexes`, a restrictIndices that is present but empty (`restrictIndices=`,
  // `[]`) restricts to nothing: reading it as "every index" would turn a signer's empty list into
  // the widest key there is.
  const { restrictIndices } = restrictions;
  const canAccessIndex = (name: string): boolean =>
    allowedBy(parent.indexes, name) &&
    (restrictIndices === undefined || restrictIndices.some((pattern) => matchesPattern(pattern, name)));
  if (need.indexName !== undefined && !canAccessIndex(need.indexName)) {
    throw new AlgoliaError(403, INDEX_NOT_ALLOWED);
  }
  checkReferer(parent, need);
  // Not cached when it throws (bad filters): every request gets the error.
  secured.forced ??= securedForced(parentParams, restrictions);
  const principal: Principal = {
    kind: 'secured',
    acl,
    canAccessIndex,
    filters: secured.forced.filters,
    forcedSearchParams: secured.forced.searchParams,
  };
  if (restrictions.userToken !== undefined) principal.userToken = restrictions.userToken;
  if (parent.maxHitsPerQuery > 0) principal.maxHitsPerQuery = parent.maxHitsPerQuery;
  return principal;
}

/** The filters and parameters a secured key and its parent force on every request. */
function securedForced(
  parentParams: Record<string, unknown>,
  restrictions: SecuredRestrictions,
): NonNullable<SecuredEntry['forced']> {
  const fromParent = splitForced(withoutSources(parentParams));
  const fromKey = splitForced(restrictions.searchParams);
  const keyFilters = restrictions.filters === undefined ? [] : parseFilters(restrictions.filters);
  return {
    filters: andFilters(fromParent.filters, keyFilters, fromKey.filters),
    searchParams: mergeForced(fromParent.forced, fromKey.forced),
  };
}

/** Integer parameters that cap what an answer holds: of two values, the smaller is the stricter. */
const AT_MOST_PARAMS: ReadonlySet<string> = new Set([
  'hitsPerPage',
  'length',
  'maxValuesPerFacet',
  'maxFacetHits',
  'aroundRadius', // or `all`: no cap
]);

/**
 * The parameters a secured key and its parent both force, never wider than either: whoever holds
 * a restricted parent must not lift its restrictions by minting a secured key from it, and the
 * key's own restrictions hold too. Caps take the smaller value, lists that restrict (what is
 * retrieved, searched, answered) their intersection; anything else is the parent's.
 */
function mergeForced(parent: Record<string, unknown>, key: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...key, ...parent };
  for (const name of Object.keys(parent)) {
    if (!(name in key)) continue;
    const [a, b] = [parent[name], key[name]];
    if (AT_MOST_PARAMS.has(name)) out[name] = smallerCap(a, b);
    else if (name === 'attributesToRetrieve') out[name] = bothLists(a, b, intersectRetrieved) ?? a;
    else if (name === 'restrictSearchableAttributes') out[name] = bothLists(a, b, intersectSearchable) ?? a;
    else if (name === 'responseFields') out[name] = intersectResponseFields(a, b);
  }
  return out;
}

/** A cap as the engine reads it: a non-negative number, `Infinity` for none (`all`), else unusable. */
function capOf(value: unknown): number | undefined {
  if (value === 'all') return Infinity;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * The smaller of two caps. A value the engine cannot use is ignored when forced (no cap at all),
 * so the other one, usable, wins; with neither usable the parent's stays (the engine ignores it).
 */
function smallerCap(parent: unknown, key: unknown): unknown {
  const [a, b] = [capOf(parent), capOf(key)];
  if (a === undefined) return b === undefined ? parent : key;
  if (b === undefined) return parent;
  return b < a ? key : parent;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

/** `f` of two lists; the usable one when only one is (the engine drops a forced list it cannot read). */
function bothLists(a: unknown, b: unknown, f: (x: string[], y: string[]) => string[]): string[] | undefined {
  const [x, y] = [stringList(a), stringList(b)];
  if (x && y) return f(x, y);
  return x ?? y;
}

/** Whether attribute path `path` is `other` or inside it (`authors.name` is in `authors`). */
function within(path: string, other: string): boolean {
  return path === other || path.startsWith(`${other}.`);
}

const unique = (items: string[]): string[] => [...new Set(items)];

/**
 * The attributes both `attributesToRetrieve` lists retrieve. With `*` a list retrieves all but its
 * exclusions (`-attr`), without it only what it names (exclusions do nothing there). An attribute
 * holding an excluded path is left out whole: "all of `authors` but `authors.email`" cannot be
 * written without `*`, and retrieving it whole would show what the other list hides.
 */
function intersectRetrieved(a: string[], b: string[]): string[] {
  const excluded = (l: string[]): string[] => l.filter((x) => x.startsWith('-')).map((x) => x.slice(1));
  const named = (l: string[]): string[] => l.filter((x) => x !== '*' && !x.startsWith('-'));
  const [allA, allB] = [a.includes('*'), b.includes('*')];
  if (allA && allB) return ['*', ...unique([...excluded(a), ...excluded(b)]).map((x) => `-${x}`)];
  if (allA || allB) {
    const [all, only] = allA ? [a, b] : [b, a];
    const ex = excluded(all);
    return unique(named(only).filter((p) => !ex.some((e) => within(p, e) || within(e, p))));
  }
  const [na, nb] = [named(a), named(b)];
  return unique([
    ...na.filter((p) => nb.some((q) => within(p, q))),
    ...nb.filter((q) => na.some((p) => within(q, p))),
  ]);
}

/**
 * The attributes both `restrictSearchableAttributes` lists search (`*`: every one). The engine
 * reads an empty list as no restriction, so nothing in common is written as a name no searchable
 * attribute has (`''`).
 */
function intersectSearchable(a: string[], b: string[]): string[] {
  if (a.includes('*')) return b;
  if (b.includes('*')) return a;
  const common = unique(a.filter((x) => b.includes(x)));
  return common.length > 0 ? common : [''];
}

/**
 * The fields both `responseFields` lists answer (`*`: all). Names no response has are left out
 * first, as the engine leaves them out of a key's list (a list of only those is no list).
 */
function intersectResponseFields(a: unknown, b: unknown): unknown {
  const known = (v: unknown): string[] | undefined => {
    const l = stringList(v)?.filter(isResponseField);
    return l === undefined || (l.length === 0 && (v as unknown[]).length > 0) ? undefined : l;
  };
  const [x, y] = [known(a), known(b)];
  if (!x || !y) return x ?? y ?? a;
  if (x.includes('*')) return y;
  if (y.includes('*')) return x;
  return unique(x.filter((f) => y.includes(f)));
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;
type QuerySource = URLSearchParams | Record<string, string | string[] | undefined>;

function first(value: string | string[] | null | undefined): string | undefined {
  if (Array.isArray(value)) return value[0];
  return value ?? undefined;
}

function fromHeaders(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return first(headers.get(name));
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return first(value);
  return undefined;
}

function fromQuery(query: QuerySource, name: string): string | undefined {
  // Names in any case, as headers are (`X-Algolia-API-Key` in older examples).
  if (query instanceof URLSearchParams) {
    for (const [key, value] of query) if (key.toLowerCase() === name) return value;
    return undefined;
  }
  for (const [key, value] of Object.entries(query)) if (key.toLowerCase() === name) return first(value);
  return undefined;
}

/**
 * Reads the credentials from the `x-algolia-application-id` / `x-algolia-api-key` headers, or
 * the same names as query parameters (browser builds of the client send them there). Headers win.
 */
export function parseCredentials(
  headers: HeaderSource,
  query: QuerySource,
): { appId?: string; apiKey?: string } {
  const out: { appId?: string; apiKey?: string } = {};
  const appId =
    fromHeaders(headers, 'x-algolia-application-id') ?? fromQuery(query, 'x-algolia-application-id');
  const apiKey = fromHeaders(headers, 'x-algolia-api-key') ?? fromQuery(query, 'x-algolia-api-key');
  if (appId !== undefined) out.appId = appId;
  if (apiKey !== undefined) out.apiKey = apiKey;
  return out;
}
