import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_FAILED_MESSAGE, startIdp, type RunningIdp } from './index';
import { discoverDesktopClient } from './testing';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser.test.ts skipped: ${CHROMIUM} not found (apt-get install chromium)`);

/** The desktop app's side of RFC 8252: a loopback listener that receives exactly one redirect. */
async function loopbackReceiver(
  path: string,
): Promise<{ uri: string; received: Promise<URL>; close: () => Promise<void> }> {
  let deliver: (url: URL) => void = () => undefined;
  const received = new Promise<URL>((resolve) => {
    deliver = resolve;
  });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    if (url.pathname !== path) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
      .end('You can return to NewDreamFlow.');
    deliver(url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    uri: `http://127.0.0.1:${port}${path}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(!hasChromium)('sign-in in Chromium', () => {
  let idp: RunningIdp;
  let browser: Browser;
  let config: oidc.Configuration;

  beforeAll(async () => {
    [idp, browser] = await Promise.all([
      startIdp({ port: 0 }),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
          '--disable-dev-shm-usage',
        ],
      }),
    ]);
    config = await discoverDesktopClient(idp.issuer);
  });

  afterAll(async () => {
    await browser?.close();
    await idp?.close();
  });

  /**
   * Collects CSP violations and page errors: the pages must need no exception to the policy.
   * (HTTP errors such as the deliberate 401 or a favicon 404 are not problems.)
   */
  function watchConsole(page: Page): string[] {
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text()))
        problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    return problems;
  }

  it('signs in by the labelled fields, consents, and the app gets verifiable tokens; then signs out', async () => {
    const ada = idp.accounts.find((a) => a.username === 'ada');
    if (!ada) throw new Error('demo account ada missing');
    const callback = await loopbackReceiver('/callback');
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchConsole(page);
    try {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: callback.uri,
        scope: idp.scope,
        resource: idp.audience,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        prompt: 'consent',
      });
      await page.goto(url.href);
      await expect.poll(() => page.title()).toContain('Sign in');

      // A wrong password: the error is announced, the browser stays on the provider.
      await page.getByLabel('Username').fill('ada');
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toBe(LOGIN_FAILED_MESSAGE);
      expect(new URL(page.url()).origin).toBe(idp.url);
      expect(await page.getByLabel('Username').inputValue()).toBe('ada');

      await page.getByLabel('Password').fill(ada.password);
      await page.getByRole('button', { name: 'Sign in' }).click();

      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Allow access');
      const asked = await page.locator('#requested-access li').allTextContents();
      expect(asked).toContain('Read and write your dreams, things, stories and patterns');
      expect(asked).toContain('Stay signed in until you sign out');
      await page.getByRole('button', { name: 'Allow' }).click();

      const landed = await callback.received;
      expect(landed.searchParams.get('iss')).toBe(idp.issuer);
      const tokens = await oidc.authorizationCodeGrant(config, landed, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(idp.jwksUri)), {
        issuer: idp.issuer,
        audience: idp.audience,
        typ: 'at+jwt',
      });
      expect(payload.sub).toBe(ada.sub);
      expect(tokens.refresh_token).toBeTruthy();

      // RP-initiated logout in the same browser, back to a loopback post-logout URI.
      const loggedOut = await loopbackReceiver('/logged-out');
      try {
        const endSession = oidc.buildEndSessionUrl(config, {
          id_token_hint: tokens.id_token ?? '',
          post_logout_redirect_uri: loggedOut.uri,
          state: 'signed-out',
        });
        await page.goto(endSession.href);
        await page.getByRole('button', { name: 'Sign out' }).click();
        const back = await loggedOut.received;
        expect(back.searchParams.get('state')).toBe('signed-out');
      } finally {
        await loggedOut.close();
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await callback.close();
    }
  });

  it('returns access_denied to the app when the person cancels', async () => {
    const callback = await loopbackReceiver('/callback');
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: callback.uri,
        scope: 'openid journal',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        state: 'cancelled',
      });
      await page.goto(url.href);
      await page.getByRole('button', { name: 'Cancel' }).click();
      const landed = await callback.received;
      expect(landed.searchParams.get('error')).toBe('access_denied');
      expect(landed.searchParams.get('state')).toBe('cancelled');
    } finally {
      await context.close();
      await callback.close();
    }
  });
});
