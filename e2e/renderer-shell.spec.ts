import { expect, test } from '@playwright/test';
import { serveRenderer } from './support/serve-renderer';

// The built renderer (out/renderer) loads in Chromium and shows the app shell. It runs
// without the preload bridge here, so it must say so plainly instead of crashing.
test('the built renderer shows the app shell', async ({ page }) => {
  const server = await serveRenderer();
  try {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.url);
    await expect(page.getByRole('heading', { level: 1, name: 'NewDreamFlow' })).toBeVisible();
    await expect(page.getByRole('main')).toContainText('desktop bridge');
    expect(errors).toEqual([]);
  } finally {
    await server.close();
  }
});
