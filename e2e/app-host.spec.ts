import { expect, test } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EMBEDDED_DEFAULTS } from '../src/main/core/config/app-config';
import { createMemoryLogger } from '../src/main/core/log/logger';
import { startHost } from './host';
import { watchPageProblems } from './host/page-problems';

// The built renderer (out/renderer) served with the app's CSP and connected to the real core
// through the e2e host: the shell reaches "ready" over the typed bridge, with no CSP violations.
const built = existsSync(resolve('out/renderer/index.html'));
if (!built) console.warn('app-host spec skipped: out/renderer is not built (run `npm run build`)');

test('the built renderer connects to the real core through the host', async ({ page }) => {
  test.info().skip(!built, 'out/renderer is not built (run `npm run build`)');
  const host = await startHost({
    page,
    config: EMBEDDED_DEFAULTS,
    logger: createMemoryLogger(),
    theme: 'dark',
  });
  try {
    const problems = watchPageProblems(page);
    await page.goto(host.url);
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    await expect(page.getByRole('contentinfo')).toContainText(
      `NewDreamFlow ${version} on ${process.platform}`,
    );
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    expect(problems).toEqual([]);
  } finally {
    await host.close();
  }
});
