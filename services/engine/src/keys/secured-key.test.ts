import { algoliasearch } from 'algoliasearch';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSecuredApiKey, generateSecuredApiKey, parseRestrictions } from './secured-key';

const PARENT = '2640659426d5107b6e47d75db9cbaef8';
const VECTOR =
  'NjFhZmE0OGEyMTI3OThiODc0OTlkOGM0YjcxYzljY2M2NmU2NDE5ZWY0NDZjMWJhNjA2NzBkMjAwOTI2YWQyZnJlc3RyaWN0SW5kaWNlcz1Nb3ZpZXMmdmFsaWRVbnRpbD0yNTI0NjA0NDAw';

// Vitest loads the Node build (the only one with generateSecuredApiKey); the type checker sees the
// browser typings (tsconfig.node.json sets no `node` condition), hence the narrow local type.
const client = algoliasearch('APPID', 'unused-admin-key') as unknown as {
  generateSecuredApiKey(options: { parentApiKey: string; restrictions: Record<string, unknown> }): string;
};

describe('generateSecuredApiKey', () => {
  it('is compared with the real Node client', () => {
    expect(typeof client.generateSecuredApiKey).toBe('function');
  });

  it('reproduces Algolia’s official test vector', () => {
    expect(generateSecuredApiKey(PARENT, { validUntil: 2524604400, restrictIndices: ['Movies'] })).toBe(
      VECTOR,
    );
    expect(Buffer.from(VECTOR, 'base64').toString().slice(64)).toBe(
      'restrictIndices=Movies&validUntil=2524604400',
    );
  });

  it('matches the real algoliasearch client for random restrictions', () => {
    const scalar = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.integer(),
      fc.boolean(),
      fc.double({ noNaN: false }),
    );
    const value = fc.oneof(
      scalar,
      fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.integer()), { maxLength: 4 }),
    );
    const params = fc.dictionary(fc.stringMatching(/^[a-zA-Z]{1,12}$/), value, { maxKeys: 6 });
    const restrictions = fc.record(
      {
        filters: fc.string({ unit: 'grapheme' }),
        validUntil: fc.integer({ min: 0, max: 2 ** 31 }),
        restrictIndices: fc.array(fc.stringMatching(/^[\w*-]{1,10}$/), { maxLength: 3 }),
        restrictSources: fc.constantFrom('192.168.1.0/24', '10.0.0.1'),
        userToken: fc.string({ unit: 'grapheme', minLength: 1 }),
        searchParams: params,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: 'grapheme' }), restrictions, (parent, r) => {
        const theirs = client.generateSecuredApiKey({
          parentApiKey: parent,
          restrictions: structuredClone(r),
        });
        expect(generateSecuredApiKey(parent, structuredClone(r))).toBe(theirs);
      }),
      { numRuns: 500 },
    );
  });
});

describe('decodeSecuredApiKey', () => {
  it('decodes the official vector with its parent among the candidates', () => {
    expect(decodeSecuredApiKey(VECTOR, ['other', PARENT])).toEqual({
      parentKey: PARENT,
      restrictions: { restrictIndices: ['Movies'], validUntil: 2524604400, searchParams: {} },
    });
  });

  it('refuses a key no candidate signed, a tampered one and malformed input', () => {
    expect(decodeSecuredApiKey(VECTOR, ['other'])).toBeUndefined();
    expect(decodeSecuredApiKey(VECTOR, [])).toBeUndefined();
    const decoded = Buffer.from(VECTOR, 'base64').toString();
    const widened = Buffer.from(decoded.replace('Movies', 'Movie*')).toString('base64');
    expect(decodeSecuredApiKey(widened, [PARENT])).toBeUndefined();
    const flipped = Buffer.from((decoded[0] === 'a' ? 'b' : 'a') + decoded.slice(1)).toString('base64');
    expect(decodeSecuredApiKey(flipped, [PARENT])).toBeUndefined();
    for (const bad of [
      '',
      'abc',
      '!!!notbase64!!!',
      'x'.repeat(100),
      Buffer.from('z'.repeat(64)).toString('base64'),
    ]) {
      expect(decodeSecuredApiKey(bad, [PARENT])).toBeUndefined();
    }
  });

  it('verifies over the received bytes, whatever the encoding (+ for spaces, unsorted)', async () => {
    const { createHmac } = await import('node:crypto');
    const query =
      'userToken=a+b&filters=visible_to%3Acommunity&restrictIndices=%5B%22dev_*%22%2C%22x%22%5D&hitsPerPage=5';
    const key = Buffer.from(createHmac('sha256', PARENT).update(query).digest('hex') + query).toString(
      'base64',
    );
    expect(decodeSecuredApiKey(key, [PARENT])?.restrictions).toEqual({
      userToken: 'a b',
      filters: 'visible_to:community',
      restrictIndices: ['dev_*', 'x'],
      searchParams: { hitsPerPage: 5 },
    });
  });

  it('round-trips random restriction sets generate → decode', () => {
    const restrictions = fc.record(
      {
        filters: fc.string({ unit: 'grapheme', minLength: 1 }),
        validUntil: fc.integer({ min: 0, max: 2 ** 40 }),
        restrictIndices: fc.array(fc.stringMatching(/^[\w*-]{1,10}$/), { minLength: 1, maxLength: 3 }),
        userToken: fc.string({ unit: 'grapheme', minLength: 1 }),
        searchParams: fc.record(
          {
            query: fc.string({ unit: 'grapheme' }),
            hitsPerPage: fc.integer({ min: 0, max: 1000 }),
            getRankingInfo: fc.boolean(),
            attributesToRetrieve: fc.array(fc.stringMatching(/^[\w.]{1,8}$/), { minLength: 1, maxLength: 3 }),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{32}$/), restrictions, (parent, r) => {
        const decoded = decodeSecuredApiKey(generateSecuredApiKey(parent, r), ['nope', parent]);
        expect(decoded?.parentKey).toBe(parent);
        const { searchParams = {}, ...top } = r;
        expect(decoded?.restrictions).toEqual({ ...top, searchParams });
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseRestrictions', () => {
  it('types search parameters like Algolia reads them', () => {
    expect(
      parseRestrictions(
        'query=42&hitsPerPage=10&page=x&getRankingInfo=true&attributesToRetrieve=a,b&facetFilters=%5B%22a%3Ab%22%5D&tagFilters=t1,(t2,t3)&distinct=1&typoTolerance=min&custom=%7B%22a%22%3A1%7D&validUntil=soon',
      ),
    ).toEqual({
      validUntil: Number.NaN,
      searchParams: {
        query: '42',
        hitsPerPage: 10,
        page: 'x',
        getRankingInfo: true,
        attributesToRetrieve: ['a', 'b'],
        facetFilters: ['a:b'],
        tagFilters: 't1,(t2,t3)',
        distinct: 1,
        typoTolerance: 'min',
        custom: { a: 1 },
      },
    });
  });
});

describe('decodeSecuredApiKey: one key, one spelling', () => {
  it('refuses non-canonical base64 (spare bits set, missing padding, whitespace) of a valid key', () => {
    expect(decodeSecuredApiKey(VECTOR, [PARENT])).toBeDefined();
    // A key whose byte length is not a multiple of 3 has spare bits in its last character: set one.
    const query = 'validUntil=2524604400&x=1';
    const canonical = generateSecuredApiKey(PARENT, { validUntil: 2524604400, x: 1 });
    expect(Buffer.from(canonical, 'base64').subarray(64).toString()).toBe(query);
    expect(canonical.endsWith('=')).toBe(true);
    const stripped = canonical.replace(/=+$/, '');
    const beforePad = stripped.slice(0, -1);
    const last = stripped.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const spare = alphabet[alphabet.indexOf(last) + 1] as string;
    const aliased = `${beforePad}${spare}${canonical.slice(stripped.length)}`;
    expect(Buffer.from(aliased, 'base64').equals(Buffer.from(canonical, 'base64'))).toBe(true);
    expect(decodeSecuredApiKey(canonical, [PARENT])).toBeDefined();
    expect(decodeSecuredApiKey(aliased, [PARENT])).toBeUndefined();
    expect(decodeSecuredApiKey(stripped, [PARENT])).toBeUndefined();
    expect(decodeSecuredApiKey(`${canonical}\n`, [PARENT])).toBeUndefined();
    expect(decodeSecuredApiKey(` ${canonical}`, [PARENT])).toBeUndefined();
  });
});
