/**
 * Index settings: validation of what clients send (PUT /settings), defaults, and the parsed
 * forms the index uses (searchable attribute groups, facet declarations, ranking criteria).
 */
import { z } from 'zod';
import { AlgoliaError } from '../errors';
import { MAX_NESTING, nestedBeyond } from './operations';
import { isResponseField } from './response-fields';

const strList = z.array(z.string());
const typoTolerance = z.union([z.boolean(), z.enum(['min', 'strict', 'true', 'false'])]);
const distinct = z.union([z.boolean(), z.number().int().min(0).max(4)]);

/** Settings the engine implements, with their wire types. `null` resets to the default. */
const implemented = {
  searchableAttributes: strList,
  attributesForFaceting: strList,
  unretrievableAttributes: strList,
  attributesToRetrieve: strList,
  ranking: strList,
  customRanking: strList,
  replicas: strList,
  paginationLimitedTo: z.number().int().min(0).max(20_000),
  maxValuesPerFacet: z.number().int().min(0).max(1000),
  sortFacetValuesBy: z.enum(['count', 'alpha']),
  attributesToHighlight: strList,
  attributesToSnippet: strList,
  highlightPreTag: z.string(),
  highlightPostTag: z.string(),
  snippetEllipsisText: z.string(),
  hitsPerPage: z.number().int().min(0).max(1000),
  minWordSizefor1Typo: z.number().int().min(0),
  minWordSizefor2Typos: z.number().int().min(0),
  typoTolerance,
  queryType: z.enum(['prefixLast', 'prefixAll', 'prefixNone']),
  attributeForDistinct: z.string(),
  distinct,
  userData: z.unknown(),
  maxFacetHits: z.number().int().min(1).max(100),
  optionalWords: z.union([strList, z.string()]),
  allowTyposOnNumericTokens: z.boolean(),
  advancedSyntax: z.boolean(),
  advancedSyntaxFeatures: z.array(z.enum(['exactPhrase', 'excludeWords'])),
  removeWordsIfNoResults: z.enum(['none', 'lastWords', 'firstWords', 'allOptional']),
  exactOnSingleWordQuery: z.enum(['attribute', 'none', 'word']),
  disableExactOnAttributes: strList,
  disableTypoToleranceOnAttributes: strList,
  disableTypoToleranceOnWords: strList,
  disablePrefixOnAttributes: strList,
  minProximity: z.number().int().min(1).max(7),
  relevancyStrictness: z.number().int().min(0).max(100),
  // Checked here: every search of the index applies it (an unknown name refuses them all).
  responseFields: z.array(z.string().refine(isResponseField)),
} as const;

const bool = z.boolean();
const obj = z.record(z.string(), z.unknown());
const oneOf = <T extends string>(...values: [T, ...T[]]) => z.enum(values);
/** `ignorePlurals` and `removeStopWords`: a switch or the languages it applies to. */
const languagesOrSwitch = z.union([bool, strList, z.enum(['true', 'false'])]);

/**
 * Settings Algolia has that the engine stores and returns but does not act on, with their types
 * in Algolia's spec (IndexSettings.yml): checked all the same, or a value Algolia refuses would
 * pass here and fail in production.
 */
const storedOnly: Record<string, z.ZodType> = {
  numericAttributesForFiltering: strList,
  attributesToTransliterate: strList,
  camelCaseAttributes: strList,
  decompoundedAttributes: obj,
  indexLanguages: strList,
  allowCompressionOfIntegerArray: bool,
  separatorsToIndex: z.string(),
  ignorePlurals: languagesOrSwitch,
  removeStopWords: z.union([bool, strList]),
  keepDiacriticsOnCharacters: z.string(),
  queryLanguages: strList,
  decompoundQuery: bool,
  enableRules: bool,
  enablePersonalization: bool,
  alternativesAsExact: z.array(
    oneOf('ignorePlurals', 'singleWordSynonym', 'multiWordsSynonym', 'ignoreConjugations'),
  ),
  restrictHighlightAndSnippetArrays: bool,
  attributeCriteriaComputedByMinProximity: bool,
  attributeCriteriaComputedBy: oneOf('minProximity', 'best', 'sum'),
  renderingContent: obj,
  enableReRanking: bool,
  reRankingApplyFilter: z.union([z.string(), z.array(z.unknown())]),
  mode: oneOf('neuralSearch', 'keywordSearch'),
  semanticSearch: obj,
  replaceSynonymsInHighlight: bool,
  synonyms: bool,
  customNormalization: z.record(z.string(), z.record(z.string(), z.string())),
};

/**
 * Deprecated names Algolia still takes for a setting (its documentation lists them: "Deprecated
 * name: attributesToIndex"), stored under today's name; a getSettings answer sent back as it is
 * carries some of them.
 */
const LEGACY_NAMES: Readonly<Record<string, string>> = {
  attributesToIndex: 'searchableAttributes',
  numericAttributesToIndex: 'numericAttributesForFiltering',
  slaves: 'replicas',
};

/** Settings as stored (only what was explicitly set). */
export type StoredSettings = Record<string, unknown>;

/** Validates a settings body (partial); returns the changes (`null` = reset). */
export function parseSettingsBody(body: unknown): StoredSettings {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AlgoliaError(400, 'Invalid settings: expected a JSON object');
  }
  const out: StoredSettings = {};
  const entries = Object.entries(body as Record<string, unknown>);
  for (const [sent, value] of entries) {
    // Read-only members of a getSettings answer: set by the engine.
    if (sent === 'primary' || sent === 'version') continue;
    const own = <T>(table: Readonly<Record<string, T>>, k: string): T | undefined =>
      Object.hasOwn(table, k) ? table[k] : undefined;
    const key = own(LEGACY_NAMES, sent) ?? sent;
    // Today's name wins over a deprecated one sent along with it.
    if (key !== sent && Object.prototype.hasOwnProperty.call(body, key)) continue;
    const schema = own<z.ZodType>(implemented, key) ?? own(storedOnly, key);
    if (!schema) throw new AlgoliaError(400, `Invalid object attributes: ${sent}`);
    if (value === null) {
      out[key] = null;
      continue;
    }
    // Not deeper than a record may be (userData, renderingContent): answers walk them.
    const r = nestedBeyond(value, MAX_NESTING) ? undefined : schema.safeParse(value);
    if (!r?.success) throw new AlgoliaError(400, `Invalid value for setting ${sent}`);
    out[key] = key === 'typoTolerance' && typeof r.data === 'string' ? normalizeTypo(r.data) : r.data;
  }
  return out;
}

function normalizeTypo(v: string): boolean | string {
  if (v === 'true') return true;
  if (v === 'false') return false;
  return v;
}

/** Defaults returned by GET /settings for settings never set. */
export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>> = Object.freeze({
  minWordSizefor1Typo: 4,
  minWordSizefor2Typos: 8,
  hitsPerPage: 20,
  maxValuesPerFacet: 100,
  version: 2,
  searchableAttributes: null,
  numericAttributesToIndex: null,
  attributesToRetrieve: null,
  unretrievableAttributes: null,
  optionalWords: null,
  attributesForFaceting: null,
  attributesToSnippet: null,
  attributesToHighlight: null,
  paginationLimitedTo: 1000,
  attributeForDistinct: null,
  exactOnSingleWordQuery: 'attribute',
  ranking: ['typo', 'geo', 'words', 'filters', 'proximity', 'attribute', 'exact', 'custom'],
  customRanking: null,
  separatorsToIndex: '',
  removeWordsIfNoResults: 'none',
  queryType: 'prefixLast',
  highlightPreTag: '<em>',
  highlightPostTag: '</em>',
  alternativesAsExact: ['ignorePlurals', 'singleWordSynonym'],
  renderingContent: {},
  typoTolerance: true,
  replicas: [],
});

/** The engine's parsed view of the settings that shape the index structure and ranking. */
export interface ResolvedSettings {
  searchable: SearchableGroup[] | null;
  facets: Map<string, FacetDecl>;
  unretrievable: string[];
  ranking: RankingCriterion[];
  customRanking: SortCriterion[];
  raw: StoredSettings;
}

/** One rank of searchableAttributes: `"a,b"` shares a rank; `unordered(a)` ignores positions. */
export interface SearchableGroup {
  paths: string[];
  unordered: boolean;
}

export interface FacetDecl {
  attribute: string;
  filterOnly: boolean;
  searchable: boolean;
  afterDistinct: boolean;
}

export type RankingCriterion =
  | { kind: 'typo' | 'geo' | 'words' | 'filters' | 'proximity' | 'attribute' | 'exact' | 'custom' }
  | SortCriterion;

export interface SortCriterion {
  kind: 'sort';
  attribute: string;
  desc: boolean;
}

const MODIFIER = /^(\w+)\((.*)\)$/;

/** Parses the stored settings into the forms the index needs. Throws 400 on malformed entries. */
export function resolveSettings(raw: StoredSettings): ResolvedSettings {
  const searchableRaw = raw.searchableAttributes as string[] | null | undefined;
  let searchable: SearchableGroup[] | null = null;
  if (searchableRaw && searchableRaw.length > 0) {
    searchable = searchableRaw.map((entry) => {
      const m = MODIFIER.exec(entry.trim());
      if (m && m[1] !== 'unordered') {
        throw new AlgoliaError(400, `Invalid searchableAttributes: unknown modifier ${m[1]}`);
      }
      const inner = m ? (m[2] ?? '') : entry;
      return {
        paths: inner
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        unordered: m !== null,
      };
    });
  }
  const facets = new Map<string, FacetDecl>();
  for (const entry of (raw.attributesForFaceting as string[] | null | undefined) ?? []) {
    let rest = entry.trim();
    const decl: FacetDecl = { attribute: '', filterOnly: false, searchable: false, afterDistinct: false };
    for (;;) {
      const m = MODIFIER.exec(rest);
      if (!m) break;
      if (m[1] === 'filterOnly') decl.filterOnly = true;
      else if (m[1] === 'searchable') decl.searchable = true;
      else if (m[1] === 'afterDistinct') decl.afterDistinct = true;
      else throw new AlgoliaError(400, `Invalid attributesForFaceting: unknown modifier ${m[1]}`);
      rest = (m[2] ?? '').trim();
    }
    decl.attribute = rest;
    facets.set(rest, decl);
  }
  const ranking = (
    (raw.ranking as string[] | null | undefined) ?? (DEFAULT_SETTINGS.ranking as string[])
  ).map(parseRanking);
  const customRanking = ((raw.customRanking as string[] | null | undefined) ?? []).map((c) => {
    const r = parseRanking(c);
    if (r.kind !== 'sort') throw new AlgoliaError(400, `Invalid customRanking: ${c}`);
    return r;
  });
  return {
    searchable,
    facets,
    unretrievable: (raw.unretrievableAttributes as string[] | null | undefined) ?? [],
    ranking,
    customRanking,
    raw: withoutInvalidStored(raw),
  };
}

function parseRanking(entry: string): RankingCriterion {
  const m = MODIFIER.exec(entry.trim());
  if (m && (m[1] === 'asc' || m[1] === 'desc')) {
    return { kind: 'sort', attribute: (m[2] ?? '').trim(), desc: m[1] === 'desc' };
  }
  switch (entry) {
    case 'typo':
    case 'geo':
    case 'words':
    case 'filters':
    case 'proximity':
    case 'attribute':
    case 'exact':
    case 'custom':
      return { kind: entry };
    default:
      throw new AlgoliaError(400, `Invalid ranking criterion: ${entry}`);
  }
}

/** Settings as GET /settings answers them: defaults overlaid with what was set. */
export function settingsForDisplay(raw: StoredSettings): Record<string, unknown> {
  const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const [k, v] of Object.entries(withoutInvalidStored(raw)))
    if (v !== null && v !== undefined) out[k] = v;
  // Algolia's answers carry `numericAttributesToIndex` (null when unset, as above); under today's
  // name only, a value set would read as null to whoever reads the old one. Sent back, today's
  // name wins (parseSettingsBody).
  if (out.numericAttributesForFiltering !== undefined)
    out.numericAttributesToIndex = out.numericAttributesForFiltering;
  return out;
}

/**
 * `raw` without stored-only values their type refuses: the engine stored them unchecked before
 * they were checked, and a data folder from then replays them. Left out, they act as unset (and
 * are not shown, so a getSettings answer sent back stays valid) instead of failing searches.
 */
function withoutInvalidStored(raw: StoredSettings): StoredSettings {
  let out: StoredSettings | undefined;
  for (const [k, v] of Object.entries(raw)) {
    // Implemented ones too: responseFields, advancedSyntax, … were stored unchecked before they
    // were applied.
    const schema = Object.hasOwn(storedOnly, k)
      ? storedOnly[k]
      : Object.hasOwn(implemented, k)
        ? (implemented as Record<string, z.ZodType>)[k]
        : undefined;
    if (v === null || v === undefined || schema === undefined) continue;
    if (schema.safeParse(v).success) continue;
    out ??= { ...raw };
    Reflect.deleteProperty(out, k);
  }
  return out ?? raw;
}
