import { describe, expect, it } from 'vitest';
import { filterAttributes, matchesFilter } from './evaluate';
import { facetFiltersToExpr, numericFiltersToExpr, tagFiltersToExpr } from './legacy-filters';
import { parseFilters } from './parse-filters';

const matches = (filters: string, record: Record<string, unknown>): boolean =>
  matchesFilter(parseFilters(filters), record);

describe('matchesFilter', () => {
  const dream = {
    objectID: 'Abc-1',
    title: 'Flying',
    mood: 'Calm',
    lucid: true,
    lucidity_level: 3,
    visible_to: ['user:u1', 'group:g1'],
    author: { user_id: 'u1', display_name: 'Ann' },
    chapters: [{ tags: ['sea', 'sky'] }, { tags: ['Moon'] }],
    scores: [1, 5, 9],
    year: 2019,
    weight: 10.5,
    _tags: ['Dream', 'night'],
    city: 'Montréal',
  };

  it('compares facet values ignoring case, but not diacritics', () => {
    expect(matches('mood:calm', dream)).toBe(true);
    expect(matches('mood:CALM', dream)).toBe(true);
    expect(matches('city:montréal', dream)).toBe(true);
    expect(matches('city:montreal', dream)).toBe(false);
  });

  it('compares tags exactly', () => {
    expect(matches('Dream', dream)).toBe(true);
    expect(matches('dream', dream)).toBe(false);
    expect(matches('_tags:night', dream)).toBe(true);
    expect(matchesFilter(tagFiltersToExpr(['Dream', ['x', 'night']]), dream)).toBe(true);
    expect(matches('Dream', { _tags: 'Dream' })).toBe(true);
  });

  it('matches arrays on any element and nested paths through arrays of objects', () => {
    expect(matches('visible_to:"group:g1"', dream)).toBe(true);
    expect(matches('visible_to:"community" OR visible_to:"user:u1"', dream)).toBe(true);
    expect(matches('author.user_id:u1', dream)).toBe(true);
    expect(matches('chapters.tags:moon', dream)).toBe(true);
    expect(matches('chapters.tags:star', dream)).toBe(false);
    expect(matches('"a.b":x', { 'a.b': 'x' })).toBe(true);
  });

  it('matches numbers and booleans as facet values by their string form', () => {
    expect(matches('year:2019', dream)).toBe(true);
    expect(matches('weight:10.5', dream)).toBe(true);
    expect(matches('lucid:true', dream)).toBe(true);
    expect(matches('lucid:false', dream)).toBe(false);
    expect(matches('lucid:"TRUE"', dream)).toBe(true);
    expect(matches('flag:true', { flag: 'True' })).toBe(true);
  });

  it('compares numerics on numbers only, any element of arrays', () => {
    expect(matches('lucidity_level >= 3', dream)).toBe(true);
    expect(matches('lucidity_level > 3', dream)).toBe(false);
    expect(matches('lucidity_level:1 TO 3', dream)).toBe(true);
    expect(matches('lucidity_level:4 TO 5', dream)).toBe(false);
    expect(matches('scores = 5', dream)).toBe(true);
    expect(matches('scores > 8', dream)).toBe(true);
    expect(matches('scores < 1', dream)).toBe(false);
    expect(matches('n > 1', { n: '5' })).toBe(false);
    expect(matches('n = 1', { n: true })).toBe(false);
    expect(matches('n:5 TO 1', { n: 3 })).toBe(false);
  });

  it('negates as a complement: records without the attribute match', () => {
    expect(matches('NOT mood:calm', dream)).toBe(false);
    expect(matches('NOT mood:angry', dream)).toBe(true);
    expect(matches('NOT mood:calm', { objectID: 'x' })).toBe(true);
    expect(matches('NOT missing > 3', dream)).toBe(true);
    expect(matches('missing != 3', dream)).toBe(true);
    expect(matches('scores != 5', dream)).toBe(false);
    expect(matches('scores != 4', dream)).toBe(true);
    expect(matches('NOT Dream', dream)).toBe(false);
  });

  it('filters on objectID exactly', () => {
    expect(matches('objectID:Abc-1', dream)).toBe(true);
    expect(matches('objectID:abc-1', dream)).toBe(false);
  });

  it('applies CNF: AND of OR-groups; the empty filter matches everything', () => {
    expect(matches('mood:calm AND (year:2000 OR year:2019) AND lucidity_level < 5', dream)).toBe(true);
    expect(matches('mood:calm AND (year:2000 OR year:2001)', dream)).toBe(false);
    expect(matchesFilter([], dream)).toBe(true);
    expect(matchesFilter(facetFiltersToExpr(['mood:-calm']), dream)).toBe(false);
    expect(matchesFilter(numericFiltersToExpr([['year<2000', 'weight>10']]), dream)).toBe(true);
  });
});

describe('filterAttributes', () => {
  it('lists facet and numeric attributes, not tags', () => {
    const used = filterAttributes(
      parseFilters('a:x AND b:true AND (c > 1 OR d:1 TO 2) AND tag AND _tags:t AND NOT e:y'),
    );
    expect([...used.facets].sort()).toEqual(['a', 'b', 'e']);
    expect([...used.numerics].sort()).toEqual(['c', 'd']);
  });
});
