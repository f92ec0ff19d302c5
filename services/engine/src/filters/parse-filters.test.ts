import Validator from 'algolia-filters-js-syntax-validator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlgoliaError } from '../errors';
import { MAX_FILTER_DEPTH, parseFilters } from './parse-filters';
import { printFilters } from './print';
import type { FilterAtom, FilterExpr } from './types';

const validator = new Validator();

/** What Algolia's validator says: '' when valid, else the message. */
function reference(input: string): string {
  return validator.parse(input).errorMessage;
}

/** What our parser says, in the same form (without the `filters: ` prefix). */
function ours(input: string): string {
  try {
    parseFilters(input);
    return '';
  } catch (error) {
    if (!(error instanceof AlgoliaError)) throw error;
    expect(error.status).toBe(400);
    expect(error.message.startsWith('filters: ')).toBe(true);
    return error.message.slice('filters: '.length);
  }
}

// Inputs exercised by the validator's own test suite (tests/parsingLogic.test.js), plus ours.
// Expected outcomes are not copied: the installed validator computes them.
const CORPUS = [
  'num:123TO456',
  'a\nAND\rb\tAND\fc AND d',
  ' tag AND name : value AND num = 123 ',
  ':value1 AND name2:value2',
  'name1: AND name2:value2',
  '"":value1 AND name2:value2',
  'name1:"" AND name2:value2',
  '" ":value1 AND name2:value2',
  'name1:" " AND name2:value2',
  '" "',
  '\\whatever\\',
  '\\name\\:\\value\\',
  '"unclosed',
  '"unclosed because escaped \\"',
  '"unclosed with trailing backslash \\',
  'a"b"c',
  '"\\\\initial backslash"',
  '"\\\\"',
  '"middle \\\\backslash"',
  '"final backslash \\\\"',
  '"double quote = \\""',
  '"single quote = \'"',
  '"escaped single quote = \\\'"',
  '"unknown = \\x"',
  '"this is not a newline: \\n"',
  'a\\ AND b',
  'a\\ AND\\ b',
  '(a AND b\\)',
  'name:"double quoted value"',
  '"double quoted name":value',
  'name:"value with: colon"',
  "'unclosed",
  "'unclosed because escaped \\'",
  "a'b'c",
  "'single quote = \\''",
  "name:'single quoted value'",
  'NOT a',
  'not a',
  'a AND b',
  'a and b',
  'a OR b',
  'a or b',
  'num:123 TO 456',
  'num:123 to 456',
  'NOT -a',
  'NOT "quoted value"',
  'NOT name:value',
  'NOT name:-value',
  'NOT num = 666',
  'NOT num != 666',
  'NOT num < 666',
  'NOT num <= 666',
  'NOT num >= 666',
  'NOT num > 666',
  'NOT num:123 TO 456',
  'NOT(a OR b)',
  'a AND b OR c',
  '(a AND b) OR c',
  'a OR name:value',
  'a OR num = 666',
  'name:value OR num = 666',
  '(type:a OR type:b) AND NOT type:c AND NOT type:d',
  'a OR b AND (tags:movie AND price:10 TO 20)',
  '(((tag1) OR tag2) OR name:value)',
  '(tag1 OR (tag2 OR (name:value)))',
  '(((tag1 OR NOT tag2))) OR (name:value)',
  '(a AND b OR c) OR d',
  'a OR (b OR c AND d)',
  '(a) OR (((b) OR (c)) AND (d))',
  '((a AND b)) OR c',
  'a=10 OR B',
  'a<score=789>',
  ' a < score = 789 > ',
  'name:value<score=789>',
  ' name : value < score = 789 > ',
  'num < 123 <score=789>',
  'num:123 TO 456<score=789>',
  'a<unknown=666>',
  '-value',
  '"-value"',
  'name : -value',
  'name : "-value"',
  '\\-value',
  'name : \\-value',
  // Ours: spacing variants, separators in unquoted values, keywords, errors at the end.
  'price<10',
  'price < 10',
  'price< 10',
  'price <10',
  'price>=-5.5',
  'price != 0',
  'date:1.5 TO -2',
  'path:/a/b.c,d-e\\f',
  'category:Book AND (author:"Stephen King" OR author:Jo)',
  'visible_to:"community" OR visible_to:"user:u1" OR visible_to:"group:g1"',
  'a AND',
  'a OR',
  'AND a',
  '(a',
  'a)',
  '()',
  'a:b:c',
  'a:(b)',
  'price < abc',
  'price < "5"',
  'price:"1" TO 5',
  'price:1 TO',
  'price:1 TO x',
  'price = 1e5',
  '   ',
  'a !b',
  '!',
  'x:y !',
  'a:b <score=1,score=2>',
  'a:b <score=1 ,score=2>',
  'NOT NOT a',
  'a OR NOT b',
  'a OR (b)',
  '((a))',
  '(a OR b) AND (c OR d)',
  '(a OR b) AND c:d AND (e > 1 OR f:1 TO 2)',
  'x:1 OR x:2 OR y:3',
  'objectID:abc',
  '_tags:x OR y',
  '_tags:x OR y:z',
  'a:b\nc',
];

describe('parseFilters against Algolia’s validator', () => {
  it.each(CORPUS)('agrees on %j', (input) => {
    expect(ours(input)).toBe(reference(input));
  });

  it('agrees on generated token soups (valid and invalid)', () => {
    // Pieces chosen to reach every grammar rule and every error; excluded are the documented
    // divergences (score options, lone `-` as a number).
    const piece = fc.constantFrom(
      'a',
      'b1',
      '_tags',
      'name:value',
      'n',
      '12',
      '-3',
      '4.5',
      '1.2.3',
      '"q s"',
      "'x y'",
      '""',
      '"open',
      'AND',
      'OR',
      'NOT',
      'TO',
      'and',
      'or',
      '(',
      ')',
      ':',
      '=',
      '!=',
      '<',
      '<=',
      '>',
      '>=',
      '!',
      ',',
      'x:1 TO 2',
      'x > 3',
      'y = -1',
      'a:-b',
      '\\-c',
      'p/q.r',
      'true',
      'f:false',
    );
    const space = fc.constantFrom('', ' ', '  ');
    const input = fc
      .array(fc.tuple(piece, space), { minLength: 1, maxLength: 12 })
      .map((parts) => parts.map(([p, s]) => p + s).join(' '));
    fc.assert(
      fc.property(fc.tuple(space, input), ([lead, text]) => {
        const s = lead + text;
        // The validator prints "undefined" for these two expectations (see below).
        const mine = ours(s).replace(/expected "(=|score)"/, 'expected undefined');
        expect(mine).toBe(reference(s));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseFilters messages (exact, with columns)', () => {
  const cases: [string, string][] = [
    ['date > 1 dates', 'filters: Unexpected token string(dates) expected end of filter at col 9'],
    ['a and b', 'filters: Unexpected token string(and) expected end of filter at col 2'],
    ['NOT(a OR b)', "filters: Unexpected token '(' expected filter at col 3"],
    ['(a AND b) OR c', 'filters: filter (X AND Y) OR Z is not allowed, only (X OR Y) AND Z is allowed'],
    ['name1:"" AND x:y', 'filters: Unexpected token empty string expected string at col 7'],
    ['(a OR b', "filters: Unexpected token end of filter expected ')' at col 7"],
    ['price < abc', 'filters: Unexpected token string(abc) expected numeric at col 8'],
    ['x:1 TO y', 'filters: Unexpected token string(y) expected numeric at col 7'],
    ['a:b\nc AND d e', 'filters: Unexpected token string(e) expected end of filter at col 12'],
    [
      'a OR name:value',
      'filters: Different types are not allowed in the same OR.\nExpected a tag filter which needs to have this form:\n - _tags:tag_value\n - tag_value',
    ],
    [
      'name:value OR num = 666',
      'filters: Different types are not allowed in the same OR.\nExpected a facet filter which needs to have this form:\n - facet_name:facet_value',
    ],
  ];
  it.each(cases)('%j', (input, message) => {
    expect(() => parseFilters(input)).toThrow(new AlgoliaError(400, message));
  });

  it('refuses more than 1,000 filters', () => {
    const ok = Array.from({ length: 1000 }, (_, i) => `t${i}`).join(' OR ');
    expect(parseFilters(ok)[0]).toHaveLength(1000);
    expect(() => parseFilters(`${ok} OR t1000`)).toThrow(/^filters: Too many filters/);
  });
});

describe('parseFilters deliberate differences from the validator', () => {
  // The validator is a JavaScript port with a few bugs the engine does not have.
  it('names the expected `=` and `score` instead of printing "undefined"', () => {
    expect(reference('a<score>')).toBe('Unexpected token > expected undefined at col 7');
    expect(ours('a<score>')).toBe('Unexpected token > expected "=" at col 7');
    expect(reference('a:b<foo=1>')).toBe('Unexpected token string(foo) expected undefined at col 4');
    expect(ours('a:b<foo=1>')).toBe('Unexpected token string(foo) expected "score" at col 4');
  });

  it('treats a scored tag as a tag inside an OR', () => {
    expect(reference('a OR b<score=2>')).not.toBe('');
    expect(parseFilters('a OR b<score=2>')).toEqual([
      [
        { kind: 'tag', value: 'a', negated: false },
        { kind: 'tag', value: 'b', negated: false, score: 2 },
      ],
    ]);
  });

  it('keeps NOT on a scored tag', () => {
    expect(parseFilters('NOT b<score=2>')).toEqual([[{ kind: 'tag', value: 'b', negated: true, score: 2 }]]);
  });

  it('stops at the first error after an unclosed score option', () => {
    expect(ours('a:b<score=1 AND c')).toBe("Unexpected token 'AND' expected > at col 12");
  });

  it('refuses `-` as a number', () => {
    expect(reference('x < -')).toBe('');
    expect(ours('x < -')).toBe('Unexpected token numeric(-) expected numeric at col 4');
  });

  it('answers deeply nested parentheses with a 400, not a stack overflow (a 10 KB filter overflowed)', () => {
    const nested = (n: number) => `${'('.repeat(n)}a:b${')'.repeat(n)}`;
    expect(parseFilters(nested(MAX_FILTER_DEPTH))).toEqual([
      [{ kind: 'facet', attribute: 'a', value: 'b', negated: false }],
    ]);
    for (const n of [MAX_FILTER_DEPTH + 1, 5_000, 100_000]) {
      expect(() => parseFilters(nested(n))).toThrow(
        new AlgoliaError(400, `filters: Too many nested parentheses: the maximum is ${MAX_FILTER_DEPTH}`),
      );
    }
  });
});

describe('parseFilters AST', () => {
  it('binds OR tighter than AND', () => {
    expect(parseFilters('a AND b OR c')).toEqual([
      [{ kind: 'tag', value: 'a', negated: false }],
      [
        { kind: 'tag', value: 'b', negated: false },
        { kind: 'tag', value: 'c', negated: false },
      ],
    ]);
  });

  it('flattens parenthesised ANDs into groups of one', () => {
    expect(parseFilters('(a:1 AND b > 2) AND (c OR d)')).toEqual([
      [{ kind: 'facet', attribute: 'a', value: '1', negated: false }],
      [{ kind: 'numeric', attribute: 'b', operator: '>', value: 2, negated: false }],
      [
        { kind: 'tag', value: 'c', negated: false },
        { kind: 'tag', value: 'd', negated: false },
      ],
    ]);
  });

  it('reads quoting, escapes and literal unquoted values', () => {
    expect(parseFilters(`"my attr":"say \\"hi\\" \\\\ \\n" AND 'x':'it\\'s' AND p:/a\\b-c.d,e`)).toEqual([
      [{ kind: 'facet', attribute: 'my attr', value: 'say "hi" \\ \\n', negated: false }],
      [{ kind: 'facet', attribute: 'x', value: "it's", negated: false }],
      [{ kind: 'facet', attribute: 'p', value: '/a\\b-c.d,e', negated: false }],
    ]);
  });

  it('keeps a leading minus as part of the value (NOT negates)', () => {
    expect(parseFilters('a:-b AND -t AND NOT c:d')).toEqual([
      [{ kind: 'facet', attribute: 'a', value: '-b', negated: false }],
      [{ kind: 'tag', value: '-t', negated: false }],
      [{ kind: 'facet', attribute: 'c', value: 'd', negated: true }],
    ]);
  });

  it('represents attr:true|false as boolean atoms and attr:42 as a facet value', () => {
    expect(parseFilters('a:true AND b:FALSE AND c:"true" AND d:42 AND _tags:true')).toEqual([
      [{ kind: 'boolean', attribute: 'a', value: true, negated: false }],
      [{ kind: 'boolean', attribute: 'b', value: false, negated: false }],
      [{ kind: 'boolean', attribute: 'c', value: true, negated: false }],
      [{ kind: 'facet', attribute: 'd', value: '42', negated: false }],
      [{ kind: 'tag', value: 'true', negated: false }],
    ]);
  });

  it('reads every numeric operator, spacing variant and ranges', () => {
    const atoms = parseFilters(
      'a<1 AND b <= 2 AND c= 3 AND d !=4 AND e>=-5 AND f > 6.5 AND g:1 TO 2.5 AND NOT h:-1 TO 0',
    );
    expect(atoms.map((g) => g[0])).toEqual([
      { kind: 'numeric', attribute: 'a', operator: '<', value: 1, negated: false },
      { kind: 'numeric', attribute: 'b', operator: '<=', value: 2, negated: false },
      { kind: 'numeric', attribute: 'c', operator: '=', value: 3, negated: false },
      { kind: 'numeric', attribute: 'd', operator: '!=', value: 4, negated: false },
      { kind: 'numeric', attribute: 'e', operator: '>=', value: -5, negated: false },
      { kind: 'numeric', attribute: 'f', operator: '>', value: 6.5, negated: false },
      { kind: 'range', attribute: 'g', lower: 1, upper: 2.5, negated: false },
      { kind: 'range', attribute: 'h', lower: -1, upper: 0, negated: true },
    ]);
  });

  it('reads scores on facets and tags', () => {
    expect(parseFilters('(brand:Apple<score=3> OR brand:Sony<score=1>) AND _tags:x<score=2>')).toEqual([
      [
        { kind: 'facet', attribute: 'brand', value: 'Apple', negated: false, score: 3 },
        { kind: 'facet', attribute: 'brand', value: 'Sony', negated: false, score: 1 },
      ],
      [{ kind: 'tag', value: 'x', negated: false, score: 2 }],
    ]);
  });

  it('treats the empty string as no filter, and refuses a blank one', () => {
    expect(parseFilters('')).toEqual([]);
    expect(() => parseFilters('   ')).toThrow(
      new AlgoliaError(400, 'filters: Unexpected token end of filter expected filter at col 3'),
    );
    expect(ours('   ')).toBe(reference('   '));
  });
});

// Generated CNF filters: print → parse is the identity, and the validator accepts the print.
const name = fc.stringMatching(/^[A-Za-z_][\w.]{0,8}$/).filter((s) => s !== '_tags');
const text = fc
  .string({ minLength: 1, maxLength: 10, unit: 'grapheme' })
  .filter((s) => !/^(true|false)$/i.test(s));
const num = fc
  .oneof(
    fc.integer({ min: -1e6, max: 1e6 }),
    fc.integer({ min: -1e5, max: 1e5 }).map((n) => n / 100),
  )
  .map((n) => (n === 0 ? 0 : n));
const negated = fc.boolean();
const score = fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined });
const withScore = <T extends object>(atom: T, s: number | undefined): T =>
  s === undefined ? atom : { ...atom, score: s };
const tagAtom: fc.Arbitrary<FilterAtom> = fc
  .tuple(text, negated)
  .map(([value, n]) => ({ kind: 'tag', value, negated: n }));
const facetAtom: fc.Arbitrary<FilterAtom> = fc.oneof(
  fc
    .tuple(name, text, negated, score)
    .map(([attribute, value, n, s]) =>
      withScore({ kind: 'facet' as const, attribute, value, negated: n }, s),
    ),
  fc
    .tuple(name, fc.boolean(), negated)
    .map(([attribute, value, n]) => ({ kind: 'boolean' as const, attribute, value, negated: n })),
);
const numericAtom: fc.Arbitrary<FilterAtom> = fc.oneof(
  fc
    .tuple(name, fc.constantFrom('<', '<=', '=', '!=', '>=', '>' as const), num, negated)
    .map(([attribute, operator, value, n]) => ({
      kind: 'numeric' as const,
      attribute,
      operator,
      value,
      negated: n,
    })),
  fc
    .tuple(name, num, num, negated)
    .map(([attribute, lower, upper, n]) => ({ kind: 'range' as const, attribute, lower, upper, negated: n })),
);
const group = fc.oneof(
  fc.array(tagAtom, { minLength: 1, maxLength: 4 }),
  fc.array(facetAtom, { minLength: 1, maxLength: 4 }),
  fc.array(numericAtom, { minLength: 1, maxLength: 4 }),
);
const cnf: fc.Arbitrary<FilterExpr> = fc.array(group, { minLength: 1, maxLength: 5 });

describe('printFilters', () => {
  it('round-trips generated CNF filters, which the validator accepts', () => {
    fc.assert(
      fc.property(cnf, (expr) => {
        const printed = printFilters(expr);
        expect(parseFilters(printed)).toEqual(expr);
        expect(reference(printed)).toBe('');
      }),
      { numRuns: 1000 },
    );
  });
});
