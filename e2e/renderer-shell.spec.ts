import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { rendererContentSecurityPolicy } from '../src/main/core/security/content-security-policy';
import { serveStatic } from './host/static-server';
import { watchPageProblems } from './host/page-problems';

// The built renderer (out/renderer) loads in Chromium under the app's real CSP and shows the
// app shell. Without the preload bridge it must say so plainly instead of crashing.
test('the built renderer shows the app shell without the bridge', async ({ page }) => {
  const csp = rendererContentSecurityPolicy({ searchHosts: [], mediaOrigins: [] });
  const server = await serveStatic(resolve('out/renderer'), csp);
  try {
    const problems = watchPageProblems(page);
    await page.goto(server.url);
    await expect(page.getByRole('heading', { level: 1, name: 'NewDreamFlow' })).toBeVisible();
    await expect(page.getByRole('status')).toContainText('desktop bridge is not available');
    expect(problems).toEqual([]);
  } finally {
    await server.close();
  }
});
