import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlgoliaError } from '../errors';
import {
  andFilters,
  facetFiltersToExpr,
  numericFiltersToExpr,
  optionalFiltersToList,
  tagFiltersToExpr,
} from './legacy-filters';
import { parseFilters } from './parse-filters';
import { quoteFilterValue } from './print';

const facet = (attribute: string, value: string, negated = false) => ({
  kind: 'facet',
  attribute,
  value,
  negated,
});
const tag = (value: string, negated = false) => ({ kind: 'tag', value, negated });

describe('facetFiltersToExpr', () => {
  it('ANDs a flat array and ORs a nested one', () => {
    expect(facetFiltersToExpr(['a:x', ['b:y', 'b:z'], 'c:w'])).toEqual([
      [facet('a', 'x')],
      [facet('b', 'y'), facet('b', 'z')],
      [facet('c', 'w')],
    ]);
  });

  it('accepts a single string, a JSON-encoded array and the legacy comma form', () => {
    expect(facetFiltersToExpr('a:x')).toEqual([[facet('a', 'x')]]);
    expect(facetFiltersToExpr('["a:x",["b:y","b:z"]]')).toEqual([
      [facet('a', 'x')],
      [facet('b', 'y'), facet('b', 'z')],
    ]);
    expect(facetFiltersToExpr('a:x,(b:y,b:z)')).toEqual([
      [facet('a', 'x')],
      [facet('b', 'y'), facet('b', 'z')],
    ]);
  });

  it('negates with a leading minus on the value; \\- is a literal minus', () => {
    expect(facetFiltersToExpr(['a:-x', 'a:\\-y', 'a:\\\\z', '-b:v', '\\c:-w'])).toEqual([
      [facet('a', 'x', true)],
      [facet('a', '-y')],
      [facet('a', '\\z')],
      [facet('b', 'v', true)],
      [facet('c', '-w')],
    ]);
  });

  it('keeps colons in values, reads tags, booleans and scores', () => {
    expect(facetFiltersToExpr(['visible_to:user:u1', '_tags:T', 'ok:true', 'brand:Apple<score=3>'])).toEqual([
      [facet('visible_to', 'user:u1')],
      [tag('T')],
      [{ kind: 'boolean', attribute: 'ok', value: true, negated: false }],
      [{ ...facet('brand', 'Apple'), score: 3 }],
    ]);
  });

  it('means nothing for null, undefined, [] and [[]]', () => {
    for (const v of [null, undefined, [], [[]], '', '[]']) expect(facetFiltersToExpr(v)).toEqual([]);
  });

  const badValues: unknown[] = [
    42,
    { a: 'b' },
    [1],
    [[['a:b']]],
    ['a:b', ['c:d', ['e:f']]],
    '[not json',
    '(a:b,(c:d))',
    'a:b)',
    '(a:b',
    ['nocolon'],
    [':value'],
    ['attr:'],
  ];
  it.each(badValues.map((v) => [v]))('refuses %j with a 400', (value) => {
    expect(() => facetFiltersToExpr(value)).toThrow(AlgoliaError);
    try {
      facetFiltersToExpr(value);
    } catch (error) {
      expect((error as AlgoliaError).status).toBe(400);
    }
  });

  it('agrees with the filters string for simple values', () => {
    const value = fc
      .stringMatching(/^[a-z0-9 ]{1,8}$/)
      .filter((s) => !/^(true|false)$/.test(s.trim()) && s.trim() === s);
    const item = fc.tuple(fc.constantFrom('a', 'b', 'c.d'), value);
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            item.map((i) => [i]),
            fc.array(item, { minLength: 1, maxLength: 3 }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        (groups) => {
          const asArray = groups.map((g) => g.map(([a, v]) => `${a}:${v}`));
          const asString = groups
            .map((g) => `(${g.map(([a, v]) => `${a}:${quoteFilterValue(v)}`).join(' OR ')})`)
            .join(' AND ');
          expect(facetFiltersToExpr(asArray)).toEqual(parseFilters(asString));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses more than 1,000 filters', () => {
    expect(facetFiltersToExpr(Array.from({ length: 1000 }, (_, i) => `a:${i}`))).toHaveLength(1000);
    expect(() => facetFiltersToExpr(Array.from({ length: 1001 }, (_, i) => `a:${i}`))).toThrow(
      /Too many filters/,
    );
  });
});

describe('numericFiltersToExpr', () => {
  it('reads every operator, spacing, ranges, arrays, OR groups and strings', () => {
    expect(
      numericFiltersToExpr(['a<1', 'b <= 2', ['c=3', 'd != -4.5'], 'e:1 TO 2', 'f >=.5', 'g>7']),
    ).toEqual([
      [{ kind: 'numeric', attribute: 'a', operator: '<', value: 1, negated: false }],
      [{ kind: 'numeric', attribute: 'b', operator: '<=', value: 2, negated: false }],
      [
        { kind: 'numeric', attribute: 'c', operator: '=', value: 3, negated: false },
        { kind: 'numeric', attribute: 'd', operator: '!=', value: -4.5, negated: false },
      ],
      [{ kind: 'range', attribute: 'e', lower: 1, upper: 2, negated: false }],
      [{ kind: 'numeric', attribute: 'f', operator: '>=', value: 0.5, negated: false }],
      [{ kind: 'numeric', attribute: 'g', operator: '>', value: 7, negated: false }],
    ]);
    expect(numericFiltersToExpr('a>1,(b<2,c:3 TO 4)')).toEqual(
      numericFiltersToExpr(['a>1', ['b<2', 'c:3 TO 4']]),
    );
    expect(numericFiltersToExpr('["a>1"]')).toEqual(numericFiltersToExpr(['a>1']));
    expect(numericFiltersToExpr('created_at>=1700000000')).toHaveLength(1);
  });

  it.each(['status=open', 'a > ', 'a >> 1', '= 1', 'a:1 to 2', 'a:x TO 2', 'a=1e5'])(
    'refuses %j with Algolia’s message',
    (bad) => {
      expect(() => numericFiltersToExpr([bad])).toThrow(
        new AlgoliaError(400, `Invalid syntax for numeric condition:${bad}`),
      );
    },
  );
});

describe('tagFiltersToExpr', () => {
  it('reads arrays, OR groups, comma strings with parentheses and negation', () => {
    expect(tagFiltersToExpr('t3,(t1,t2)')).toEqual([[tag('t3')], [tag('t1'), tag('t2')]]);
    expect(tagFiltersToExpr(['t3', ['t1', 't2']])).toEqual([[tag('t3')], [tag('t1'), tag('t2')]]);
    expect(tagFiltersToExpr(['-a', '\\-b', 'C'])).toEqual([[tag('a', true)], [tag('-b')], [tag('C')]]);
    expect(tagFiltersToExpr('["x"]')).toEqual([[tag('x')]]);
  });

  it('refuses bad shapes', () => {
    expect(() => tagFiltersToExpr({})).toThrow(AlgoliaError);
    expect(() => tagFiltersToExpr(['-'])).toThrow(AlgoliaError);
  });
});

describe('optionalFiltersToList', () => {
  it('lists scored atoms, default score 1, nested arrays flattened', () => {
    expect(optionalFiltersToList(['brand:Apple<score=3>', ['color:-red', 'size:M']])).toEqual([
      { atom: { ...facet('brand', 'Apple'), score: 3 }, score: 3 },
      { atom: facet('color', 'red', true), score: 1 },
      { atom: facet('size', 'M'), score: 1 },
    ]);
    expect(optionalFiltersToList('brand:Sony')).toEqual([{ atom: facet('brand', 'Sony'), score: 1 }]);
    expect(optionalFiltersToList(undefined)).toEqual([]);
    expect(() => optionalFiltersToList(7)).toThrow(AlgoliaError);
  });
});

describe('andFilters', () => {
  it('concatenates groups', () => {
    const a = parseFilters('a:1');
    const b = parseFilters('b:2 OR b:3');
    expect(andFilters(a, [], b)).toEqual([...a, ...b]);
    expect(andFilters()).toEqual([]);
  });
});
