import { completeLoginWithHttp } from '@newdreamflow/dev-idp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../create-core';
import { isCoreError, type CoreError } from '../errors';
import { createMemoryLogger } from '../log/logger';
import { configFor, countingFetch, FakeKeychain, startTestIdp, type RunningIdp } from '../test-support/idp';
import type { BrowserLauncher } from './sign-in-flow';

// OAuth negative probes: each tampered, missing, replayed or late callback is refused, and
// none of them makes a token request.
let idp: RunningIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp.close();
});

function setup(openBrowser: BrowserLauncher, signInTimeoutMs = 20_000) {
  const counting = countingFetch();
  const core = createCore({
    config: configFor(idp, { signInTimeoutMs }),
    secretStore: new FakeKeychain(),
    openBrowser,
    openExternal: () => Promise.resolve(),
    appInfo: { name: 'NewDreamFlow', version: '0', platform: 'linux' },
    getTheme: () => 'light',
    logger: createMemoryLogger(),
    fetch: counting.fetch,
  });
  return { core, tokenRequests: () => counting.count('/token') };
}

const account = () => idp.accounts[0]!;

/** Signs in at the IdP and hands the callback URL to `tamper` instead of the loopback. */
function tamperingBrowser(tamper: (callback: URL) => Promise<void>): BrowserLauncher {
  return async (url) => {
    const callback = new URL(await completeLoginWithHttp(url, account()));
    await tamper(callback);
  };
}

async function send(url: URL | string, init: RequestInit = {}): Promise<number> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  await response.body?.cancel();
  return response.status;
}

const code = (error: unknown) => (error as CoreError).code;

describe('sign-in negative probes', () => {
  it('refuses a tampered state and keeps waiting for the real one', async () => {
    const statuses: number[] = [];
    const { core, tokenRequests } = setup(
      tamperingBrowser(async (callback) => {
        const tampered = new URL(callback);
        tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
        statuses.push(await send(tampered));
        core.session.cancelSignIn();
      }),
    );
    await expect(core.session.signIn()).rejects.toSatisfy((error) => code(error) === 'sign-in-cancelled');
    expect(statuses).toEqual([400]);
    expect(tokenRequests()).toBe(0);
  });

  it('refuses a missing or duplicated state', async () => {
    const statuses: number[] = [];
    const { core, tokenRequests } = setup(
      tamperingBrowser(async (callback) => {
        const missing = new URL(callback);
        missing.searchParams.delete('state');
        statuses.push(await send(missing));
        const doubled = new URL(callback);
        doubled.searchParams.append('state', callback.searchParams.get('state')!);
        statuses.push(await send(doubled));
        core.session.cancelSignIn();
      }),
    );
    await expect(core.session.signIn()).rejects.toSatisfy((error) => code(error) === 'sign-in-cancelled');
    expect(statuses).toEqual([400, 400]);
    expect(tokenRequests()).toBe(0);
  });

  it('refuses a replayed callback (old state on a new sign-in; the old receiver is gone)', async () => {
    let firstCallback: URL | undefined;
    const recording: BrowserLauncher = async (url) => {
      const callback = new URL(await completeLoginWithHttp(url, account()));
      firstCallback = callback;
      await send(callback);
    };
    const one = setup(recording);
    await one.core.session.signIn();
    expect(one.tokenRequests()).toBe(1);
    // Replayed to the old receiver: nothing listens any more.
    await expect(send(firstCallback!)).rejects.toThrow();
    // Replayed to a new sign-in's receiver: the state is not the pending one.
    const statuses: number[] = [];
    const two = setup(async (url) => {
      const replay = new URL(firstCallback!);
      replay.port = new URL(url.searchParams.get('redirect_uri')!).port;
      statuses.push(await send(replay));
      two.core.session.cancelSignIn();
    });
    await expect(two.core.session.signIn()).rejects.toSatisfy((error) => code(error) === 'sign-in-cancelled');
    expect(statuses).toEqual([400]);
    expect(two.tokenRequests()).toBe(0);
  });

  it('refuses a wrong iss before any token request', async () => {
    const { core, tokenRequests } = setup(
      tamperingBrowser(async (callback) => {
        callback.searchParams.set('iss', 'https://evil.example');
        expect(await send(callback)).toBe(200);
      }),
    );
    await expect(core.session.signIn()).rejects.toSatisfy((error) => code(error) === 'sign-in-failed');
    expect(tokenRequests()).toBe(0);
  });

  it('refuses a missing iss (the IdP advertises it) before any token request', async () => {
    const { core, tokenRequests } = setup(
      tamperingBrowser(async (callback) => {
        callback.searchParams.delete('iss');
        await send(callback);
      }),
    );
    await expect(core.session.signIn()).rejects.toSatisfy((error) => code(error) === 'sign-in-failed');
    expect(tokenRequests()).toBe(0);
  });

  it('answers only GET /callback on the loopback', async () => {
    const statuses: number[] = [];
    const { core, tokenRequests } = setup(
      tamperingBrowser(async (callback) => {
        const otherPath = new URL(callback);
        otherPath.pathname = '/other';
        statuses.push(await send(otherPath));
        statuses.push(await send(callback, { method: 'POST' }));
        statuses.push(await send(callback, { method: 'PUT', body: 'x' }));
        // The real callback still works afterwards.
        statuses.push(await send(callback));
      }),
    );
    await expect(core.session.signIn()).resolves.toMatchObject({ status: 'signed-in' });
    expect(statuses).toEqual([404, 405, 405, 200]);
    expect(tokenRequests()).toBe(1);
  });

  it('refuses a callback after the timeout', async () => {
    let callback: URL | undefined;
    const { core, tokenRequests } = setup(async (url) => {
      callback = new URL(await completeLoginWithHttp(url, account()));
    }, 1_000);
    await expect(core.session.signIn()).rejects.toSatisfy((error) => isCoreError(error, 'sign-in-timeout'));
    expect(callback).toBeDefined();
    await expect(send(callback!)).rejects.toThrow();
    expect(tokenRequests()).toBe(0);
  });

  it('asks only for S256, and the IdP refuses a plain challenge without issuing a code', async () => {
    let sent: URL | undefined;
    let callback: URL | undefined;
    const { core, tokenRequests } = setup(async (url) => {
      sent = url;
      const plain = new URL(url);
      plain.searchParams.set('code_challenge_method', 'plain');
      callback = new URL(await completeLoginWithHttp(plain, account()));
      await send(callback);
    });
    await expect(core.session.signIn()).rejects.toSatisfy((error) =>
      isCoreError(error, 'sign-in-failed', 'sign-in-cancelled'),
    );
    expect(sent!.searchParams.get('code_challenge_method')).toBe('S256');
    expect(sent!.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sent!.searchParams.get('state')).toBeTruthy();
    expect(sent!.searchParams.get('nonce')).toBeTruthy();
    expect(callback!.searchParams.get('error')).toBe('invalid_request');
    expect(callback!.searchParams.has('code')).toBe(false);
    expect(tokenRequests()).toBe(0);
  });
});
