/**
 * The properties of a search response, for `responseFields` (the setting and the parameter):
 * which it may leave out, which it names but cannot.
 */

/** Response properties `responseFields` can leave out (Algolia's responseFields documentation). */
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
/** Other properties of a search response (Algolia's OpenAPI spec): named, they are kept anyway. */
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

/** A name `responseFields` may list. */
export const isResponseField = (name: string): boolean =>
  name === '*' || EXCLUDABLE_FIELDS.has(name) || OTHER_FIELDS.has(name);
