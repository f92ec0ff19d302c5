import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as fake from './__fake__/electron';
import { INVOKE_CHANNELS } from '../../shared/ipc';
import { createMemoryLogger } from '../core/log/logger';
import { createDispatcher } from '../core/ipc/dispatcher';
import { createEventHub } from '../core/ipc/event-hub';
import { appTopFrameOnly } from '../core/ipc/sender';
import { recordingHandlers } from '../core/ipc/test-handlers';
import { rendererContentSecurityPolicy } from '../core/security/content-security-policy';
import { APP_ORIGIN, createAppProtocolHandler, registerAppScheme, serveAppProtocol } from './app-protocol';
import { bindIpc, senderInfo } from './ipc-binding';
import { ACCELERATORS, buildMenuTemplate } from './menu';
import { createExternalOpener } from './open-external';
import { denyAllPermissions } from './permissions';
import { acquireSingleInstance } from './single-instance';
import { currentTheme, watchTheme } from './theme';
import { createAppWindow } from './window-factory';

vi.mock('electron', () => import('./__fake__/electron'));

const logger = createMemoryLogger();

function makeWindow(): fake.BrowserWindow {
  createAppWindow({
    preload: '/app/out/preload/index.cjs',
    url: 'app://newdreamflow/index.html',
    devTools: false,
    darkBackground: true,
    logger,
    openExternal: (url) => fake.shell.openExternal(url),
  });
  return fake.BrowserWindow.instances.at(-1)!;
}

describe('window factory', () => {
  it('creates windows with the hardened webPreferences', () => {
    const window = makeWindow();
    const prefs = window.options['webPreferences'] as Record<string, unknown>;
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      devTools: false,
    });
    expect(prefs['enableBlinkFeatures']).toBeUndefined();
    expect(window.options['show']).toBe(false);
    expect(window.loadedUrl).toBe('app://newdreamflow/index.html');
    window.emit('ready-to-show');
    expect(window.shown).toBe(true);
  });

  it('denies navigation, redirects, webviews and window.open', () => {
    const { webContents } = makeWindow();
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const event = fake.fakeEvent();
      webContents.emit(name, event, 'https://evil.example');
      expect(event.defaultPrevented, name).toBe(true);
    }
    fake.shell.opened.length = 0;
    expect(webContents.windowOpenHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(webContents.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(webContents.windowOpenHandler!({ url: 'https://example.com/help' })).toEqual({ action: 'deny' });
    // The https link went to the system browser instead of a new app window.
    expect(fake.shell.opened).toEqual(['https://example.com/help']);
  });
});

describe('permissions', () => {
  it('denies every request and check', () => {
    const session = new fake.FakeSession();
    denyAllPermissions(session as never);
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'hid',
      'serial',
      'openExternal',
    ]) {
      let granted: boolean | undefined;
      session.permissionRequestHandler!({}, permission, (answer) => (granted = answer));
      expect(granted, permission).toBe(false);
    }
    expect(session.permissionCheckHandler!({}, 'media')).toBe(false);
    expect(session.devicePermissionHandler!({})).toBe(false);
  });
});

describe('openExternal allow-list', () => {
  const opener = createExternalOpener({ issuer: 'http://127.0.0.1:7701', logger });

  it('opens https links only', async () => {
    fake.shell.opened.length = 0;
    await opener.open('https://example.com/a');
    for (const url of [
      'http://example.com',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user:pw@example.com',
      'not a url',
      'http://127.0.0.1:7701/auth',
    ]) {
      await expect(opener.open(url), url).rejects.toThrow(/Refused/);
    }
    expect(fake.shell.opened).toEqual(['https://example.com/a']);
  });

  it('hands the OS only the normalized URL that was checked, never the raw string', async () => {
    fake.shell.opened.length = 0;
    // The WHATWG parser drops leading spaces/C0 controls and tabs/newlines anywhere and reads
    // backslashes as slashes: the OS handler must not get a string that differs from what passed.
    await opener.open(' \u0001https://example.com/b');
    await opener.open('ht\ttps://example.com/c\n');
    await opener.open('https:\\\\example.com\\share');
    expect(fake.shell.opened).toEqual([
      'https://example.com/b',
      'https://example.com/c',
      'https://example.com/share',
    ]);
  });

  it('opens the IdP (even loopback http) only for sign-in', async () => {
    fake.shell.opened.length = 0;
    await opener.openSignInPage(new URL('http://127.0.0.1:7701/auth?client_id=x'));
    await expect(opener.openSignInPage(new URL('http://127.0.0.1:9999/auth'))).rejects.toThrow(/Refused/);
    expect(fake.shell.opened).toEqual(['http://127.0.0.1:7701/auth?client_id=x']);
  });
});

describe('app:// protocol', () => {
  let root: string;
  let outside: string;
  const csp = rendererContentSecurityPolicy({ searchHosts: ['http://127.0.0.1:7700'] });
  beforeAll(async () => {
    const base = await mkdtemp(join(tmpdir(), 'ndf-app-protocol-'));
    root = join(base, 'renderer');
    outside = join(base, 'secret.txt');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>x</title>');
    await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(outside, 'secret');
    await symlink(outside, join(root, 'assets', 'link.txt'));
  });
  afterAll(async () => {
    await rm(join(root, '..'), { recursive: true, force: true });
  });

  it('registers app: as a standard, secure scheme', () => {
    registerAppScheme();
    expect(fake.protocol.privileged).toContainEqual({
      scheme: 'app',
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    });
  });

  it('serves built files with the strict CSP', async () => {
    const session = new fake.FakeSession();
    serveAppProtocol(session as never, { rootDir: root, csp });
    const handler = session.handled.get('app')!;
    const index = await handler(new Request('app://newdreamflow/'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(csp);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain('connect-src http://127.0.0.1:7700;');
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    const js = await handler(new Request('app://newdreamflow/assets/app.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
  });

  it('refuses traversal, symlinks out, other hosts, methods and missing files', async () => {
    const handler = createAppProtocolHandler({ rootDir: root, csp });
    const statuses = await Promise.all(
      [
        new Request('app://newdreamflow/../secret.txt'),
        new Request('app://newdreamflow/%2e%2e/secret.txt'),
        new Request('app://newdreamflow/..%2fsecret.txt'),
        new Request('app://newdreamflow/assets/link.txt'),
        new Request('app://newdreamflow/assets'),
        new Request('app://newdreamflow/nope.js'),
        new Request('app://other/index.html'),
        new Request('app://newdreamflow/index.html', { method: 'POST', body: 'x' }),
        new Request('app://newdreamflow/%E0%A4%A'),
      ].map(async (request) => (await handler(request)).status),
    );
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 404, 405, 400]);
  });
});

describe('IPC binding', () => {
  it('binds every contract channel through the dispatcher and checks the real sender frame', async () => {
    const { handlers, calls } = recordingHandlers();
    const dispatcher = createDispatcher({ handlers, isTrustedSender: appTopFrameOnly([APP_ORIGIN]), logger });
    const events = createEventHub(logger);
    const window = makeWindow();
    bindIpc({
      ipcMain: fake.ipcMain as never,
      dispatcher,
      events,
      windows: () => [window],
      isAppUrl: (url) => url.startsWith(`${APP_ORIGIN}/`),
    });
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
    const handle = fake.ipcMain.handlers.get('app:getInfo')!;
    const top = window.webContents.mainFrame;
    const trusted = { sender: window.webContents, senderFrame: top };
    await expect(handle(trusted, undefined)).resolves.toMatchObject({ ok: true });
    const subframe = {
      sender: window.webContents,
      senderFrame: { parent: top, origin: APP_ORIGIN, url: `${APP_ORIGIN}/x` },
    };
    await expect(handle(subframe, undefined)).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden-sender' },
    });
    await expect(handle({ sender: window.webContents, senderFrame: null }, undefined)).resolves.toMatchObject(
      { ok: false, error: { code: 'forbidden-sender' } },
    );
    const foreign = { sender: window.webContents, senderFrame: { ...top, origin: 'https://evil.example' } };
    await expect(handle(foreign, undefined)).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden-sender' },
    });
    expect(calls).toHaveLength(1);
    expect(senderInfo({ sender: window.webContents as never, senderFrame: top as never })).toEqual({
      frameIsTop: true,
      origin: APP_ORIGIN,
    });

    events.emit('app:themeChanged', 'dark');
    expect(window.webContents.sent).toContainEqual({ channel: 'app:themeChanged', payload: 'dark' });
    window.webContents.url = 'https://evil.example/';
    events.emit('app:themeChanged', 'light');
    expect(window.webContents.sent.filter((m) => m.payload === 'light')).toEqual([]);
  });
});

describe('menu, theme, single instance', () => {
  it('has accelerators for the palette, new entries and sign-out', () => {
    const sent: string[] = [];
    let signedOut = 0;
    const template = buildMenuTemplate(
      'linux',
      { send: (c) => sent.push(c), signOut: () => (signedOut += 1) },
      { devTools: false },
    );
    const items = template.flatMap((menu) => (Array.isArray(menu.submenu) ? menu.submenu : []));
    for (const [id, accelerator] of Object.entries(ACCELERATORS)) {
      const item = items.find((entry) => entry.id === id);
      expect(item?.accelerator, id).toBe(accelerator);
      (item!.click as () => void)();
    }
    expect(sent).toEqual(['open-palette', 'new-dream', 'new-thing', 'new-story']);
    expect(signedOut).toBe(1);
    expect(JSON.stringify(template)).not.toContain('toggleDevTools');
  });

  it('follows the OS theme', () => {
    const seen: string[] = [];
    const stop = watchTheme(fake.nativeTheme as never, (theme) => seen.push(theme));
    expect(currentTheme(fake.nativeTheme)).toBe('light');
    fake.nativeTheme.shouldUseDarkColors = true;
    fake.nativeTheme.emit('updated');
    fake.nativeTheme.emit('updated');
    stop();
    fake.nativeTheme.shouldUseDarkColors = false;
    fake.nativeTheme.emit('updated');
    expect(seen).toEqual(['dark']);
  });

  it('keeps a single instance and focuses it on a second launch', () => {
    let focused = 0;
    expect(acquireSingleInstance(fake.app as never, () => (focused += 1))).toBe(true);
    fake.app.emit('second-instance');
    expect(focused).toBe(1);
    fake.app.lockAvailable = false;
    expect(acquireSingleInstance(fake.app as never, () => undefined)).toBe(false);
  });
});
