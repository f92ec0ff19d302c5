import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

/**
 * Key service configuration. Built from environment variables by {@link configFromEnv} (the
 * deployable entry) or passed directly by in-process callers (tests, the embedded stack).
 */
export interface KeyServiceConfig {
  oidc: {
    /** Issuer URL exactly as it appears in tokens' `iss`. */
    issuer: string;
    /** The key service's audience (`aud` of access tokens, the `resource` clients request). */
    audience: string;
    /** Asymmetric JWS algorithms accepted on access tokens. */
    algorithms: string[];
    /** Clock skew tolerated on `exp`/`nbf`/`iat`. */
    clockToleranceSeconds: number;
  };
  algolia: {
    appId: string;
    adminKey: string;
    /** Search-only parent of every secured key. */
    searchKey: string;
    /** Base URLs (`http://127.0.0.1:7700`); empty means Algolia's own hosts. */
    hosts: string[];
  };
  indexPrefix: string;
  /** Upper bound of a secured key's lifetime. */
  searchKeyTtlSeconds: number;
  media: MediaStorageConfig;
  /** Largest record (JSON bytes) the gateway writes; larger ones are refused with 413. */
  maxRecordBytes: number;
  /** Largest JSON request body accepted. */
  maxBodyBytes: number;
  /** Per-user request budget: `burst` tokens refilled at `perMinute`. */
  rateLimit: { perMinute: number; burst: number };
  /** Public base URL of this service, used to build media URLs; defaults to the request's origin. */
  publicUrl: string | undefined;
}

/** Where uploaded media goes. */
export type MediaStorageConfig =
  | { kind: 'disk'; dir: string }
  | {
      kind: 's3';
      bucket: string;
      prefix: string;
      endpoint: string | undefined;
      region: string;
      forcePathStyle: boolean;
    };

/** Algorithms allowed by default: asymmetric only (never `none`, never HS*). */
export const DEFAULT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

const asymmetricAlg = z
  .string()
  .regex(
    /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/,
    'only asymmetric algorithms (RS*, PS*, ES*, EdDSA) are allowed',
  );

const httpUrl = z.url({ protocol: /^https?$/ });

const isLoopback = (u: URL): boolean => ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);

/**
 * An https URL, or http on loopback only: what travels there — the admin key (Algolia hosts),
 * users' secured keys (the hosts are handed to clients), media bytes (S3), media links (the
 * public URL) — must not cross a network in the clear.
 */
const secureUrl = httpUrl.refine((v) => {
  // Refinements run on values the URL check already refused too (a malformed list entry).
  const u = URL.parse(v);
  return u === null || u.protocol === 'https:' || isLoopback(u);
}, 'must be https (http only on loopback)');

/** `ALGOLIA_HOSTS`: comma-separated base URLs (https, or http on loopback); empty = Algolia's own. */
export const algoliaHostsSchema = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h.length > 0),
  )
  .pipe(z.array(secureUrl.transform((u) => u.replace(/\/+$/, ''))));

const positiveInt = (name: string, def: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be an integer`)
    .positive(`${name} must be > 0`)
    .default(def);

/** The environment variables the key service reads, validated. */
const envSchema = z
  .object({
    OIDC_ISSUER: httpUrl.refine((v) => {
      const u = new URL(v);
      return u.protocol === 'https:' || isLoopback(u);
    }, 'must be https (http only for a loopback development issuer)'),
    OIDC_AUDIENCE: z.string().min(1),
    OIDC_ALGORITHMS: z
      .string()
      .optional()
      .transform((s) =>
        s
          ? s
              .split(',')
              .map((a) => a.trim())
              .filter(Boolean)
          : DEFAULT_ALGORITHMS,
      )
      .pipe(z.array(asymmetricAlg).min(1)),
    OIDC_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    ALGOLIA_APP_ID: z.string().min(1),
    ALGOLIA_ADMIN_KEY: z.string().min(1),
    ALGOLIA_SEARCH_KEY: z.string().min(1),
    ALGOLIA_HOSTS: algoliaHostsSchema,
    INDEX_PREFIX: z
      .string()
      .default('')
      .refine((p) => /^[A-Za-z0-9_-]*$/.test(p), 'may contain only letters, digits, _ and -'),
    SEARCH_KEY_TTL_SECONDS: positiveInt('SEARCH_KEY_TTL_SECONDS', 900).refine(
      (n) => n <= 86_400,
      'must be at most 86400 (one day)',
    ),
    MEDIA_STORAGE: z.string().default('disk:.data/media'),
    MAX_RECORD_BYTES: positiveInt('MAX_RECORD_BYTES', 10_000),
    MAX_BODY_BYTES: positiveInt('MAX_BODY_BYTES', 1_000_000),
    RATE_LIMIT_PER_MINUTE: positiveInt('RATE_LIMIT_PER_MINUTE', 600),
    RATE_LIMIT_BURST: positiveInt('RATE_LIMIT_BURST', 120),
    PUBLIC_URL: secureUrl
      .refine((v) => {
        const u = URL.parse(v);
        // On the raw text too: `https://h?` parses with an empty query.
        return u === null || (!/[?#]/.test(v) && u.username === '' && u.password === '');
      }, 'must be an origin or a base path, without query, fragment or credentials')
      .optional(),
    AWS_REGION: z.string().default('us-east-1'),
    AWS_ENDPOINT_URL_S3: secureUrl.optional(),
    S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
    PORT: z.coerce.number().int().min(0).max(65_535).default(7702),
    /** Bind address: loopback by default; `0.0.0.0` inside a container behind its network boundary. */
    HOST: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1'),
  })
  .superRefine((e, ctx) => {
    // Reached from elsewhere, media links built from each request's Host header and scheme would be
    // what a proxy forwards (http://, an internal name), baked into records for good.
    if (!['127.0.0.1', '::1'].includes(e.HOST) && e.PUBLIC_URL === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_URL'],
        message: 'is required when HOST is not loopback (the public https origin media links point to)',
      });
  });

/** Thrown when configuration is missing or malformed; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Parses `MEDIA_STORAGE`: `disk:PATH` (relative paths resolve against `cwd`) or `s3://bucket/prefix`.
 */
export function parseMediaStorage(
  value: string,
  s3: { region: string; endpoint: string | undefined; forcePathStyle: boolean },
  cwd = process.cwd(),
): MediaStorageConfig {
  if (value.startsWith('disk:')) {
    const path = value.slice('disk:'.length);
    if (!path) throw new ConfigError('MEDIA_STORAGE: disk: needs a path, e.g. disk:.data/media');
    return { kind: 'disk', dir: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  if (value.startsWith('s3://')) {
    const rest = value.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new ConfigError(`MEDIA_STORAGE: "${bucket}" is not a valid S3 bucket name`);
    }
    return { kind: 's3', bucket, prefix, ...s3 };
  }
  throw new ConfigError('MEDIA_STORAGE: expected disk:PATH or s3://bucket/prefix');
}

/** Reads and validates the key service configuration from environment variables. */
export function configFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): KeyServiceConfig & { port: number; host: string } {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = i.path.join('.') || '(environment)';
      const missing = i.code === 'invalid_type' && env[name] === undefined;
      return `  ${name}: ${missing ? 'is required but not set' : i.message}`;
    });
    throw new ConfigError(`invalid key service configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.ALGOLIA_SEARCH_KEY === e.ALGOLIA_ADMIN_KEY) {
    throw new ConfigError(
      'invalid key service configuration:\n  ALGOLIA_SEARCH_KEY: must be a search-only key, not the admin key',
    );
  }
  return {
    oidc: {
      issuer: e.OIDC_ISSUER,
      audience: e.OIDC_AUDIENCE,
      algorithms: e.OIDC_ALGORITHMS,
      clockToleranceSeconds: e.OIDC_CLOCK_TOLERANCE_SECONDS,
    },
    algolia: {
      appId: e.ALGOLIA_APP_ID,
      adminKey: e.ALGOLIA_ADMIN_KEY,
      searchKey: e.ALGOLIA_SEARCH_KEY,
      hosts: e.ALGOLIA_HOSTS,
    },
    indexPrefix: e.INDEX_PREFIX,
    searchKeyTtlSeconds: e.SEARCH_KEY_TTL_SECONDS,
    media: parseMediaStorage(e.MEDIA_STORAGE, {
      region: e.AWS_REGION,
      endpoint: e.AWS_ENDPOINT_URL_S3,
      forcePathStyle: e.S3_FORCE_PATH_STYLE === 'true',
    }),
    maxRecordBytes: e.MAX_RECORD_BYTES,
    maxBodyBytes: e.MAX_BODY_BYTES,
    rateLimit: { perMinute: e.RATE_LIMIT_PER_MINUTE, burst: e.RATE_LIMIT_BURST },
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    port: e.PORT,
    host: e.HOST,
  };
}
