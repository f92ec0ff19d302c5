/**
 * Search parameters: parsing from a JSON object or a url-encoded `params` string, type
 * coercion (everything is a string in the url-encoded form), and the `params` echo.
 */
import { AlgoliaError } from '../errors';

/** Parsed search parameters (only what was sent; defaults come from settings). */
export interface SearchParams {
  query?: string;
  page?: number;
  hitsPerPage?: number;
  offset?: number;
  length?: number;
  filters?: string;
  facetFilters?: unknown;
  numericFilters?: unknown;
  tagFilters?: unknown;
  optionalFilters?: unknown;
  facets?: string[];
  maxValuesPerFacet?: number;
  sortFacetValuesBy?: 'count' | 'alpha';
  attributesToRetrieve?: string[];
  attributesToHighlight?: string[];
  attributesToSnippet?: string[];
  highlightPreTag?: string;
  highlightPostTag?: string;
  snippetEllipsisText?: string;
  typoTolerance?: boolean | 'min' | 'strict';
  minWordSizefor1Typo?: number;
  minWordSizefor2Typos?: number;
  queryType?: 'prefixLast' | 'prefixAll' | 'prefixNone';
  distinct?: number;
  clickAnalytics?: boolean;
  getRankingInfo?: boolean;
  restrictSearchableAttributes?: string[];
  optionalWords?: string[];
  maxFacetHits?: number;
  facetQuery?: string;
  cursor?: string;
  userToken?: string;
  /** Anything else Algolia accepts that the engine ignores (analytics, rules, …). */
  [other: string]: unknown;
}

type Coerce = (v: unknown, name: string) => unknown;

const bad = (name: string): never => {
  throw new AlgoliaError(400, `Invalid value for parameter ${name}`);
};

const str: Coerce = (v, n) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : bad(n));
/**
 * An integer in [min, max]. Out of range, Algolia's wording (quoted for hitsPerPage: `Value too
 * small for "hitsPerPage" parameter, expected integer between 0 and 9223372036854775807`); not an
 * integer, its wording as a live probe recorded it (`Value "three" outside of the range for
 * "hitsPerPage" parameter, expected integer between 0 and 9223372036854775807`). `shownMax` is
 * the bound the messages name.
 */
const int =
  (min: number, max: number, shownMax: string = String(max)): Coerce =>
  (v, n) => {
    const x = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof x !== 'number' || !Number.isInteger(x)) {
      const shown = typeof v === 'string' ? v : JSON.stringify(v);
      throw new AlgoliaError(
        400,
        `Value "${shown}" outside of the range for "${n}" parameter, expected integer between ${min} and ${shownMax}`,
      );
    }
    if (x < min || x > max) {
      throw new AlgoliaError(
        400,
        `Value too ${x < min ? 'small' : 'large'} for "${n}" parameter, expected integer between ${min} and ${shownMax}`,
      );
    }
    return x;
  };
const bool: Coerce = (v, n) => {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1' || v === 1) return true;
  if (v === 'false' || v === '0' || v === 0) return false;
  return bad(n);
};
/** A list of strings: an array, a JSON array string, or a comma-separated string. */
const list: Coerce = (v, n) => {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : bad(n)));
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('[')) {
      try {
        return list(JSON.parse(t) as unknown, n);
      } catch (e) {
        if (e instanceof AlgoliaError) throw e;
        return bad(n);
      }
    }
    return t === '' ? [] : t.split(',').map((s) => s.trim());
  }
  return bad(n);
};
/** Filter arrays: kept as sent (the filter module validates); JSON strings decoded. */
const filterForm: Coerce = (v) => {
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('[')) {
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return v;
      }
    }
  }
  return v;
};
const typo: Coerce = (v, n) => {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  if (v === 'min' || v === 'strict') return v;
  return bad(n);
};
const distinct: Coerce = (v, n) => {
  if (v === true || v === 'true') return 1;
  if (v === false || v === 'false') return 0;
  return int(0, 4)(v, n);
};
/** A JSON object: as sent, or JSON in a `params` string. */
const object: Coerce = (v, n) => {
  let o: unknown = v;
  if (typeof v === 'string') {
    try {
      o = JSON.parse(v);
    } catch {
      return bad(n);
    }
  }
  return o !== null && typeof o === 'object' && !Array.isArray(o) ? o : bad(n);
};
const oneOf =
  (...values: string[]): Coerce =>
  (v, n) =>
    typeof v === 'string' && values.includes(v) ? v : bad(n);
const any: Coerce = (v) => v;
/** A {@link list} of the given values only. */
const listOf =
  (...values: string[]): Coerce =>
  (v, n) => {
    const l = list(v, n) as string[];
    return l.every((x) => values.includes(x)) ? l : bad(n);
  };

const COERCE: Record<string, Coerce> = {
  query: str,
  page: int(0, Number.MAX_SAFE_INTEGER),
  // Larger values are answered with 1,000 hits (query.ts), as Algolia does, not refused.
  hitsPerPage: int(0, Number.MAX_SAFE_INTEGER, '9223372036854775807'),
  offset: int(0, Number.MAX_SAFE_INTEGER),
  length: int(0, 1000),
  filters: str,
  facetFilters: filterForm,
  numericFilters: filterForm,
  tagFilters: filterForm,
  optionalFilters: filterForm,
  facets: list,
  maxValuesPerFacet: int(0, 1000),
  sortFacetValuesBy: oneOf('count', 'alpha'),
  attributesToRetrieve: list,
  attributesToHighlight: list,
  attributesToSnippet: list,
  highlightPreTag: str,
  highlightPostTag: str,
  snippetEllipsisText: str,
  typoTolerance: typo,
  minWordSizefor1Typo: int(0, 1000),
  minWordSizefor2Typos: int(0, 1000),
  queryType: oneOf('prefixLast', 'prefixAll', 'prefixNone'),
  distinct,
  clickAnalytics: bool,
  getRankingInfo: bool,
  restrictSearchableAttributes: list,
  optionalWords: list,
  maxFacetHits: int(1, 100),
  facetQuery: str,
  facetName: str,
  cursor: str,
  userToken: str,
  // Accepted and ignored: analytics, personalization, rules, geo, AI features, …
  analytics: bool,
  analyticsTags: list,
  enablePersonalization: bool,
  personalizationImpact: int(0, 100),
  enableRules: bool,
  enableABTest: bool,
  enableReRanking: bool,
  ruleContexts: list,
  synonyms: bool,
  percentileComputation: bool,
  responseFields: list,
  sumOrFiltersScores: bool,
  facetingAfterDistinct: bool,
  restrictHighlightAndSnippetArrays: bool,
  advancedSyntax: bool,
  advancedSyntaxFeatures: listOf('exactPhrase', 'excludeWords'),
  removeStopWords: any,
  ignorePlurals: any,
  queryLanguages: list,
  naturalLanguages: list,
  decompoundQuery: bool,
  removeWordsIfNoResults: oneOf('none', 'lastWords', 'firstWords', 'allOptional'),
  exactOnSingleWordQuery: oneOf('attribute', 'none', 'word'),
  alternativesAsExact: list,
  disableTypoToleranceOnAttributes: list,
  disableExactOnAttributes: list,
  allowTyposOnNumericTokens: bool,
  minProximity: int(1, 7),
  aroundLatLng: str,
  aroundLatLngViaIP: bool,
  aroundRadius: any,
  aroundPrecision: any,
  minimumAroundRadius: any,
  insideBoundingBox: any,
  insidePolygon: any,
  attributeCriteriaComputedByMinProximity: bool,
  relevancyStrictness: int(0, 100),
  similarQuery: str,
  replaceSynonymsInHighlight: bool,
  renderingContent: object,

  reRankingApplyFilter: any,
  mode: any,
  semanticSearch: any,
  explain: list,
  attributesToTransliterate: list,
  returnTimeout: any,
  params: any,
};

/** Names Algolia ignores when they appear inside a multi-query entry (not search parameters). */
const ENVELOPE = new Set(['indexName', 'type', 'facet', 'params']);

/**
 * Parses search parameters from a JSON body. A `params` url-encoded string is decoded and its
 * entries override nothing explicitly set in the object (Algolia merges both).
 */
export function parseSearchParams(body: Record<string, unknown>): SearchParams {
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (ENVELOPE.has(k)) continue;
    merged[k] = v;
  }
  if (typeof body.params === 'string') {
    for (const [k, v] of new URLSearchParams(body.params)) {
      if (!(k in merged)) merged[k] = v;
    }
  } else if (body.params !== undefined && body.params !== null && typeof body.params === 'object') {
    for (const [k, v] of Object.entries(body.params as Record<string, unknown>)) {
      if (!(k in merged)) merged[k] = v;
    }
  }
  return coerceParams(merged);
}

/** Coerces raw values; unknown names are refused like Algolia does. */
export function coerceParams(raw: Record<string, unknown>): SearchParams {
  const out: SearchParams = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    const c = COERCE[k];
    if (!c) throw new AlgoliaError(400, `Unknown parameter: ${k}`);
    if (v === null) continue;
    out[k] = c(v, k);
  }
  if (typeof out.query === 'string' && Buffer.byteLength(out.query) > 512) {
    throw new AlgoliaError(
      400,
      'Invalid value for "query" parameter, expected string shorter than 512 bytes',
    );
  }
  return out;
}

/** Lone surrogates (a string cut inside an emoji) as U+FFFD: `encodeURIComponent` throws on them. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const encode = (s: string): string => encodeURIComponent(s.replace(LONE_SURROGATE, '\ufffd'));

/** The `params` echo: form-encoded, arrays and objects JSON-encoded; `""` when nothing was sent. */
export function paramsEcho(body: Record<string, unknown>): string {
  if (typeof body.params === 'string' && Object.keys(body).every((k) => ENVELOPE.has(k))) {
    return body.params;
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(body)) {
    if (ENVELOPE.has(k) || v === undefined) continue;
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    parts.push(`${encode(k)}=${encode(s)}`);
  }
  if (typeof body.params === 'string' && body.params !== '') parts.push(body.params);
  return parts.join('&');
}
