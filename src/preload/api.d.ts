import type { NewDreamFlowApi } from '../shared/ipc';

declare global {
  interface Window {
    /**
     * The typed API the preload exposes (Electron) or the e2e host injects (Chromium). Absent
     * when the renderer is opened as a plain web page.
     */
    readonly newdreamflow?: NewDreamFlowApi;
  }
}

export {};
