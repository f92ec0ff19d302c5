import { BrowserWindow } from 'electron';
import type { Logger } from '../core/log/logger';
import { guardNavigation } from './navigation-guards';
import { secureWebPreferences } from './web-preferences';

export interface WindowOptions {
  readonly preload: string;
  readonly url: string;
  readonly devTools: boolean;
  readonly darkBackground: boolean;
  readonly logger: Logger;
  readonly openExternal: (url: string) => Promise<void>;
}

/**
 * The one window factory: every window gets {@link secureWebPreferences} and the navigation
 * guards before it loads anything, and shows only once painted (no white flash in dark mode).
 */
export function createAppWindow(options: WindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'NewDreamFlow',
    backgroundColor: options.darkBackground ? '#15131a' : '#faf8f5',
    webPreferences: secureWebPreferences({ preload: options.preload, devTools: options.devTools }),
  });
  guardNavigation(window.webContents, { logger: options.logger, openExternal: options.openExternal });
  window.once('ready-to-show', () => window.show());
  window.loadURL(options.url).catch((error: unknown) => {
    options.logger.error('window.load-failed', {
      errorName: error instanceof Error ? error.name : typeof error,
    });
  });
  return window;
}
