import type { WebPreferences } from 'electron';

/**
 * The only webPreferences any window of the app gets (Electron's security checklist): an
 * isolated, sandboxed renderer with no Node anywhere (main frame, workers, subframes), web
 * security on, no insecure content, no experimental or Blink features, no `<webview>`.
 */
export function secureWebPreferences(options: { preload: string; devTools: boolean }): WebPreferences {
  return {
    preload: options.preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: true,
    devTools: options.devTools,
  };
}
