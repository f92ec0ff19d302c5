/**
 * Algolia's filter languages for the local engine: parse every form to one CNF (`FilterExpr`),
 * AND them, evaluate them (reference semantics), and list the attributes they use.
 */
export type { FilterAtom, FilterExpr, NumericOperator, OptionalFilter, OrGroup } from './types';
export { parseFilters, MAX_FILTERS, MAX_FILTER_DEPTH } from './parse-filters';
export {
  andFilters,
  facetFiltersToExpr,
  numericFiltersToExpr,
  optionalFiltersToList,
  tagFiltersToExpr,
} from './legacy-filters';
export { filterAttributes, matchesAtom, matchesFilter, valuesAt } from './evaluate';
export { printFilters, quoteFilterValue } from './print';
