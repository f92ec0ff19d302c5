/**
 * `numericAttributesForFiltering`: which numeric conditions an index evaluates (the others act as
 * if no record had a value). Shared by searches and by deleteBy, which applies it when it runs.
 */
import type { FilterAtom, FilterExpr } from '../filters/types';
import type { ResolvedSettings } from './settings';

/**
 * `expr` as the index filters it: once `numericAttributesForFiltering` lists attributes, only
 * they filter numerically, and `equalOnly(attr)` only with `=` and `!=` (Algolia's documentation:
 * "only those attributes listed are available as numerical filters"; equalOnly "disables
 * range-based filtering"). Other numeric atoms act as if no record had a value.
 */
export function numericFiltering(expr: FilterExpr, view: ResolvedSettings): FilterExpr {
  const list = view.raw.numericAttributesForFiltering;
  if (!Array.isArray(list) || list.length === 0) return expr;
  const full = new Set<string>();
  const equalOnly = new Set<string>();
  for (const entry of list as unknown[]) {
    if (typeof entry !== 'string') continue; // a value stored before the setting was checked
    const m = /^equalOnly\((.*)\)$/.exec(entry.trim());
    if (m) equalOnly.add((m[1] ?? '').trim());
    else full.add(entry.trim());
  }
  type NumericAtom = Extract<FilterAtom, { kind: 'numeric' | 'range' }>;
  const filtered = (a: NumericAtom): boolean =>
    full.has(a.attribute) ||
    (a.kind === 'numeric' && equalOnly.has(a.attribute) && (a.operator === '=' || a.operator === '!='));
  return expr.map((group) =>
    group.map((a) =>
      (a.kind === 'numeric' || a.kind === 'range') && !filtered(a) ? { ...a, unindexed: true as const } : a,
    ),
  );
}
