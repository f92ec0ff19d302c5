import type { FilterAtom, FilterExpr } from './types';

/**
 * The reference evaluator: what a filter means for one record, written for clarity. The index's
 * fast evaluator must agree with it (it is property-tested against this one).
 *
 * Semantics (decisions in filters/README.md):
 * - An attribute path `a.b` descends through objects; arrays at any level contribute every
 *   element ("any element matches"). A literal top-level key `a.b` is used when present.
 * - facet / boolean: a string matches ignoring case (`toLowerCase`; diacritics are significant),
 *   a number through its JavaScript string form, a boolean as "true"/"false". `objectID` is
 *   compared exactly.
 * - tag: exact, case-sensitive, against the strings in `_tags`.
 * - numeric / range: numbers only (strings and booleans are no numbers); `!=` is NOT `=`.
 * - negated: the complement, so records without the attribute match a negated atom.
 */
export function matchesFilter(expr: FilterExpr, record: Record<string, unknown>): boolean {
  return expr.every((group) => group.some((atom) => matchesAtom(atom, record)));
}

/** Whether one atom (its negation included) matches a record. */
export function matchesAtom(atom: FilterAtom, record: Record<string, unknown>): boolean {
  return matchesPositive(atom, record) !== atom.negated;
}

function matchesPositive(atom: FilterAtom, record: Record<string, unknown>): boolean {
  switch (atom.kind) {
    case 'tag':
      return valuesAt(record, '_tags').some((v) => v === atom.value);
    case 'facet':
      return facetMatches(atom.attribute, atom.value, record);
    case 'boolean':
      return facetMatches(atom.attribute, String(atom.value), record);
    case 'numeric': {
      const numbers = atom.unindexed ? [] : numbersAt(record, atom.attribute);
      switch (atom.operator) {
        case '<':
          return numbers.some((n) => n < atom.value);
        case '<=':
          return numbers.some((n) => n <= atom.value);
        case '=':
          return numbers.some((n) => n === atom.value);
        case '!=':
          return !numbers.some((n) => n === atom.value);
        case '>=':
          return numbers.some((n) => n >= atom.value);
        case '>':
          return numbers.some((n) => n > atom.value);
      }
      return false;
    }
    case 'range':
      if (atom.unindexed) return false;
      return numbersAt(record, atom.attribute).some((n) => n >= atom.lower && n <= atom.upper);
  }
}

function facetMatches(attribute: string, value: string, record: Record<string, unknown>): boolean {
  const values = valuesAt(record, attribute);
  if (attribute === 'objectID') return values.some((v) => facetString(v) === value);
  const wanted = value.toLowerCase();
  return values.some((v) => facetString(v)?.toLowerCase() === wanted);
}

/** The facet value a leaf stands for, if it is one (strings, finite numbers, booleans). */
export function facetString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

function numbersAt(record: Record<string, unknown>, path: string): number[] {
  return valuesAt(record, path).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** Every leaf value at `path`, arrays flattened at any depth. */
export function valuesAt(record: Record<string, unknown>, path: string): unknown[] {
  const out: unknown[] = [];
  if (Object.hasOwn(record, path)) {
    collect(record[path], out);
    return out;
  }
  walk(record, path.split('.'), 0, out);
  return out;
}

function walk(node: unknown, parts: readonly string[], i: number, out: unknown[]): void {
  if (Array.isArray(node)) {
    for (const item of node as unknown[]) walk(item, parts, i, out);
    return;
  }
  if (i === parts.length) {
    collect(node, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const key = parts[i] as string;
  if (!Object.hasOwn(node, key)) return;
  walk((node as Record<string, unknown>)[key], parts, i + 1, out);
}

function collect(node: unknown, out: unknown[]): void {
  if (Array.isArray(node)) for (const item of node as unknown[]) collect(item, out);
  else if (node !== undefined && node !== null) out.push(node);
}

/**
 * The attributes a filter reads: `facets` (facet and boolean atoms — these must be declared in
 * attributesForFaceting, except `objectID`, which is always filterable) and `numerics` (numeric
 * and range atoms, which need no declaration). Tags (`_tags`) are always filterable and are not
 * listed.
 */
export function filterAttributes(expr: FilterExpr): { facets: Set<string>; numerics: Set<string> } {
  const facets = new Set<string>();
  const numerics = new Set<string>();
  for (const group of expr) {
    for (const atom of group) {
      if (atom.kind === 'facet' || atom.kind === 'boolean') facets.add(atom.attribute);
      else if (atom.kind === 'numeric' || atom.kind === 'range') numerics.add(atom.attribute);
    }
  }
  return { facets, numerics };
}
