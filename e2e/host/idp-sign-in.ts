import type { Page } from 'playwright-core';

/**
 * What a person does in the system browser: fills the dev IdP's labelled fields, consents, and
 * waits for the loopback receiver's "you can close this tab" page. Returns that tab (closed
 * unless `keepOpen`).
 */
export async function signInThroughIdp(
  page: Page,
  account: { username: string; password: string },
  options: { keepOpen?: boolean; beforeSubmit?: (tab: Page) => Promise<void> } = {},
): Promise<Page> {
  const [tab] = await Promise.all([
    page.context().waitForEvent('page'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  await tab.getByLabel('Username').fill(account.username);
  await tab.getByLabel('Password').fill(account.password);
  await options.beforeSubmit?.(tab);
  await tab.getByRole('button', { name: 'Sign in' }).click();
  await tab.getByRole('button', { name: 'Allow' }).click();
  await tab.getByText('You can close this tab').waitFor();
  if (!options.keepOpen) await tab.close();
  return tab;
}
