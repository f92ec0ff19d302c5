/**
 * Where the conformance suite runs: always against the local engine, and also against a real
 * Algolia application when ALGOLIA_APP_ID and ALGOLIA_ADMIN_KEY are set (indices get a unique
 * prefix and are deleted afterwards). Tests use only the official client through a Target.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { algoliasearch, type Algoliasearch, type IndexSettings } from 'algoliasearch';
import { startEngine, type RunningEngine } from '../../src/index';

export interface Target {
  name: 'local' | 'algolia';
  appId: string;
  /** Admin client. */
  admin: Algoliasearch;
  /** A search-only key usable as a secured-key parent. */
  searchKey: string;
  /** Client for any key. */
  client(apiKey: string): Algoliasearch;
  /** Unique index name for this run. */
  index(name: string): string;
  /** Base URL of the local engine (raw HTTP checks); undefined on Algolia. */
  url?: string;
  close(): Promise<void>;
}

const LOCAL_APP = 'NDFTEST';
const LOCAL_ADMIN = 'admin-key-for-tests';
const LOCAL_SEARCH = 'search-key-for-tests';

async function localTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'engine-conf-'));
  const running: RunningEngine = await startEngine({
    appId: LOCAL_APP,
    adminKey: LOCAL_ADMIN,
    searchKey: LOCAL_SEARCH,
    dataDir: dir,
    maxRecordBytes: 10_000,
  });
  const hosts = [
    { url: '127.0.0.1', port: running.port, protocol: 'http' as const, accept: 'readWrite' as const },
  ];
  const client = (key: string): Algoliasearch => algoliasearch(LOCAL_APP, key, { hosts });
  return {
    name: 'local',
    appId: LOCAL_APP,
    admin: client(LOCAL_ADMIN),
    searchKey: LOCAL_SEARCH,
    client,
    index: (n) => n,
    url: running.url,
    async close() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function algoliaTarget(appId: string, adminKey: string): Promise<Target> {
  const admin = algoliasearch(appId, adminKey);
  const prefix = `ndf_conf_${Date.now()}_${randomBytes(3).toString('hex')}_`;
  const { key } = await admin.addApiKey({ acl: ['search'], description: `${prefix} search key` });
  await admin.waitForApiKey({ key, operation: 'add' });
  const created: string[] = [];
  return {
    name: 'algolia',
    appId,
    admin,
    searchKey: key,
    client: (k) => algoliasearch(appId, k),
    index(n) {
      const full = prefix + n;
      if (!created.includes(full)) created.push(full);
      return full;
    },
    async close() {
      const mine = (await admin.listIndices()).items.filter((i) => i.name.startsWith(prefix));
      // A replica cannot be deleted while its primary lists it: primaries go first (their
      // replicas become regular indices once the deletion is done).
      for (const i of mine.filter((x) => !x.primary)) {
        const { taskID } = await admin.deleteIndex({ indexName: i.name });
        await admin.waitForTask({ indexName: i.name, taskID });
      }
      for (const i of mine.filter((x) => x.primary)) await admin.deleteIndex({ indexName: i.name });
      await admin.deleteApiKey({ key });
    },
  };
}

/** The targets this run covers (prints why Algolia is skipped). */
export function targetFactories(): { name: string; make: () => Promise<Target> }[] {
  const out: { name: string; make: () => Promise<Target> }[] = [{ name: 'local engine', make: localTarget }];
  const appId = process.env.ALGOLIA_APP_ID;
  const adminKey = process.env.ALGOLIA_ADMIN_KEY;
  if (appId && adminKey)
    out.push({ name: `Algolia app ${appId}`, make: () => algoliaTarget(appId, adminKey) });
  else if (!reported) {
    reported = true;
    console.log(
      'conformance: real Algolia target skipped (set ALGOLIA_APP_ID and ALGOLIA_ADMIN_KEY to run it)',
    );
  }
  return out;
}
let reported = false;

/** Waits for a task of any write answer. */
export async function settle(t: Target, indexName: string, taskID: number | undefined): Promise<void> {
  if (taskID === undefined) throw new Error('the write answer has no taskID');
  await t.admin.waitForTask({ indexName, taskID, maxRetries: 200, timeout: () => 20 });
}

/** Applies `settings` to `indexName` and waits until they are in effect. */
export async function configure(t: Target, indexName: string, settings: IndexSettings): Promise<void> {
  await settle(t, indexName, (await t.admin.setSettings({ indexName, indexSettings: settings })).taskID);
}

/** An index with `settings` and `objects`, ready to search. */
export async function seed(
  t: Target,
  indexName: string,
  settings: IndexSettings,
  objects: Record<string, unknown>[],
): Promise<void> {
  await configure(t, indexName, settings);
  for (const b of await t.admin.saveObjects({ indexName, objects })) await settle(t, indexName, b.taskID);
}

/** The error an API call rejects with: status and message. */
export async function failure(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { status?: number; message?: string };
    return { status: err.status ?? -1, message: err.message ?? '' };
  }
  throw new Error('expected the call to fail');
}

/** The whole JSON body of the answer an API call rejects with (members besides the message). */
export async function errorBody(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    const trace = (e as { stackTrace?: { response?: { content?: string } }[] }).stackTrace ?? [];
    const content = trace.at(-1)?.response?.content;
    if (content === undefined) throw new Error('the failure has no answer');
    return JSON.parse(content) as Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

/** A highlight or snippet leaf, for assertions. */
export interface Leaf {
  value: string;
  matchLevel: string;
  matchedWords?: string[];
  fullyHighlighted?: boolean;
}

/** The parts of a search or facet-search result the tests read. */
export interface AnyResult {
  hits: (Record<string, unknown> & { objectID: string })[];
  nbHits: number;
  nbPages: number;
  hitsPerPage: number;
  facets?: Record<string, Record<string, number>>;
  facetHits?: { value: string; highlighted: string; count: number }[];
}

/** Views a multi-query result (a union in the client's types) as {@link AnyResult}. */
export function asResult(r: unknown): AnyResult {
  return r as AnyResult;
}
