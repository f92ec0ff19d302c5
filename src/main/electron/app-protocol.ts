import { readFile, realpath } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { protocol, type Session } from 'electron';

/** The renderer's scheme and host: the page's origin is `app://newdreamflow`. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'newdreamflow';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The URL every window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Registers `app:` as a standard, secure scheme. Must run before the app is ready. The page
 * then has a real origin (module scripts, CSP 'self', storage) without `file://`.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ]);
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The app:// request handler: serves only regular files under the built renderer folder, for
 * GET on host `newdreamflow`, with the strict CSP header on every answer. No directory
 * listings, no traversal (resolved real paths must stay inside the folder), no other hosts.
 */
export function createAppProtocolHandler(options: {
  rootDir: string;
  csp: string;
}): (request: Request) => Promise<Response> {
  const headers = (type: string): Record<string, string> => ({
    'content-type': type,
    'content-security-policy': options.csp,
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  });
  const refuse = (status: number): Response =>
    new Response(null, { status, headers: headers('text/plain; charset=utf-8') });
  // Resolved per request: a missing build folder answers 404 instead of failing the handler.
  const rootDir = resolve(options.rootDir);

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405);
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refuse(400);
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refuse(404);
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return refuse(400);
    }
    if (pathname.includes('\0')) return refuse(400);
    const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
    try {
      const root = await realpath(rootDir);
      const file = await realpath(resolve(root, relative));
      if (!file.startsWith(root + sep)) return refuse(404);
      const body = await readFile(file);
      const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: headers(type) });
    } catch {
      return refuse(404);
    }
  };
}

/** Serves the renderer on `app://newdreamflow` in `session`. */
export function serveAppProtocol(session: Session, options: { rootDir: string; csp: string }): void {
  session.protocol.handle(APP_SCHEME, createAppProtocolHandler(options));
}
