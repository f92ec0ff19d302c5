import { AlgoliaError } from '../errors';
import { MAX_FILTERS, facetAtom } from './parse-filters';
import type { FilterAtom, FilterExpr, NumericOperator, OptionalFilter } from './types';

/**
 * The array forms of filtering — `facetFilters`, `numericFilters`, `tagFilters`,
 * `optionalFilters` — compiled to the same CNF as `filters`.
 *
 * Each accepts what Algolia accepts:
 * - an array: strings are ANDed, an inner array of strings is an OR-group (one level only);
 * - a string: a JSON-encoded array (what a url-encoded `params` string carries), or the legacy
 *   form `a,b,(c,d)`: commas AND, parentheses OR (a `params` string or a secured key carries
 *   arrays comma-joined, which reads back the same way).
 * `null` / `undefined` mean no filter.
 */

type Shape = readonly (string | readonly string[])[];

function badValue(parameter: string, value: unknown): AlgoliaError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new AlgoliaError(
    400,
    `Invalid value for ${parameter} parameter, expected a string or an array of strings and arrays of strings: ${shown ?? String(value)}`,
  );
}

/** Splits `a,b,(c,d)` into `['a', 'b', ['c', 'd']]`. Elements are trimmed; empty ones dropped. */
function splitLegacy(parameter: string, input: string): Shape {
  const out: (string | string[])[] = [];
  let group: string[] | undefined;
  let current = '';
  const flush = (): void => {
    const text = current.trim();
    current = '';
    if (text.length === 0) return;
    if (group) group.push(text);
    else out.push(text);
  };
  for (const c of input) {
    if (c === '(') {
      if (group || current.trim().length > 0) throw badValue(parameter, input);
      group = [];
    } else if (c === ')') {
      if (!group) throw badValue(parameter, input);
      flush();
      if (group.length > 0) out.push(group);
      group = undefined;
    } else if (c === ',') {
      flush();
    } else {
      current += c;
    }
  }
  if (group) throw badValue(parameter, input);
  flush();
  return out;
}

/** Normalises every accepted input form to an array of strings and string arrays. */
function toShape(parameter: string, value: unknown): Shape {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch {
        throw badValue(parameter, value);
      }
      return toShape(parameter, parsed);
    }
    return splitLegacy(parameter, value);
  }
  if (!Array.isArray(value)) throw badValue(parameter, value);
  const out: (string | string[])[] = [];
  for (const item of value as unknown[]) {
    if (typeof item === 'string') {
      out.push(item);
    } else if (Array.isArray(item)) {
      const group: string[] = [];
      for (const inner of item as unknown[]) {
        if (typeof inner !== 'string') throw badValue(parameter, value);
        group.push(inner);
      }
      out.push(group);
    } else {
      throw badValue(parameter, value);
    }
  }
  return out;
}

function compile(parameter: string, value: unknown, atom: (text: string) => FilterAtom): FilterExpr {
  const shape = toShape(parameter, value);
  const expr: FilterExpr = [];
  let count = 0;
  for (const item of shape) {
    const texts = typeof item === 'string' ? [item] : item;
    // An empty OR-group is ignored rather than matching nothing (clients send `[[]]` for "none").
    if (texts.length === 0) continue;
    count += texts.length;
    if (count > MAX_FILTERS) {
      throw new AlgoliaError(400, `${parameter}: Too many filters: the maximum is ${MAX_FILTERS}`);
    }
    expr.push(texts.map(atom));
  }
  return expr;
}

const SCORE_SUFFIX = /<score=(-?\d+)>$/;

/** Removes a trailing `<score=N>` (filter scoring, used with `sumOrFiltersScores` and optionalFilters). */
function takeScore(text: string): { text: string; score: number | undefined } {
  const match = SCORE_SUFFIX.exec(text);
  if (!match) return { text, score: undefined };
  return { text: text.slice(0, match.index), score: Number(match[1]) };
}

/**
 * A value's sign: a leading `-` negates, a leading `\` is dropped and keeps what follows literal
 * (`\-x` is the value "-x").
 */
function takeNegation(value: string): { value: string; negated: boolean } {
  if (value.startsWith('-')) return { value: value.slice(1), negated: true };
  if (value.startsWith('\\')) return { value: value.slice(1), negated: false };
  return { value, negated: false };
}

function facetFilterAtom(raw: string): FilterAtom {
  const { text, score } = takeScore(raw);
  let body = text;
  let negated = false;
  let literal = false;
  // Algolia's own internal form: `-attr:value` negates, `\attr:-value` escapes the whole filter.
  if (body.startsWith('-')) {
    negated = true;
    body = body.slice(1);
  } else if (body.startsWith('\\')) {
    literal = true;
    body = body.slice(1);
  }
  const colon = body.indexOf(':');
  if (colon <= 0) throw new AlgoliaError(400, `Invalid syntax for facet filter:${raw}`);
  const attribute = body.slice(0, colon);
  let value = body.slice(colon + 1);
  if (!literal && !negated) {
    const signed = takeNegation(value);
    value = signed.value;
    negated = signed.negated;
  }
  if (value.length === 0) throw new AlgoliaError(400, `Invalid syntax for facet filter:${raw}`);
  const atom: FilterAtom =
    attribute === '_tags' ? { kind: 'tag', value, negated } : facetAtom(attribute, value, negated);
  return score === undefined || atom.kind === 'numeric' || atom.kind === 'range' ? atom : { ...atom, score };
}

function tagFilterAtom(raw: string): FilterAtom {
  const { text, score } = takeScore(raw);
  const { value, negated } = takeNegation(text);
  if (value.length === 0) throw new AlgoliaError(400, `Invalid syntax for tag filter:${raw}`);
  return score === undefined ? { kind: 'tag', value, negated } : { kind: 'tag', value, negated, score };
}

const NUMBER = String.raw`-?(?:\d+(?:\.\d*)?|\.\d+)`;
const COMPARISON = new RegExp(String.raw`^\s*(.+?)\s*(<=|>=|!=|<|>|=)\s*(${NUMBER})\s*$`);
const RANGE = new RegExp(String.raw`^\s*(.+?)\s*:\s*(${NUMBER})\s+TO\s+(${NUMBER})\s*$`);

function numericFilterAtom(raw: string): FilterAtom {
  const range = RANGE.exec(raw);
  if (range) {
    return {
      kind: 'range',
      attribute: range[1] as string,
      lower: Number(range[2]),
      upper: Number(range[3]),
      negated: false,
    };
  }
  const comparison = COMPARISON.exec(raw);
  if (comparison && !/[<>=!:]/.test(comparison[1] as string)) {
    return {
      kind: 'numeric',
      attribute: comparison[1] as string,
      operator: comparison[2] as NumericOperator,
      value: Number(comparison[3]),
      negated: false,
    };
  }
  // Algolia's message, verbatim (no space after the colon).
  throw new AlgoliaError(400, `Invalid syntax for numeric condition:${raw}`);
}

/**
 * `facetFilters` → CNF. Each entry is `attr:value` (split at the first colon; the value may
 * contain colons), `attr:-value` negates, `attr:\-value` is the literal value "-value",
 * `_tags:x` is a tag, `attr:true|false` a boolean, `<score=N>` may follow.
 */
export function facetFiltersToExpr(value: unknown): FilterExpr {
  return compile('facetFilters', value, facetFilterAtom);
}

/** `numericFilters` → CNF: entries `attr op n` (op one of `< <= = != >= >`) or `attr:lo TO hi`. */
export function numericFiltersToExpr(value: unknown): FilterExpr {
  return compile('numericFilters', value, numericFilterAtom);
}

/** `tagFilters` → CNF: entries are tags (`-tag` negates, `\-tag` is the tag "-tag"). */
export function tagFiltersToExpr(value: unknown): FilterExpr {
  return compile('tagFilters', value, tagFilterAtom);
}

/**
 * `optionalFilters` → the list of scored atoms (inner arrays, Algolia's "OR" of optional filters,
 * are flattened: each matching entry scores on its own). The score defaults to 1; a negated
 * entry (`attr:-value`) scores records that do not have the value.
 */
export function optionalFiltersToList(value: unknown): OptionalFilter[] {
  const shape = toShape('optionalFilters', value);
  const list: OptionalFilter[] = [];
  for (const item of shape) {
    for (const text of typeof item === 'string' ? [item] : item) {
      const atom = facetFilterAtom(text);
      const score = 'score' in atom && atom.score !== undefined ? atom.score : 1;
      list.push({ atom, score });
      if (list.length > MAX_FILTERS) {
        throw new AlgoliaError(400, `optionalFilters: Too many filters: the maximum is ${MAX_FILTERS}`);
      }
    }
  }
  return list;
}

/** ANDs filters: the concatenation of their groups. */
export function andFilters(...exprs: FilterExpr[]): FilterExpr {
  return exprs.flat();
}
