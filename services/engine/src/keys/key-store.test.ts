import { describe, expect, it } from 'vitest';
import { AlgoliaError } from '../errors';
import { KeyStore, type KeyStoreSnapshot } from './key-store';
import type { Acl as ClientAcl } from 'algoliasearch';
import { ACLS } from './acl';

/** `true` when A and B are the same union. */
type SameUnion<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('KeyStore', () => {
  it('creates, reads, lists, updates, deletes and restores keys with Algolia’s answer shapes', () => {
    let clock = Date.UTC(2030, 0, 1);
    const snapshots: KeyStoreSnapshot[] = [];
    const store = new KeyStore({ adminKey: 'admin', now: () => clock, onChange: (s) => snapshots.push(s) });
    const added = store.add({
      acl: ['search', 'browse'],
      description: 'web',
      indexes: ['dev_*'],
      validity: 3600,
      maxHitsPerQuery: 10,
      queryParameters: 'hitsPerPage=5',
      referers: ['*.example.com'],
    });
    expect(added.key).toMatch(/^[0-9a-f]{32}$/);
    expect(added.createdAt).toBe('2030-01-01T00:00:00.000Z');
    expect(store.get(added.key)).toEqual({
      value: added.key,
      acl: ['search', 'browse'],
      description: 'web',
      indexes: ['dev_*'],
      validity: 3600,
      maxHitsPerQuery: 10,
      maxQueriesPerIPPerHour: 0,
      referers: ['*.example.com'],
      queryParameters: 'hitsPerPage=5',
      createdAt: Date.UTC(2030, 0, 1),
    });
    clock += 1000;
    const second = store.add({ acl: [] });
    expect(store.list().keys.map((k) => k.value)).toEqual([second.key, added.key]);

    clock += 1000;
    expect(store.update(added.key, { acl: ['search'] })).toEqual({
      key: added.key,
      updatedAt: '2030-01-01T00:00:02.000Z',
    });
    expect(store.get(added.key)).toMatchObject({
      acl: ['search'],
      description: '',
      indexes: [],
      validity: 0,
      createdAt: Date.UTC(2030, 0, 1),
    });

    expect(store.delete(second.key)).toEqual({ deletedAt: '2030-01-01T00:00:02.000Z' });
    expect(() => store.get(second.key)).toThrow(new AlgoliaError(404, 'Key does not exist'));
    expect(() => store.delete(second.key)).toThrow(AlgoliaError);
    expect(store.restore(second.key).key).toBe(second.key);
    expect(snapshots).toHaveLength(5);

    // Round trip through the last snapshot (JSON, as the engine persists it).
    const revived = new KeyStore({
      adminKey: 'admin',
      now: () => clock,
      snapshot: JSON.parse(JSON.stringify(snapshots.at(-1))) as KeyStoreSnapshot,
    });
    expect(revived.list()).toEqual(store.list());
  });

  it('hides expired keys', () => {
    let clock = 0;
    const store = new KeyStore({ adminKey: 'admin', now: () => clock });
    const { key } = store.add({ acl: ['search'], validity: 2 });
    expect(store.find(key)).toBeDefined();
    clock = 2000;
    expect(store.find(key)).toBeUndefined();
    expect(store.list().keys).toEqual([]);
    expect(() => store.get(key)).toThrow(AlgoliaError);
    expect(store.parentCandidates()).toEqual([]);
  });

  it('restores a deleted or expired key with validity reset to 0 (Algolia’s spec), not a live one', () => {
    let clock = 0;
    const store = new KeyStore({ adminKey: 'admin', now: () => clock });
    const notFound = new AlgoliaError(404, 'Key does not exist');
    const { key: deleted } = store.add({ acl: ['search'], validity: 3600 });
    store.delete(deleted);
    store.restore(deleted);
    expect(store.get(deleted).validity).toBe(0);
    clock = 7200_000;
    expect(store.find(deleted)).toBeDefined(); // no longer expires
    expect(() => store.restore(deleted)).toThrow(notFound);

    const { key: expired } = store.add({ acl: ['search'], validity: 1 });
    clock += 1000;
    // Expired reads as nonexistent everywhere: GET, PUT, DELETE.
    expect(() => store.get(expired)).toThrow(notFound);
    expect(() => store.delete(expired)).toThrow(notFound);
    expect(() => store.update(expired, { acl: ['search'] })).toThrow(notFound);
    expect(store.restore(expired).key).toBe(expired);
    expect(store.get(expired).validity).toBe(0);
    expect(store.list().keys.map((k) => k.value)).toContain(expired);
  });

  it('validates bodies and snapshots', () => {
    const store = new KeyStore({ adminKey: 'admin', searchKey: 'search' });
    expect(() => store.add({})).toThrow(AlgoliaError);
    expect(() => store.add({ acl: ['fly'] })).toThrow(/Invalid ACL: fly/);
    expect(() => store.add({ acl: ['search'], validity: -1 })).toThrow(AlgoliaError);
    expect(() => store.add({ acl: ['search'], indexes: 'dev_*' })).toThrow(AlgoliaError);
    expect(() => store.add(null)).toThrow(AlgoliaError);
    // A repeated parameter would be read last-wins: `filters=a&filters=b` silently dropping `a`.
    expect(() =>
      store.add({ acl: ['search'], queryParameters: 'filters=a%3A1&hitsPerPage=2&filters=b%3A2' }),
    ).toThrow(/queryParameters: repeats "filters"/);
    expect(
      new KeyStore({ adminKey: 'admin' }).add({
        acl: ['search'],
        queryParameters: 'filters=a%3A1&hitsPerPage=2',
      }).key,
    ).toMatch(/^[0-9a-f]{32}$/);
    expect(
      () =>
        new KeyStore({ adminKey: 'a', snapshot: { version: 2, keys: [] } as unknown as KeyStoreSnapshot }),
    ).toThrow();
    expect(() => new KeyStore({ adminKey: 'a', searchKey: 'a' })).toThrow();
    expect(store.parentCandidates()).toEqual(['search']);
    expect(store.list().keys.map((k) => k.value)).toEqual(['search']);
  });

  it('accepts every ACL of Algolia’s spec, also those the engine has no endpoint for', () => {
    // ACLS is the official client's `Acl` type (the spec's enum), no more, no less: checked by
    // the type checker, so the list is not written out twice.
    const exact: SameUnion<(typeof ACLS)[number], ClientAcl> = true;
    expect(exact).toBe(true);
    const spec = [...ACLS];
    const store = new KeyStore({ adminKey: 'admin' });
    const { key } = store.add({ acl: ['personalization'] });
    expect(store.get(key).acl).toEqual(['personalization']);
    const all = store.add({ acl: spec });
    expect(store.get(all.key).acl).toEqual(spec);
    expect(() => store.add({ acl: ['personalisation'] })).toThrow(/Invalid ACL: personalisation/);
  });

  it('answers for the configured search key: ACL search, listed, not editable', () => {
    let clock = Date.UTC(2030, 0, 1);
    const store = new KeyStore({ adminKey: 'admin', searchKey: 'search-key', now: () => clock });
    const configured = {
      value: 'search-key',
      acl: ['search'],
      description: 'Search-only API key (configured with --search-key)',
      indexes: [],
      validity: 0,
      maxHitsPerQuery: 0,
      maxQueriesPerIPPerHour: 0,
      referers: [],
      queryParameters: '',
      createdAt: Date.UTC(2030, 0, 1),
    };
    expect(store.get('search-key')).toEqual(configured);
    clock += 1000;
    const { key } = store.add({ acl: ['browse'] });
    expect(store.list().keys.map((k) => k.value)).toEqual([key, 'search-key']);
    expect(() => store.update('search-key', { acl: ['search', 'addObject'] })).toThrow(AlgoliaError);
    expect(() => store.delete('search-key')).toThrow(/--search-key/);
    expect(store.get('search-key')).toEqual(configured);
    expect(() => new KeyStore({ adminKey: 'admin' }).get('search-key')).toThrow(AlgoliaError);
  });
});
