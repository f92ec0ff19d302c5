// Types for Algolia's filter validator (npm `algolia-filters-js-syntax-validator`, a dev
// dependency used as the reference in the differential test). It ships no types.
declare module 'algolia-filters-js-syntax-validator' {
  export default class Parser {
    parse(input: string): { errorMessage: string; html: string };
  }
}
