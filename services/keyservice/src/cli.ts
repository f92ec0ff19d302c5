import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createAlgoliaClient } from './algolia/client';
import { algoliaHostsSchema } from './config';
import { PatternMaintainer } from './gateway/patterns';
import { RecordStore } from './gateway/record-store';
import { createLogger } from './logger';
import { reindexVisibility } from './reindex-visibility';
import { createSearchOnlyKey, setupIndices } from './setup';

// Operator commands (`npm run -w @newdreamflow/keyservice setup|rebuild-patterns|reindex-visibility`), configured by
// the same environment variables as the service (only the Algolia ones).
const envSchema = z.object({
  ALGOLIA_APP_ID: z.string().min(1),
  ALGOLIA_ADMIN_KEY: z.string().min(1),
  // The admin key travels there: https, or http on loopback only (as the service reads it).
  ALGOLIA_HOSTS: algoliaHostsSchema,
  INDEX_PREFIX: z.string().default(''),
});

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const env = envSchema.safeParse(process.env);
  if (!env.success) {
    const lines = env.error.issues.map(
      (i) =>
        `  ${i.path.join('.')}: ${process.env[String(i.path[0])] === undefined ? 'is required but not set' : i.message}`,
    );
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const admin = createAlgoliaClient(
    env.data.ALGOLIA_APP_ID,
    env.data.ALGOLIA_ADMIN_KEY,
    env.data.ALGOLIA_HOSTS,
  );
  switch (command) {
    case 'setup': {
      const { values } = parseArgs({
        args: rest,
        options: { 'create-search-key': { type: 'boolean', default: false } },
      });
      const { indices } = await setupIndices(admin, env.data.INDEX_PREFIX);
      process.stdout.write(`configured ${indices.length} indices: ${indices.join(', ')}\n`);
      if (values['create-search-key']) {
        const key = await createSearchOnlyKey(admin, env.data.INDEX_PREFIX);
        process.stdout.write(`created search-only key (set ALGOLIA_SEARCH_KEY): ${key}\n`);
      }
      return;
    }
    case 'rebuild-patterns': {
      const { values } = parseArgs({ args: rest, options: { user: { type: 'string' } } });
      const logger = createLogger();
      const patterns = new PatternMaintainer(new RecordStore(admin), env.data.INDEX_PREFIX, logger);
      const result = await patterns.rebuild(values.user);
      process.stdout.write(
        `rebuilt patterns${values.user ? ` of ${values.user}` : ''}: ${result.upserts} written, ${result.deletes} deleted\n`,
      );
      return;
    }
    case 'reindex-visibility': {
      parseArgs({ args: rest, options: {} });
      const result = await reindexVisibility(new RecordStore(admin), env.data.INDEX_PREFIX, createLogger());
      const counts = Object.entries(result.rewritten)
        .map(([index, n]) => `${index} ${n}`)
        .join(', ');
      process.stdout.write(
        `checked ${result.checked} records; rewrote visible_to of ${counts}; skipped ${result.skipped.length}\n`,
      );
      for (const s of result.skipped)
        process.stdout.write(`  skipped ${s.index}/${s.objectID}: ${s.reason}\n`);
      return;
    }
    default:
      throw new Error(
        'usage: cli.ts setup [--create-search-key] | rebuild-patterns [--user SUB] | reindex-visibility',
      );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`keyservice: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
