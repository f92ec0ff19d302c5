import { useEffect, useState } from 'react';
import type { AppInfo, NewDreamFlowApi } from '../../shared/ipc';

/** What the shell knows about the desktop bridge (the preload's `window.newdreamflow`). */
export type BridgeState =
  | { state: 'missing' }
  | { state: 'connecting' }
  | { state: 'ready'; info: AppInfo; api: NewDreamFlowApi }
  | { state: 'error'; message: string };

/** The typed API, or undefined when the page runs outside the app (a plain browser tab). */
export function getApi(): NewDreamFlowApi | undefined {
  return window.newdreamflow;
}

/**
 * Connects to the bridge once, applies the OS theme and follows its changes. The renderer
 * works without the bridge only far enough to say so.
 */
export function useBridge(): BridgeState {
  const api = getApi();
  const [state, setState] = useState<BridgeState>(api ? { state: 'connecting' } : { state: 'missing' });

  useEffect(() => {
    if (!api) return undefined;
    let live = true;
    void api.app.getInfo().then((result) => {
      if (!live) return;
      if (result.ok) {
        document.documentElement.dataset['theme'] = result.value.theme;
        setState({ state: 'ready', info: result.value, api });
      } else {
        setState({ state: 'error', message: result.error.message });
      }
    });
    const stop = api.app.onThemeChanged((theme) => {
      document.documentElement.dataset['theme'] = theme;
    });
    return () => {
      live = false;
      stop();
    };
  }, [api]);

  return state;
}
