/**
 * Reading search parameters from a url-encoded string — a secured key's restrictions, a stored
 * key's `queryParameters`, or a request's `params` — into typed values, the way Algolia reads
 * them: numbers, booleans, JSON arrays and comma lists where the parameter takes them; anything
 * else stays a string. A value that does not convert stays the string it was, so the engine's
 * own validation reports it.
 */

const NUMBER_PARAMS = new Set([
  'page',
  'hitsPerPage',
  'offset',
  'length',
  'maxValuesPerFacet',
  'maxFacetHits',
  'minWordSizefor1Typo',
  'minWordSizefor2Typos',
  'minProximity',
  'minimumAroundRadius',
  'aroundPrecision',
  'relevancyStrictness',
  'personalizationImpact',
  'snippetEllipsisTextLength',
]);

const BOOLEAN_PARAMS = new Set([
  'getRankingInfo',
  'clickAnalytics',
  'analytics',
  'enableRules',
  'enablePersonalization',
  'enableABTest',
  'enableReRanking',
  'restrictHighlightAndSnippetArrays',
  'allowTyposOnNumericTokens',
  'advancedSyntax',
  'synonyms',
  'replaceSynonymsInHighlight',
  'percentileComputation',
  'decompoundQuery',
  'sumOrFiltersScores',
  'facetingAfterDistinct',
  'aroundLatLngViaIP',
  'attributeCriteriaComputedByMinProximity',
]);

/** Parameters whose value is a list: a JSON array or a comma-separated string. */
const LIST_PARAMS = new Set([
  'attributesToRetrieve',
  'attributesToHighlight',
  'attributesToSnippet',
  'facets',
  'restrictSearchableAttributes',
  'disableTypoToleranceOnAttributes',
  'disableExactOnAttributes',
  'analyticsTags',
  'ruleContexts',
  'optionalWords',
  'responseFields',
  'queryLanguages',
  'naturalLanguages',
  'advancedSyntaxFeatures',
  'alternativesAsExact',
  'explain',
]);

/** Filter parameters: JSON arrays are decoded, anything else is left to the filter parsers. */
const FILTER_LIST_PARAMS = new Set(['facetFilters', 'numericFilters', 'tagFilters', 'optionalFilters']);

/** Parameters that are a boolean or something else (a number or a keyword). */
const BOOLEAN_OR_OTHER_PARAMS = new Set(['distinct', 'typoTolerance', 'ignorePlurals', 'removeStopWords']);

/** Parameters that are always strings, whatever they look like. */
const STRING_PARAMS = new Set([
  'query',
  'similarQuery',
  'filters',
  'userToken',
  'aroundLatLng',
  'queryType',
  'removeWordsIfNoResults',
  'exactOnSingleWordQuery',
  'sortFacetValuesBy',
  'highlightPreTag',
  'highlightPostTag',
  'snippetEllipsisText',
  'keepDiacriticsOnCharacters',
  'mode',
  'facetQuery',
  'cursor',
]);

const NUMERIC_TEXT = /^-?(?:\d+(?:\.\d+)?|\.\d+)$/;

function tryJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Converts one raw string value of parameter `name` to the type Algolia reads it as. */
export function coerceSearchParam(name: string, raw: string): unknown {
  if (STRING_PARAMS.has(name)) return raw;
  const trimmed = raw.trim();
  if (NUMBER_PARAMS.has(name)) return NUMERIC_TEXT.test(trimmed) ? Number(trimmed) : raw;
  if (BOOLEAN_PARAMS.has(name)) {
    if (trimmed === 'true') return true;
    if (trimmed === 'false') return false;
    return raw;
  }
  if (LIST_PARAMS.has(name)) {
    if (trimmed.startsWith('[')) return tryJson(trimmed);
    return trimmed.length === 0 ? [] : trimmed.split(',').map((s) => s.trim());
  }
  if (FILTER_LIST_PARAMS.has(name)) return trimmed.startsWith('[') ? tryJson(trimmed) : raw;
  if (BOOLEAN_OR_OTHER_PARAMS.has(name)) {
    if (trimmed === 'true') return true;
    if (trimmed === 'false') return false;
    if (NUMERIC_TEXT.test(trimmed)) return Number(trimmed);
    if (trimmed.startsWith('[')) return tryJson(trimmed);
    return raw;
  }
  // Unknown parameters: numbers, booleans and JSON structures are read as such.
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (NUMERIC_TEXT.test(trimmed)) return Number(trimmed);
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) return tryJson(trimmed);
  return raw;
}

/**
 * Parses a url-encoded parameter string (`a=1&b=x%20y`; `+` also means a space, as other SDKs
 * encode it) into typed parameters. A repeated parameter keeps its last value.
 */
export function parseSearchParamsString(input: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(input)) {
    if (name.length === 0) continue;
    out[name] = coerceSearchParam(name, value);
  }
  return out;
}
