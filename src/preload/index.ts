import { contextBridge, ipcRenderer } from 'electron';
import { createApi, type IpcTransport } from '../shared/ipc';

/**
 * The preload: exposes the contract's API object and nothing else. No generic invoke, no raw
 * ipcRenderer, no process.env; event listeners receive payloads only, never the IPC event.
 */
const transport: IpcTransport = {
  invoke: (channel, input) => ipcRenderer.invoke(channel, input),
  subscribe: (channel, listener) => {
    const forward = (_event: Electron.IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
};

contextBridge.exposeInMainWorld('newdreamflow', createApi(transport));
