/**
 * A fake of the parts of the `electron` module the shell uses, for unit tests in plain Node
 * (`vi.mock('electron', () => import('./__fake__/electron'))`). It records what the shell asked
 * for so tests can assert on webPreferences, handlers and calls.
 */
import { EventEmitter } from 'node:events';

type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' };

/** A cancellable event as Electron passes it to `will-navigate` and friends. */
export function fakeEvent(): { defaultPrevented: boolean; preventDefault: () => void } {
  const event = {
    defaultPrevented: false,
    preventDefault: () => {
      event.defaultPrevented = true;
    },
  };
  return event;
}

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: WindowOpenHandler | undefined;
  url = '';
  readonly sent: { channel: string; payload: unknown }[] = [];
  readonly mainFrame = { parent: null, origin: 'app://newdreamflow', url: 'app://newdreamflow/index.html' };
  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler;
  }
  getURL(): string {
    return this.url;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
}

export class BrowserWindow extends EventEmitter {
  static readonly instances: BrowserWindow[] = [];
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.instances;
  }
  readonly webContents = new FakeWebContents();
  loadedUrl: string | undefined;
  shown = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindow.instances.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.url = url;
    return Promise.resolve();
  }
  show(): void {
    this.shown = true;
  }
  isDestroyed(): boolean {
    return false;
  }
}

export const shell = {
  opened: [] as string[],
  openExternal(url: string): Promise<void> {
    shell.opened.push(url);
    return Promise.resolve();
  },
};

type PermissionRequestHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details?: unknown,
) => void;

export class FakeSession {
  permissionRequestHandler: PermissionRequestHandler | undefined;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | undefined;
  devicePermissionHandler: ((...args: unknown[]) => boolean) | undefined;
  readonly handled = new Map<string, (request: Request) => Promise<Response>>();
  readonly protocol = {
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
      this.handled.set(scheme, handler);
    },
  };
  setPermissionRequestHandler(handler: PermissionRequestHandler): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: (...args: unknown[]) => boolean): void {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: (...args: unknown[]) => boolean): void {
    this.devicePermissionHandler = handler;
  }
}

export const session = { defaultSession: new FakeSession() };

export const protocol = {
  privileged: [] as unknown[],
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    protocol.privileged.push(...schemes);
  },
};

export const ipcMain = {
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  handle(channel: string, handler: (event: unknown, ...args: unknown[]) => unknown): void {
    if (ipcMain.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    ipcMain.handlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    ipcMain.handlers.delete(channel);
  },
};

class FakeNativeTheme extends EventEmitter {
  shouldUseDarkColors = false;
}
export const nativeTheme = new FakeNativeTheme();

class FakeApp extends EventEmitter {
  isPackaged = false;
  lockAvailable = true;
  requestSingleInstanceLock(): boolean {
    return this.lockAvailable;
  }
  getName(): string {
    return 'NewDreamFlow';
  }
  getVersion(): string {
    return '0.0.0-fake';
  }
}
export const app = new FakeApp();

export const Menu = {
  applied: undefined as unknown,
  buildFromTemplate: (template: unknown) => ({ template }),
  setApplicationMenu: (menu: unknown) => {
    Menu.applied = menu;
  },
};
