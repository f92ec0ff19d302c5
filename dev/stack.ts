/**
 * The embedded stack: local engine, dev IdP and key service in one process on 127.0.0.1, indices
 * set up, demo content seeded into an empty data folder (an existing one gets its `visible_to`
 * tokens brought up to date), then one line on stdout:
 * `stack ready {json}` with everything a client needs.
 *
 *   npm run stack -- [--data DIR] [--ephemeral] [--engine-port N] [--idp-port N]
 *                    [--keyservice-port N] [--index-prefix P] [--indexing-delay-ms N] [--no-seed]
 *
 * `startStack()` is the same thing in-process (e2e tests use it with port 0 everywhere).
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { checkIndexPrefix } from '@newdreamflow/domain';
import { startIdp, type RunningIdp } from '@newdreamflow/dev-idp';
import { startEngine, type RunningEngine } from '@newdreamflow/engine';
import {
  assertSearchOnlyParentKey,
  createAlgoliaClient,
  createLogger,
  createSearchOnlyKey,
  DEFAULT_ALGORITHMS,
  RecordStore,
  reindexVisibility,
  setupIndices,
  startKeyService,
  type Logger,
  type RunningKeyService,
} from '@newdreamflow/keyservice';
import { seedDemo, type SeedResult } from './demo/seed';

/** Options of {@link startStack}. Ports default to 7700/7701/7702; 0 picks free ones. */
export interface StackOptions {
  /** Data folder (default `.data/` at the repository root). Ignored with `ephemeral`. */
  dataDir?: string;
  /** Use a fresh temporary folder, removed on close. */
  ephemeral?: boolean;
  enginePort?: number;
  idpPort?: number;
  keyservicePort?: number;
  indexPrefix?: string;
  indexingDelayMs?: number;
  /** Seed demo content into an empty data folder (default true). */
  seed?: boolean;
  /** Where the services' JSON logs go (default stderr). */
  logger?: Logger;
}

/** The `stack ready` payload: what a client needs to sign in and search. */
export interface StackInfo {
  engine: string;
  idp: string;
  keyservice: string;
  appId: string;
  clientId: string;
  scope: string;
  /** The key service's audience: request it as `resource`. */
  resource: string;
  indexPrefix: string;
  accounts: Array<{ username: string; password: string }>;
}

/** A running stack. */
export interface RunningStack {
  info: StackInfo;
  dataDir: string;
  /** What the first-run seeding wrote (undefined when the folder was not empty). */
  seeded: SeedResult | undefined;
  engine: RunningEngine;
  idp: RunningIdp;
  keyservice: RunningKeyService;
  /** Stops the key service, then the IdP, then the engine (flushing each). */
  close(): Promise<void>;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECRETS_FILE = 'stack-secrets.json';

const secretsSchema = z.strictObject({
  appId: z.string().regex(/^[A-Z0-9]{4,32}$/),
  adminKey: z.string().min(32),
  searchKey: z.string().min(8).optional(),
});
type Secrets = z.infer<typeof secretsSchema>;

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/** Writes a file with mode 0600 atomically (temp file + rename). */
async function writePrivate(path: string, text: string): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

async function loadSecrets(dir: string): Promise<Secrets | undefined> {
  const path = join(dir, SECRETS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = secretsSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(
      `${path} is malformed; move the data folder away to start fresh:\n${z.prettifyError(parsed.error)}`,
    );
  return parsed.data;
}

/**
 * Starts the embedded stack. On a first run (empty data folder) it generates the app id and
 * admin key, creates the search-only parent key through the engine's keys API, sets up indices
 * and seeds demo content through the key service.
 */
export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const logger = options.logger ?? createLogger(undefined, { service: 'stack' });
  const dataDir = options.ephemeral
    ? await mkdtemp(join(tmpdir(), 'ndf-stack-'))
    : resolve(options.dataDir ?? join(REPO_ROOT, '.data'));
  const firstRun = await isEmptyDir(dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const indexPrefix = checkIndexPrefix(options.indexPrefix ?? '');

  let secrets = await loadSecrets(dataDir);
  if (!secrets) {
    secrets = {
      appId: `NDF${randomBytes(4).toString('hex').toUpperCase()}`,
      adminKey: randomBytes(32).toString('hex'),
    };
    await writePrivate(join(dataDir, SECRETS_FILE), `${JSON.stringify(secrets, null, 2)}\n`);
  }

  const started: Array<{ close(): Promise<void> }> = [];
  const closeAll = async (): Promise<void> => {
    for (const s of started.reverse()) await s.close();
    if (options.ephemeral) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const engine = await startEngine({
      port: options.enginePort ?? 7700,
      dataDir: join(dataDir, 'engine'),
      appId: secrets.appId,
      adminKey: secrets.adminKey,
      ...(options.indexingDelayMs !== undefined ? { indexingDelayMs: options.indexingDelayMs } : {}),
    });
    started.push(engine);
    const admin = createAlgoliaClient(secrets.appId, secrets.adminKey, [engine.url]);

    // The search-only parent lives in the engine's key store (as on real Algolia); recreate it if
    // the engine's data was removed.
    let searchKey = secrets.searchKey;
    if (
      searchKey === undefined ||
      !(await assertSearchOnlyParentKey(admin, searchKey, secrets.adminKey).then(
        () => true,
        () => false,
      ))
    ) {
      searchKey = await createSearchOnlyKey(admin, indexPrefix);
      secrets = { ...secrets, searchKey };
      await writePrivate(join(dataDir, SECRETS_FILE), `${JSON.stringify(secrets, null, 2)}\n`);
    }
    await setupIndices(admin, indexPrefix);
    // A data folder from before a change of the visible_to token format (e.g. `group:<uuid>` →
    // `g_<hash>`) would hide group records from members: rewrite what differs (a no-op otherwise).
    if (!firstRun) {
      const reindexed = await reindexVisibility(new RecordStore(admin), indexPrefix, logger);
      logger.info('stack.reindex-visibility', {
        checked: reindexed.checked,
        rewritten: reindexed.rewritten,
        skipped: reindexed.skipped.length,
      });
    }

    const idp = await startIdp({
      port: options.idpPort ?? 7701,
      dataDir: join(dataDir, 'idp'),
      log: (entry) => logger.info('idp', entry),
    });
    started.push(idp);

    const keyservice = await startKeyService(
      {
        port: options.keyservicePort ?? 7702,
        oidc: {
          issuer: idp.issuer,
          audience: idp.audience,
          algorithms: DEFAULT_ALGORITHMS,
          clockToleranceSeconds: 30,
        },
        algolia: { appId: secrets.appId, adminKey: secrets.adminKey, searchKey, hosts: [engine.url] },
        indexPrefix,
        searchKeyTtlSeconds: 900,
        media: { kind: 'disk', dir: join(dataDir, 'media') },
        maxRecordBytes: 10_000,
        maxBodyBytes: 1_000_000,
        rateLimit: { perMinute: 600, burst: 200 },
        publicUrl: undefined,
      },
      { logger },
    );
    started.push(keyservice);

    const seeded =
      firstRun && options.seed !== false
        ? await seedDemo({
            keyserviceUrl: keyservice.url,
            issuer: idp.issuer,
            audience: idp.audience,
            scope: idp.scope,
            accounts: idp.accounts,
          })
        : undefined;

    const info: StackInfo = {
      engine: engine.url,
      idp: idp.url,
      keyservice: keyservice.url,
      appId: secrets.appId,
      clientId: idp.clientId,
      scope: idp.scope,
      resource: idp.audience,
      indexPrefix,
      accounts: idp.accounts.map(({ username, password }) => ({ username, password })),
    };
    return { info, dataDir, seeded, engine, idp, keyservice, close: closeAll };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}

const portFlag = z.coerce.number().int().min(0).max(65_535).optional();
const argsSchema = z.strictObject({
  data: z.string().min(1).optional(),
  ephemeral: z.boolean().optional(),
  'engine-port': portFlag,
  'idp-port': portFlag,
  'keyservice-port': portFlag,
  'index-prefix': z.string().optional(),
  'indexing-delay-ms': z.coerce.number().int().min(0).max(600_000).optional(),
  'no-seed': z.boolean().optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      ephemeral: { type: 'boolean' },
      'engine-port': { type: 'string' },
      'idp-port': { type: 'string' },
      'keyservice-port': { type: 'string' },
      'index-prefix': { type: 'string' },
      'indexing-delay-ms': { type: 'string' },
      'no-seed': { type: 'boolean' },
    },
    strict: true,
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new Error(`invalid flags:\n${z.prettifyError(parsed.error)}`);
  const a = parsed.data;
  const stack = await startStack({
    ...(a.data !== undefined ? { dataDir: a.data } : {}),
    ...(a.ephemeral ? { ephemeral: true } : {}),
    ...(a['engine-port'] !== undefined ? { enginePort: a['engine-port'] } : {}),
    ...(a['idp-port'] !== undefined ? { idpPort: a['idp-port'] } : {}),
    ...(a['keyservice-port'] !== undefined ? { keyservicePort: a['keyservice-port'] } : {}),
    ...(a['index-prefix'] !== undefined ? { indexPrefix: a['index-prefix'] } : {}),
    ...(a['indexing-delay-ms'] !== undefined ? { indexingDelayMs: a['indexing-delay-ms'] } : {}),
    ...(a['no-seed'] ? { seed: false } : {}),
  });
  process.stdout.write(`stack ready ${JSON.stringify(stack.info)}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    stack.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `stack: shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`stack: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
