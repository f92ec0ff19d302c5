import { z } from 'zod';

/**
 * The app's runtime configuration: where the IdP, the key service and the search hosts are.
 * Nothing here is a secret (a public OIDC client has none), so it may come from the
 * environment at run time; it never comes from build-time env.
 */
export interface AppConfig {
  readonly oidc: {
    /** Pinned issuer: discovery must return exactly this `issuer`. */
    readonly issuer: string;
    readonly clientId: string;
    /** Scopes requested at sign-in (`openid` and `offline_access` are always included). */
    readonly scope: string;
    /** The key service's resource indicator (the access token's audience). */
    readonly audience: string;
    /**
     * `prompt` at sign-in: `consent` when undefined (oidc-provider, the dev IdP, drops
     * `offline_access` without it — TOOLCHAIN.md); null sends none (OIDC_PROMPT=none-sent), for
     * IdPs that issue refresh tokens without asking each time.
     */
    readonly prompt?: 'consent' | 'login' | 'select_account' | null;
  };
  /** Base URL of the key service (called by main only). */
  readonly keyServiceUrl: string;
  /** Search hosts the renderer may connect to (CSP `connect-src`); empty = Algolia's own. */
  readonly algoliaHosts: readonly string[];
  /**
   * With Algolia's own hosts, the application id whose hosts alone `connect-src` names (else
   * every Algolia host: a key service's keys name their app only at run time).
   */
  readonly algoliaAppId?: string;
  /** Environment prefix of every index name (e.g. `prod_`). */
  readonly indexPrefix: string;
  /** How long the loopback receiver waits for the browser (ms). */
  readonly signInTimeoutMs: number;
}

/** The embedded stack's defaults (DESIGN.md "Contracts"). */
export const EMBEDDED_DEFAULTS: AppConfig = {
  oidc: {
    issuer: 'http://127.0.0.1:7701',
    clientId: 'newdreamflow-desktop',
    scope: 'openid profile email offline_access journal',
    audience: 'https://keyservice.newdreamflow.local',
  },
  keyServiceUrl: 'http://127.0.0.1:7702',
  algoliaHosts: ['http://127.0.0.1:7700'],
  indexPrefix: '',
  signInTimeoutMs: 5 * 60_000,
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for http(s) URLs on a loopback host, the only place plain http is allowed. */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/** An absolute base URL: https anywhere, http only on loopback; no credentials, query or hash. */
const baseUrl = (what: string) =>
  z
    .string()
    .trim()
    .refine((value) => URL.canParse(value), `${what} must be an absolute URL`)
    .transform((value) => new URL(value))
    .refine((url) => url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(url)), {
      error: `${what} must use https (plain http only on 127.0.0.1/localhost)`,
    })
    .refine((url) => url.username === '' && url.password === '' && url.search === '' && url.hash === '', {
      error: `${what} may not carry credentials, a query or a fragment`,
    })
    .transform((url) => url.href.replace(/\/$/, ''));

const envSchema = z.object({
  OIDC_ISSUER: baseUrl('OIDC_ISSUER').optional(),
  OIDC_CLIENT_ID: z.string().trim().min(1).max(255).optional(),
  OIDC_SCOPE: z
    .string()
    .trim()
    .regex(
      /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/,
      'OIDC_SCOPE must be space-separated scope tokens',
    )
    .optional(),
  OIDC_AUDIENCE: z.string().trim().min(1).max(2048).optional(),
  OIDC_PROMPT: z.enum(['consent', 'login', 'select_account', 'none-sent']).optional(),
  KEYSERVICE_URL: baseUrl('KEYSERVICE_URL').optional(),
  ALGOLIA_HOSTS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const parts = value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
      const parsed = z.array(baseUrl('ALGOLIA_HOSTS entry')).safeParse(parts);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
        return z.NEVER;
      }
      return parsed.data;
    }),
  INDEX_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{0,32}$/, 'INDEX_PREFIX may hold up to 32 letters, digits, _ or -')
    .optional(),
  ALGOLIA_APP_ID: z
    .string()
    .regex(/^[A-Za-z0-9]{1,32}$/, 'ALGOLIA_APP_ID is letters and digits (your application id)')
    .optional(),
  NDF_SIGN_IN_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(30 * 60_000)
    .optional(),
});

/** Thrown when the environment names a malformed setting; the message names each one. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads the configuration: embedded-stack defaults, then explicit `overrides` (e.g. from the
 * stack launcher), then the shared environment variables (DESIGN.md "Contracts"). Empty
 * variables count as unset, but for `ALGOLIA_HOSTS`, whose empty value means Algolia's own
 * hosts (the setting for a real Algolia app: unset is the embedded engine).
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Partial<AppConfig> = {},
): AppConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(
      ([name, value]) => value !== undefined && (value !== '' || name === 'ALGOLIA_HOSTS'),
    ),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const base: AppConfig = {
    ...EMBEDDED_DEFAULTS,
    ...overrides,
    oidc: { ...EMBEDDED_DEFAULTS.oidc, ...overrides.oidc },
  };
  const scope = e.OIDC_SCOPE ?? base.oidc.scope;
  const prompt = e.OIDC_PROMPT === 'none-sent' ? null : (e.OIDC_PROMPT ?? base.oidc.prompt);
  return {
    oidc: {
      issuer: e.OIDC_ISSUER ?? base.oidc.issuer,
      clientId: e.OIDC_CLIENT_ID ?? base.oidc.clientId,
      scope: withRequiredScopes(scope),
      audience: e.OIDC_AUDIENCE ?? base.oidc.audience,
      ...(prompt !== undefined ? { prompt } : {}),
    },
    keyServiceUrl: e.KEYSERVICE_URL ?? base.keyServiceUrl,
    algoliaHosts: e.ALGOLIA_HOSTS ?? base.algoliaHosts,
    indexPrefix: e.INDEX_PREFIX ?? base.indexPrefix,
    ...((e.ALGOLIA_APP_ID ?? base.algoliaAppId)
      ? { algoliaAppId: e.ALGOLIA_APP_ID ?? base.algoliaAppId }
      : {}),
    signInTimeoutMs: e.NDF_SIGN_IN_TIMEOUT_MS ?? base.signInTimeoutMs,
  };
}

/** `openid` (an ID token) and `offline_access` (a refresh token) are not optional for this app. */
function withRequiredScopes(scope: string): string {
  const tokens = new Set(scope.split(' ').filter(Boolean));
  tokens.add('openid');
  tokens.add('offline_access');
  return [...tokens].join(' ');
}
