import { app, BrowserWindow, ipcMain, Menu, nativeTheme, session } from 'electron';
import { createCore, type Core } from '../core/create-core';
import type { AppConfig } from '../core/config/app-config';
import { createDispatcher } from '../core/ipc/dispatcher';
import { appTopFrameOnly } from '../core/ipc/sender';
import type { Logger } from '../core/log/logger';
import { rendererContentSecurityPolicy } from '../core/security/content-security-policy';
import { openSecretStore } from '../core/vault/keytar-secret-store';
import { APP_ENTRY_URL, APP_ORIGIN, serveAppProtocol } from './app-protocol';
import { bindIpc } from './ipc-binding';
import { buildMenuTemplate } from './menu';
import { guardNavigation } from './navigation-guards';
import { createExternalOpener } from './open-external';
import { denyAllPermissions } from './permissions';
import { runtimePaths } from './runtime-paths';
import { currentTheme, watchTheme } from './theme';
import { createAppWindow } from './window-factory';

/**
 * The setup steps the composition root calls in order once Electron is ready. Each binds one
 * concern; none holds business logic (that lives in the core).
 */
export interface ShellContext {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly mainModuleUrl: string;
  /** electron-vite's dev server URL in development (`ELECTRON_RENDERER_URL`), else undefined. */
  readonly devRendererUrl: string | undefined;
}

/** Every webContents ever created gets the navigation guards (covers windows made elsewhere). */
export function setupNavigationGuards(
  context: ShellContext,
  openExternal: (url: string) => Promise<void>,
): void {
  app.on('web-contents-created', (_event, contents) =>
    guardNavigation(contents, { logger: context.logger, openExternal }),
  );
}

/** Permissions denied by default; the renderer served from app:// with the strict CSP. */
export function setupSession(context: ShellContext): void {
  denyAllPermissions(session.defaultSession);
  const csp = rendererContentSecurityPolicy({
    searchHosts: context.config.algoliaHosts,
    ...(context.config.algoliaAppId ? { algoliaAppId: context.config.algoliaAppId } : {}),
    mediaOrigins: [context.config.keyServiceUrl],
  });
  serveAppProtocol(session.defaultSession, { rootDir: runtimePaths(context.mainModuleUrl).rendererDir, csp });
}

/** Builds the core with the keychain (or the fail-closed memory store) and the system browser. */
export async function setupCore(context: ShellContext): Promise<Core> {
  const opener = createExternalOpener({ issuer: context.config.oidc.issuer, logger: context.logger });
  const core = createCore({
    config: context.config,
    secretStore: await openSecretStore({ logger: context.logger }),
    openBrowser: (url) => opener.openSignInPage(url),
    openExternal: (url) => opener.open(url),
    appInfo: { name: app.getName(), version: app.getVersion(), platform: process.platform },
    getTheme: () => currentTheme(nativeTheme),
    logger: context.logger,
  });
  setupNavigationGuards(context, (url) => opener.open(url));
  return core;
}

/** The app's origins: app:// always, the dev server's only in development. */
export function trustedOrigins(context: ShellContext): string[] {
  return context.devRendererUrl ? [APP_ORIGIN, new URL(context.devRendererUrl).origin] : [APP_ORIGIN];
}

/**
 * `scheme://host[:port]` of a URL. Node's URL reports origin "null" for schemes it does not
 * know (app:), while Chromium knows app: as a standard scheme; compare like Chromium does.
 */
export function originOf(url: string): string {
  if (!URL.canParse(url)) return 'null';
  const parsed = new URL(url);
  return parsed.host === '' ? 'null' : `${parsed.protocol}//${parsed.host}`;
}

/** Binds every contract channel through the one dispatcher. */
export function setupIpc(context: ShellContext, core: Core): void {
  const origins = trustedOrigins(context);
  const dispatcher = createDispatcher({
    handlers: core.handlers,
    isTrustedSender: appTopFrameOnly(origins),
    logger: context.logger,
  });
  bindIpc({
    ipcMain,
    dispatcher,
    events: core.events,
    windows: () => BrowserWindow.getAllWindows(),
    isAppUrl: (url) => origins.includes(originOf(url)),
  });
}

/** OS light/dark changes go to the renderer. */
export function setupTheme(core: Core): void {
  watchTheme(nativeTheme, (theme) => core.events.emit('app:themeChanged', theme));
}

/** The application menu with the app's accelerators. */
export function setupMenu(context: ShellContext, core: Core): void {
  const template = buildMenuTemplate(
    process.platform,
    {
      send: (command) => core.events.emit('app:menuCommand', command),
      signOut: () => {
        core.session.signOut().catch(() => undefined);
      },
    },
    { devTools: !app.isPackaged },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** Opens the main window (again, on macOS when the dock icon is clicked with none open). */
export function openMainWindow(context: ShellContext): BrowserWindow {
  const opener = createExternalOpener({ issuer: context.config.oidc.issuer, logger: context.logger });
  return createAppWindow({
    preload: runtimePaths(context.mainModuleUrl).preload,
    url: context.devRendererUrl ?? APP_ENTRY_URL,
    devTools: !app.isPackaged,
    darkBackground: nativeTheme.shouldUseDarkColors,
    logger: context.logger,
    openExternal: (url) => opener.open(url),
  });
}

/** Focuses the existing window (second launch, dock click). */
export function focusMainWindow(context: ShellContext): void {
  const [window] = BrowserWindow.getAllWindows();
  if (!window) {
    openMainWindow(context);
    return;
  }
  if (window.isMinimized()) window.restore();
  window.focus();
}
