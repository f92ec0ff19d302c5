import { readFile, realpath } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * Serves a built renderer folder on 127.0.0.1 (random port) the way app:// does in Electron:
 * GET only, regular files under the folder only, the same CSP header on every answer.
 */
export async function serveStatic(
  rootDir: string,
  csp: string,
): Promise<{ url: string; origin: string; close: () => Promise<void> }> {
  const root = await realpath(resolve(rootDir));
  const headers = (type: string) => ({
    'content-type': type,
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, headers('text/plain')).end();
        return;
      }
      try {
        const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
        const file = await realpath(
          resolve(root, pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '')),
        );
        if (!file.startsWith(root + sep)) throw new Error('outside');
        const body = await readFile(file);
        res
          .writeHead(200, headers(TYPES[extname(file)] ?? 'application/octet-stream'))
          .end(req.method === 'HEAD' ? undefined : body);
      } catch {
        res.writeHead(404, headers('text/plain')).end();
      }
    })();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    origin,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
