import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startStack, type RunningStack } from '../dev/stack';
import { createMemoryLogger } from '../src/main/core/log/logger';
import { startHost } from './host';
import { appConfigForStack } from './host/stack-config';
import { signInThroughIdp } from './host/idp-sign-in';
import { watchPageProblems } from './host/page-problems';

// The whole product on one machine: the embedded stack (engine, dev IdP, key service with demo
// content), the real main-process core behind the IPC contract, and the built renderer in
// Chromium. A writer signs in through the "system browser" and searches her journal straight
// against the engine with the secured key — and sees exactly what she may see.
const built = existsSync(resolve('out/renderer/index.html'));
if (!built) console.warn('journal spec skipped: out/renderer is not built (run `npm run build`)');

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let stack: RunningStack;
test.beforeAll(async () => {
  if (!built) return;
  stack = await startStack({ ephemeral: true, enginePort: 0, idpPort: 0, keyservicePort: 0, logger: quiet });
});
test.afterAll(async () => {
  await stack?.close();
});

/** Types a query and waits until the engine has answered it, so assertions see its results. */
async function searchFor(page: Page, query: string): Promise<void> {
  const answered = page.waitForResponse(
    (response) =>
      response.url().includes('/1/indexes/*/queries') &&
      (response.request().postData() ?? '').includes(JSON.stringify(query)),
  );
  await page.getByRole('searchbox').first().fill(query);
  expect((await answered).status()).toBe(200);
}

test('ada signs in and searches what she may see, and only that', async ({ page }) => {
  test.info().skip(!built, 'out/renderer is not built (run `npm run build`)');
  const config = appConfigForStack(stack.info);
  const host = await startHost({ page, config, logger: createMemoryLogger() });
  try {
    const problems = watchPageProblems(page);
    await page.goto(host.url);
    await signInThroughIdp(
      page,
      stack.info.accounts.find((a) => a.username === 'ada')!,
    );
    await expect(page.getByLabel('Account')).toContainText('Signed in as Ada');
    // Session-only here (no keychain in the host by default): the warning is visible.
    await expect(page.getByRole('alert')).toContainText('No system keychain');

    const journal = page.getByRole('region', { name: 'Journal', exact: true });
    // Her own private dream, grace's dream in their group, grace's dream shared with her…
    await expect(journal.getByRole('article', { name: 'The loom that wove numbers' })).toBeVisible();
    await searchFor(page, 'nanosecond');
    await expect(journal.getByRole('article', { name: 'Nanoseconds of wire' })).toBeVisible();
    await searchFor(page, 'teaching machine english');
    await expect(journal.getByRole('article', { name: 'Teaching the machine English' })).toBeVisible();
    // A phrase in quotes matches its words in a row only (as it is typed, too); a word after a
    // minus leaves entries out.
    await searchFor(page, '"machine engl');
    await expect(journal.getByRole('article', { name: 'Teaching the machine English' })).toBeVisible();
    await searchFor(page, '"machine english"');
    await expect(journal.getByRole('article', { name: 'Teaching the machine English' })).toBeVisible();
    await searchFor(page, '"english machine"');
    await expect(journal.getByRole('article')).toHaveCount(0);
    await searchFor(page, 'machine -limerick');
    await expect(journal.getByRole('article', { name: 'Teaching the machine English' })).toHaveCount(0);
    // …with a typo, highlighted…
    await searchFor(page, 'compild');
    await expect(
      journal.getByRole('article', { name: 'The navy ship that compiled' }).locator('mark').first(),
    ).toHaveText(/^compile/i);
    // …but never grace's private dreams (the engine has them; the key's filter hides them).
    await searchFor(page, 'owls committee');
    await expect(journal.getByRole('article')).toHaveCount(0);
    await searchFor(page, 'clock backwards');
    await expect(journal.getByRole('article')).toHaveCount(0);

    // Things, and facet counts over themes.
    await page.getByRole('tab', { name: 'Things' }).click();
    await expect(journal.getByRole('article', { name: 'Notes on the engine' })).toBeVisible();
    await expect(journal.getByRole('article', { name: 'COBOL design notes' })).toHaveCount(0);
    await expect(page.getByRole('complementary', { name: 'Themes' })).toContainText('creation');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await expect(journal).toHaveCount(0);
    expect(problems).toEqual([]);
  } finally {
    await host.close();
  }
});
