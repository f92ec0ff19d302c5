/**
 * `npm run idp -- [--port N] [--data DIR] [--accounts FILE] [--audience URL] [--issuer URL]
 *   [--access-token-ttl S] [--refresh-token-ttl S] [--trust-proxy]`
 *
 * Environment fallbacks (shared names, see DESIGN.md): OIDC_ISSUER, OIDC_AUDIENCE.
 * Prints exactly one line on stdout when ready: `listening on http://127.0.0.1:PORT`.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_PORT } from './constants';
import { startIdp } from './server';

const integer = (name: string) =>
  z.string().regex(/^\d+$/, `${name} must be a whole number`).transform(Number);

const cliSchema = z
  .object({
    port: integer('--port').pipe(z.number().max(65535)).default(DEFAULT_PORT),
    data: z.string().min(1).optional(),
    accounts: z.string().min(1).optional(),
    audience: z.string().optional(),
    issuer: z.string().optional(),
    'access-token-ttl': integer('--access-token-ttl').optional(),
    'refresh-token-ttl': integer('--refresh-token-ttl').optional(),
    'trust-proxy': z.boolean().default(false),
  })
  .strict();

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      data: { type: 'string' },
      accounts: { type: 'string' },
      audience: { type: 'string' },
      issuer: { type: 'string' },
      'access-token-ttl': { type: 'string' },
      'refresh-token-ttl': { type: 'string' },
      'trust-proxy': { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const env = z
    .object({ OIDC_ISSUER: z.string().min(1).optional(), OIDC_AUDIENCE: z.string().min(1).optional() })
    .parse({
      OIDC_ISSUER: process.env.OIDC_ISSUER || undefined,
      OIDC_AUDIENCE: process.env.OIDC_AUDIENCE || undefined,
    });
  const parsed = cliSchema.safeParse(values);
  if (!parsed.success) throw new Error(`invalid arguments:\n${z.prettifyError(parsed.error)}`);
  const cli = parsed.data;
  // `npm run -w` runs this in the package folder; relative paths mean the caller's folder.
  const base = process.env.INIT_CWD ?? process.cwd();
  const fromCaller = (path: string): string => resolve(base, path);
  const issuer = cli.issuer ?? env.OIDC_ISSUER;
  const audience = cli.audience ?? env.OIDC_AUDIENCE;

  const idp = await startIdp({
    port: cli.port,
    trustProxy: cli['trust-proxy'],
    ...(cli.data === undefined ? {} : { dataDir: fromCaller(cli.data) }),
    ...(cli.accounts === undefined ? {} : { accountsFile: fromCaller(cli.accounts) }),
    ...(issuer === undefined ? {} : { issuer }),
    ...(audience === undefined ? {} : { audience }),
    ...(cli['access-token-ttl'] === undefined ? {} : { accessTokenTtlSeconds: cli['access-token-ttl'] }),
    ...(cli['refresh-token-ttl'] === undefined ? {} : { refreshTokenTtlSeconds: cli['refresh-token-ttl'] }),
  });

  const shutdown = (signal: string): void => {
    process.stderr.write(`dev-idp: ${signal}, shutting down\n`);
    idp.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`dev-idp: shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  process.stdout.write(`listening on ${idp.url}\n`);
  if (idp.issuer !== idp.url) process.stderr.write(`dev-idp: issuer ${idp.issuer}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`dev-idp: ${(error as Error).message}\n`);
  process.exit(1);
});
