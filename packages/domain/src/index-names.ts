import { z } from 'zod';

/** The primary indices, without environment prefix. */
export const BASE_INDICES = ['dreams', 'things', 'stories', 'patterns', 'groups', 'profiles_public'] as const;
/** A primary index, without environment prefix. */
export type BaseIndex = (typeof BASE_INDICES)[number];
/** Zod schema of a base index name. */
export const baseIndexSchema = z.enum(BASE_INDICES);

/** The user-content indices written through the key service's versioned record API. */
export const CONTENT_INDICES = ['dreams', 'things', 'stories'] as const;
/** A user-content index. */
export type ContentIndex = (typeof CONTENT_INDICES)[number];

/** A sort replica: which attribute and which direction it puts first. */
export interface ReplicaSpec {
  /** Replica suffix appended to the primary name, e.g. `created_at_desc`. */
  suffix: string;
  /** Numeric attribute it sorts on. */
  attribute: string;
  /** `desc` = newest first, `asc` = oldest first. */
  direction: 'asc' | 'desc';
}

function both(attribute: string): ReplicaSpec[] {
  return [
    { suffix: `${attribute}_desc`, attribute, direction: 'desc' },
    { suffix: `${attribute}_asc`, attribute, direction: 'asc' },
  ];
}

/**
 * Sort replicas per primary index (standard replicas, which work on every Algolia plan). Dreams and
 * things can also be ordered by when the dream/entry happened, which is what a journal's timeline
 * shows; `created_at` orders by when it was written down.
 */
export const REPLICAS: Readonly<Record<BaseIndex, readonly ReplicaSpec[]>> = {
  dreams: [...both('created_at'), ...both('dream_date')],
  things: [...both('created_at'), ...both('thing_date')],
  stories: [...both('created_at'), ...both('updated_at')],
  patterns: [],
  groups: [],
  profiles_public: [],
};

/**
 * An environment prefix: empty, or lowercase letters/digits ending with `_` or `-`
 * (`prod_`, `staging-`, `test_42_`), at most 32 characters.
 */
export const indexPrefixSchema = z
  .string()
  .max(32)
  .regex(
    /^(?:[a-z0-9][a-z0-9_-]*[_-])?$/,
    'index prefix must be empty or like "prod_" (a-z, 0-9, "_", "-", ending in "_" or "-")',
  );

/** Validates and returns `prefix` (throws a ZodError naming the rule when it is malformed). */
export function checkIndexPrefix(prefix: string): string {
  return indexPrefixSchema.parse(prefix);
}

/** The full name of a primary index. */
export function indexName(prefix: string, index: BaseIndex): string {
  return `${checkIndexPrefix(prefix)}${index}`;
}

/**
 * The service's own index of ids that were given out and deleted (`<index>:<objectID>` →
 * `{retired_at}`): a deleted dream, thing, story or group id is never given out again, to anyone.
 * Records elsewhere still name it — a group's `visible_to` token, a story's `thing_ids` — and
 * whoever re-created it would inherit them. Read and written with the admin key only; no search
 * key's index patterns reach it.
 */
export function retiredIdsIndexName(prefix: string): string {
  return `${checkIndexPrefix(prefix)}retired_ids`;
}

/** The full name of one replica of `index`. */
export function replicaName(prefix: string, index: BaseIndex, replica: ReplicaSpec): string {
  return `${indexName(prefix, index)}_${replica.suffix}`;
}

/** Full names of the replicas of `index`, in {@link REPLICAS} order. */
export function replicaNames(prefix: string, index: BaseIndex): string[] {
  return REPLICAS[index].map((r) => replicaName(prefix, index, r));
}

/**
 * The name of the index to query for a sort order: the primary for relevance, else the replica
 * sorting on `attribute` in `direction`. Throws when that replica does not exist.
 */
export function sortedIndexName(
  prefix: string,
  index: BaseIndex,
  sort?: { attribute: string; direction: 'asc' | 'desc' },
): string {
  if (!sort) return indexName(prefix, index);
  const spec = REPLICAS[index].find((r) => r.attribute === sort.attribute && r.direction === sort.direction);
  if (!spec)
    throw new RangeError(`index ${index} has no replica sorted by ${sort.attribute} ${sort.direction}`);
  return replicaName(prefix, index, spec);
}

/** Every index name (primaries, then each primary's replicas) for an environment prefix. */
export function indexNames(prefix: string): string[] {
  const names: string[] = [];
  for (const index of BASE_INDICES) names.push(indexName(prefix, index));
  for (const index of BASE_INDICES) names.push(...replicaNames(prefix, index));
  return names;
}

/**
 * One index-name pattern per base index (`<prefix>dreams*`, …) covering the primary and its sort
 * replicas — what a secured key's `restrictIndices` lists. Six short patterns instead of every
 * exact name keep the key short (Algolia warns very long keys can fail on some networks). No base
 * name is a prefix of another, so each pattern reaches only its own base's indices of this
 * environment — and any other index an operator names `<prefix><base>…` (say a
 * `prod_dreams_backup`): name copies outside the environment's prefix.
 */
export function indexPatterns(prefix: string): string[] {
  return BASE_INDICES.map((index) => `${indexName(prefix, index)}*`);
}

/**
 * Splits a full index name into its base index (and replica) for a prefix; `undefined` when the
 * name is not one of ours. The key service uses it to validate `:index` path parameters.
 */
export function parseIndexName(
  prefix: string,
  name: string,
): { index: BaseIndex; replica?: ReplicaSpec } | undefined {
  const p = checkIndexPrefix(prefix);
  if (!name.startsWith(p)) return undefined;
  const rest = name.slice(p.length);
  for (const index of BASE_INDICES) {
    if (rest === index) return { index };
    for (const replica of REPLICAS[index])
      if (rest === `${index}_${replica.suffix}`) return { index, replica };
  }
  return undefined;
}
