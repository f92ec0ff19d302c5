import { BASE_INDICES, REPLICAS, indexName, replicaName, type BaseIndex } from './index-names';

/**
 * The subset of Algolia index settings this project sets. Everything not listed keeps the engine's
 * default. Attribute names are those of the record schemas.
 */
export interface IndexSettings {
  searchableAttributes?: string[];
  attributesForFaceting?: string[];
  customRanking?: string[];
  ranking?: string[];
  unretrievableAttributes?: string[];
  attributesToSnippet?: string[];
  attributeForDistinct?: string;
  distinct?: boolean | number;
  replicas?: string[];
  /** A stored search key may never page deep enough to dump an index. */
  paginationLimitedTo?: number;
  /** `"a phrase"` matches those words in a row, `-word` leaves out entries with the word. */
  advancedSyntax?: boolean;
}

/** Algolia's default ranking criteria, after which a sort replica's own criterion is placed first. */
export const DEFAULT_RANKING = [
  'typo',
  'geo',
  'words',
  'filters',
  'proximity',
  'attribute',
  'exact',
  'custom',
];

/**
 * ACL attributes of dreams, things and stories that no reader but the owner may read back: they
 * reveal who else can see a record. `group_ids` is kept under every privacy (so switching back
 * restores the choice), so on a community record it would tell every reader which groups the author
 * shares with. Unretrievable to search keys; the key service's read must drop them for non-owners too.
 */
export const READER_HIDDEN_ATTRIBUTES = ['visible_to', 'shared_with_user_ids', 'group_ids'] as const;

/**
 * The key service's bookkeeping on every versioned record (the idempotency window of recent
 * mutation ids): unretrievable to search keys and dropped from non-owner reads.
 */
export const SERVICE_BOOKKEEPING_ATTRIBUTES = ['recent_mutation_ids'] as const;

const UNRETRIEVABLE = [...READER_HIDDEN_ATTRIBUTES, ...SERVICE_BOOKKEEPING_ATTRIBUTES];

/**
 * Filters every user-content view needs: the secured key's ACL, "mine", trash, detail-by-id. Not
 * `group_ids`: nothing filters on it, and it is hidden (READER_HIDDEN_ATTRIBUTES). `visible_to` must
 * stay filterable for the keys, so a reader can still test whether a record they see is also shared
 * with a given user, or — knowing a group's id, whose token is a public hash of it — with a given
 * group. Tokens keyed with a service secret would close that; not done (accepted: it tells a
 * reader who a record they can already read is shared with, not its content).
 */
const CONTENT_FILTERS = [
  'filterOnly(visible_to)',
  'filterOnly(user_id)',
  'filterOnly(trashed)',
  'filterOnly(objectID)',
  'privacy',
];

/** Facets of dreams and things shown as searchable RefinementLists. */
const ELEMENT_FACETS = [
  'searchable(tags)',
  'searchable(themes)',
  'searchable(entities)',
  'searchable(symbols)',
  'searchable(mood)',
];

/** Settings of each primary index, without replicas. */
const PRIMARY: Readonly<Record<BaseIndex, IndexSettings>> = {
  dreams: {
    searchableAttributes: [
      'title',
      'tags,themes',
      'entities,symbols',
      'unordered(description)',
      'mood',
      'unordered(author.display_name)',
    ],
    attributesForFaceting: [
      ...CONTENT_FILTERS,
      ...ELEMENT_FACETS,
      'lucidity_level',
      'searchable(author.display_name)',
    ],
    customRanking: ['desc(dream_date)', 'desc(created_at)'],
    unretrievableAttributes: UNRETRIEVABLE,
    attributesToSnippet: ['description:30'],
    // Writers look for a line they remember ("the red door") or around a recurring one.
    advancedSyntax: true,
  },
  things: {
    searchableAttributes: [
      'title',
      'tags,themes',
      'entities,symbols',
      'unordered(body)',
      'mood',
      'unordered(author.display_name)',
    ],
    attributesForFaceting: [...CONTENT_FILTERS, ...ELEMENT_FACETS, 'searchable(author.display_name)'],
    customRanking: ['desc(thing_date)', 'desc(created_at)'],
    unretrievableAttributes: UNRETRIEVABLE,
    attributesToSnippet: ['body:30'],
    advancedSyntax: true,
  },
  stories: {
    searchableAttributes: [
      'title',
      'things_preview.title',
      'unordered(text)',
      'unordered(author.display_name)',
    ],
    attributesForFaceting: [
      ...CONTENT_FILTERS,
      'filterOnly(story_id)',
      'filterOnly(record_type)',
      'filterOnly(thing_ids)',
      'afterDistinct(searchable(author.display_name))',
    ],
    customRanking: ['desc(updated_at)'],
    unretrievableAttributes: UNRETRIEVABLE,
    attributesToSnippet: ['text:30'],
    advancedSyntax: true,
    // A story's main record and its body chunks share `story_id`: one hit per story. The detail view
    // searches with `distinct: false` and `story_id:<id>` to get every chunk.
    attributeForDistinct: 'story_id',
    distinct: true,
  },
  patterns: {
    searchableAttributes: ['value', 'co_occurrences.value'],
    attributesForFaceting: ['filterOnly(visible_to)', 'filterOnly(user_id)', 'filterOnly(objectID)', 'kind'],
    customRanking: ['desc(count)', 'desc(last_seen)'],
    unretrievableAttributes: ['visible_to'],
  },
  groups: {
    searchableAttributes: ['name', 'unordered(description)'],
    attributesForFaceting: [
      'filterOnly(visible_to)',
      'filterOnly(member_user_ids)',
      'filterOnly(owner_id)',
      'filterOnly(objectID)',
    ],
    customRanking: ['desc(updated_at)'],
    unretrievableAttributes: ['visible_to', ...SERVICE_BOOKKEEPING_ATTRIBUTES],
  },
  profiles_public: {
    searchableAttributes: ['display_name'],
    attributesForFaceting: ['filterOnly(visible_to)', 'filterOnly(user_id)', 'filterOnly(objectID)'],
    customRanking: ['asc(display_name)'],
    unretrievableAttributes: ['visible_to', ...SERVICE_BOOKKEEPING_ATTRIBUTES],
  },
};

/** Settings of one primary index, with its replica list (names carry `prefix`). */
export function primaryIndexSettings(prefix: string, index: BaseIndex): IndexSettings {
  const replicas = REPLICAS[index].map((r) => replicaName(prefix, index, r));
  return {
    ...clone(PRIMARY[index]),
    paginationLimitedTo: 1000,
    ...(replicas.length > 0 ? { replicas } : {}),
  };
}

/**
 * Every index's settings keyed by full index name: the primaries (with `replicas`) and each sort
 * replica (the primary's settings without `replicas`, ranking led by `desc(attr)` / `asc(attr)`).
 * Apply primaries first: Algolia creates replicas when the primary's `replicas` is set.
 */
export function indexSettings(prefix: string): Record<string, IndexSettings> {
  const out: Record<string, IndexSettings> = {};
  for (const index of BASE_INDICES) out[indexName(prefix, index)] = primaryIndexSettings(prefix, index);
  for (const index of BASE_INDICES) {
    for (const r of REPLICAS[index]) {
      out[replicaName(prefix, index, r)] = {
        ...clone(PRIMARY[index]),
        paginationLimitedTo: 1000,
        ranking: [`${r.direction}(${r.attribute})`, ...DEFAULT_RANKING],
      };
    }
  }
  return out;
}

function clone(s: IndexSettings): IndexSettings {
  return structuredClone(s);
}
