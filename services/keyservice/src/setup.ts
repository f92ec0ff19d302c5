import type { Algoliasearch } from 'algoliasearch';
import { indexSettings } from '@newdreamflow/domain';
import { withRetries } from './algolia/client';

/** What {@link setupIndices} did. */
export interface SetupResult {
  /** Every index configured, primaries first. */
  indices: string[];
}

/**
 * Creates or updates every index of an environment with the domain's settings (primaries first,
 * since setting `replicas` on a primary is what creates its replicas), waiting for each task.
 * Idempotent: running it again rewrites the same settings. Works against the local engine and a
 * real Algolia application alike (only the admin client's hosts differ).
 */
export async function setupIndices(admin: Algoliasearch, indexPrefix: string): Promise<SetupResult> {
  const all = indexSettings(indexPrefix);
  const names = Object.keys(all);
  for (const indexName of names) {
    const settings = all[indexName];
    if (!settings) continue;
    const { taskID } = await withRetries(() =>
      admin.setSettings({ indexName, indexSettings: settings, forwardToReplicas: false }),
    );
    await withRetries(() =>
      admin.waitForTask({ indexName, taskID, maxRetries: 300, timeout: (n) => Math.min(25 * (n + 1), 500) }),
    );
  }
  return { indices: names };
}

/**
 * Creates a search-only key restricted to this environment's indices (for a real Algolia app
 * that has none yet). The local engine is given its search key on the command line instead.
 */
export async function createSearchOnlyKey(admin: Algoliasearch, indexPrefix: string): Promise<string> {
  const { key } = await admin.addApiKey({
    acl: ['search'],
    description: `NewDreamFlow secured-key parent${indexPrefix ? ` (${indexPrefix}*)` : ''}`,
    ...(indexPrefix ? { indexes: [`${indexPrefix}*`] } : {}),
  });
  await admin.waitForApiKey({ key, operation: 'add' });
  return key;
}
