import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreError } from '../errors';
import type { Logger } from '../log/logger';

/**
 * The loopback redirect receiver of RFC 8252: an HTTP server on 127.0.0.1 with a random port,
 * opened before the browser, that accepts exactly one request — `GET /callback` carrying the
 * pending `state` — and then closes. Anything else (other paths, methods, states) is refused
 * and the receiver keeps waiting, so a stray or hostile local request cannot end a sign-in.
 */
export interface LoopbackReceiver {
  /** `http://127.0.0.1:PORT/callback`. */
  readonly redirectUri: string;
  /** Resolves with the full callback URL; rejects on timeout, cancel or close. */
  readonly callback: Promise<URL>;
  /** Stops waiting (the callback rejects with `sign-in-cancelled`) and closes the server. */
  cancel(): void;
}

export interface LoopbackReceiverOptions {
  readonly expectedState: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly logger: Logger;
}

const page = (title: string, text: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>NewDreamFlow</title></head>
<body style="font-family: system-ui, sans-serif; margin: 4rem auto; max-width: 32rem; text-align: center">
<h1>${title}</h1><p>${text}</p></body></html>`;
// The app finishes the sign-in (the code exchange) after this page: it says so, not more.
const DONE_PAGE = page(
  'Back to NewDreamFlow',
  'The app is finishing your sign-in. You can close this tab and return to it.',
);
// The identity provider answered with `error=` (refused, cancelled): the app says why.
const REFUSED_PAGE = page(
  'Sign-in did not complete',
  'The identity provider did not sign you in. You can close this tab and try again from the app.',
);

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

/** Opens the receiver; resolves once it listens (so the redirect URI can go in the request). */
export async function startLoopbackReceiver(options: LoopbackReceiverOptions): Promise<LoopbackReceiver> {
  const { expectedState, logger } = options;
  let settle: { resolve: (url: URL) => void; reject: (error: CoreError) => void } | undefined;
  const callback = new Promise<URL>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // The caller may never await a rejected callback (e.g. it cancelled); don't crash the process.
  callback.catch(() => undefined);
  let finished = false;

  const refuse = (
    res: ServerResponse,
    status: number,
    why: string,
    extra: Record<string, string> = {},
  ): void => {
    logger.warn('auth.loopback.refused', { status, why });
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': 'text/plain; charset=utf-8',
      connection: 'close',
      ...extra,
    });
    res.end(`${why}\n`);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (finished) {
      refuse(res, 410, 'This sign-in is over.');
      return;
    }
    // The request target is whatever a local process sent: a throw here would be uncaught.
    const url = URL.parse(req.url ?? '/', 'http://127.0.0.1');
    if (url === null) {
      refuse(res, 400, 'Bad request.');
      return;
    }
    if (url.pathname !== '/callback') {
      refuse(res, 404, 'Not found.');
      return;
    }
    if (req.method !== 'GET') {
      refuse(res, 405, 'Method not allowed.', { allow: 'GET' });
      return;
    }
    const states = url.searchParams.getAll('state');
    if (states.length !== 1 || states[0] !== expectedState) {
      refuse(res, 400, 'This sign-in link is not the one the app is waiting for.');
      return;
    }
    finished = true;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      connection: 'close',
    });
    res.end(url.searchParams.has('error') ? REFUSED_PAGE : DONE_PAGE);
    logger.info('auth.loopback.received');
    finish(null, new URL(`${redirectUri}${url.search}`));
  });
  server.keepAliveTimeout = 1;
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;

  const timer = setTimeout(() => {
    finish(new CoreError('sign-in-timeout', 'Sign-in timed out: the browser did not come back in time.'));
  }, options.timeoutMs);
  const onAbort = (): void => finish(new CoreError('sign-in-cancelled', 'Sign-in was cancelled.'));

  let settled = false;
  function finish(error: CoreError | null, url?: URL): void {
    if (settled) return;
    settled = true;
    finished = true;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    server.close();
    // On success the answer is still being written (it closes its own connection); otherwise
    // cut every connection so nothing lingers.
    if (error) server.closeAllConnections();
    else server.closeIdleConnections();
    if (error) settle?.reject(error);
    else if (url) settle?.resolve(url);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const redirectUri = `http://127.0.0.1:${port}/callback`;

  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  return { redirectUri, callback, cancel: onAbort };
}
