import { describe, expect, it } from 'vitest';
import { isCoreError } from '../errors';
import { createMemoryLogger } from '../log/logger';
import { MemorySecretStore, type SecretStore } from '../vault/secret-store';
import type { OidcClient, TokenSet } from './oidc-client';
import { SessionManager } from './session-manager';

// Races between a refresh's keychain write and sign-out, with a keychain whose writes the test
// holds open (the real one is asynchronous: keytar works on a thread pool).

const ISSUER = 'http://127.0.0.1:7701';

/** A keychain whose `set` waits until the test releases it. */
class SlowKeychain implements SecretStore {
  readonly kind = 'keychain' as const;
  readonly inner = new MemorySecretStore();
  #held: (() => void)[] = [];
  hold = false;
  get = (account: string) => this.inner.get(account);
  delete = (account: string) => this.inner.delete(account);
  list = () => this.inner.list();
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
    const account = `${ISSUER}#u1`;
    await store.inner.set(account, JSON.stringify({ v: 1, refreshToken: 'refresh-1', user: { id: 'u1' } }));
    const { oidc, revoked } = fakeOidc();
    const session = new SessionManager({
      oidc,
      store,
      issuer: ISSUER,
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
