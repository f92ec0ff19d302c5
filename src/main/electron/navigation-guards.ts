import type { WebContents } from 'electron';
import type { Logger } from '../core/log/logger';

/**
 * Locks a webContents in place: no navigation away from the app, no redirects, no new windows
 * (an https link asked to open in a new window goes to the system browser through the
 * allow-listed opener instead), no `<webview>`.
 */
export function guardNavigation(
  contents: WebContents,
  options: { logger: Logger; openExternal: (url: string) => Promise<void> },
): void {
  const { logger } = options;
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    logger.warn('window.navigation-denied');
  });
  contents.on('will-redirect', (event) => {
    event.preventDefault();
    logger.warn('window.redirect-denied');
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    logger.warn('window.webview-denied');
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) {
      options.openExternal(url).catch(() => undefined);
    } else {
      logger.warn('window.open-denied');
    }
    return { action: 'deny' };
  });
}
