/**
 * Test support (never imported by app code): the real dev IdP in-process, a browser stand-in
 * that signs in over HTTP, and a fetch that counts requests per endpoint.
 */
import { completeLoginWithHttp, startIdp, type RunningIdp } from '@newdreamflow/dev-idp';
import { sessionAccount, sessionBinding } from '../auth/session-manager';
import type { BrowserLauncher } from '../auth/sign-in-flow';
import { EMBEDDED_DEFAULTS, type AppConfig } from '../config/app-config';
import { MemorySecretStore, type SecretStore } from '../vault/secret-store';
import { chromiumLaunchOptions } from '../../../../e2e/chromium';

export type { RunningIdp };

/** Starts the dev IdP on an ephemeral port with its demo accounts. */
export function startTestIdp(options: Parameters<typeof startIdp>[0] = {}): Promise<RunningIdp> {
  return startIdp({ port: 0, log: () => undefined, ...options });
}

/** App configuration pointing at `idp` (and a key service URL, when there is one). */
export function configFor(idp: RunningIdp, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    ...EMBEDDED_DEFAULTS,
    signInTimeoutMs: 20_000,
    ...overrides,
    oidc: { issuer: idp.issuer, clientId: idp.clientId, scope: idp.scope, audience: idp.audience },
  };
}

/** The keychain account of `sub`'s session under {@link configFor}'s configuration. */
export function sessionAccountFor(idp: RunningIdp, sub: string): string {
  const config = configFor(idp);
  return sessionAccount(
    idp.issuer,
    sessionBinding({ ...config.oidc, keyServiceUrl: config.keyServiceUrl }),
    sub,
  );
}

/**
 * A "system browser" that signs in as `account` over HTTP (the IdP's own pages), then follows
 * the redirect to the app's loopback receiver, as a browser would.
 */
export function httpBrowser(
  account: { username: string; password: string },
  seen: URL[] = [],
): BrowserLauncher {
  return async (url) => {
    seen.push(url);
    const callback = await completeLoginWithHttp(url, account);
    const response = await fetch(callback, { redirect: 'manual' });
    await response.body?.cancel();
  };
}

/** Wraps fetch, recording the pathname of every request (to count token requests). */
export function countingFetch(): {
  fetch: typeof fetch;
  paths: string[];
  count: (pathname: string) => number;
} {
  const paths: string[] = [];
  const wrapped: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    paths.push(new URL(url).pathname);
    return fetch(input, init);
  };
  return { fetch: wrapped, paths, count: (pathname) => paths.filter((p) => p === pathname).length };
}

/** An in-memory store that behaves as a keychain (persistence semantics without a keyring). */
export class FakeKeychain implements SecretStore {
  readonly kind = 'keychain' as const;
  readonly #inner = new MemorySecretStore();
  readonly get = (account: string) => this.#inner.get(account);
  readonly set = (account: string, secret: string) => this.#inner.set(account, secret);
  readonly delete = (account: string) => this.#inner.delete(account);
  readonly list = () => this.#inner.list();
}

/** App configuration for a running embedded stack (`stack ready` info). */
export function configForStack(info: {
  engine: string;
  idp: string;
  keyservice: string;
  clientId: string;
  scope: string;
  resource: string;
  indexPrefix: string;
}): AppConfig {
  return {
    oidc: { issuer: info.idp, clientId: info.clientId, scope: info.scope, audience: info.resource },
    keyServiceUrl: info.keyservice,
    algoliaHosts: [info.engine],
    indexPrefix: info.indexPrefix,
    signInTimeoutMs: 20_000,
  };
}

/**
 * Chromium as the system browser: each sign-in opens a new page, where the "person" fills the
 * dev IdP's sign-in form and consents; the IdP then redirects the page to the loopback receiver.
 */
export async function chromiumBrowser(account: {
  username: string;
  password: string;
}): Promise<{ launcher: BrowserLauncher; close: () => Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch(chromiumLaunchOptions);
  const launcher: BrowserLauncher = async (url) => {
    const page = await browser.newPage();
    await page.goto(url.href);
    await page.locator('input[name=username]').fill(account.username);
    await page.locator('input[name=password]').fill(account.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByText('You can close this tab').waitFor();
    await page.close();
  };
  return { launcher, close: () => browser.close() };
}
