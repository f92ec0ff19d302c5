import { describe, expect, it, vi } from 'vitest';
import * as fake from './__fake__/electron';
import { INVOKE_CHANNELS } from '../../shared/ipc';
import { EMBEDDED_DEFAULTS } from '../core/config/app-config';
import { createMemoryLogger } from '../core/log/logger';
import {
  openMainWindow,
  originOf,
  setupCore,
  setupIpc,
  setupMenu,
  setupSession,
  setupTheme,
  trustedOrigins,
  type ShellContext,
} from './app-shell';

vi.mock('electron', () => import('./__fake__/electron'));

// The composition steps of src/main/index.ts against the fake electron module: each binds what
// it says, with the hardened defaults.
const context: ShellContext = {
  config: EMBEDDED_DEFAULTS,
  logger: createMemoryLogger(),
  mainModuleUrl: 'file:///opt/NewDreamFlow/resources/app.asar/out/main/index.js',
  devRendererUrl: undefined,
};

describe('app shell setup', () => {
  it('denies permissions and serves app:// with the CSP from the configured search hosts', async () => {
    setupSession(context);
    const session = fake.session.defaultSession;
    let granted: boolean | undefined;
    session.permissionRequestHandler!({}, 'media', (answer) => (granted = answer));
    expect(granted).toBe(false);
    const handler = session.handled.get('app')!;
    const response = await handler(new Request('app://newdreamflow/missing.js'));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toContain('connect-src http://127.0.0.1:7700');
  });

  it('binds every channel, themes and the menu to a core', async () => {
    const core = await setupCore(context);
    fake.ipcMain.handlers.clear();
    setupIpc(context, core);
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
    setupTheme(core);
    const window = openMainWindow(context) as unknown as fake.BrowserWindow;
    expect(window.loadedUrl).toBe('app://newdreamflow/index.html');
    expect((window.options['webPreferences'] as { preload: string }).preload).toBe(
      '/opt/NewDreamFlow/resources/app.asar/out/preload/index.cjs',
    );
    fake.nativeTheme.shouldUseDarkColors = true;
    fake.nativeTheme.emit('updated');
    expect(window.webContents.sent).toContainEqual({ channel: 'app:themeChanged', payload: 'dark' });
    setupMenu(context, core);
    expect(fake.Menu.applied).toBeDefined();
    // Every webContents created later is guarded too.
    const later = new fake.FakeWebContents();
    fake.app.emit('web-contents-created', {}, later);
    const event = fake.fakeEvent();
    later.emit('will-navigate', event, 'https://evil.example');
    expect(event.defaultPrevented).toBe(true);
    core.dispose();
  });

  it('compares origins like Chromium, also for the app: scheme', () => {
    expect(originOf('app://newdreamflow/index.html')).toBe('app://newdreamflow');
    expect(originOf('http://localhost:5173/x')).toBe('http://localhost:5173');
    expect(originOf('data:text/html,x')).toBe('null');
    expect(originOf('nonsense')).toBe('null');
  });

  it('trusts the dev server origin only in development', () => {
    expect(trustedOrigins(context)).toEqual(['app://newdreamflow']);
    expect(trustedOrigins({ ...context, devRendererUrl: 'http://localhost:5173/' })).toEqual([
      'app://newdreamflow',
      'http://localhost:5173',
    ]);
  });
});
