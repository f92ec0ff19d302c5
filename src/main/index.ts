/**
 * Composition root of the main process (DESIGN.md "Layout"): validates configuration, builds
 * the core, binds it to Electron. No logic here — each step is a setup function.
 */
import { app } from 'electron';
import { loadConfig } from './core/config/app-config';
import { createLogger } from './core/log/logger';
import { registerAppScheme } from './electron/app-protocol';
import {
  focusMainWindow,
  openMainWindow,
  setupCore,
  setupIpc,
  setupMenu,
  setupSession,
  setupTheme,
  type ShellContext,
} from './electron/app-shell';
import { acquireSingleInstance } from './electron/single-instance';

const logger = createLogger('main');
const context: ShellContext = {
  config: loadConfig(process.env),
  logger,
  mainModuleUrl: import.meta.url,
  devRendererUrl: app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'],
};

registerAppScheme();

if (!acquireSingleInstance(app, () => focusMainWindow(context))) {
  app.quit();
} else {
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => focusMainWindow(context));
  app
    .whenReady()
    .then(async () => {
      setupSession(context);
      const core = await setupCore(context);
      setupIpc(context, core);
      setupTheme(core);
      setupMenu(context, core);
      openMainWindow(context);
      await core.start();
      app.on('before-quit', () => core.dispose());
    })
    .catch((error: unknown) => {
      logger.error('main.start-failed', {
        errorName: error instanceof Error ? error.name : typeof error,
        message: error instanceof Error ? error.message : '',
      });
      app.exit(1);
    });
}
