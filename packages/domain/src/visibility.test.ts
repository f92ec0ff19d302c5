import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newObjectId } from './ids';
import { LIMITS } from './limits';
import {
  COMMUNITY_TOKEN,
  PRIVACY_VALUES,
  computeVisibleTo,
  decodePrincipal,
  encodePrincipal,
  groupToken,
  isGroupToken,
  quoteFilterValue,
  visibilityFilter,
  visibilityTokenSchema,
} from './visibility';

/**
 * A deliberately small parser for what a visibility filter may be: facet atoms `attr:"value"`
 * (backslash escapes inside quotes) or `attr:bare` (letters, digits, `_` only) joined by ` OR ` —
 * exactly one OR-group of Algolia's CNF grammar, no AND, no parentheses, no NOT. Returns the atoms
 * or throws on anything else. (The key service's tests also parse it with the engine's parser and
 * Algolia's own validator.)
 */
function parseSingleOrGroup(filter: string): { attribute: string; value: string }[] {
  const atoms: { attribute: string; value: string }[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at col ${i} in ${filter}`);
  };
  for (;;) {
    const attr = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(filter.slice(i));
    if (!attr) fail('expected attribute');
    i += attr![0].length;
    if (filter[i] !== ':') fail('expected :');
    i += 1;
    const bare = /^[A-Za-z0-9_]+/.exec(filter.slice(i));
    if (bare) {
      i += bare[0].length;
      atoms.push({ attribute: attr![0], value: bare[0] });
      if (i === filter.length) return atoms;
      if (filter.slice(i, i + 4) !== ' OR ') fail('expected OR');
      i += 4;
      continue;
    }
    if (filter[i] !== '"') fail('expected "');
    i += 1;
    let value = '';
    while (i < filter.length && filter[i] !== '"') {
      if (filter[i] === '\\') i += 1;
      if (i >= filter.length) fail('dangling escape');
      value += filter.charAt(i);
      i += 1;
    }
    if (filter[i] !== '"') fail('unterminated quote');
    i += 1;
    if (value === '') fail('empty value');
    atoms.push({ attribute: attr![0], value });
    if (i === filter.length) return atoms;
    if (filter.slice(i, i + 4) !== ' OR ') fail('expected OR');
    i += 4;
  }
}

const G1 = '3f1c1d6e-6a47-4a3e-9d0c-5b1a2f3e4d5c';
const G2 = '9b2e7c1a-0d4f-4e6b-8a9c-1d2e3f4a5b6c';
// `g_` + base 36 of the first 80 bits of SHA-256(group id), computed independently with
// node:crypto (createHash('sha256')), not with the hash the domain uses.
const T1 = 'g_2hl0xmeymtlhl9ra';
const T2 = 'g_29y9o3qo6cmomfys';

describe('groupToken', () => {
  it('matches the independently computed vectors', () => {
    expect(groupToken(G1)).toBe(T1);
    expect(groupToken(G2)).toBe(T2);
  });

  it('is g_ + 16 lowercase base-36 characters, deterministic, distinct for distinct ids, never a user or community token', () => {
    fc.assert(
      fc.property(fc.uuid({ version: 4 }), fc.uuid({ version: 4 }), (a, b) => {
        const ta = groupToken(a);
        expect(ta).toMatch(/^g_[0-9a-z]{16}$/);
        expect(isGroupToken(ta)).toBe(true);
        expect(visibilityTokenSchema.safeParse(ta).success).toBe(true);
        expect(groupToken(a)).toBe(ta);
        if (a !== b) expect(groupToken(b)).not.toBe(ta);
        expect(ta).not.toBe(COMMUNITY_TOKEN);
        expect(ta.startsWith('user:')).toBe(false);
      }),
    );
    // Leading zero bits still give 16 characters (padded).
    expect(isGroupToken('g_0000000000000000')).toBe(true);
    for (const bad of [
      'g_',
      'g_123',
      'g_ABCDEFGHIJKLMNOP',
      `group:${G1}`,
      'community',
      'user:x',
      'g_0123456789abcdefg',
    ])
      expect(isGroupToken(bad), bad).toBe(false);
  });

  it('refuses ids that are not group objectIDs', () => {
    for (const bad of ['', 'not-a-uuid', G1.toUpperCase(), `${G1} `])
      expect(() => groupToken(bad), bad).toThrow();
  });

  it('is no longer the old group:<uuid> format (stored records need `reindex-visibility`)', () => {
    expect(visibilityTokenSchema.safeParse(`group:${G1}`).success).toBe(false);
  });
});

describe('computeVisibleTo', () => {
  it('gives exactly the owner for a private record', () => {
    expect(
      computeVisibleTo({ user_id: 'alice', privacy: 'private', group_ids: [G1], shared_with_user_ids: [] }),
    ).toEqual(['user:alice']);
  });

  it('adds groups only when privacy is group', () => {
    expect(
      computeVisibleTo({ user_id: 'alice', privacy: 'group', group_ids: [G1, G2], shared_with_user_ids: [] }),
    ).toEqual(['user:alice', T1, T2]);
    expect(
      computeVisibleTo({ user_id: 'alice', privacy: 'community', group_ids: [G1], shared_with_user_ids: [] }),
    ).toEqual(['user:alice', 'community']);
  });

  it('gives a trashed record to its owner alone, whatever its privacy and shares', () => {
    for (const privacy of ['private', 'group', 'community'] as const) {
      const input = { user_id: 'alice', privacy, group_ids: [G1], shared_with_user_ids: ['bob'] };
      expect(computeVisibleTo({ ...input, trashed: true })).toEqual(['user:alice']);
      expect(computeVisibleTo({ ...input, trashed: false })).toEqual(computeVisibleTo(input));
    }
    // Ids are checked all the same.
    expect(() =>
      computeVisibleTo({
        user_id: 'alice',
        privacy: 'private',
        group_ids: [],
        shared_with_user_ids: ['bad"id'],
        trashed: true,
      }),
    ).toThrow();
  });

  it('adds direct shares under every privacy, deduplicated, owner first', () => {
    expect(
      computeVisibleTo({
        user_id: 'alice',
        privacy: 'group',
        group_ids: [G1, G1],
        shared_with_user_ids: ['bob', 'alice', 'bob', 'auth0|Carol'],
      }),
    ).toEqual(['user:alice', 'user:bob', 'user:auth0|^carol', T1]);
  });

  it('holds for every combination (exhaustive over small sets)', () => {
    const users = ['owner', 'u1', 'U1', 'auth0|x'];
    const groups = [G1, G2];
    const subsets = <T>(xs: T[]): T[][] =>
      xs.reduce<T[][]>((acc, x) => [...acc, ...acc.map((s) => [...s, x])], [[]]);
    for (const privacy of PRIVACY_VALUES) {
      for (const shares of subsets(users.slice(1))) {
        for (const gs of subsets(groups)) {
          const vt = computeVisibleTo({
            user_id: 'owner',
            privacy,
            group_ids: gs,
            shared_with_user_ids: shares,
          });
          const expected = [
            'user:owner',
            ...shares.map((s) => `user:${encodePrincipal(s)}`),
            ...(privacy === 'group' ? gs.map(groupToken) : []),
            ...(privacy === 'community' ? ['community'] : []),
          ];
          expect(vt).toEqual(expected);
          // Never another user unless shared directly; never a group unless privacy is group.
          for (const t of vt.filter((t) => t.startsWith('user:'))) {
            expect(t === 'user:owner' || shares.some((s) => `user:${encodePrincipal(s)}` === t)).toBe(true);
          }
          expect(vt.includes(COMMUNITY_TOKEN)).toBe(privacy === 'community');
          for (const t of vt) expect(visibilityTokenSchema.safeParse(t).success).toBe(true);
        }
      }
    }
  });

  it('refuses malformed ids instead of producing a broken token', () => {
    expect(() =>
      computeVisibleTo({ user_id: 'a"b', privacy: 'private', group_ids: [], shared_with_user_ids: [] }),
    ).toThrow();
    expect(() =>
      computeVisibleTo({ user_id: 'a', privacy: 'private', group_ids: [], shared_with_user_ids: ['x y'] }),
    ).toThrow();
    expect(() =>
      computeVisibleTo({
        user_id: 'a',
        privacy: 'group',
        group_ids: ['not-a-uuid'],
        shared_with_user_ids: [],
      }),
    ).toThrow();
    expect(() =>
      computeVisibleTo({
        user_id: 'a',
        privacy: 'public' as 'private',
        group_ids: [],
        shared_with_user_ids: [],
      }),
    ).toThrow();
  });
});

describe('principal encoding', () => {
  it('leaves lowercase ids unchanged and escapes capitals', () => {
    expect(encodePrincipal('auth0|abc')).toBe('auth0|abc');
    expect(encodePrincipal('auth0|Abc')).toBe('auth0|^abc');
    expect(encodePrincipal(G1)).toBe(G1);
  });

  it('is injective and case-insensitive-safe (ids differing only in case never collide after lowercasing)', () => {
    const idChar = fc.constantFrom(...'aAbBzZ09|-_.@+=/:'.split(''));
    fc.assert(
      fc.property(
        fc.string({ unit: idChar, minLength: 1, maxLength: 12 }),
        fc.string({ unit: idChar, minLength: 1, maxLength: 12 }),
        (a, b) => {
          expect(decodePrincipal(encodePrincipal(a))).toBe(a);
          // Algolia compares facet values case-insensitively: distinct ids must stay distinct when lowercased.
          if (a !== b) expect(encodePrincipal(a).toLowerCase()).not.toBe(encodePrincipal(b).toLowerCase());
        },
      ),
    );
  });
});

describe('visibilityFilter', () => {
  it('is one OR-group with community, the user and each group, in order', () => {
    const f = visibilityFilter('auth0|Me', [G1, G2, G1]);
    // `community` and group tokens need no quotes (letters, digits, `_`); user ids may hold `:` `|` `@`.
    expect(f).toBe(
      `visible_to:community OR visible_to:"user:auth0|^me" OR visible_to:${T1} OR visible_to:${T2}`,
    );
    expect(parseSingleOrGroup(f)).toEqual([
      { attribute: 'visible_to', value: 'community' },
      { attribute: 'visible_to', value: 'user:auth0|^me' },
      { attribute: 'visible_to', value: T1 },
      { attribute: 'visible_to', value: T2 },
    ]);
  });

  it('parses as one OR-group for any valid user and groups, and matches exactly what computeVisibleTo grants', () => {
    const userId = fc.string({
      unit: fc.constantFrom(...'!#$%&()*+,-./09:;<=>?@AZ[]_az{|}~'.split('')),
      minLength: 1,
      maxLength: 40,
    });
    fc.assert(
      fc.property(userId, fc.array(fc.uuid({ version: 4 }), { maxLength: 5 }), (me, groups) => {
        const atoms = parseSingleOrGroup(visibilityFilter(me, groups));
        expect(atoms.every((a) => a.attribute === 'visible_to')).toBe(true);
        const values = atoms.map((a) => a.value);
        expect(values).toEqual([
          'community',
          `user:${encodePrincipal(me)}`,
          ...[...new Set(groups)].map(groupToken),
        ]);
        // A group record of one of my groups is matched; the token is what computeVisibleTo stores.
        for (const g of groups)
          expect(values).toContain(
            computeVisibleTo({ user_id: 'x', privacy: 'group', group_ids: [g], shared_with_user_ids: [] })[1],
          );
        // A record owned by `me` is matched by its owner token; a private record of someone else is not.
        expect(values).toContain(
          computeVisibleTo({ user_id: me, privacy: 'private', group_ids: [], shared_with_user_ids: [] })[0],
        );
        const other = me === 'x' ? 'y' : 'x';
        const othersPrivate = computeVisibleTo({
          user_id: other,
          privacy: 'private',
          group_ids: groups,
          shared_with_user_ids: [],
        });
        expect(othersPrivate.some((t) => values.includes(t))).toBe(false);
      }),
    );
  });

  it('refuses ids that would break out of the quotes, and too many groups', () => {
    expect(() => visibilityFilter('me" OR visible_to:"community')).toThrow();
    expect(() => visibilityFilter('me\\')).toThrow();
    expect(() => visibilityFilter('me', ['" OR x:"y'])).toThrow();
    expect(() => visibilityFilter('')).toThrow();
    const many = Array.from({ length: LIMITS.groupsPerUser + 1 }, () => newObjectId());
    expect(() => visibilityFilter('me', many)).toThrow(RangeError);
    expect(() => visibilityFilter('me', many.slice(1))).not.toThrow();
  });

  it('escapes quotes and backslashes when quoting a value', () => {
    expect(quoteFilterValue('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(parseSingleOrGroup(`x:${quoteFilterValue('a"b\\c')}`)).toEqual([
      { attribute: 'x', value: 'a"b\\c' },
    ]);
  });
});
