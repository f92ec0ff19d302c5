/**
 * react-instantsearch in Debian's Chromium against the engine, with a Secured API Key:
 * SearchBox, Hits with Highlight, RefinementList with counts and facet search, Pagination and
 * SortBy over a standard replica. The page is bundled with vite's build() and served locally.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { algoliasearch } from 'algoliasearch';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../../src/index';

const APP = 'BROWSER';
const ADMIN = 'browser-admin-key';
const SEARCH = 'browser-search-key';
const CHROMIUM = '/usr/bin/chromium';

const TAGS = ['ocean', 'flying', 'city', 'family', 'storm'];
const records = Array.from({ length: 24 }, (_, i) => ({
  objectID: `d${i}`,
  title: i % 3 === 0 ? `Ocean dream number ${i}` : `Night walk ${i}`,
  tags: [TAGS[i % 5]!, TAGS[(i + 2) % 5]!],
  created_at: 1000 + i,
  visible_to: i % 4 === 3 ? ['user:someone-else'] : ['community'],
}));
const visible = records.filter((r) => r.visible_to.includes('community'));

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.log(`browser test skipped: ${CHROMIUM} is not installed`);

describe.skipIf(!haveChromium)('react-instantsearch against the engine (Chromium)', () => {
  let engine: RunningEngine;
  let server: Server;
  let browser: Browser;
  let page: Page;
  let outDir: string;
  let base: string;

  beforeAll(async () => {
    engine = await startEngine({ appId: APP, adminKey: ADMIN, searchKey: SEARCH });
    const admin = algoliasearch(APP, ADMIN, {
      hosts: [{ url: '127.0.0.1', port: engine.port, protocol: 'http', accept: 'readWrite' }],
    });
    const s = await admin.setSettings({
      indexName: 'dreams',
      indexSettings: {
        searchableAttributes: ['title', 'tags'],
        attributesForFaceting: ['searchable(tags)', 'filterOnly(visible_to)'],
        customRanking: ['desc(created_at)'],
        hitsPerPage: 5,
        replicas: ['dreams_oldest'],
      },
    });
    await admin.waitForTask({ indexName: 'dreams', taskID: s.taskID });
    const r = await admin.setSettings({
      indexName: 'dreams_oldest',
      indexSettings: { customRanking: ['asc(created_at)'] },
    });
    await admin.waitForTask({ indexName: 'dreams_oldest', taskID: r.taskID });
    const w = await admin.saveObjects({ indexName: 'dreams', objects: records });
    await admin.waitForTask({ indexName: 'dreams', taskID: w[0]!.taskID });
    const key = admin.generateSecuredApiKey({
      parentApiKey: SEARCH,
      restrictions: {
        filters: 'visible_to:community',
        restrictIndices: ['dreams', 'dreams_oldest'],
        validUntil: Math.floor(Date.now() / 1000) + 600,
      },
    });

    outDir = mkdtempSync(join(tmpdir(), 'engine-browser-'));
    await build({
      root: join(import.meta.dirname, 'page'),
      base: './',
      logLevel: 'silent',
      mode: 'production',
      // vitest runs with NODE_ENV=test; the page must use React's production JSX runtime.
      oxc: { jsx: { runtime: 'automatic', development: false } },
      build: { outDir, emptyOutDir: true, minify: false },
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    server = createServer((req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
        /^(\.\.[/\\])+/,
        '',
      );
      const file = join(outDir, path === '/' ? 'index.html' : path);
      if (!file.startsWith(outDir) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      const types: Record<string, string> = {
        '.html': 'text/html',
        '.js': 'text/javascript',
        '.css': 'text/css',
      };
      res
        .writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
        .end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-dev-shm-usage',
      ],
    });
    page = await browser.newPage();
    page.on('pageerror', (e) => console.log('[page error]', e.message));
    page.on('requestfailed', (r) => console.log('[request failed]', r.url(), r.failure()?.errorText));
    const q = new URLSearchParams({
      port: String(engine.port),
      appId: APP,
      key,
      index: 'dreams',
      replica: 'dreams_oldest',
    });
    await page.goto(`${base}?${q}`);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await engine?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  const hitIds = (): Promise<string[]> =>
    page
      .locator('.ais-Hits-item article')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''));

  it('shows the first page of visible hits in custom ranking order', async () => {
    const newest = [...visible]
      .sort((a, b) => b.created_at - a.created_at)
      .slice(0, 5)
      .map((r) => r.objectID);
    await expect.poll(hitIds).toEqual(newest);
  });

  it('lists refinements with counts restricted by the secured key', async () => {
    const items = page.locator('.ais-RefinementList-item');
    await items.first().waitFor();
    const counts = await items.evaluateAll((els) =>
      els.map((e) => [
        e.querySelector('.ais-RefinementList-labelText')?.textContent,
        Number(e.querySelector('.ais-RefinementList-count')?.textContent),
      ]),
    );
    const expected = new Map<string, number>();
    for (const r of visible) for (const t of r.tags) expected.set(t, (expected.get(t) ?? 0) + 1);
    for (const [label, count] of counts) expect(count).toBe(expected.get(label as string));
  });

  it('searches with typos and highlights matches', async () => {
    await page.getByPlaceholder('Search dreams').fill('ocaen');
    const marks = (): Promise<string[]> =>
      page.locator('.ais-Hits-item mark.ais-Highlight-highlighted').allTextContents();
    // Wait for the answer to this query itself (not an earlier one still on screen).
    await expect
      .poll(async () => {
        const ids = await hitIds();
        return (
          ids.length > 0 && ids.every((id) => Number(id.slice(1)) % 3 === 0) && (await marks()).length > 0
        );
      })
      .toBe(true);
    expect((await marks()).every((m) => m === 'Ocean')).toBe(true);
    const ids = await hitIds();
    expect(ids.every((id) => visible.some((r) => r.objectID === id))).toBe(true);
  });

  it('refines with the RefinementList and its facet search', async () => {
    await page.getByPlaceholder('Search dreams').fill('');
    await page.getByPlaceholder('Search tags').fill('sto');
    const item = page.locator('.ais-RefinementList-item', { hasText: 'storm' });
    await item.waitFor();
    await expect.poll(() => page.locator('.ais-RefinementList-item').count()).toBe(1);
    await item.locator('input[type=checkbox]').check();
    const storm = visible.filter((r) => r.tags.includes('storm'));
    // Polled together: the unrefined page also has 5 hits, so a count alone can pass before the
    // refined answer arrives.
    await expect
      .poll(async () => {
        const ids = await hitIds();
        return (
          ids.length === Math.min(5, storm.length) && ids.every((id) => storm.some((r) => r.objectID === id))
        );
      })
      .toBe(true);
    await item.locator('input[type=checkbox]').uncheck();
    await page.getByPlaceholder('Search tags').fill('');
  });

  it('paginates', async () => {
    const byNewest = [...visible].sort((a, b) => b.created_at - a.created_at).map((r) => r.objectID);
    // The unrefined first page (the previous test's refinement is gone), then the second.
    await expect.poll(hitIds).toEqual(byNewest.slice(0, 5));
    await page.locator('.ais-Pagination-item--page a', { hasText: '2' }).click();
    await expect.poll(hitIds).toEqual(byNewest.slice(5, 10));
  });

  it('sorts through a replica with SortBy', async () => {
    await page.locator('.ais-SortBy-select').selectOption('dreams_oldest');
    const oldest = [...visible]
      .sort((a, b) => a.created_at - b.created_at)
      .slice(0, 5)
      .map((r) => r.objectID);
    await expect.poll(hitIds).toEqual(oldest);
  });
});
