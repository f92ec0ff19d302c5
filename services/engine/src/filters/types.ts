/**
 * The filter AST shared by the parser (`filters/`) and the index (which evaluates it fast).
 *
 * Every filter form Algolia accepts — `filters`, `facetFilters`, `numericFilters`,
 * `tagFilters`, and a secured key's embedded filters — is compiled to conjunctive normal form:
 * the outer array is ANDed, each inner array is an OR-group of atoms. ANDing two filters is
 * concatenating their groups.
 */
export type NumericOperator = '<' | '<=' | '=' | '!=' | '>=' | '>';

export type FilterAtom =
  /**
   * `attr:value` — a facet value. Matches when any value at `attribute` (arrays: any element;
   * nested `a.b` paths descend through objects and arrays) equals `value` ignoring case
   * (`toLowerCase`, diacritics significant). Numbers and booleans are facet values through their
   * string form (`year:2019` matches `2019`). `objectID` compares exactly (case-sensitive).
   */
  | { kind: 'facet'; attribute: string; value: string; negated: boolean; score?: number }
  /** `_tags:value`, a bare `value` in `filters`, or a tagFilters entry — exact, case-sensitive, on `_tags`. */
  | { kind: 'tag'; value: string; negated: boolean; score?: number }
  /**
   * `attr:true` / `attr:false` (any case, quoted or not). Same meaning as the facet atom with the
   * value `"true"` / `"false"`: matches the booleans and the strings "true"/"false" (any case).
   */
  | { kind: 'boolean'; attribute: string; value: boolean; negated: boolean; score?: number }
  /**
   * `attr < n` and friends, on numbers only (arrays: any element). `!=` is the complement of `=`
   * (so it also matches records without the attribute), like a negated atom.
   */
  | {
      kind: 'numeric';
      attribute: string;
      operator: NumericOperator;
      value: number;
      negated: boolean;
      /** The index does not filter this attribute so (numericAttributesForFiltering): no record has a value. */
      unindexed?: true;
    }
  /** `attr:lo TO hi`, inclusive, on numbers only. */
  | { kind: 'range'; attribute: string; lower: number; upper: number; negated: boolean; unindexed?: true };

/**
 * OR of atoms. `negated: true` means NOT(atom): it matches every record the atom does not
 * match, records without the attribute included.
 */
export type OrGroup = FilterAtom[];
/** AND of OR-groups (CNF). The empty array matches everything. */
export type FilterExpr = OrGroup[];

/** One optionalFilters entry: not a filter, a score bonus for records that match it. */
export interface OptionalFilter {
  atom: FilterAtom;
  score: number;
}
