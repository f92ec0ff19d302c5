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
  /** `attr:value` — string facet value; compared case-insensitively; arrays match on any element. */
  | { kind: 'facet'; attribute: string; value: string; negated: boolean; score?: number }
  /** `_tags:value` or a tagFilters entry — case-sensitive. */
  | { kind: 'tag'; value: string; negated: boolean; score?: number }
  /** `attr:true` / `attr:false` on a boolean attribute. */
  | { kind: 'boolean'; attribute: string; value: boolean; negated: boolean }
  /** `attr < n` and friends. */
  | { kind: 'numeric'; attribute: string; operator: NumericOperator; value: number; negated: boolean }
  /** `attr:lo TO hi`, inclusive. */
  | { kind: 'range'; attribute: string; lower: number; upper: number; negated: boolean };

/** OR of atoms. */
export type OrGroup = FilterAtom[];
/** AND of OR-groups (CNF). The empty array matches everything. */
export type FilterExpr = OrGroup[];

/** One optionalFilters entry: not a filter, a score bonus for records that match it. */
export interface OptionalFilter {
  atom: FilterAtom;
  score: number;
}
