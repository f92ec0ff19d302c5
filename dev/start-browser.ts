/**
 * `npm run start:browser`: the app without an Electron binary. Runs the embedded stack, the
 * main-process core through e2e/host (the same IPC contract over Playwright bindings) and opens
 * the built renderer in Debian's Chromium — headed when a display exists (e.g. under
 * `xvfb-run`), so a person can use and screenshot the real app.
 *
 *   npm run start:browser -- [--ephemeral] [--data DIR] [--headless] [--screenshot FILE]
 *
 * `--screenshot FILE` saves the window once the app shell is up, then exits.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { z } from 'zod';
import { chromiumLaunchOptions } from '../e2e/chromium';
import { startHost } from '../e2e/host';
import { appConfigForStack } from '../e2e/host/stack-config';
import { createLogger } from '../src/main/core/log/logger';
import { openSecretStore } from '../src/main/core/vault/keytar-secret-store';
import { startStackWithLogFile } from './service-log';

const flagsSchema = z.strictObject({
  ephemeral: z.boolean().default(false),
  data: z.string().min(1).optional(),
  headless: z.boolean().default(false),
  screenshot: z.string().min(1).optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ephemeral: { type: 'boolean' },
      data: { type: 'string' },
      headless: { type: 'boolean' },
      screenshot: { type: 'string' },
    },
    strict: true,
  });
  const flags = flagsSchema.parse(values);
  const logger = createLogger('start-browser');

  if (!existsSync(resolve('out/renderer/index.html'))) {
    process.stderr.write('start:browser: out/renderer is missing; building it with electron-vite…\n');
    const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('electron-vite build failed');
  }

  const running = await startStackWithLogFile({ ephemeral: flags.ephemeral, dataDir: flags.data });
  const { stack } = running;
  process.stdout.write(`Service logs: ${running.logPath}\n`);
  const config = appConfigForStack(stack.info);

  const headless = flags.headless || flags.screenshot !== undefined || !process.env['DISPLAY'];
  const browser = await chromium.launch({ ...chromiumLaunchOptions, headless });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const host = await startHost({ page, config, secretStore: await openSecretStore({ logger }), logger });

  let closing: Promise<void> | undefined;
  const shutdown = (code: number): Promise<void> => {
    closing ??= (async () => {
      await host.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await running.close();
      process.exitCode = code;
    })();
    return closing;
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  browser.once('disconnected', () => void shutdown(0));

  await page.goto(host.url);
  await page.getByRole('heading', { level: 1 }).waitFor();
  if (flags.screenshot) {
    await page.screenshot({ path: flags.screenshot });
    process.stdout.write(`screenshot saved to ${flags.screenshot}\n`);
    await shutdown(0);
    return;
  }
  const accounts = stack.info.accounts.map((a) => `${a.username} / ${a.password}`).join(', ');
  process.stdout.write(
    `app ready ${JSON.stringify({ url: host.url, headless, accounts: stack.info.accounts })}\n`,
  );
  process.stdout.write(
    headless
      ? 'No display: Chromium runs headless. Run under `xvfb-run -a npm run start:browser` to see it, or pass --screenshot FILE. Ctrl-C stops.\n'
      : `Chromium is open. Sign in with a demo account (${accounts}). Close the window or press Ctrl-C to stop.\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`start:browser failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
