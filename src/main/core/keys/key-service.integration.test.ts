import { randomUUID } from 'node:crypto';
import { algoliasearch } from 'algoliasearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type RunningStack } from '../../../../dev/stack';
import type { SearchKey } from '../../../shared/ipc';
import { createCore, type Core } from '../create-core';
import { CoreError } from '../errors';
import { silentLogger } from '../log/logger';
import { configForStack, FakeKeychain, httpBrowser } from '../test-support/idp';

// The secured-key client and the records client against the real embedded stack (engine, dev
// IdP, key service): a signed-in core gets a search key the engine accepts, renews it, and
// writes/reads records through the key service with typed errors.
let stack: RunningStack;
let core: Core;
const keyEvents: (SearchKey | null)[] = [];
/** Added to the core's clock (a key is replaced only once it is older than a few seconds). */
let skewMs = 0;

beforeAll(async () => {
  stack = await startStack({ ephemeral: true, seed: false, logger: silentLogger });
  const account = stack.info.accounts[0]!;
  core = createCore({
    config: configForStack(stack.info),
    secretStore: new FakeKeychain(),
    openBrowser: httpBrowser(account),
    openExternal: () => Promise.resolve(),
    appInfo: { name: 'NewDreamFlow', version: '0', platform: 'linux' },
    getTheme: () => 'light',
    logger: silentLogger,
    clock: () => Date.now() + skewMs,
  });
  core.events.connect((channel, payload) => {
    if (channel === 'search:keyChanged') keyEvents.push(payload as SearchKey | null);
  });
  await core.session.signIn();
}, 60_000);

afterAll(async () => {
  core?.dispose();
  await stack?.close();
});

const errorOf = async (promise: Promise<unknown>): Promise<CoreError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CoreError) return error;
    throw error;
  }
  throw new Error('expected a CoreError');
};

describe('secured search keys', () => {
  it('fetches a key the engine accepts, caches it and pushes it to the renderer', async () => {
    const key = await core.searchKeys.getKey();
    expect(key.appId).toBe(stack.info.appId);
    expect(key.validUntil * 1000).toBeGreaterThan(Date.now() + 60_000);
    expect(await core.searchKeys.getKey()).toBe(key);
    expect(keyEvents).toEqual([key]);
    const host = new URL(key.hosts[0] ?? stack.info.engine);
    const search = algoliasearch(key.appId, key.searchKey, {
      hosts: [{ url: host.hostname, port: Number(host.port), protocol: 'http', accept: 'readWrite' }],
    });
    const result = await search.searchSingleIndex({
      indexName: key.indices[0]!,
      searchParams: { query: '' },
    });
    expect(result.hits).toBeInstanceOf(Array);
  });

  it('gets a new key after the renderer reports a rejection', async () => {
    const before = await core.searchKeys.getKey();
    const eventsBefore = keyEvents.length;
    skewMs += 11_000;
    const after = await core.searchKeys.reportRejected(403);
    // A fresh request was made and announced (the same second can mint the same HMAC).
    expect(keyEvents.length).toBe(eventsBefore + 1);
    expect(keyEvents.at(-1)).toEqual(after);
    expect(after.validUntil).toBeGreaterThanOrEqual(before.validUntil);
    // Refused again at once: the key just issued is not replaced (no key-service call, no event).
    expect(await core.searchKeys.reportRejected(403)).toBe(after);
    expect(keyEvents.length).toBe(eventsBefore + 1);
  });
});

describe('sign-out', () => {
  it('drops the secured key and tells the renderer', async () => {
    const other = createCore({
      config: configForStack(stack.info),
      secretStore: new FakeKeychain(),
      openBrowser: httpBrowser(stack.info.accounts[1]!),
      openExternal: () => Promise.resolve(),
      appInfo: { name: 'n', version: 'v', platform: 'p' },
      getTheme: () => 'light',
      logger: silentLogger,
    });
    const pushed: (SearchKey | null)[] = [];
    other.events.connect((channel, payload) => {
      if (channel === 'search:keyChanged') pushed.push(payload as SearchKey | null);
    });
    await other.session.signIn();
    await other.handlers['search:getKey'](undefined, {
      sender: { frameIsTop: true, origin: 'app://newdreamflow' },
    });
    await other.session.signOut();
    expect(pushed.at(-1)).toBeNull();
    await expect(
      (async () =>
        other.handlers['search:getKey'](undefined, {
          sender: { frameIsTop: true, origin: 'app://newdreamflow' },
        }))(),
    ).rejects.toMatchObject({ code: 'unauthenticated' });
    other.dispose();
  });
});

describe('records through the key service', () => {
  it('creates, reads, updates with a version and reports a conflict with the current record', async () => {
    const id = randomUUID();
    const created = await core.records.create(
      'dreams',
      id,
      {
        title: 'Flying over the sea',
        description: 'warm wind',
        dream_date: Math.floor(Date.now() / 1000),
        privacy: 'private',
      },
      randomUUID(),
    );
    expect(created).toMatchObject({ objectID: id, version: 1 });
    const read = await core.records.get('dreams', id);
    expect(read).toMatchObject({ objectID: id, title: 'Flying over the sea' });
    const updated = await core.records.update(
      'dreams',
      id,
      { title: 'Flying over the ocean' },
      1,
      randomUUID(),
    );
    expect(updated).toMatchObject({ version: 2, title: 'Flying over the ocean' });
    const conflict = await errorOf(
      core.records.update('dreams', id, { title: 'stale edit' }, 1, randomUUID()),
    );
    expect(conflict.code).toBe('conflict');
    expect(conflict.details?.current).toMatchObject({ objectID: id, version: 2 });
  });

  it('maps refusals to typed errors', async () => {
    expect((await errorOf(core.records.get('dreams', randomUUID()))).code).toBe('not-found');
    expect(
      (await errorOf(core.records.create('dreams', randomUUID(), { title: 42 }, randomUUID()))).code,
    ).toBe('validation');
  });

  it('reports offline when the key service is unreachable', async () => {
    const offline = createCore({
      config: { ...configForStack(stack.info), keyServiceUrl: 'http://127.0.0.1:9' },
      secretStore: new FakeKeychain(),
      openBrowser: httpBrowser(stack.info.accounts[0]!),
      openExternal: () => Promise.resolve(),
      appInfo: { name: 'n', version: 'v', platform: 'p' },
      getTheme: () => 'light',
      logger: silentLogger,
    });
    await offline.session.signIn();
    expect((await errorOf(offline.records.get('dreams', randomUUID()))).code).toBe('offline');
    expect((await errorOf(offline.searchKeys.getKey())).code).toBe('offline');
    offline.dispose();
  });
});
