import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AlgoliaError } from '../errors';
import { ACLS, type Acl } from './acl';

/**
 * The stored API keys of the `/1/keys` API, in memory. Persistence is the owner's job: it passes
 * the last snapshot in and receives every new one through `onChange`.
 */

/** One stored key, as persisted. */
export interface StoredKey {
  value: string;
  acl: Acl[];
  description: string;
  indexes: string[];
  /** Seconds of life after `createdAt`; 0 = forever. */
  validity: number;
  /** 0 = no limit beyond the engine's. */
  maxHitsPerQuery: number;
  maxQueriesPerIPPerHour: number;
  referers: string[];
  /** Url-encoded search parameters forced on every request made with the key. */
  queryParameters: string;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
}

/** What `KeyStore` persists. */
export interface KeyStoreSnapshot {
  version: 1;
  keys: StoredKey[];
  /** Deleted keys, restorable with `restore`. */
  deleted?: StoredKey[];
}

/**
 * The answer of GET /1/keys/{key}, as Algolia shapes it: the stored fields themselves (`validity`
 * in seconds, `createdAt` in milliseconds, as the v5 client types them).
 */
export type ApiKeyAnswer = StoredKey;

export interface KeyStoreOptions {
  /** The admin key: never stored, never listed, holds every right. */
  adminKey: string;
  /** An optional configured search-only key (ACL `search`), usable as a secured-key parent. */
  searchKey?: string;
  snapshot?: KeyStoreSnapshot;
  onChange?: (snapshot: KeyStoreSnapshot) => void;
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

const aclSchema = z.string().refine((v): v is Acl => (ACLS as readonly string[]).includes(v), {
  error: (issue) => `Invalid ACL: ${String(issue.input)}`,
});

/** The body of POST /1/keys and PUT /1/keys/{key} (Algolia's `apiKey` object). */
const apiKeyBodySchema = z.object({
  acl: z.array(aclSchema),
  description: z.string().optional(),
  indexes: z.array(z.string()).optional(),
  validity: z.number().int().nonnegative().optional(),
  maxHitsPerQuery: z.number().int().nonnegative().optional(),
  maxQueriesPerIPPerHour: z.number().int().nonnegative().optional(),
  referers: z.array(z.string()).optional(),
  queryParameters: z
    .string()
    .superRefine((query, ctx) => {
      // Read last-wins, a repeated parameter would silently drop the first (`filters=a&filters=b`).
      const seen = new Set<string>();
      for (const name of new URLSearchParams(query).keys()) {
        if (seen.has(name)) ctx.addIssue({ code: 'custom', message: `repeats "${name}"` });
        seen.add(name);
      }
    })
    .optional(),
});

const storedKeySchema = z.object({
  value: z.string().min(1),
  acl: z.array(z.enum(ACLS)),
  description: z.string(),
  indexes: z.array(z.string()),
  validity: z.number().int().nonnegative(),
  maxHitsPerQuery: z.number().int().nonnegative(),
  maxQueriesPerIPPerHour: z.number().int().nonnegative(),
  referers: z.array(z.string()),
  queryParameters: z.string(),
  createdAt: z.number().int().nonnegative(),
});

/** Validates a persisted snapshot (a trust boundary: it comes from a file). */
export const keyStoreSnapshotSchema = z.object({
  version: z.literal(1),
  keys: z.array(storedKeySchema),
  deleted: z.array(storedKeySchema).optional(),
});

function parseBody(body: unknown): z.infer<typeof apiKeyBodySchema> {
  const result = apiKeyBodySchema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new AlgoliaError(400, `Invalid API key definition: ${where}${issue?.message ?? 'invalid body'}`);
}

const KEY_NOT_FOUND = 'Key does not exist';

export class KeyStore {
  readonly adminKey: string;
  readonly searchKey: string | undefined;
  private readonly keys = new Map<string, StoredKey>();
  private readonly deleted = new Map<string, StoredKey>();
  private readonly onChange: ((snapshot: KeyStoreSnapshot) => void) | undefined;
  private readonly now: () => number;
  /** Bumped on every change; lets callers cache what depends on the set of keys. */
  private revisionCounter = 0;
  /** When this store started: the configured search key's `createdAt`. */
  private readonly startedAt: number;

  constructor(options: KeyStoreOptions) {
    if (options.adminKey.length === 0) throw new Error('KeyStore: the admin key must not be empty');
    if (options.searchKey !== undefined && options.searchKey === options.adminKey) {
      throw new Error('KeyStore: the search key must differ from the admin key');
    }
    this.adminKey = options.adminKey;
    this.searchKey = options.searchKey === '' ? undefined : options.searchKey;
    this.onChange = options.onChange;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    if (options.snapshot) {
      const snapshot = keyStoreSnapshotSchema.parse(options.snapshot);
      // `add` never creates a stored key with the admin key's value; one in a snapshot would make
      // the admin key a secured-key parent and a (restricted) stored key at once.
      if ([...snapshot.keys, ...(snapshot.deleted ?? [])].some((k) => k.value === options.adminKey)) {
        throw new Error('KeyStore: the snapshot holds a stored key whose value is the admin key');
      }
      for (const key of snapshot.keys) this.keys.set(key.value, key);
      for (const key of snapshot.deleted ?? []) this.deleted.set(key.value, key);
    }
  }

  /** Changes whenever a key is added, updated, deleted or restored. */
  get revision(): number {
    return this.revisionCounter;
  }

  /** POST /1/keys → `{key, createdAt}`. */
  add(body: unknown): { key: string; createdAt: string } {
    const fields = parseBody(body);
    let value: string;
    do value = randomBytes(16).toString('hex');
    while (
      this.keys.has(value) ||
      this.deleted.has(value) ||
      value === this.adminKey ||
      value === this.searchKey
    );
    const createdAt = this.now();
    this.keys.set(value, toStored(value, fields, createdAt));
    this.changed();
    return { key: value, createdAt: new Date(createdAt).toISOString() };
  }

  /**
   * GET /1/keys/{key}; 404 `Key does not exist` when unknown or expired. The configured search key
   * is a real key of the application (as Algolia's Search-Only API Key is), so it answers too.
   */
  get(value: string): ApiKeyAnswer {
    const key = value === this.searchKey ? this.configuredSearchKey() : this.find(value);
    if (!key) throw new AlgoliaError(404, KEY_NOT_FOUND);
    return answer(key);
  }

  /** GET /1/keys → `{keys: [...]}` (live keys, newest first; the configured search key last). */
  list(): { keys: ApiKeyAnswer[] } {
    const now = this.now();
    const keys = [...this.keys.values()]
      .filter((k) => !isExpired(k, now))
      .sort((a, b) => b.createdAt - a.createdAt);
    const configured = this.configuredSearchKey();
    if (configured) keys.push(configured);
    return { keys: keys.map(answer) };
  }

  /** PUT /1/keys/{key}: replaces every attribute (unspecified ones reset) → `{key, updatedAt}`. */
  update(value: string, body: unknown): { key: string; updatedAt: string } {
    this.refuseConfigured(value);
    const existing = this.find(value);
    if (!existing) throw new AlgoliaError(404, KEY_NOT_FOUND);
    const fields = parseBody(body);
    this.keys.set(value, toStored(value, fields, existing.createdAt));
    this.changed();
    return { key: value, updatedAt: new Date(this.now()).toISOString() };
  }

  /** DELETE /1/keys/{key} → `{deletedAt}`; 404 `Key does not exist` when unknown or expired, as GET. */
  delete(value: string): { deletedAt: string } {
    this.refuseConfigured(value);
    const existing = this.find(value);
    if (!existing) throw new AlgoliaError(404, KEY_NOT_FOUND);
    this.keys.delete(value);
    this.deleted.set(value, existing);
    this.changed();
    return { deletedAt: new Date(this.now()).toISOString() };
  }

  /**
   * POST /1/keys/{key}/restore → `{key, createdAt}`: a deleted or expired key comes back, its
   * `validity` reset to 0 ("Restoring resets the validity attribute to 0", Algolia's spec), so it
   * no longer expires. A live key is no key to restore (404).
   */
  restore(value: string): { key: string; createdAt: string } {
    const existing = this.deleted.get(value) ?? this.keys.get(value);
    if (!existing || (this.keys.has(value) && !isExpired(existing, this.now())))
      throw new AlgoliaError(404, KEY_NOT_FOUND);
    this.deleted.delete(value);
    this.keys.set(value, { ...existing, validity: 0 });
    this.changed();
    return { key: value, createdAt: new Date(existing.createdAt).toISOString() };
  }

  /** The live (not expired) stored key with this value. */
  find(value: string): StoredKey | undefined {
    const key = this.keys.get(value);
    return key && !isExpired(key, this.now()) ? key : undefined;
  }

  /** Values of every live stored key: the candidates for a secured key's parent (with the search key). */
  parentCandidates(): string[] {
    const now = this.now();
    const values = [...this.keys.values()].filter((k) => !isExpired(k, now)).map((k) => k.value);
    if (this.searchKey !== undefined) values.push(this.searchKey);
    return values;
  }

  /** A copy of the state to persist. */
  snapshot(): KeyStoreSnapshot {
    return {
      version: 1,
      keys: [...this.keys.values()].map(copy),
      deleted: [...this.deleted.values()].map(copy),
    };
  }

  /** The configured `--search-key` as a key of the API: ACL `search`, every index, forever. */
  private configuredSearchKey(): StoredKey | undefined {
    if (this.searchKey === undefined) return undefined;
    return {
      value: this.searchKey,
      acl: ['search'],
      description: 'Search-only API key (configured with --search-key)',
      indexes: [],
      validity: 0,
      maxHitsPerQuery: 0,
      maxQueriesPerIPPerHour: 0,
      referers: [],
      queryParameters: '',
      createdAt: this.startedAt,
    };
  }

  /** The configured search key comes from the command line; the keys API cannot change it. */
  private refuseConfigured(value: string): void {
    if (value === this.searchKey) {
      throw new AlgoliaError(
        400,
        'This key is configured with --search-key and cannot be updated or deleted through the API',
      );
    }
  }

  private changed(): void {
    this.revisionCounter++;
    this.onChange?.(this.snapshot());
  }
}

function toStored(value: string, fields: z.infer<typeof apiKeyBodySchema>, createdAt: number): StoredKey {
  return {
    value,
    acl: [...new Set(fields.acl)],
    description: fields.description ?? '',
    indexes: fields.indexes ?? [],
    validity: fields.validity ?? 0,
    maxHitsPerQuery: fields.maxHitsPerQuery ?? 0,
    maxQueriesPerIPPerHour: fields.maxQueriesPerIPPerHour ?? 0,
    referers: fields.referers ?? [],
    queryParameters: fields.queryParameters ?? '',
    createdAt,
  };
}

function isExpired(key: StoredKey, now: number): boolean {
  return key.validity > 0 && key.createdAt + key.validity * 1000 <= now;
}

function copy(key: StoredKey): StoredKey {
  return { ...key, acl: [...key.acl], indexes: [...key.indexes], referers: [...key.referers] };
}

function answer(key: StoredKey): ApiKeyAnswer {
  const {
    value,
    acl,
    description,
    indexes,
    validity,
    maxHitsPerQuery,
    maxQueriesPerIPPerHour,
    referers,
    queryParameters,
    createdAt,
  } = copy(key);
  return {
    value,
    acl,
    description,
    indexes,
    validity,
    maxHitsPerQuery,
    maxQueriesPerIPPerHour,
    referers,
    queryParameters,
    createdAt,
  };
}
