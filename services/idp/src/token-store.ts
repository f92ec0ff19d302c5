import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { z } from 'zod';
import { ensurePrivateDir, writeFileAtomic } from './atomic-file';

/** Sub-folder of the data folder holding one JSON file per oidc-provider model. */
export const STORE_DIR_NAME = 'store';

const entrySchema = z.object({
  payload: z.record(z.string(), z.unknown()),
  /** Unix milliseconds; null for entries without expiry. */
  expiresAt: z.number().nullable(),
});
const modelFileSchema = z
  .object({ version: z.literal(1), entries: z.record(z.string(), entrySchema) })
  .strict();

type Entry = z.infer<typeof entrySchema>;
const MODEL_NAME = /^[A-Za-z]{1,64}$/;

/** Options of {@link TokenStore}. */
export interface TokenStoreOptions {
  /** Folder for the model files; without one the store lives in memory only. */
  dir?: string;
  /** Seconds of grace past expiry, as oidc-provider's clock tolerance. */
  clockToleranceSeconds?: number;
  /** Called when a background write fails (the next write retries). */
  onWriteError?: (error: unknown) => void;
}

/**
 * Storage for oidc-provider's models (sessions, grants, codes, refresh tokens, interactions…).
 *
 * Held in memory and, with a folder, also written as one JSON file per model, atomically and
 * mode 0600, before the operation that changed it resolves: sessions and refresh tokens survive a
 * restart. The data sets of a development provider are small, so lookups by grant, uid or user
 * code scan the model rather than keeping secondary indexes that could drift.
 */
export class TokenStore {
  readonly #models = new Map<string, Map<string, Entry>>();
  readonly #dir: string | undefined;
  readonly #toleranceMs: number;
  readonly #onWriteError: (error: unknown) => void;
  /** Per model: the change counter, the counter last written, and the write queue. */
  readonly #changes = new Map<string, number>();
  readonly #written = new Map<string, number>();
  readonly #queues = new Map<string, Promise<void>>();

  private constructor(options: TokenStoreOptions) {
    this.#dir = options.dir;
    this.#toleranceMs = (options.clockToleranceSeconds ?? 0) * 1000;
    this.#onWriteError = options.onWriteError ?? (() => undefined);
  }

  /** Opens a store, loading the model files of `options.dir` when given. */
  static async open(options: TokenStoreOptions = {}): Promise<TokenStore> {
    const store = new TokenStore(options);
    if (options.dir !== undefined) {
      await ensurePrivateDir(options.dir);
      await store.#load(options.dir);
    }
    return store;
  }

  async #load(dir: string): Promise<void> {
    const now = Date.now();
    for (const name of await readdir(dir)) {
      const match = /^([A-Za-z]{1,64})\.json$/.exec(name);
      if (!match?.[1]) continue;
      const path = join(dir, name);
      let data: unknown;
      try {
        data = JSON.parse(await readFile(path, 'utf8'));
      } catch (error) {
        throw new Error(
          `token store file ${path} is unreadable (${(error as Error).message}); move it away to start empty`,
          {
            cause: error,
          },
        );
      }
      const parsed = modelFileSchema.safeParse(data);
      if (!parsed.success) {
        throw new Error(
          `token store file ${path} is malformed; move it away to start empty:\n${z.prettifyError(parsed.error)}`,
        );
      }
      const entries = new Map<string, Entry>();
      for (const [id, entry] of Object.entries(parsed.data.entries)) {
        if (entry.expiresAt === null || entry.expiresAt > now) entries.set(id, entry);
      }
      this.#models.set(match[1], entries);
    }
  }

  #model(name: string): Map<string, Entry> {
    let model = this.#models.get(name);
    if (!model) {
      model = new Map();
      this.#models.set(name, model);
    }
    return model;
  }

  #live(name: string, id: string): Entry | undefined {
    const model = this.#model(name);
    const entry = model.get(id);
    if (entry && entry.expiresAt !== null && entry.expiresAt + this.#toleranceMs <= Date.now()) {
      model.delete(id);
      return undefined;
    }
    return entry;
  }

  /** Drops expired entries of a model, so a long-running provider does not grow without bound. */
  #sweep(name: string): void {
    const limit = Date.now() - this.#toleranceMs;
    const model = this.#model(name);
    for (const [id, entry] of model) {
      if (entry.expiresAt !== null && entry.expiresAt <= limit) model.delete(id);
    }
  }

  /** Writes the model's file (if the store has a folder); concurrent changes share one write. */
  #persist(name: string): Promise<void> {
    const dir = this.#dir;
    if (dir === undefined) return Promise.resolve();
    const target = (this.#changes.get(name) ?? 0) + 1;
    this.#changes.set(name, target);
    const previous = this.#queues.get(name) ?? Promise.resolve();
    const write = previous.then(async () => {
      if ((this.#written.get(name) ?? 0) >= target) return;
      const upTo = this.#changes.get(name) ?? target;
      const now = Date.now();
      const entries: Record<string, Entry> = {};
      for (const [id, entry] of this.#model(name)) {
        if (entry.expiresAt === null || entry.expiresAt > now) entries[id] = entry;
      }
      await writeFileAtomic(join(dir, `${name}.json`), JSON.stringify({ version: 1, entries }));
      this.#written.set(name, upTo);
    });
    this.#queues.set(
      name,
      write.catch((error: unknown) => this.#onWriteError(error)),
    );
    return write;
  }

  /** Resolves when every pending write has finished. */
  async flush(): Promise<void> {
    await Promise.all([...this.#queues.values()]);
  }

  /** An oidc-provider adapter for one model name (oidc-provider calls this per model). */
  adapterFor(name: string): Adapter {
    if (!MODEL_NAME.test(name)) throw new Error(`unexpected model name ${name}`);
    const payloadOf = (entry: Entry | undefined): AdapterPayload | undefined =>
      entry ? structuredClone(entry.payload) : undefined;
    const findBy = (field: 'uid' | 'userCode', value: string): AdapterPayload | undefined => {
      for (const [id, entry] of this.#model(name)) {
        if (entry.payload[field] === value) return payloadOf(this.#live(name, id));
      }
      return undefined;
    };
    return {
      upsert: async (id, payload, expiresIn) => {
        const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : null;
        this.#sweep(name);
        this.#model(name).set(id, { payload: structuredClone(payload), expiresAt });
        await this.#persist(name);
      },
      find: (id) => Promise.resolve(payloadOf(this.#live(name, id))),
      findByUid: (uid) => Promise.resolve(findBy('uid', uid)),
      findByUserCode: (userCode) => Promise.resolve(findBy('userCode', userCode)),
      consume: async (id) => {
        const entry = this.#live(name, id);
        if (!entry) return;
        entry.payload.consumed = Math.floor(Date.now() / 1000);
        await this.#persist(name);
      },
      destroy: async (id) => {
        if (this.#model(name).delete(id)) await this.#persist(name);
      },
      revokeByGrantId: async (grantId) => {
        const model = this.#model(name);
        let removed = false;
        for (const [id, entry] of model) {
          if (entry.payload.grantId === grantId) {
            model.delete(id);
            removed = true;
          }
        }
        if (removed) await this.#persist(name);
      },
    };
  }
}
