/**
 * The properties of a search response, for `responseFields` (the setting and the parameter):
 * which it may leave out, which it names but cannot.
 */

/** Response properties Algolia's responseFields documentation lists as the ones it can leave out. */
export const EXCLUDABLE_FIELDS: ReadonlySet<string> = new Set([
  'aroundLatLng',
  'automaticRadius',
  'exhaustive',
  'facets_stats',
  'facets',
  'hitsPerPage',
  'hits',
  'index',
  'length',
  'nbHits',
  'nbPages',
  'offset',
  'page',
  'params',
  'processingTimeMS',
  'queryAfterRemoval',
  'query',
  'serverTimeMS',
  'userData',
]);
/** The deprecated forms of `exhaustive`'s members go with it. */
export const EXHAUSTIVE_FORMS = ['exhaustiveFacetsCount', 'exhaustiveNbHits', 'exhaustiveTypo'];
/**
 * Other properties of a search response (Algolia's OpenAPI spec). Left out like the ones above
 * unless listed ("An empty list may lead to an empty API response (except properties you can't
 * exclude)", the v5 spec), but for {@link NEVER_EXCLUDED}.
 */
const OTHER_FIELDS: ReadonlySet<string> = new Set([
  ...EXHAUSTIVE_FORMS,
  'abTestID',
  'abTestVariantID',
  'appliedRules',
  'cursor',
  'extensions',
  'indexUsed',
  'message',
  'nbSortedHits',
  'parsedQuery',
  'processingTimingsMS',
  'queryID',
  'redirect',
  'renderingContent',
  'serverUsed',
  'warning',
  '_automaticInsights',
]);

/**
 * "You can't exclude these properties: `message`, `warning`, `cursor`, `abTestVariantID`, or any
 * property added by setting `getRankingInfo` to true" (the v5 spec; the engine adds none).
 */
export const NEVER_EXCLUDED: ReadonlySet<string> = new Set([
  'message',
  'warning',
  'cursor',
  'abTestVariantID',
]);

/** A name `responseFields` may list. */
export const isResponseField = (name: string): boolean =>
  name === '*' || EXCLUDABLE_FIELDS.has(name) || OTHER_FIELDS.has(name);
