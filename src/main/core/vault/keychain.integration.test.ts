import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../create-core';
import { createMemoryLogger } from '../log/logger';
import {
  chromiumBrowser,
  configFor,
  sessionAccountFor,
  startTestIdp,
  type RunningIdp,
} from '../test-support/idp';
import { openSecretStore, probeKeychain, type KeychainProbe } from './keytar-secret-store';

// Against a real Secret Service (gnome-keyring in a private D-Bus session: run through
// scripts/with-keyring.sh, which sets NDF_TEST_KEYRING=1). Without one the tests skip and say
// why; inside the wrapper a missing keychain is a failure, not a skip.
const SERVICE = `NewDreamFlow-test-${process.pid}`;
let probe: KeychainProbe;
let idp: RunningIdp;

beforeAll(async () => {
  probe = await probeKeychain({ service: SERVICE });
  if (!probe.available) {
    const why = `keychain tests skipped: no usable Secret Service (${probe.reason}). Run them with \`sh scripts/with-keyring.sh npx vitest run src/main/core/vault\`.`;
    if (process.env['NDF_TEST_KEYRING'] === '1') throw new Error(`with-keyring.sh is active but ${why}`);
    console.warn(why);
    return;
  }
  idp = await startTestIdp();
});

afterAll(async () => {
  await idp?.close();
});

describe('keytar secret store (real Secret Service)', () => {
  it('stores, lists, reads and deletes secrets', async (ctx) => {
    if (!probe.available) return ctx.skip(`no Secret Service: ${probe.reason}`);
    const store = probe.store;
    await store.set('a#1', 'secret-1');
    await store.set('a#2', 'secret-2');
    expect(await store.get('a#1')).toBe('secret-1');
    expect((await store.list()).sort()).toEqual(['a#1', 'a#2']);
    expect(await store.delete('a#1')).toBe(true);
    expect(await store.delete('a#1')).toBe(false);
    expect(await store.get('a#1')).toBeNull();
    await store.delete('a#2');
    expect(await store.list()).toEqual([]);
  });

  it('signs in with Chromium as the system browser, keeps the refresh token in the keyring: a restarted core signs in silently; sign-out clears it', async (ctx) => {
    if (!probe.available) return ctx.skip(`no Secret Service: ${probe.reason}`);
    const account = idp.accounts[1]!;
    const browser = await chromiumBrowser(account);
    ctx.onTestFinished(() => browser.close());
    const build = async () =>
      createCore({
        config: configFor(idp),
        secretStore: await openSecretStore({ service: SERVICE, logger: createMemoryLogger() }),
        openBrowser: browser.launcher,
        openExternal: () => Promise.resolve(),
        appInfo: { name: 'NewDreamFlow', version: '0', platform: 'linux' },
        getTheme: () => 'light',
        logger: createMemoryLogger(),
      });
    const first = await build();
    expect(first.session.state).toMatchObject({ status: 'signed-out', keychainAvailable: true });
    await first.session.signIn();
    expect(first.session.state).toMatchObject({ status: 'signed-in', persistence: 'keychain' });
    const entryAccount = sessionAccountFor(idp, account.sub);
    const stored = JSON.parse((await probe.store.get(entryAccount))!) as { refreshToken: string };
    expect(stored.refreshToken.length).toBeGreaterThan(10);
    first.dispose();

    const second = await build();
    await second.start();
    expect(second.session.state).toMatchObject({ status: 'signed-in', user: { id: account.sub } });
    const rotated = JSON.parse((await probe.store.get(entryAccount))!) as { refreshToken: string };
    expect(rotated.refreshToken).not.toBe(stored.refreshToken);

    await second.session.signOut();
    expect(await probe.store.get(entryAccount)).toBeNull();
    second.dispose();

    const third = await build();
    await third.start();
    expect(third.session.state).toMatchObject({ status: 'signed-out', reason: 'initial' });
    third.dispose();
  });
});

describe('without a keychain', () => {
  it('fails closed to a session-only store and logs why', async () => {
    const logger = createMemoryLogger();
    const store = await openSecretStore({
      logger,
      load: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
    });
    expect(store.kind).toBe('memory');
    expect(logger.entries).toContainEqual(expect.objectContaining({ event: 'vault.keychain-unavailable' }));
  });

  it('treats a keychain that silently returns null as unavailable', async () => {
    const result = await probeKeychain({
      load: () =>
        Promise.resolve({
          getPassword: () => Promise.resolve(null),
          setPassword: () => Promise.resolve(),
          deletePassword: () => Promise.resolve(true),
          findCredentials: () => Promise.resolve([]),
        }),
    });
    expect(result).toMatchObject({ available: false });
  });
});
