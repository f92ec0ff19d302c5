/**
 * `npm run engine -- --port N --data DIR --app-id ID --admin-key K [--search-key K]
 * [--indexing-delay-ms N] [--max-record-bytes N]`; every flag also reads an environment variable.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startEngine } from './index';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    data: { type: 'string' },
    'app-id': { type: 'string' },
    'admin-key': { type: 'string' },
    'search-key': { type: 'string' },
    'indexing-delay-ms': { type: 'string' },
    'max-record-bytes': { type: 'string' },
  },
  strict: true,
});

const env = process.env;
const config = z
  .object({
    port: z.coerce.number().int().min(0).max(65_535).default(7700),
    dataDir: z.string().min(1).optional(),
    appId: z.string({ error: 'missing --app-id (or ALGOLIA_APP_ID)' }).min(1, 'empty --app-id'),
    adminKey: z
      .string({ error: 'missing --admin-key (or ALGOLIA_ADMIN_KEY)' })
      .min(8, '--admin-key must have at least 8 characters'),
    searchKey: z.string().min(8, '--search-key must have at least 8 characters').optional(),
    indexingDelayMs: z.coerce.number().int().min(0).max(600_000).default(0),
    maxRecordBytes: z.coerce
      .number()
      .int()
      .min(100)
      .max(100 * 1024 * 1024)
      .default(10_000),
    compactBytes: z.coerce.number().int().min(1024).optional(),
  })
  .safeParse({
    port: values.port ?? env.ENGINE_PORT,
    dataDir: values.data ?? env.ENGINE_DATA,
    appId: values['app-id'] ?? env.ALGOLIA_APP_ID,
    adminKey: values['admin-key'] ?? env.ALGOLIA_ADMIN_KEY,
    searchKey: values['search-key'] ?? (env.ALGOLIA_SEARCH_KEY || undefined),
    indexingDelayMs: values['indexing-delay-ms'] ?? env.ENGINE_INDEXING_DELAY_MS,
    maxRecordBytes: values['max-record-bytes'] ?? env.ENGINE_MAX_RECORD_BYTES,
    // Tests shrink it to exercise compaction; the default suits real use.
    compactBytes: env.ENGINE_COMPACT_BYTES || undefined,
  });

if (!config.success) {
  for (const issue of config.error.issues)
    process.stderr.write(`engine: ${issue.path.join('.') || 'config'}: ${issue.message}\n`);
  process.exit(2);
}

const running = await startEngine(config.data);
process.stdout.write(`listening on ${running.url}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  running.close().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`engine: shutdown failed: ${String(e)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
