import { describe, expect, it } from 'vitest';
import { AlgoliaError } from '../errors';
import { parseFilters } from '../filters';
import { ACLS, type Acl } from './acl';
import { authorize, cachedSecuredKeys, parseCredentials, type AuthorizationNeed } from './authorize';
import { KeyStore } from './key-store';
import { generateSecuredApiKey } from './secured-key';

const APP = 'NDFLOCAL';
const ADMIN = 'a'.repeat(32);
const SEARCH = 's'.repeat(32);
const NOW = Date.UTC(2030, 0, 1);

function setup() {
  let clock = NOW;
  const store = new KeyStore({ adminKey: ADMIN, searchKey: SEARCH, now: () => clock });
  return { store, advance: (ms: number) => (clock += ms), now: () => clock };
}

function fails(fn: () => unknown, status: number, message: string): void {
  expect(fn).toThrow(new AlgoliaError(status, message));
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AlgoliaError);
    expect((error as AlgoliaError).status).toBe(status);
  }
}

const INVALID = 'Invalid Application-ID or API key';
const METHOD = 'Method not allowed with this API key';
const INDEX = 'Index not allowed with this API key';
const EXPIRED = 'validUntil parameter expired (less than current date)';
const REFERER = 'Method not allowed with this referer';

describe('authorize: admin and application id', () => {
  it('gives the admin key every ACL on every index', () => {
    const { store } = setup();
    const p = authorize(store, { appId: APP, apiKey: ADMIN }, APP, { acl: 'admin' }, NOW);
    expect(p.kind).toBe('admin');
    expect([...p.acl].sort()).toEqual([...ACLS].sort());
    expect(p.canAccessIndex('anything')).toBe(true);
    expect(p.filters).toEqual([]);
    expect(p.forcedSearchParams).toEqual({});
  });

  it('refuses a wrong or missing application id, a missing or unknown key', () => {
    const { store } = setup();
    const need: AuthorizationNeed = { acl: 'search', indexName: 'dreams' };
    fails(() => authorize(store, { appId: 'OTHER', apiKey: ADMIN }, APP, need, NOW), 403, INVALID);
    fails(() => authorize(store, { apiKey: ADMIN }, APP, need, NOW), 403, INVALID);
    fails(() => authorize(store, { appId: APP }, APP, need, NOW), 403, INVALID);
    fails(() => authorize(store, { appId: APP, apiKey: '' }, APP, need, NOW), 403, INVALID);
    fails(() => authorize(store, { appId: APP, apiKey: 'f'.repeat(32) }, APP, need, NOW), 403, INVALID);
  });
});

describe('authorize: stored keys', () => {
  it('checks ACLs, index patterns and expiry', () => {
    const { store, advance, now } = setup();
    const { key } = store.add({ acl: ['search', 'addObject'], indexes: ['dev_*', 'exact'], validity: 60 });
    const auth = (need: AuthorizationNeed) => authorize(store, { appId: APP, apiKey: key }, APP, need, now());
    const p = auth({ acl: 'search', indexName: 'dev_dreams' });
    expect(p.kind).toBe('stored');
    expect(p.canAccessIndex('exact')).toBe(true);
    expect(p.canAccessIndex('prod_dreams')).toBe(false);
    auth({ acl: 'addObject', indexName: 'exact' });
    fails(() => auth({ acl: 'deleteIndex', indexName: 'dev_x' }), 403, METHOD);
    fails(() => auth({ acl: 'admin' }), 403, METHOD);
    fails(() => auth({ acl: 'search', indexName: 'prod_dreams' }), 403, INDEX);
    advance(60_000);
    fails(() => auth({ acl: 'search', indexName: 'dev_dreams' }), 403, INVALID);
  });

  it('forces queryParameters: filters ANDed, others forced; maxHitsPerQuery', () => {
    const { store } = setup();
    const { key } = store.add({
      acl: ['search'],
      maxHitsPerQuery: 50,
      queryParameters: 'filters=privacy%3Acommunity&tagFilters=a,(b,c)&hitsPerPage=10&analytics=false',
    });
    const p = authorize(store, { appId: APP, apiKey: key }, APP, { acl: 'search', indexName: 'x' }, NOW);
    expect(p.filters).toEqual([...parseFilters('privacy:community'), ...parseFilters('a AND (b OR c)')]);
    expect(p.forcedSearchParams).toEqual({ hitsPerPage: 10, analytics: false });
    expect(p.maxHitsPerQuery).toBe(50);
  });

  it('checks referers and restrictSources when the key sets them', () => {
    const { store } = setup();
    const { key } = store.add({
      acl: ['search'],
      referers: ['https://app.example/*'],
      queryParameters: 'restrictSources=10.0.0.0%2F8',
    });
    const auth = (need: Partial<AuthorizationNeed>) =>
      authorize(store, { appId: APP, apiKey: key }, APP, { acl: 'search', ...need }, NOW);
    expect(auth({ referer: 'https://app.example/search', sourceIp: '10.1.2.3' }).forcedSearchParams).toEqual(
      {},
    );
    fails(() => auth({ referer: 'https://evil.example/', sourceIp: '10.1.2.3' }), 403, REFERER);
    fails(() => auth({ sourceIp: '10.1.2.3' }), 403, REFERER);
    fails(() => auth({ referer: 'https://app.example/search', sourceIp: '11.0.0.1' }), 403, INVALID);
    fails(() => auth({ referer: 'https://app.example/search' }), 403, INVALID);
  });

  it('checks referers after the ACL and the index, with Algolia’s words', () => {
    const { store } = setup();
    const { key } = store.add({ acl: ['search'], indexes: ['pub'], referers: ['*.good.example'] });
    const auth = (need: AuthorizationNeed) => authorize(store, { appId: APP, apiKey: key }, APP, need, NOW);
    const evil = 'https://evil.example/';
    fails(() => auth({ acl: 'search', indexName: 'secret', referer: evil }), 403, INDEX);
    fails(() => auth({ acl: 'browse', indexName: 'pub', referer: evil }), 403, METHOD);
    fails(() => auth({ acl: 'search', indexName: 'pub', referer: evil }), 403, REFERER);
    fails(() => auth({ acl: 'search', indexName: 'pub' }), 403, REFERER);
    auth({ acl: 'search', indexName: 'pub', referer: 'https://www.good.example/' });
    // A secured key is checked against its parent's referers, last too.
    const secured = generateSecuredApiKey(key, { filters: 'a:b' });
    const sauth = (need: AuthorizationNeed) =>
      authorize(store, { appId: APP, apiKey: secured }, APP, need, NOW);
    fails(() => sauth({ acl: 'search', indexName: 'secret', referer: evil }), 403, INDEX);
    fails(() => sauth({ acl: 'search', indexName: 'pub', referer: evil }), 403, REFERER);
    sauth({ acl: 'search', indexName: 'pub', referer: 'https://www.good.example/page' });
  });

  it('ignores blank referers: a list of blanks allows every request', () => {
    const { store } = setup();
    const { key } = store.add({ acl: ['search'], referers: ['', '  '] });
    authorize(store, { appId: APP, apiKey: key }, APP, { acl: 'search', indexName: 'x' }, NOW);
    const { key: mixed } = store.add({ acl: ['search'], referers: ['', 'app.example'] });
    const need: AuthorizationNeed = { acl: 'search', indexName: 'x' };
    fails(() => authorize(store, { appId: APP, apiKey: mixed }, APP, need, NOW), 403, REFERER);
    authorize(store, { appId: APP, apiKey: mixed }, APP, { ...need, referer: 'https://app.example/' }, NOW);
  });

  it('treats the configured search key as a stored key with ACL search: writes refused by ACL', () => {
    const { store } = setup();
    const auth = (acl: AuthorizationNeed['acl']) =>
      authorize(store, { appId: APP, apiKey: SEARCH }, APP, { acl, indexName: 'x' }, NOW);
    expect(auth('search').kind).toBe('stored');
    expect([...auth('search').acl]).toEqual(['search']);
    // Algolia answers a Search-Only API Key that writes with "Method not allowed", not as unknown.
    for (const acl of ['addObject', 'deleteObject', 'deleteIndex', 'editSettings', 'admin'] as const)
      fails(() => auth(acl), 403, METHOD);
    fails(() => auth('browse'), 403, METHOD);
    fails(() => auth('settings'), 403, METHOD);
  });
});

describe('authorize: secured keys', () => {
  function securedSetup(parentAcl: Acl[] = ['search', 'browse', 'addObject'], parentIndexes: string[] = []) {
    const env = setup();
    const { key: parent } = env.store.add({
      acl: parentAcl,
      indexes: parentIndexes,
      maxHitsPerQuery: 20,
      queryParameters: 'facetFilters=%5B%22trashed%3Afalse%22%5D&analytics=false',
    });
    const auth = (key: string, need: AuthorizationNeed) =>
      authorize(env.store, { appId: APP, apiKey: key }, APP, need, env.now());
    return { ...env, parent, auth };
  }

  it('inherits the parent’s ACL, ANDs every filter and forces parameters', () => {
    const { parent, auth } = securedSetup();
    const key = generateSecuredApiKey(parent, {
      filters: 'visible_to:community OR visible_to:"user:u1"',
      userToken: 'u1',
      restrictIndices: ['dev_*'],
      validUntil: Math.floor(NOW / 1000) + 60,
      searchParams: {
        hitsPerPage: 5,
        attributesToRetrieve: ['title', 'body'],
        numericFilters: ['created_at>0'],
      },
    });
    const p = auth(key, { acl: 'search', indexName: 'dev_dreams' });
    expect(p.kind).toBe('secured');
    expect([...p.acl].sort()).toEqual(['addObject', 'browse', 'search']);
    expect(p.filters).toEqual([
      [{ kind: 'boolean', attribute: 'trashed', value: false, negated: false }],
      ...parseFilters('visible_to:community OR visible_to:"user:u1"'),
      [{ kind: 'numeric', attribute: 'created_at', operator: '>', value: 0, negated: false }],
    ]);
    expect(p.forcedSearchParams).toEqual({
      analytics: false,
      hitsPerPage: 5,
      attributesToRetrieve: ['title', 'body'],
    });
    expect(p.userToken).toBe('u1');
    expect(p.maxHitsPerQuery).toBe(20);
    expect(p.canAccessIndex('dev_x')).toBe(true);
    expect(p.canAccessIndex('prod_x')).toBe(false);
    auth(key, { acl: 'browse', indexName: 'dev_dreams' });
  });

  it('can never write, even when the parent can', () => {
    const { parent, auth } = securedSetup();
    const key = generateSecuredApiKey(parent, { userToken: 'u1' });
    for (const acl of ['addObject', 'deleteObject', 'deleteIndex', 'editSettings', 'admin'] as const) {
      fails(() => auth(key, { acl, indexName: 'x' }), 403, INVALID);
    }
  });

  it('narrows indices with restrictIndices wildcards (comma list or JSON array), within the parent’s', () => {
    const { parent, auth } = securedSetup(['search'], ['dev_*', 'shared']);
    const key = generateSecuredApiKey(parent, { restrictIndices: ['*_dreams', 'shared'] });
    auth(key, { acl: 'search', indexName: 'dev_dreams' });
    auth(key, { acl: 'search', indexName: 'shared' });
    fails(() => auth(key, { acl: 'search', indexName: 'prod_dreams' }), 403, INDEX);
    fails(() => auth(key, { acl: 'search', indexName: 'dev_things' }), 403, INDEX);
    const json = generateSecuredApiKey(parent, { restrictIndices: '["dev_*_x"]' });
    auth(json, { acl: 'search', indexName: 'dev_a_x' });
    fails(() => auth(json, { acl: 'search', indexName: 'dev_a_y' }), 403, INDEX);
  });

  it('refuses a missing ACL with Method not allowed', () => {
    const { parent, auth } = securedSetup(['search']);
    fails(() => auth(generateSecuredApiKey(parent, { userToken: 'u1' }), { acl: 'browse' }), 403, METHOD);
  });

  it('expires at validUntil', () => {
    const { parent, auth, advance } = securedSetup();
    const key = generateSecuredApiKey(parent, { validUntil: Math.floor(NOW / 1000) + 10 });
    auth(key, { acl: 'search' });
    advance(10_000);
    auth(key, { acl: 'search' });
    advance(1_000);
    fails(() => auth(key, { acl: 'search' }), 400, EXPIRED);
    fails(() => auth(generateSecuredApiKey(parent, { validUntil: 'soon' }), { acl: 'search' }), 400, EXPIRED);
  });

  it('refuses a tampered key, the admin key as parent, a secured key as parent, a deleted or expired parent', () => {
    const { store, parent, auth, advance } = securedSetup();
    const good = generateSecuredApiKey(parent, { filters: 'visible_to:"user:u1"' });
    const raw = Buffer.from(good, 'base64').toString();
    const tampered = Buffer.from(raw.replace('u1', 'u2')).toString('base64');
    fails(() => auth(tampered, { acl: 'search' }), 403, INVALID);
    fails(() => auth(generateSecuredApiKey(ADMIN, {}), { acl: 'search' }), 403, INVALID);
    fails(() => auth(generateSecuredApiKey(good, {}), { acl: 'search' }), 403, INVALID);
    auth(good, { acl: 'search' });
    store.delete(parent);
    fails(() => auth(good, { acl: 'search' }), 403, INVALID);
    store.restore(parent);
    auth(good, { acl: 'search' });
    const { key: shortLived } = store.add({ acl: ['search'], validity: 1 });
    const child = generateSecuredApiKey(shortLived, { userToken: 'u1' });
    auth(child, { acl: 'search' });
    advance(1_000);
    fails(() => auth(child, { acl: 'search' }), 403, INVALID);
  });

  it('accepts the configured search key as parent, read-only', () => {
    const { auth } = securedSetup();
    const key = generateSecuredApiKey(SEARCH, { filters: 'a:b' });
    expect(auth(key, { acl: 'search' }).filters).toEqual(parseFilters('a:b'));
    fails(() => auth(key, { acl: 'browse' }), 403, METHOD);
    fails(() => auth(key, { acl: 'addObject' }), 403, INVALID);
  });

  it('answers bad embedded filters with the filter error', () => {
    const { parent, auth } = securedSetup();
    fails(
      () => auth(generateSecuredApiKey(parent, { filters: '(a AND b) OR c' }), { acl: 'search' }),
      400,
      'filters: filter (X AND Y) OR Z is not allowed, only (X OR Y) AND Z is allowed',
    );
  });

  it('refuses bad embedded filters on every request, not only the first (nothing half-decoded is kept)', () => {
    const { parent, auth } = securedSetup();
    const key = generateSecuredApiKey(parent, { filters: 'a:b AND' });
    for (let i = 0; i < 3; i++)
      fails(
        () => auth(key, { acl: 'search' }),
        400,
        'filters: Unexpected token end of filter expected filter at col 7',
      );
  });

  it('forces what the parent forces now: a parent updated after the key was first used', () => {
    const { store, parent, auth } = securedSetup();
    const key = generateSecuredApiKey(parent, { filters: 'visible_to:"user:u1"' });
    expect(auth(key, { acl: 'search' }).filters).toEqual([
      [{ kind: 'boolean', attribute: 'trashed', value: false, negated: false }],
      ...parseFilters('visible_to:"user:u1"'),
    ]);
    store.update(parent, { acl: ['search'], queryParameters: 'filters=mood%3Acalm&hitsPerPage=3' });
    const p = auth(key, { acl: 'search' });
    expect(p.filters).toEqual([...parseFilters('mood:calm'), ...parseFilters('visible_to:"user:u1"')]);
    expect(p.forcedSearchParams).toEqual({ hitsPerPage: 3 });
    fails(() => auth(key, { acl: 'browse' }), 403, METHOD);
  });

  it('keeps only keys a parent signed, of a sane length (anyone can send failing keys)', () => {
    const { store, parent, auth } = securedSetup();
    for (let i = 0; i < 100; i++) {
      // Well-formed (base64, long enough to be decoded and checked) but signed by no parent.
      const forged = Buffer.from(`${String(i).padStart(64, '0')}filters=${'x'.repeat(2_500)}`).toString(
        'base64',
      );
      fails(() => auth(forged, { acl: 'search' }), 403, INVALID);
    }
    expect(cachedSecuredKeys(store)).toBe(0);
    auth(generateSecuredApiKey(parent, { filters: 'a:b' }), { acl: 'search' });
    expect(cachedSecuredKeys(store)).toBe(1);
    // Valid but over 4 KB: checked on every request, not kept.
    const long = generateSecuredApiKey(parent, { filters: `a:"${'y'.repeat(4_000)}"` });
    expect(auth(long, { acl: 'search' }).filters.at(-1)).toEqual(parseFilters(`a:"${'y'.repeat(4_000)}"`)[0]);
    expect(cachedSecuredKeys(store)).toBe(1);
  });

  it('keeps recently used keys decoded while many others come and go, and still checks each request', () => {
    const { parent, auth, advance } = securedSetup();
    const until = Math.floor(NOW / 1000) + 60;
    const keys = Array.from({ length: 12_000 }, (_, i) =>
      generateSecuredApiKey(parent, {
        filters: `visible_to:"user:u${i}"`,
        validUntil: until,
        restrictIndices: ['dev_*'],
      }),
    );
    // Every key gets its own filter, first use and later (the oldest were evicted and decoded again).
    for (const round of [0, 1])
      for (let i = round; i < keys.length; i += 997) {
        expect(auth(keys[i]!, { acl: 'search', indexName: 'dev_a' }).filters.at(-1)).toEqual(
          parseFilters(`visible_to:"user:u${i}"`)[0],
        );
      }
    for (const key of keys) auth(key, { acl: 'search', indexName: 'dev_a' });
    // A cached key is still checked against the request and the clock.
    fails(() => auth(keys[5]!, { acl: 'search', indexName: 'prod_a' }), 403, INDEX);
    advance(61_000);
    fails(() => auth(keys[5]!, { acl: 'search', indexName: 'dev_a' }), 400, EXPIRED);
  });

  it('checks restrictSources', () => {
    const { parent, auth } = securedSetup();
    const key = generateSecuredApiKey(parent, { restrictSources: '192.168.1.0/24' });
    auth(key, { acl: 'search', sourceIp: '192.168.1.77' });
    auth(key, { acl: 'search', sourceIp: '::ffff:192.168.1.77' });
    fails(() => auth(key, { acl: 'search', sourceIp: '192.168.2.1' }), 403, INVALID);
    fails(() => auth(key, { acl: 'search' }), 403, INVALID);
  });
});

describe('parseCredentials', () => {
  it('reads headers (any case) or query parameters, headers first', () => {
    expect(parseCredentials({ 'X-Algolia-Application-Id': 'A', 'x-algolia-api-key': 'K' }, {})).toEqual({
      appId: 'A',
      apiKey: 'K',
    });
    expect(
      parseCredentials(
        new Headers({ 'x-algolia-application-id': 'A', 'x-algolia-api-key': 'K' }),
        new URLSearchParams(),
      ),
    ).toEqual({ appId: 'A', apiKey: 'K' });
    expect(
      parseCredentials(
        {},
        new URLSearchParams('x-algolia-agent=x&x-algolia-api-key=Q&x-algolia-application-id=B'),
      ),
    ).toEqual({ appId: 'B', apiKey: 'Q' });
    expect(parseCredentials({ 'x-algolia-api-key': ['H', 'I'] }, { 'x-algolia-api-key': 'Q' })).toEqual({
      apiKey: 'H',
    });
    expect(parseCredentials({}, {})).toEqual({});
  });
});

describe('authorize: secured keys cannot loosen what the parent or the key itself imposes', () => {
  function withParent(queryParameters: string) {
    const env = setup();
    const { key: parent } = env.store.add({ acl: ['search'], queryParameters });
    const auth = (key: string, need: AuthorizationNeed = { acl: 'search', indexName: 'dreams' }) =>
      authorize(env.store, { appId: APP, apiKey: key }, APP, need, env.now());
    return { ...env, parent, auth };
  }
  it('keeps the parent’s forced parameters over the secured key’s', () => {
    const { parent, auth } = withParent('attributesToRetrieve=title&hitsPerPage=5');
    const key = generateSecuredApiKey(parent, {
      searchParams: { attributesToRetrieve: ['*'], hitsPerPage: 1000, analytics: false },
    });
    expect(auth(key).forcedSearchParams).toEqual({
      attributesToRetrieve: ['title'],
      hitsPerPage: 5,
      analytics: false,
    });
  });
  it('merges parameters both force to the narrower: smaller caps, common lists, else the parent’s', () => {
    const { parent, auth } = withParent(
      'hitsPerPage=5&length=50&maxValuesPerFacet=10&maxFacetHits=3&attributesToRetrieve=title,body,authors' +
        '&restrictSearchableAttributes=title,body&responseFields=hits,nbHits,page&typoTolerance=false',
    );
    const key = generateSecuredApiKey(parent, {
      searchParams: {
        hitsPerPage: 1,
        length: 100,
        maxValuesPerFacet: 2,
        maxFacetHits: 9,
        attributesToRetrieve: ['body', 'authors.name', 'secret'],
        restrictSearchableAttributes: ['body', 'secret'],
        responseFields: ['hits', 'facets', 'page'],
        typoTolerance: true,
      },
    });
    expect(auth(key).forcedSearchParams).toEqual({
      hitsPerPage: 1,
      length: 50,
      maxValuesPerFacet: 2,
      maxFacetHits: 3,
      attributesToRetrieve: ['body', 'authors.name'],
      restrictSearchableAttributes: ['body'],
      responseFields: ['hits', 'page'],
      typoTolerance: false,
    });
  });
  it('reads `*` in a list as everything, and keeps exclusions of both', () => {
    const { parent, auth } = withParent('attributesToRetrieve=*,-secret&restrictSearchableAttributes=*');
    const named = generateSecuredApiKey(parent, {
      searchParams: {
        attributesToRetrieve: ['title', 'secret', 'secret.part', 'nested'],
        restrictSearchableAttributes: ['title'],
      },
    });
    expect(auth(named).forcedSearchParams).toEqual({
      attributesToRetrieve: ['title', 'nested'],
      restrictSearchableAttributes: ['title'],
    });
    const star = generateSecuredApiKey(parent, { searchParams: { attributesToRetrieve: ['*', '-email'] } });
    expect(auth(star).forcedSearchParams.attributesToRetrieve).toEqual(['*', '-secret', '-email']);
    // A path holding an excluded one cannot be retrieved whole.
    const { parent: p2, auth: auth2 } = withParent('attributesToRetrieve=*,-authors.email');
    const k2 = generateSecuredApiKey(p2, { searchParams: { attributesToRetrieve: ['authors', 'title'] } });
    expect(auth2(k2).forcedSearchParams.attributesToRetrieve).toEqual(['title']);
  });
  it('answers the least when lists have nothing in common (an empty list would mean no restriction)', () => {
    const { parent, auth } = withParent('restrictSearchableAttributes=title&responseFields=hits');
    const key = generateSecuredApiKey(parent, {
      searchParams: { restrictSearchableAttributes: ['body'], responseFields: ['nbHits'] },
    });
    expect(auth(key).forcedSearchParams).toEqual({ restrictSearchableAttributes: [''], responseFields: [] });
  });
  it('refuses a secured key that restricts nothing (Algolia: at least one restriction)', () => {
    const { parent, auth } = withParent('');
    fails(() => auth(generateSecuredApiKey(parent, {})), 403, INVALID);
    fails(() => auth(generateSecuredApiKey(SEARCH, {})), 403, INVALID);
    auth(generateSecuredApiKey(parent, { userToken: 'u1' }));
    auth(generateSecuredApiKey(parent, { searchParams: { hitsPerPage: 5 } }));
  });
  it('refuses a key with an empty restrictIndices instead of opening every index', () => {
    const { parent, auth } = withParent('');
    for (const restrictIndices of [[], '', '[]', ',']) {
      const key = generateSecuredApiKey(parent, { restrictIndices });
      fails(() => auth(key), 403, INDEX);
      expect(auth(key, { acl: 'search' }).canAccessIndex('dreams')).toBe(false);
    }
  });
  it('refuses a validly signed key that repeats a parameter (which value would win is ambiguous)', async () => {
    const { createHmac } = await import('node:crypto');
    const { parent, auth } = withParent('');
    const sign = (query: string) =>
      Buffer.from(createHmac('sha256', parent).update(query).digest('hex') + query).toString('base64');
    for (const query of [
      'filters=visible_to%3A%22user%3Aa%22&filters=visible_to%3Acommunity',
      'facetFilters=visible_to%3Auser%3Aa&facetFilters=visible_to%3Acommunity',
      `validUntil=1&validUntil=${Math.floor(NOW / 1000) + 3600}`,
      'restrictIndices=things&restrictIndices=dreams',
      'hitsPerPage=1&hitsPerPage=1000',
    ]) {
      fails(() => auth(sign(query)), 403, INVALID);
    }
    // The same parameters once each are fine.
    expect(auth(sign('filters=visible_to%3Acommunity&restrictIndices=dreams')).filters).toEqual(
      parseFilters('visible_to:community'),
    );
  });
  it('accepts a fractional validUntil (SDKs that send seconds as a double) and compares it exactly', () => {
    const { parent, auth, advance } = withParent('');
    const key = generateSecuredApiKey(parent, { validUntil: `${Math.floor(NOW / 1000) + 10}.5` });
    auth(key);
    advance(10_000);
    auth(key);
    advance(1_000);
    fails(() => auth(key), 400, EXPIRED);
    for (const validUntil of ['-1', '1e12', '0x7fffffff', 'Infinity', '', ' ', '12abc']) {
      fails(() => auth(generateSecuredApiKey(parent, { validUntil })), 400, EXPIRED);
    }
  });
  it('never accepts the admin key as a parent: a snapshot with a stored key of its value is refused', () => {
    const load = () =>
      new KeyStore({
        adminKey: ADMIN,
        snapshot: {
          version: 1,
          keys: [
            {
              value: ADMIN,
              acl: ['search'],
              description: '',
              indexes: [],
              validity: 0,
              maxHitsPerQuery: 0,
              maxQueriesPerIPPerHour: 0,
              referers: [],
              queryParameters: '',
              createdAt: 0,
            },
          ],
        },
      });
    expect(load).toThrow(/admin key/);
    const store = setup().store;
    expect(store.parentCandidates()).not.toContain(ADMIN);
    const key = generateSecuredApiKey(ADMIN, { filters: 'a:b' });
    fails(() => authorize(store, { appId: APP, apiKey: key }, APP, { acl: 'search' }, NOW), 403, INVALID);
  });
});
