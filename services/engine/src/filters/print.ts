import type { FilterAtom, FilterExpr } from './types';

/** Quotes a value for `filters`: double quotes, with `"` and `\` escaped. */
export function quoteFilterValue(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function printNumber(n: number): string {
  const text = String(n);
  // The filters lexer reads digits, one leading minus and one dot: no exponents.
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new RangeError(`Cannot print ${text} in a filter`);
  return text;
}

function printAtom(atom: FilterAtom): string {
  const not = atom.negated ? 'NOT ' : '';
  const score = 'score' in atom && atom.score !== undefined ? `<score=${printNumber(atom.score)}>` : '';
  switch (atom.kind) {
    case 'tag':
      return `${not}_tags:${quoteFilterValue(atom.value)}${score}`;
    case 'facet':
      return `${not}${quoteFilterValue(atom.attribute)}:${quoteFilterValue(atom.value)}${score}`;
    case 'boolean':
      return `${not}${quoteFilterValue(atom.attribute)}:${String(atom.value)}${score}`;
    case 'numeric':
      return `${not}${quoteFilterValue(atom.attribute)} ${atom.operator} ${printNumber(atom.value)}`;
    case 'range':
      return `${not}${quoteFilterValue(atom.attribute)}:${printNumber(atom.lower)} TO ${printNumber(atom.upper)}`;
  }
}

/**
 * Prints a CNF filter as an Algolia `filters` string that parses back to the same expression.
 * Every OR-group must hold atoms of one kind (tag, facet/boolean, numeric/range), as `filters`
 * requires; groups of one atom print without parentheses.
 */
export function printFilters(expr: FilterExpr): string {
  return expr
    .map((group) => {
      const atoms = group.map(printAtom);
      return atoms.length === 1 ? (atoms[0] as string) : `(${atoms.join(' OR ')})`;
    })
    .join(' AND ');
}
