import { expect, test } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_DEFAULTS } from '../src/main/core/config/app-config';
import { createMemoryLogger } from '../src/main/core/log/logger';
import type { NewDreamFlowApi } from '../src/shared/ipc';
import { startHost, type RunningHost } from './host';
import { serveStatic } from './host/static-server';

// The e2e host's transport: the page gets the same frozen API object the preload exposes, the
// calls go through the one dispatcher (sender check included), and events arrive as payloads.
const FIXTURE = fileURLToPath(new URL('./host/fixtures/blank', import.meta.url));
declare const window: Window & {
  newdreamflow: NewDreamFlowApi;
  __ndfInvoke: (c: string, i: unknown) => Promise<unknown>;
};

let host: RunningHost;
const logger = createMemoryLogger();

test.beforeEach(async ({ page }) => {
  host = await startHost({ page, config: EMBEDDED_DEFAULTS, rendererDir: FIXTURE, logger, theme: 'dark' });
});
test.afterEach(async () => {
  await host.close();
});

test('exposes the contract API, frozen, and answers through the real core', async ({ page }) => {
  await page.goto(host.url);
  const shape = await page.evaluate(() => ({
    frozen: Object.isFrozen(window.newdreamflow) && Object.isFrozen(window.newdreamflow.auth),
    domains: Object.keys(window.newdreamflow).sort(),
    hasGenericInvoke: 'invoke' in window.newdreamflow,
  }));
  expect(shape).toEqual({
    frozen: true,
    domains: ['app', 'auth', 'records', 'search', 'session'],
    hasGenericInvoke: false,
  });
  const info = await page.evaluate(() => window.newdreamflow.app.getInfo());
  expect(info).toMatchObject({ ok: true, value: { name: 'NewDreamFlow', theme: 'dark' } });
  const session = await page.evaluate(() => window.newdreamflow.auth.getSession());
  expect(session).toEqual({
    ok: true,
    value: { status: 'signed-out', reason: 'initial', keychainAvailable: false },
  });
});

test('rejects invalid input and signed-out calls with envelopes, never exceptions', async ({ page }) => {
  await page.goto(host.url);
  const results = await page.evaluate(async () => {
    const api = window.newdreamflow;
    return [
      await (api.records.get as (input: unknown) => Promise<unknown>)({ index: 'dreams', id: 'x', extra: 1 }),
      await (api.records.get as (input: unknown) => Promise<unknown>)(
        JSON.parse('{"__proto__":{"polluted":1}}'),
      ),
      await api.records.get({ index: 'dreams', id: '2d1f1c6e-8f7a-4c59-9d3e-4c0a4b0f5a10' }),
      await api.search.getKey(),
      await api.app.openExternal({ url: 'file:///etc/passwd' }),
    ];
  });
  expect(results.map((r) => (r as { error: { code: string } }).error.code)).toEqual([
    'invalid-input',
    'invalid-input',
    'unauthenticated',
    'unauthenticated',
    'forbidden',
  ]);
});

test('delivers events as payloads until unsubscribed', async ({ page }) => {
  await page.goto(host.url);
  await page.evaluate(() => {
    const seen: unknown[] = [];
    (globalThis as unknown as { seen: unknown[] }).seen = seen;
    const stop = window.newdreamflow.app.onThemeChanged((theme) => {
      seen.push(theme);
      stop();
    });
  });
  host.core.events.emit('app:themeChanged', 'dark');
  await expect
    .poll(() => page.evaluate(() => (globalThis as unknown as { seen: unknown[] }).seen))
    .toEqual(['dark']);
  host.core.events.emit('app:themeChanged', 'light');
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
  expect(await page.evaluate(() => (globalThis as unknown as { seen: unknown[] }).seen)).toEqual(['dark']);
});

test('refuses calls from a foreign origin and from opaque documents', async ({ page }) => {
  const foreign = await serveStatic(FIXTURE, "default-src 'none'");
  try {
    await page.goto(foreign.url);
    const fromForeign = await page.evaluate(() => window.newdreamflow.app.getInfo());
    expect(fromForeign).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    const raw = await page.evaluate(() => window.__ndfInvoke('auth:signIn', undefined));
    expect(raw).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    await page.goto('data:text/html,<title>x</title>');
    const fromData = await page.evaluate(() => window.__ndfInvoke('app:getInfo', undefined));
    expect(fromData).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
  } finally {
    await foreign.close();
  }
  expect(
    logger.entries.filter((e) => e.event === 'ipc' && e.fields['outcome'] === 'forbidden-sender').length,
  ).toBeGreaterThanOrEqual(3);
});
