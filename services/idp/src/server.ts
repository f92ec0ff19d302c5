import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import {
  AccountStore,
  DEFAULT_ACCOUNTS_FILE,
  loadAccountsFile,
  parseAccounts,
  type AccountsFile,
} from './accounts';
import {
  DEFAULT_AUDIENCE,
  DEFAULT_RESOURCE_SCOPES,
  DEFAULT_TTL,
  DESKTOP_CLIENT_ID,
  DESKTOP_REDIRECT_URI,
  OIDC_SCOPES,
} from './constants';
import { handleInteraction } from './interactions';
import { loadOrCreateKeys } from './keys';
import { LoginThrottle } from './login-throttle';
import { errorPage, pageHeaders } from './pages';
import { createProvider, describeScope } from './provider';
import { STORE_DIR_NAME, TokenStore } from './token-store';

const scopeToken = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope token (RFC 6749 §3.3)');
const seconds = z
  .number()
  .int()
  .positive()
  .max(10 * 365 * 24 * 60 * 60);

const optionsSchema = z
  .object({
    /** Port on 127.0.0.1; 0 (the default) picks a free one. */
    port: z.number().int().min(0).max(65535).default(0),
    /** Public issuer URL when it differs from `http://127.0.0.1:PORT` (behind a proxy). */
    issuer: z
      .url({ protocol: /^https?$/ })
      .refine(
        (value) => !value.endsWith('/') && !value.includes('?') && !value.includes('#'),
        'no trailing slash, query or fragment',
      )
      .optional(),
    /** Folder for keys and the token store; without it everything is ephemeral. */
    dataDir: z.string().min(1).optional(),
    /** Accounts JSON file; defaults to the package's demo accounts. */
    accountsFile: z.string().min(1).optional(),
    /** Accounts given directly (tests); takes precedence over `accountsFile`. */
    accounts: z.unknown().optional(),
    /** The key service's audience (resource indicator). */
    audience: z.url().default(DEFAULT_AUDIENCE),
    resourceScopes: z
      .array(scopeToken)
      .min(1)
      .default([...DEFAULT_RESOURCE_SCOPES]),
    accessTokenTtlSeconds: seconds.default(DEFAULT_TTL.accessToken),
    refreshTokenTtlSeconds: seconds.default(DEFAULT_TTL.refreshToken),
    grantTtlSeconds: seconds.default(DEFAULT_TTL.grant),
    /** More redirect URIs for the desktop client, e.g. `http://127.0.0.1/e2e-callback`. */
    extraRedirectUris: z.array(z.url()).default([]),
    trustProxy: z.boolean().default(false),
    /** Failed sign-ins allowed per username within `loginThrottleWindowSeconds` before it is locked. */
    maxFailedLogins: z.number().int().positive().max(1_000_000).default(10),
    loginThrottleWindowSeconds: seconds.default(15 * 60),
  })
  .strict()
  .superRefine((options, ctx) => {
    for (const scope of options.resourceScopes) {
      if ((OIDC_SCOPES as readonly string[]).includes(scope)) {
        ctx.addIssue({
          code: 'custom',
          path: ['resourceScopes'],
          message: `"${scope}" is an OpenID scope, not a resource scope`,
        });
      }
    }
  });

/** Options of {@link startIdp}; every field is optional. */
export type IdpOptions = Omit<z.input<typeof optionsSchema>, 'accounts'> & {
  accounts?: AccountsFile;
  /** Receives one JSON object per notable event (errors); defaults to stderr. */
  log?: (entry: Record<string, unknown>) => void;
};

/** A demo account as reported to clients (the stack prints these). */
export interface IdpAccount {
  username: string;
  password: string;
  sub: string;
  name: string;
}

/** A running provider. */
export interface RunningIdp {
  /** Where it listens: `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** The issuer identifier (`iss` of every token); equals `url` unless `issuer` was given. */
  issuer: string;
  jwksUri: string;
  /** The desktop app's public client id. */
  clientId: string;
  /** The registered loopback redirect (any port on 127.0.0.1 is accepted). */
  redirectUri: string;
  /** Audience of the access tokens (the key service), also the `resource` to request. */
  audience: string;
  /** Scope the desktop app should request. */
  scope: string;
  accounts: IdpAccount[];
  /** Stops listening, closes connections and flushes the token store. */
  close: () => Promise<void>;
}

function defaultLog(entry: Record<string, unknown>): void {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), service: 'dev-idp', ...entry })}\n`,
  );
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts the development OpenID Provider on 127.0.0.1.
 *
 * The server listens before the provider is built, so with port 0 the issuer can name the port
 * actually bound. Configuration is validated first; a bad option or accounts file rejects with an
 * Error naming the problem.
 */
export async function startIdp(options: IdpOptions = {}): Promise<RunningIdp> {
  const { log = defaultLog, ...rest } = options;
  const parsed = optionsSchema.safeParse(rest);
  if (!parsed.success) throw new Error(`invalid dev IdP options:\n${z.prettifyError(parsed.error)}`);
  const settings = parsed.data;

  const accountRecords =
    settings.accounts === undefined
      ? await loadAccountsFile(settings.accountsFile ?? DEFAULT_ACCOUNTS_FILE)
      : parseAccounts(settings.accounts, 'accounts option');
  const accounts = new AccountStore(accountRecords);
  const keys = await loadOrCreateKeys(settings.dataDir);
  const store = await TokenStore.open({
    ...(settings.dataDir === undefined ? {} : { dir: join(settings.dataDir, STORE_DIR_NAME) }),
    clockToleranceSeconds: 15,
    onWriteError: (error) =>
      log({ level: 'error', event: 'store_write_failed', message: (error as Error).message }),
  });

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503, { 'retry-after': '1' }).end();
  };
  const server = createServer((req, res) => handler(req, res));
  const port = await listen(server, settings.port);
  const url = `http://127.0.0.1:${port}`;
  const issuer = settings.issuer ?? url;

  const provider = createProvider({
    issuer,
    audience: settings.audience,
    resourceScopes: settings.resourceScopes,
    accounts,
    keys,
    store,
    accessTokenTtlSeconds: settings.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: settings.refreshTokenTtlSeconds,
    grantTtlSeconds: settings.grantTtlSeconds,
    extraRedirectUris: settings.extraRedirectUris,
    trustProxy: settings.trustProxy,
  });
  provider.on('server_error', (_ctx, error: Error) => {
    log({ level: 'error', event: 'server_error', message: error.message, stack: error.stack });
  });

  const oidc = provider.callback();
  const deps = {
    provider,
    accounts,
    issuerOrigin: new URL(issuer).origin,
    describeScope,
    throttle: new LoginThrottle(settings.maxFailedLogins, settings.loginThrottleWindowSeconds * 1000),
  };
  handler = (req, res) => {
    handleInteraction(req, res, deps)
      .then((handled) => (handled ? undefined : oidc(req, res)))
      .catch((error: unknown) => {
        log({
          level: 'error',
          event: 'request_failed',
          path: req.url?.split('?')[0],
          message: (error as Error).message,
        });
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(500, pageHeaders());
        res.end(
          errorPage(
            'Something went wrong',
            'The identity provider could not complete this request.',
            'server_error',
          ),
        );
      });
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeIdleConnections();
      // Give in-flight requests a moment, then cut keep-alive stragglers.
      setTimeout(() => server.closeAllConnections(), 2_000).unref();
    }).then(() => store.flush());
    return closing;
  };

  return {
    url,
    port,
    issuer,
    jwksUri: `${issuer}/jwks`,
    clientId: DESKTOP_CLIENT_ID,
    redirectUri: DESKTOP_REDIRECT_URI,
    audience: settings.audience,
    scope: [...OIDC_SCOPES, ...settings.resourceScopes].join(' '),
    accounts: accountRecords.map(({ username, password, sub, name }) => ({ username, password, sub, name })),
    close,
  };
}
