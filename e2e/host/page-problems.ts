import type { Page } from 'playwright-core';

/**
 * Collects what a page reports as broken — uncaught errors and console errors (CSP violations
 * and failed loads among them) — so a spec can assert there were none.
 */
export function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  return problems;
}
