/**
 * The e2e host: runs the real main-process core in the test (or dev) process and exposes the
 * same IPC contract to a Chromium page through Playwright bindings — one dispatch table, two
 * transports (DESIGN.md "Testing"). Renderer specs use it to exercise the real core.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { AppConfig } from '../../src/main/core/config/app-config';
import { createCore, type Core } from '../../src/main/core/create-core';
import { createDispatcher, type Dispatcher } from '../../src/main/core/ipc/dispatcher';
import { appTopFrameOnly, type SenderInfo } from '../../src/main/core/ipc/sender';
import { createLogger, type Logger } from '../../src/main/core/log/logger';
import { rendererContentSecurityPolicy } from '../../src/main/core/security/content-security-policy';
import type { BrowserLauncher } from '../../src/main/core/auth/sign-in-flow';
import { MemorySecretStore, type SecretStore } from '../../src/main/core/vault/secret-store';
import type { Theme } from '../../src/shared/ipc';
import { bridgeScript } from './bridge-bundle';
import { serveStatic } from './static-server';

export interface HostOptions {
  readonly page: Page;
  readonly config: AppConfig;
  /** Built renderer folder; defaults to out/renderer. */
  readonly rendererDir?: string;
  /** Defaults to an in-memory store (session-only), like a machine without a keychain. */
  readonly secretStore?: SecretStore;
  /** The "system browser" for sign-in; defaults to a new tab in the page's browser context. */
  readonly openBrowser?: BrowserLauncher;
  readonly logger?: Logger;
  readonly theme?: Theme;
  /** Silent sign-in from the secret store before the page loads (default true). */
  readonly start?: boolean;
}

export interface RunningHost {
  readonly core: Core;
  readonly dispatcher: Dispatcher;
  /** The renderer's URL (load it with `page.goto`). */
  readonly url: string;
  readonly origin: string;
  /** Tabs opened as the system browser (sign-in pages, external links). */
  readonly browserTabs: Page[];
  close(): Promise<void>;
}

/** The app's version from the root package.json (what Electron's app.getVersion() reports). */
function appVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}

/** The sender as Playwright saw it: the calling frame and its origin. */
function senderOf(page: Page, frame: { url(): string; parentFrame(): unknown } | undefined): SenderInfo {
  if (!frame) return { frameIsTop: false, origin: null };
  let origin: string | null = null;
  try {
    origin = new URL(frame.url()).origin;
  } catch {
    origin = null;
  }
  return { frameIsTop: frame === page.mainFrame() && frame.parentFrame() === null, origin };
}

/** Opens a URL in a new tab of the context (what the OS browser is for the app). */
export function newTabLauncher(context: BrowserContext, tabs: Page[]): BrowserLauncher {
  return async (url) => {
    const tab = await context.newPage();
    tabs.push(tab);
    await tab.goto(url.href);
  };
}

/** Starts the core, serves the renderer, and wires the page to the core. Call before `page.goto`. */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const { page, config } = options;
  const logger = options.logger ?? createLogger('e2e-host');
  const csp = rendererContentSecurityPolicy({
    searchHosts: config.algoliaHosts,
    ...(config.algoliaAppId ? { algoliaAppId: config.algoliaAppId } : {}),
    mediaOrigins: [config.keyServiceUrl],
  });
  const server = await serveStatic(options.rendererDir ?? resolve('out/renderer'), csp);
  const browserTabs: Page[] = [];
  const openInTab = newTabLauncher(page.context(), browserTabs);
  const core = createCore({
    config,
    secretStore: options.secretStore ?? new MemorySecretStore(),
    openBrowser: options.openBrowser ?? openInTab,
    openExternal: (url) => openInTab(new URL(url)),
    appInfo: { name: 'NewDreamFlow', version: appVersion(), platform: process.platform },
    getTheme: () => options.theme ?? 'light',
    logger,
  });
  const dispatcher = createDispatcher({
    handlers: core.handlers,
    isTrustedSender: appTopFrameOnly([server.origin]),
    logger,
  });

  await page.exposeBinding('__ndfInvoke', (source, channel: unknown, input: unknown) =>
    dispatcher.dispatch(channel, input, senderOf(page, source.frame)),
  );
  await page.addInitScript({ content: await bridgeScript() });
  const disconnect = core.events.connect((channel, payload) => {
    if (page.isClosed()) return;
    let origin: string | null = null;
    try {
      origin = new URL(page.url()).origin;
    } catch {
      origin = null;
    }
    if (origin !== server.origin) return;
    page
      .evaluate(
        ([c, p]) =>
          (globalThis as unknown as { __ndfDeliver?: (c: string, p: unknown) => void }).__ndfDeliver?.(c, p),
        [channel, payload] as const,
      )
      .catch(() => undefined);
  });
  if (options.start !== false) await core.start();

  return {
    core,
    dispatcher,
    url: server.url,
    origin: server.origin,
    browserTabs,
    async close() {
      disconnect();
      core.dispose();
      await server.close();
    },
  };
}
