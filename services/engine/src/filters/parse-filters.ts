import { AlgoliaError } from '../errors';
import { TOKEN_NAMES, tokenText, tokenize, type Token, type TokenType } from './lexer';
import type { FilterAtom, FilterExpr, NumericOperator } from './types';

/** Algolia refuses queries with more filters than this. */
export const MAX_FILTERS = 1000;

/**
 * Deepest parenthesis nesting accepted. The parser recurses once per level, so without a bound a
 * filter of a few thousand `(` overflowed the stack (a RangeError, answered 500 — which clients
 * retry). No meaningful CNF filter comes near it; the wording of the error is ours.
 */
export const MAX_FILTER_DEPTH = 100;

/** The three kinds of filter that may not share an OR-group. */
type TermType = 'none' | 'tag' | 'facet' | 'numeric';

const MIXED_AND_OR = 'filter (X AND Y) OR Z is not allowed, only (X OR Y) AND Z is allowed';

/** Algolia's message when one OR-group mixes kinds; `expected` is the kind met first. */
function differentTypesMessage(expected: TermType): string {
  let message = 'Different types are not allowed in the same OR.';
  if (expected === 'numeric') {
    message +=
      '\nExpected a numeric filter which needs to have one of the following form:' +
      '\n - numeric_attr_name=10\n - numeric_attr_name>10\n - numeric_attr_name>=10' +
      '\n - numeric_attr_name<10\n - numeric_attr_name<=10\n - numeric_attr_name!=10' +
      '\n - numeric_attr_name:10 TO 20';
  } else if (expected === 'facet') {
    message += '\nExpected a facet filter which needs to have this form:\n - facet_name:facet_value';
  } else if (expected === 'tag') {
    message += '\nExpected a tag filter which needs to have this form:\n - _tags:tag_value\n - tag_value';
  }
  return message;
}

/** Thrown inside the parser; turned into an AlgoliaError at the boundary. */
class FilterSyntaxError extends Error {}

/**
 * A recursive-descent parser following Algolia's (as published in its validator): the top level
 * is a list of AND-separated groups; inside one group, ORs and (parenthesised) ANDs may not
 * both appear, and all atoms of an OR must be of one kind (tag, facet, numeric).
 */
class FilterParser {
  private pos = 1; // skip the `start` token
  private termType: TermType = 'none';
  private foundOr = false;
  private foundAnd = false;
  private groupAtoms: FilterAtom[] = [];
  private readonly groups: FilterExpr = [];
  private atomCount = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): FilterExpr {
    this.parseAnd();
    if (this.get().type !== 'end') this.unexpected(this.get(), TOKEN_NAMES.end);
    return this.groups;
  }

  private get(offset = 0): Token {
    const i = Math.min(this.pos + offset, this.tokens.length - 1);
    return this.tokens[i] as Token;
  }

  private next(): void {
    this.pos++;
  }

  private is(type: TokenType): boolean {
    return this.get().type === type;
  }

  private unexpected(t: Token, expected: string): never {
    let message = `Unexpected token ${TOKEN_NAMES[t.type]}`;
    if (t.value.length > 0 && (t.type === 'string' || t.type === 'numeric')) {
      message += `(${t.value.replace(/\n/g, '\u21b5')})`;
    }
    throw new FilterSyntaxError(`${message} expected ${expected} at col ${t.pos}`);
  }

  private parseAnd(): void {
    for (;;) {
      this.termType = 'none';
      this.foundOr = false;
      this.foundAnd = false;
      this.groupAtoms = [];
      this.parseIntermediate(false);
      // A group with ANDs (inside parentheses) has no OR: each atom is a group of its own.
      if (this.foundAnd) for (const atom of this.groupAtoms) this.groups.push([atom]);
      else this.groups.push(this.groupAtoms);
      if (!this.is('and')) return;
      this.next();
    }
  }

  private parseIntermediate(allowAnd: boolean): void {
    let previousType = this.termType;
    this.parseTerm();
    for (;;) {
      if (this.foundOr && previousType !== 'none' && this.termType !== previousType) {
        throw new FilterSyntaxError(differentTypesMessage(previousType));
      }
      previousType = this.termType;
      const t = this.get().type;
      if (t !== 'or' && (!allowAnd || t !== 'and')) return;
      if (t === 'and') this.foundAnd = true;
      else this.foundOr = true;
      if (this.foundOr && this.foundAnd) throw new FilterSyntaxError(MIXED_AND_OR);
      this.next();
      this.parseTerm();
    }
  }

  private add(atom: FilterAtom, type: TermType): void {
    if (++this.atomCount > MAX_FILTERS) {
      throw new FilterSyntaxError(`Too many filters: the maximum is ${MAX_FILTERS}`);
    }
    this.groupAtoms.push(atom);
    this.termType = type;
  }

  private parseTerm(): void {
    if (this.is('openParen')) {
      if (++this.depth > MAX_FILTER_DEPTH) {
        throw new FilterSyntaxError(`Too many nested parentheses: the maximum is ${MAX_FILTER_DEPTH}`);
      }
      this.next();
      this.parseIntermediate(true);
      if (!this.is('closeParen')) this.unexpected(this.get(), TOKEN_NAMES.closeParen);
      this.next();
      this.depth--;
      return;
    }
    this.termType = 'none';
    let negated = false;
    if (this.is('not')) {
      this.next();
      negated = true;
    }
    const first = this.get();
    if (first.type !== 'string' && first.type !== 'numeric') this.unexpected(first, 'filter');
    const name = tokenText(first);
    this.next();
    const after = this.get();

    if (after.type === 'operator' || after.type === 'openAngle' || after.type === 'closeAngle') {
      if (after.type === 'openAngle' && this.get(1).value === 'score') {
        // `tag<score=N>`: a tag with options.
        const score = this.parseOptions();
        this.add(withScore({ kind: 'tag', value: name, negated }, score), 'tag');
        return;
      }
      this.next();
      const valueToken = this.get();
      if (valueToken.type !== 'numeric') this.unexpected(valueToken, TOKEN_NAMES.numeric);
      const value = this.toNumber(valueToken);
      this.next();
      const operator = after.value as NumericOperator;
      this.add({ kind: 'numeric', attribute: name, operator, value, negated }, 'numeric');
      return;
    }

    if (after.type === 'colon') {
      this.next();
      const valueToken = this.get();
      if (valueToken.type !== 'string' && valueToken.type !== 'numeric') {
        this.unexpected(valueToken, TOKEN_NAMES.string);
      }
      this.next();
      if (valueToken.type === 'numeric' && this.is('to')) {
        this.next();
        const upperToken = this.get();
        if (upperToken.type !== 'numeric') this.unexpected(upperToken, TOKEN_NAMES.numeric);
        const lower = this.toNumber(valueToken);
        const upper = this.toNumber(upperToken);
        this.next();
        this.add({ kind: 'range', attribute: name, lower, upper, negated }, 'numeric');
        return;
      }
      const value = tokenText(valueToken);
      const score = this.parseOptions();
      if (name === '_tags') {
        this.add(withScore({ kind: 'tag', value, negated }, score), 'tag');
      } else {
        this.add(withScore(facetAtom(name, value, negated), score), 'facet');
      }
      return;
    }

    // A bare value is a tag.
    this.add({ kind: 'tag', value: name, negated }, 'tag');
  }

  /** `<score=N>` after a facet or tag; Algolia supports a single option. */
  private parseOptions(): number | undefined {
    if (!this.is('openAngle')) return undefined;
    this.next();
    const score = this.parseOption();
    // Several options (`<score=1,score=2>`) are not supported by the engine.
    if (this.is('comma')) this.unexpected(this.get(), TOKEN_NAMES.string);
    if (!this.is('closeAngle')) this.unexpected(this.get(), TOKEN_NAMES.closeAngle);
    this.next();
    return score;
  }

  private parseOption(): number {
    const nameToken = this.get();
    if (nameToken.type !== 'string') this.unexpected(nameToken, TOKEN_NAMES.string);
    this.next();
    if (nameToken.value !== 'score') this.unexpected(nameToken, '"score"');
    if (!this.is('operator') || this.get().value !== '=') this.unexpected(this.get(), '"="');
    this.next();
    const valueToken = this.get();
    if (valueToken.type !== 'numeric') this.unexpected(valueToken, TOKEN_NAMES.numeric);
    this.next();
    return this.toNumber(valueToken);
  }

  /** `-` and `-.` lex as numeric tokens but are no number: refuse them like a non-number. */
  private toNumber(t: Token): number {
    const n = Number(t.value);
    if (!Number.isFinite(n)) this.unexpected(t, TOKEN_NAMES.numeric);
    return n;
  }
}

function withScore<T extends FilterAtom & { score?: number }>(atom: T, score: number | undefined): T {
  return score === undefined ? atom : { ...atom, score };
}

/**
 * A facet atom, or a boolean atom when the value is `true`/`false` in any case: both mean the
 * same to the evaluator (booleans are facet values "true"/"false"), the boolean kind just says so.
 */
export function facetAtom(attribute: string, value: string, negated: boolean): FilterAtom {
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === 'false') {
    return { kind: 'boolean', attribute, value: lower === 'true', negated };
  }
  return { kind: 'facet', attribute, value, negated };
}

/**
 * Parses an Algolia `filters` string into conjunctive normal form.
 *
 * Accepts and refuses exactly what Algolia's published validator does, with the same messages and
 * columns, prefixed `filters: ` (see filters/README.md for the few deliberate differences).
 * The empty string is no filter. Throws `AlgoliaError(400, 'filters: …')`.
 */
export function parseFilters(input: string): FilterExpr {
  if (input.length === 0) return [];
  const { tokens, ok } = tokenize(input);
  try {
    if (!ok) {
      // Lexing stopped at a lone `!`; Algolia reports it as the unexpected token.
      const bad = tokens[tokens.length - 1] as Token;
      throw new FilterSyntaxError(`Unexpected token ${TOKEN_NAMES.error} expected filter at col ${bad.pos}`);
    }
    return new FilterParser(tokens).parse();
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw new AlgoliaError(400, `filters: ${error.message}`);
    throw error;
  }
}
