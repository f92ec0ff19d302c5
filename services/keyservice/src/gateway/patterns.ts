import {
  applyEntryToPatterns,
  indexName,
  patternObjectIdsFor,
  patternSchema,
  patternSourceOfDream,
  patternSourceOfThing,
  quoteFilterValue,
  rebuildPatterns,
  rebuildPatternsFor,
  type Pattern,
  type PatternChanges,
  type PatternSource,
} from '@newdreamflow/domain';
import type { Logger } from '../logger';
import type { BatchWrite, RecordStore, StoredObject } from './record-store';

/** An entry index patterns are built from. */
export type EntryIndex = 'dreams' | 'things';

/** The pattern source of a stored dream or thing record. */
export function patternSource(index: EntryIndex, record: StoredObject): PatternSource {
  const r = record as unknown as Parameters<typeof patternSourceOfDream>[0] &
    Parameters<typeof patternSourceOfThing>[0];
  return index === 'dreams' ? patternSourceOfDream(r) : patternSourceOfThing(r);
}

/**
 * Keeps each user's pattern records current as their dreams and things change (incrementally, with
 * the domain's {@link applyEntryToPatterns}) and rebuilds them from scratch on demand.
 *
 * Pattern records carry no version, so concurrent updates for one user are serialized here (per
 * process). Several instances writing the same user's patterns at the same instant can lose an
 * increment; `rebuild-patterns` repairs that, and the domain flags the cases it cannot do exactly.
 */
export class PatternMaintainer {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: RecordStore,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  private get patternsIndex(): string {
    return indexName(this.prefix, 'patterns');
  }

  /** Applies one entry change (`before`/`after` are stored records, null when absent). */
  async onEntryChanged(
    index: EntryIndex,
    before: StoredObject | null,
    after: StoredObject | null,
  ): Promise<void> {
    const owner = (after ?? before)?.user_id;
    if (typeof owner !== 'string') return;
    await this.serialized(owner, async () => {
      const b = before ? patternSource(index, before) : null;
      const a = after ? patternSource(index, after) : null;
      const ids = patternObjectIdsFor(b, a);
      const existing = (await this.store.getMany(this.patternsIndex, ids)).flatMap((r) => {
        const p = r ? patternSchema.safeParse(r) : undefined;
        return p?.success && p.data.user_id === owner ? [p.data] : [];
      });
      let changes = applyEntryToPatterns(existing, b, a);
      if (changes.rebuild.length > 0) {
        // The entry just written counts as written whatever the browse returns (an index that
        // publishes late, a replica behind): its browsed version is replaced by `after`, or dropped.
        const written = (a ?? b) as PatternSource;
        const entries = (await this.entriesOf(owner)).filter(
          (e) => !(e.index === written.index && e.objectID === written.objectID),
        );
        if (a) entries.push(a);
        const rebuilt = rebuildPatternsFor(changes.rebuild, entries);
        changes = {
          upserts: [...changes.upserts, ...rebuilt.upserts],
          deletes: [...changes.deletes, ...rebuilt.deletes],
          rebuild: [],
        };
      }
      await this.write(changes);
    });
  }

  /**
   * Recomputes patterns from scratch for one user (or every user when `userId` is undefined):
   * writes every rebuilt record and deletes pattern records that no longer occur.
   */
  async rebuild(userId?: string): Promise<{ upserts: number; deletes: number }> {
    const run = async (): Promise<{ upserts: number; deletes: number }> => {
      const entries = await this.entriesOf(userId);
      const rebuilt = rebuildPatterns(entries);
      const filter = userId === undefined ? '' : `user_id:${quoteFilterValue(userId)}`;
      const current = (await this.store.browse(this.patternsIndex, filter, ['objectID', 'user_id'])).filter(
        (p) => userId === undefined || p.user_id === userId,
      );
      const keep = new Set(rebuilt.map((p) => p.objectID));
      const deletes = current.map((p) => p.objectID).filter((id) => !keep.has(id));
      await this.write({ upserts: rebuilt, deletes, rebuild: [] });
      return { upserts: rebuilt.length, deletes: deletes.length };
    };
    return userId === undefined ? run() : this.serialized(userId, run);
  }

  /** Every pattern record of a user, as stored (for tests and tools). */
  async patternsOf(userId: string): Promise<Pattern[]> {
    const hits = await this.store.browse(this.patternsIndex, `user_id:${quoteFilterValue(userId)}`);
    return hits
      .map((h) => patternSchema.parse(h))
      .filter((p) => p.user_id === userId)
      .sort((a, b) => (a.objectID < b.objectID ? -1 : a.objectID > b.objectID ? 1 : 0));
  }

  /** The pattern sources of a user's (or everyone's) dreams and things. */
  async entriesOf(userId?: string): Promise<PatternSource[]> {
    const filter = userId === undefined ? '' : `user_id:${quoteFilterValue(userId)}`;
    const out: PatternSource[] = [];
    for (const index of ['dreams', 'things'] as const) {
      const records = await this.store.browse(indexName(this.prefix, index), filter);
      // Facet matching is case-insensitive; user ids are not.
      for (const r of records)
        if (userId === undefined || r.user_id === userId) out.push(patternSource(index, r));
    }
    return out;
  }

  private async write(changes: PatternChanges): Promise<void> {
    const requests: BatchWrite[] = [
      ...changes.upserts.map((p): BatchWrite => ({
        action: 'updateObject',
        body: p as unknown as StoredObject,
      })),
      ...changes.deletes.map((objectID): BatchWrite => ({ action: 'deleteObject', body: { objectID } })),
    ];
    if (requests.length === 0) return;
    await this.store.batch(this.patternsIndex, requests);
    this.logger.info('patterns.write', { upserts: changes.upserts.length, deletes: changes.deletes.length });
  }

  private async serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.queues.set(key, tail);
    try {
      return await next;
    } finally {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    }
  }
}
