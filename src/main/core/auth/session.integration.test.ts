import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../create-core';
import { isCoreError } from '../errors';
import { createMemoryLogger } from '../log/logger';
import {
  configFor,
  countingFetch,
  sessionAccountFor,
  FakeKeychain,
  httpBrowser,
  startTestIdp,
  type RunningIdp,
} from '../test-support/idp';
import { MemorySecretStore, type SecretStore } from '../vault/secret-store';
import { OidcClient, RefreshRejectedError } from './oidc-client';

// The session against the real dev IdP: sign-in through the loopback receiver, the keychain
// entry, silent sign-in after a restart, rotation, single-flight refresh, invalid_grant and
// sign-out with revocation.
let idp: RunningIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp.close();
});

function makeCore(store: SecretStore, counting = countingFetch(), logger = createMemoryLogger()) {
  const account = idp.accounts[0]!;
  const core = createCore({
    config: configFor(idp),
    secretStore: store,
    openBrowser: httpBrowser(account),
    openExternal: () => Promise.resolve(),
    appInfo: { name: 'NewDreamFlow', version: '0.0.0-test', platform: 'linux' },
    getTheme: () => 'light',
    logger,
    fetch: counting.fetch,
  });
  return { core, counting, logger, account };
}

async function storedEntry(
  store: SecretStore,
): Promise<{ account: string; value: { refreshToken: string; user: { id: string } } }> {
  const accounts = await store.list();
  expect(accounts).toHaveLength(1);
  const value = JSON.parse((await store.get(accounts[0]!))!) as {
    refreshToken: string;
    user: { id: string };
  };
  return { account: accounts[0]!, value };
}

describe('session against the dev IdP', () => {
  it('signs in, stores the refresh token per issuer and subject, and never logs a secret', async () => {
    const store = new FakeKeychain();
    const { core, logger, account } = makeCore(store);
    const seen: unknown[] = [];
    core.events.connect((channel, payload) => seen.push([channel, payload]));
    const state = await core.session.signIn();
    expect(state).toMatchObject({
      status: 'signed-in',
      persistence: 'keychain',
      user: { id: account.sub, name: account.name },
    });
    const entry = await storedEntry(store);
    expect(entry.account).toBe(sessionAccountFor(idp, account.sub));
    expect(entry.value.refreshToken.length).toBeGreaterThan(10);
    const accessToken = await core.session.getAccessToken();
    expect(accessToken.split('.')).toHaveLength(3);
    // The renderer saw signing-in then signed-in, and neither carries a token.
    expect(seen.map((item) => (item as [string, { status: string }])[1].status)).toEqual([
      'signing-in',
      'signed-in',
    ]);
    const everything = JSON.stringify({ seen, logs: logger.entries });
    expect(everything).not.toContain(entry.value.refreshToken);
    expect(everything).not.toContain(accessToken);
    expect(everything).not.toMatch(/code=|"code":"[A-Za-z0-9_-]{20,}/);
    core.dispose();
  });

  it('signs in silently after a restart and rotates the refresh token, storing it first', async () => {
    const store = new FakeKeychain();
    const first = makeCore(store);
    await first.core.session.signIn();
    const before = (await storedEntry(store)).value.refreshToken;
    first.core.dispose();

    const restarted = makeCore(store);
    await restarted.core.start();
    expect(restarted.core.session.state).toMatchObject({
      status: 'signed-in',
      user: { id: first.account.sub },
    });
    expect(restarted.counting.count('/token')).toBe(1);
    const after = (await storedEntry(store)).value.refreshToken;
    expect(after).not.toBe(before);
    // The old refresh token was rotated away: reusing it is refused.
    const oidc = new OidcClient({ issuer: idp.issuer, clientId: idp.clientId, logger: createMemoryLogger() });
    await expect(oidc.refresh(before, idp.audience)).rejects.toBeInstanceOf(RefreshRejectedError);
    restarted.core.dispose();
  });

  it('makes one token request for 50 concurrent refreshes', async () => {
    const store = new FakeKeychain();
    const { core, counting } = makeCore(store);
    await core.session.signIn();
    const tokenRequestsBefore = counting.count('/token');
    const tokens = await Promise.all(Array.from({ length: 50 }, () => core.session.refresh()));
    expect(counting.count('/token') - tokenRequestsBefore).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    core.dispose();
  });

  it('signs out cleanly on invalid_grant without retrying', async () => {
    const store = new FakeKeychain();
    const { core, counting, account } = makeCore(store);
    await store.set(
      sessionAccountFor(idp, account.sub),
      JSON.stringify({ v: 1, refreshToken: 'not-a-real-refresh-token', user: { id: account.sub } }),
    );
    const states: string[] = [];
    core.session.onChange((state) => states.push(state.status));
    await core.start();
    expect(core.session.state).toMatchObject({ status: 'signed-out', reason: 'expired' });
    expect(await store.list()).toEqual([]);
    expect(counting.count('/token')).toBe(1);
    await expect(core.session.getAccessToken()).rejects.toSatisfy((error: unknown) =>
      isCoreError(error, 'unauthenticated'),
    );
    expect(counting.count('/token')).toBe(1);
    expect(states).toEqual(['signed-in', 'signed-out']);
    core.dispose();
  });

  it('sign-out revokes the refresh token, clears the keychain and tells the renderer', async () => {
    const store = new FakeKeychain();
    const { core, counting } = makeCore(store);
    await core.session.signIn();
    const refreshToken = (await storedEntry(store)).value.refreshToken;
    const events: unknown[] = [];
    core.events.connect((channel, payload) => events.push({ channel, payload }));
    const state = await core.session.signOut();
    expect(state).toMatchObject({ status: 'signed-out', reason: 'signed-out' });
    expect(await store.list()).toEqual([]);
    expect(counting.paths.some((path) => path.includes('revocation'))).toBe(true);
    expect(events).toContainEqual({
      channel: 'session:changed',
      payload: { status: 'signed-out', reason: 'signed-out', keychainAvailable: true },
    });
    const oidc = new OidcClient({ issuer: idp.issuer, clientId: idp.clientId, logger: createMemoryLogger() });
    await expect(oidc.refresh(refreshToken, idp.audience)).rejects.toBeInstanceOf(RefreshRejectedError);
    await expect(core.session.getAccessToken()).rejects.toSatisfy((error: unknown) =>
      isCoreError(error, 'unauthenticated'),
    );
    core.dispose();
  });

  it('fails closed without a keychain: session-only, flagged for the renderer', async () => {
    const store = new MemorySecretStore();
    const { core } = makeCore(store);
    const state = await core.session.signIn();
    expect(state).toMatchObject({
      status: 'signed-in',
      persistence: 'session-only',
      keychainAvailable: false,
    });
    core.dispose();
    // A restarted core has nothing to resume from (the memory store died with the process).
    const restarted = makeCore(new MemorySecretStore());
    await restarted.core.start();
    expect(restarted.core.session.state).toMatchObject({
      status: 'signed-out',
      reason: 'initial',
      keychainAvailable: false,
    });
    restarted.core.dispose();
  });

  it('rejects a second sign-in while one is waiting, and cancels cleanly', async () => {
    const store = new FakeKeychain();
    let opened!: () => void;
    const browserOpened = new Promise<void>((resolve) => (opened = resolve));
    const core = createCore({
      config: configFor(idp),
      secretStore: store,
      openBrowser: () => {
        opened();
        return Promise.resolve();
      },
      openExternal: () => Promise.resolve(),
      appInfo: { name: 'NewDreamFlow', version: '0', platform: 'linux' },
      getTheme: () => 'dark',
      logger: createMemoryLogger(),
    });
    const pending = core.session.signIn();
    await browserOpened;
    await expect(core.session.signIn()).rejects.toSatisfy((error: unknown) =>
      isCoreError(error, 'sign-in-in-progress'),
    );
    core.session.cancelSignIn();
    await expect(pending).rejects.toSatisfy((error: unknown) => isCoreError(error, 'sign-in-cancelled'));
    expect(core.session.state.status).toBe('signed-out');
    core.dispose();
  });
});
