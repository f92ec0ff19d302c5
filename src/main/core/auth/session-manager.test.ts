import { describe, expect, it } from 'vitest';
import { isCoreError } from '../errors';
import { createMemoryLogger } from '../log/logger';
import { MemorySecretStore, type SecretStore } from '../vault/secret-store';
import type { OidcClient, TokenSet } from './oidc-client';
import { SessionManager, sessionAccount } from './session-manager';

// Races between a refresh's keychain write and sign-out, with a keychain whose writes the test
// holds open (the real one is asynchronous: keytar works on a thread pool).

const ISSUER = 'http://127.0.0.1:7701';
const BINDING = '["newdreamflow-desktop","http://127.0.0.1:7702","http://127.0.0.1:7702"]';

/** A keychain whose `set` waits until the test releases it. */
class SlowKeychain implements SecretStore {
  readonly kind = 'keychain' as const;
  readonly inner = new MemorySecretStore();
  #held: (() => void)[] = [];
  hold = false;
  get = (account: string) => this.inner.get(account);
  delete = (account: string) => this.inner.delete(account);
  /** When set, `list` waits until the test resolves it (a keychain waiting on its unlock prompt). */
  listGate: Promise<void> | null = null;
  list = async () => {
    if (this.listGate) await this.listGate;
    return this.inner.list();
  };
  async set(account: string, secret: string): Promise<void> {
    if (this.hold) await new Promise<void>((resolve) => this.#held.push(resolve));
    await this.inner.set(account, secret);
  }
  get pending(): number {
    return this.#held.length;
  }
  release(): void {
    for (const resolve of this.#held.splice(0)) resolve();
  }
}

function fakeOidc(): { oidc: OidcClient; revoked: string[] } {
  const revoked: string[] = [];
  let n = 0;
  const oidc = {
    refresh: (): Promise<TokenSet> => {
      n += 1;
      return Promise.resolve({
        accessToken: `access-${n}`,
        refreshToken: `refresh-${n + 1}`,
        expiresAt: Date.now() + 3_600_000,
      });
    },
    revoke: (token: string) => {
      revoked.push(token);
      return Promise.resolve();
    },
  } as unknown as OidcClient;
  return { oidc, revoked };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('SessionManager: sign-out during a refresh', () => {
  it('leaves no access token in memory and no entry in the keychain', async () => {
    const store = new SlowKeychain();
    const account = sessionAccount(ISSUER, BINDING, 'u1');
    await store.inner.set(account, JSON.stringify({ v: 1, refreshToken: 'refresh-1', user: { id: 'u1' } }));
    const { oidc, revoked } = fakeOidc();
    const session = new SessionManager({
      oidc,
      store,
      issuer: ISSUER,
      binding: BINDING,
      scope: 'openid offline_access',
      audience: 'http://127.0.0.1:7702',
      openBrowser: () => Promise.resolve(),
      signInTimeoutMs: 1_000,
      logger: createMemoryLogger(),
    });

    store.hold = true;
    const started = session.start();
    // The refresh answered with a rotated token; its keychain write is in progress.
    await until(() => store.pending === 1);
    const signedOut = await session.signOut();
    expect(signedOut.status).toBe('signed-out');
    store.release();
    await started;

    expect(session.state.status).toBe('signed-out');
    await expect(session.getAccessToken()).rejects.toSatisfy((e) => isCoreError(e, 'unauthenticated'));
    expect(await store.list()).toEqual([]);
    // The rotated token (the one the IdP now honours) was revoked.
    expect(revoked).toEqual(['refresh-2']);
  });
});

function manager(store: SecretStore, oidc: OidcClient, binding = BINDING): SessionManager {
  return new SessionManager({
    oidc,
    store,
    issuer: ISSUER,
    binding,
    scope: 'openid offline_access',
    audience: 'http://127.0.0.1:7702',
    // The "browser": answers the loopback receiver as the IdP would, with a code.
    openBrowser: async (url) => {
      const redirect = new URL(url.searchParams.get('redirect_uri')!);
      redirect.searchParams.set('code', 'the-code');
      redirect.searchParams.set('state', url.searchParams.get('state')!);
      await fetch(redirect);
    },
    signInTimeoutMs: 5_000,
    logger: createMemoryLogger(),
  });
}

/** An IdP that signs `sub` in interactively and refreshes anyone. */
function interactiveOidc(sub: string): OidcClient {
  const { oidc } = fakeOidc();
  return Object.assign(oidc, {
    configuration: () => Promise.resolve({}),
    authorizationUrl: (o: { redirectUri: string; state: string }) =>
      Promise.resolve(
        new URL(
          `https://idp.example/authorize?redirect_uri=${encodeURIComponent(o.redirectUri)}&state=${o.state}`,
        ),
      ),
    exchangeCode: (): Promise<TokenSet> =>
      Promise.resolve({
        accessToken: `access-of-${sub}`,
        refreshToken: `refresh-of-${sub}`,
        expiresAt: Date.now() + 3_600_000,
        claims: { sub },
      }),
  });
}

const storedSession = (sub: string): string =>
  JSON.stringify({ v: 1, refreshToken: `stored-${sub}`, user: { id: sub } });

describe('SessionManager: a stored session belongs to its configuration', () => {
  it('uses only a session stored for the same client, audience and key service', async () => {
    const store = new SlowKeychain();
    const other = '["newdreamflow-desktop","http://127.0.0.1:7702","http://127.0.0.1:9999"]';
    await store.inner.set(sessionAccount(ISSUER, other, 'u1'), storedSession('u1'));
    const session = manager(store, fakeOidc().oidc);
    await session.start();
    // Started with another key service: the stored session is neither used nor removed.
    expect(session.state.status).toBe('signed-out');
    expect(await store.inner.list()).toEqual([sessionAccount(ISSUER, other, 'u1')]);
    const same = manager(store, fakeOidc().oidc, other);
    await same.start();
    expect(same.state).toMatchObject({ status: 'signed-in', user: { id: 'u1' } });
  });

  it('removes a session stored before sessions were bound to their configuration', async () => {
    const store = new SlowKeychain();
    await store.inner.set(`${ISSUER}#u1`, storedSession('u1'));
    const { oidc, revoked } = fakeOidc();
    const session = manager(store, oidc);
    await session.start();
    expect(session.state.status).toBe('signed-out');
    expect(await store.inner.list()).toEqual([]);
    // Its refresh token is revoked at the identity provider too.
    expect(revoked).toEqual(['stored-u1']);
  });
});

describe('SessionManager: an interactive sign-in while start waits on the keychain', () => {
  it('keeps the person who signed in, and signing out removes their entry', async () => {
    const store = new SlowKeychain();
    await store.inner.set(sessionAccount(ISSUER, BINDING, 'ada'), storedSession('ada'));
    let unlock = (): void => {};
    store.listGate = new Promise((resolve) => (unlock = resolve));
    const session = manager(store, interactiveOidc('grace'));
    const started = session.start();
    await session.signIn();
    unlock();
    await started;
    expect(session.state).toMatchObject({ status: 'signed-in', user: { id: 'grace' } });
    expect(await session.getAccessToken()).toBe('access-of-grace');
    await session.signOut();
    expect(await store.inner.list()).toEqual([sessionAccount(ISSUER, BINDING, 'ada')]);
  });
});
