import { describe, expect, it } from 'vitest';
import {
  BASE_INDICES,
  checkIndexPrefix,
  indexName,
  indexNames,
  indexPatterns,
  parseIndexName,
  replicaNames,
  sortedIndexName,
} from './index-names';
import { READER_HIDDEN_ATTRIBUTES, SERVICE_BOOKKEEPING_ATTRIBUTES, indexSettings } from './index-settings';

describe('index names', () => {
  it('lists primaries then replicas, with the prefix', () => {
    expect(indexNames('prod_')).toEqual([
      'prod_dreams',
      'prod_things',
      'prod_stories',
      'prod_patterns',
      'prod_groups',
      'prod_profiles_public',
      'prod_dreams_created_at_desc',
      'prod_dreams_created_at_asc',
      'prod_dreams_dream_date_desc',
      'prod_dreams_dream_date_asc',
      'prod_things_created_at_desc',
      'prod_things_created_at_asc',
      'prod_things_thing_date_desc',
      'prod_things_thing_date_asc',
      'prod_stories_created_at_desc',
      'prod_stories_created_at_asc',
      'prod_stories_updated_at_desc',
      'prod_stories_updated_at_asc',
    ]);
    expect(indexNames('')[0]).toBe('dreams');
    expect(new Set(indexNames('x_')).size).toBe(indexNames('x_').length);
  });

  it('covers every index and replica with one wildcard per base index, and nothing of another prefix', () => {
    expect(indexPatterns('prod_')).toEqual([
      'prod_dreams*',
      'prod_things*',
      'prod_stories*',
      'prod_patterns*',
      'prod_groups*',
      'prod_profiles_public*',
    ]);
    // `*` matches any run of characters (Algolia's index patterns).
    const glob = (pattern: string) =>
      new RegExp(
        `^${pattern
          .split('*')
          .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      );
    const matches = (name: string) => indexPatterns('prod_').some((p) => glob(p).test(name));
    for (const name of indexNames('prod_')) expect(matches(name), name).toBe(true);
    for (const name of [
      ...indexNames('staging_'),
      ...indexNames(''),
      'prod_secrets',
      'prod_',
      'dreamsX',
      'xprod_dreams',
    ])
      expect(matches(name), name).toBe(false);
    // No base name is a prefix of another, so one base's wildcard never reaches another base's index.
    for (const a of BASE_INDICES)
      for (const b of BASE_INDICES) if (a !== b) expect(b.startsWith(a)).toBe(false);
    expect(() => indexPatterns('bad')).toThrow();
  });

  it('validates the prefix', () => {
    for (const ok of ['', 'prod_', 'staging-', 'test_42_', 'a_']) expect(checkIndexPrefix(ok)).toBe(ok);
    for (const bad of [
      'prod',
      'Prod_',
      '_',
      'pr od_',
      'prod/',
      '../',
      'a'.repeat(40) + '_',
      'prod_*',
      'é_',
    ]) {
      expect(() => checkIndexPrefix(bad), bad).toThrow();
      expect(() => indexNames(bad), bad).toThrow();
    }
  });

  it('resolves sort orders and parses names back', () => {
    expect(sortedIndexName('p_', 'dreams')).toBe('p_dreams');
    expect(sortedIndexName('p_', 'dreams', { attribute: 'dream_date', direction: 'asc' })).toBe(
      'p_dreams_dream_date_asc',
    );
    expect(() => sortedIndexName('p_', 'groups', { attribute: 'created_at', direction: 'desc' })).toThrow(
      RangeError,
    );
    for (const name of indexNames('p_')) expect(parseIndexName('p_', name)).toBeDefined();
    expect(parseIndexName('p_', 'p_dreams_created_at_desc')).toEqual({
      index: 'dreams',
      replica: { suffix: 'created_at_desc', attribute: 'created_at', direction: 'desc' },
    });
    expect(parseIndexName('p_', 'dreams')).toBeUndefined();
    expect(parseIndexName('p_', 'p_users')).toBeUndefined();
    expect(parseIndexName('', 'things')).toEqual({ index: 'things' });
    expect(indexName('', 'profiles_public')).toBe('profiles_public');
  });
});

describe('index settings', () => {
  const all = indexSettings('prod_');

  it('covers exactly every index name', () => {
    expect(Object.keys(all).sort()).toEqual([...indexNames('prod_')].sort());
  });

  it('hides ACL attributes and makes visible_to filterable on every index', () => {
    for (const [name, s] of Object.entries(all)) {
      expect(s.unretrievableAttributes, name).toContain('visible_to');
      expect(s.attributesForFaceting, name).toContain('filterOnly(visible_to)');
      expect(
        s.searchableAttributes?.some((a) => a.includes('visible_to') || a.includes('shared_with_user_ids')),
        name,
      ).toBe(false);
    }
    for (const base of ['dreams', 'things', 'stories'] as const) {
      // group_ids too: a record keeps them under any privacy (to restore the choice), so a community
      // record would otherwise tell every reader which (private) groups its author shares with.
      expect(all[`prod_${base}`]!.unretrievableAttributes).toEqual([
        'visible_to',
        'shared_with_user_ids',
        'group_ids',
        'recent_mutation_ids',
      ]);
      expect(all[`prod_${base}`]!.unretrievableAttributes).toEqual([
        ...READER_HIDDEN_ATTRIBUTES,
        ...SERVICE_BOOKKEEPING_ATTRIBUTES,
      ]);
      expect(all[`prod_${base}`]!.attributesForFaceting).toEqual(
        expect.arrayContaining(['filterOnly(user_id)', 'filterOnly(trashed)']),
      );
    }
    // The idempotency window is the service's bookkeeping, on every versioned record.
    for (const base of ['groups', 'profiles_public'] as const) {
      expect(all[`prod_${base}`]!.unretrievableAttributes).toEqual(['visible_to', 'recent_mutation_ids']);
    }
  });

  it('declares searchable facets for the refinement lists', () => {
    for (const base of ['dreams', 'things'] as const) {
      expect(all[`prod_${base}`]!.attributesForFaceting).toEqual(
        expect.arrayContaining([
          'searchable(tags)',
          'searchable(themes)',
          'searchable(entities)',
          'searchable(symbols)',
          'searchable(mood)',
        ]),
      );
    }
    expect(all['prod_patterns']!.attributesForFaceting).toContain('kind');
  });

  it('collapses story chunks with distinct on story_id, replicas included', () => {
    expect(all['prod_stories']).toMatchObject({ attributeForDistinct: 'story_id', distinct: true });
    expect(all['prod_stories_created_at_desc']).toMatchObject({
      attributeForDistinct: 'story_id',
      distinct: true,
    });
  });

  it('links primaries to their replicas, and sorts replicas by their attribute first', () => {
    for (const base of BASE_INDICES) {
      const primary = all[`prod_${base}`]!;
      const replicas = replicaNames('prod_', base);
      if (replicas.length === 0) expect(primary.replicas).toBeUndefined();
      else expect(primary.replicas).toEqual(replicas);
      for (const r of replicas) {
        expect(all[r]!.replicas).toBeUndefined();
        const [, attr, dir] = /_([a-z]+_(?:at|date))_(asc|desc)$/.exec(r)!;
        expect(all[r]!.ranking![0]).toBe(`${dir}(${attr})`);
      }
    }
    expect(all['prod_dreams_dream_date_desc']!.ranking).toEqual([
      'desc(dream_date)',
      'typo',
      'geo',
      'words',
      'filters',
      'proximity',
      'attribute',
      'exact',
      'custom',
    ]);
  });

  it('lets writers search journal content with phrases and exclusions (advancedSyntax), replicas included', () => {
    const all = indexSettings('');
    for (const base of ['dreams', 'things', 'stories'] as const) {
      const names = [indexName('', base), ...replicaNames('', base)];
      for (const n of names) expect(all[n]!.advancedSyntax).toBe(true);
    }
    expect(all['groups']!.advancedSyntax).toBeUndefined();
  });

  it('returns fresh objects (callers may mutate them)', () => {
    const a = indexSettings('');
    a['dreams']!.searchableAttributes!.push('oops');
    expect(indexSettings('')['dreams']!.searchableAttributes).not.toContain('oops');
  });
});
