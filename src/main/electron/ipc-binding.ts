import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { Dispatcher } from '../core/ipc/dispatcher';
import type { EventHub } from '../core/ipc/event-hub';
import type { SenderInfo } from '../core/ipc/sender';

/** The part of a BrowserWindow events are sent to. */
export interface EventTarget {
  isDestroyed(): boolean;
  readonly webContents: { getURL(): string; send(channel: string, payload: unknown): void };
}

/** What the dispatcher's sender check sees of an Electron IPC event. */
export function senderInfo(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>): SenderInfo {
  const frame = event.senderFrame;
  if (!frame) return { frameIsTop: false, origin: null };
  let origin: string | null = null;
  try {
    origin = frame.origin || new URL(frame.url).origin;
  } catch {
    origin = null;
  }
  return { frameIsTop: frame.parent === null && frame === event.sender.mainFrame, origin };
}

/**
 * Binds the dispatcher to Electron IPC (one `ipcMain.handle` per contract channel, all through
 * the same wrapper) and forwards core events to every window showing the app's origin.
 */
export function bindIpc(options: {
  ipcMain: IpcMain;
  dispatcher: Dispatcher;
  events: EventHub;
  windows: () => readonly EventTarget[];
  isAppUrl: (url: string) => boolean;
}): () => void {
  const { ipcMain, dispatcher } = options;
  for (const channel of dispatcher.channels) {
    ipcMain.handle(channel, (event, input: unknown) =>
      dispatcher.dispatch(channel, input, senderInfo(event)),
    );
  }
  const disconnect = options.events.connect((channel, payload) => {
    for (const window of options.windows()) {
      if (window.isDestroyed()) continue;
      const contents = window.webContents;
      if (options.isAppUrl(contents.getURL())) contents.send(channel, payload);
    }
  });
  return () => {
    disconnect();
    for (const channel of dispatcher.channels) ipcMain.removeHandler(channel);
  };
}
