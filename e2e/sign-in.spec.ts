import { startIdp, type RunningIdp } from '@newdreamflow/dev-idp';
import { expect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_DEFAULTS, type AppConfig } from '../src/main/core/config/app-config';
import { createMemoryLogger } from '../src/main/core/log/logger';
import type { NewDreamFlowApi } from '../src/shared/ipc';
import { startHost } from './host';

// Sign-in end to end with Chromium as the system browser: the page asks the real core to sign
// in, the core opens the dev IdP in a new tab, a person (here: the test) signs in and consents,
// the IdP redirects to the core's loopback receiver, and the page hears `session:changed`.
const FIXTURE = fileURLToPath(new URL('./host/fixtures/blank', import.meta.url));
declare const window: Window & { newdreamflow: NewDreamFlowApi };

let idp: RunningIdp;
test.beforeAll(async () => {
  idp = await startIdp({ port: 0, log: () => undefined });
});
test.afterAll(async () => {
  await idp.close();
});

function configFor(running: RunningIdp): AppConfig {
  return {
    ...EMBEDDED_DEFAULTS,
    oidc: {
      issuer: running.issuer,
      clientId: running.clientId,
      scope: running.scope,
      audience: running.audience,
    },
  };
}

async function signInAtIdp(tab: Page, account: { username: string; password: string }): Promise<void> {
  await tab.locator('input[name=username]').fill(account.username);
  await tab.locator('input[name=password]').fill(account.password);
  await tab.getByRole('button', { name: 'Sign in' }).click();
  await tab.getByRole('button', { name: 'Allow' }).click();
  await expect(tab.getByText('You can close this tab')).toBeVisible();
}

test('signs in through the system browser and tells the renderer; tokens never reach the page', async ({
  page,
}) => {
  const logger = createMemoryLogger();
  const host = await startHost({ page, config: configFor(idp), rendererDir: FIXTURE, logger });
  try {
    await page.goto(host.url);
    const statuses = page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const seen: string[] = [];
          const stop = window.newdreamflow.session.onChanged((state) => {
            seen.push(state.status);
            if (state.status === 'signed-in') {
              stop();
              resolve(seen);
            }
          });
        }),
    );
    const [tab] = await Promise.all([
      page.context().waitForEvent('page'),
      page.evaluate(() => void window.newdreamflow.auth.signIn()),
    ]);
    await tab.waitForURL((url) => url.origin === idp.url);
    const account = idp.accounts[0]!;
    await signInAtIdp(tab, account);
    expect(await statuses).toEqual(['signing-in', 'signed-in']);
    const session = await page.evaluate(() => window.newdreamflow.auth.getSession());
    expect(session).toEqual({
      ok: true,
      value: {
        status: 'signed-in',
        user: { id: account.sub, name: account.name, email: expect.any(String) },
        persistence: 'session-only',
        keychainAvailable: false,
      },
    });
    // Nothing token-like crossed to the page.
    expect(JSON.stringify(session)).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    const accessToken = await host.core.session.getAccessToken();
    expect(JSON.stringify(logger.entries)).not.toContain(accessToken);

    const signedOut = await page.evaluate(() => window.newdreamflow.auth.signOut());
    expect(signedOut).toMatchObject({ ok: true, value: { status: 'signed-out', reason: 'signed-out' } });
  } finally {
    await host.close();
  }
});

test('a cancelled sign-in leaves the renderer signed out', async ({ page }) => {
  const host = await startHost({
    page,
    config: configFor(idp),
    rendererDir: FIXTURE,
    logger: createMemoryLogger(),
  });
  try {
    await page.goto(host.url);
    const opened = page.context().waitForEvent('page');
    const pending = page.evaluate(() => window.newdreamflow.auth.signIn());
    const tab = await opened;
    await tab.waitForURL((url) => url.origin === idp.url);
    expect(await page.evaluate(() => window.newdreamflow.auth.cancelSignIn())).toEqual({
      ok: true,
      value: null,
    });
    expect(await pending).toMatchObject({ ok: false, error: { code: 'sign-in-cancelled' } });
    expect(await page.evaluate(() => window.newdreamflow.auth.getSession())).toMatchObject({
      ok: true,
      value: { status: 'signed-out' },
    });
  } finally {
    await host.close();
  }
});
