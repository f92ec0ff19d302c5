/**
 * `npm run screenshots`: regenerates the README's screenshots from the real app — the embedded
 * stack, the main-process core through e2e/host, and the built renderer in Debian's Chromium.
 *
 *   npm run build && npm run screenshots -- [--out docs/screenshots]
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../e2e/chromium';
import { startHost } from '../e2e/host';
import { signInThroughIdp } from '../e2e/host/idp-sign-in';
import { appConfigForStack } from '../e2e/host/stack-config';
import { createMemoryLogger } from '../src/main/core/log/logger';
import { openSecretStore } from '../src/main/core/vault/keytar-secret-store';
import { startStack } from './stack';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { out: { type: 'string', default: 'docs/screenshots' } },
    strict: true,
  });
  const out = resolve(values.out);
  await mkdir(out, { recursive: true });
  const stack = await startStack({
    ephemeral: true,
    enginePort: 0,
    idpPort: 0,
    keyservicePort: 0,
    logger: quiet,
  });
  const browser = await chromium.launch(chromiumLaunchOptions);
  try {
    const config = appConfigForStack(stack.info);
    for (const theme of ['light', 'dark'] as const) {
      const context = await browser.newContext({
        viewport: { width: 1200, height: 760 },
        colorScheme: theme,
      });
      const page = await context.newPage();
      // The real keychain when there is one (run under scripts/with-keyring.sh), as in the app.
      const logger = createMemoryLogger();
      const host = await startHost({
        page,
        config,
        theme,
        logger,
        secretStore: await openSecretStore({ logger }),
      });
      try {
        await page.goto(host.url);
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
        if (theme === 'light') await page.screenshot({ path: join(out, 'welcome.png') });
        const ada = stack.info.accounts.find((a) => a.username === 'ada');
        if (!ada) throw new Error('the stack has no demo account "ada"');
        await signInThroughIdp(page, ada, {
          beforeSubmit: async (tab) => {
            if (theme === 'light') {
              await tab.setViewportSize({ width: 1200, height: 760 });
              await tab.screenshot({ path: join(out, 'sign-in.png') });
            }
          },
        });
        const journal = page.getByRole('region', { name: 'Journal', exact: true });
        await journal.getByRole('article').first().waitFor();
        if (theme === 'light') {
          await page.screenshot({ path: join(out, 'journal.png') });
        } else {
          await page.getByRole('searchbox').first().fill('flyng');
          await journal.getByRole('article', { name: 'Flying over the Thames' }).waitFor();
          await page.screenshot({ path: join(out, 'search-dark.png') });
        }
        // Signing out also deletes the keychain entry, so the next pass starts signed out.
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
      } finally {
        await host.close();
        await context.close();
      }
    }
    process.stdout.write(`screenshots saved to ${out}\n`);
  } finally {
    await browser.close();
    await stack.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
