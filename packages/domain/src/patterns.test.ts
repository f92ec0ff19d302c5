import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from './limits';
import {
  applyEntryToPatterns,
  patternObjectIdsFor,
  rebuildPatterns,
  rebuildPatternsFor,
  type PatternChanges,
  type PatternLimits,
  type PatternSource,
} from './patterns';
import { recordSizeBytes } from './record-size';
import { patternObjectId, patternSchema, type Pattern } from './records/pattern';

const ID = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function entry(over: Partial<PatternSource> & Pick<PatternSource, 'objectID'>): PatternSource {
  return {
    index: 'dreams',
    user_id: 'u1',
    date: 100,
    trashed: false,
    tags: [],
    themes: [],
    entities: [],
    symbols: [],
    ...over,
  };
}

/** The pattern store the key service would keep, with the write protocol it would follow. */
class Store {
  readonly patterns = new Map<string, Pattern>();
  readonly entries = new Map<string, PatternSource>();
  rebuilds = 0;

  constructor(private readonly limits: PatternLimits) {}

  write(objectID: string, after: PatternSource | null): PatternChanges {
    const before = this.entries.get(objectID) ?? null;
    const existing = patternObjectIdsFor(before, after).flatMap((id) => this.patterns.get(id) ?? []);
    const changes = applyEntryToPatterns(existing, before, after, this.limits);
    if (after) this.entries.set(objectID, after);
    else this.entries.delete(objectID);
    this.apply(changes);
    if (changes.rebuild.length > 0) {
      this.rebuilds += changes.rebuild.length;
      this.apply(rebuildPatternsFor(changes.rebuild, [...this.entries.values()], this.limits));
    }
    return changes;
  }

  private apply(c: PatternChanges) {
    for (const p of c.upserts) this.patterns.set(p.objectID, p);
    for (const id of c.deletes) this.patterns.delete(id);
  }

  sorted(): Pattern[] {
    return [...this.patterns.values()].sort((a, b) => (a.objectID < b.objectID ? -1 : 1));
  }
}

describe('patterns', () => {
  it('builds exact records from entries', () => {
    const entries = [
      entry({ objectID: ID(1), date: 100, tags: ['Sky', 'sea'], themes: ['Flight'] }),
      entry({ objectID: ID(2), date: 300, index: 'things', tags: [' sky '], entities: ['Mom'] }),
      entry({ objectID: ID(3), date: 200, tags: ['SKY'], trashed: true }),
      entry({ objectID: ID(4), date: 50, user_id: 'u2', tags: ['sky'] }),
    ];
    const all = rebuildPatterns(entries);
    const sky = all.find((p) => p.objectID === patternObjectId('u1', 'tag', 'sky'));
    expect(sky).toEqual({
      objectID: patternObjectId('u1', 'tag', 'sky'),
      user_id: 'u1',
      visible_to: ['user:u1'],
      kind: 'tag',
      value: 'sky',
      count: 2,
      first_seen: 100,
      last_seen: 300,
      recent_entries: [
        { objectID: ID(2), index: 'things', date: 300 },
        { objectID: ID(1), index: 'dreams', date: 100 },
      ],
      co_occurrences: [
        { kind: 'entity', value: 'mom', count: 1 },
        { kind: 'tag', value: 'sea', count: 1 },
        { kind: 'theme', value: 'flight', count: 1 },
      ],
      co_occurrences_complete: true,
    });
    expect(all.map((p) => `${p.user_id}/${p.kind}/${p.value}/${p.count}`).sort()).toEqual([
      'u1/entity/mom/1',
      'u1/tag/sea/1',
      'u1/tag/sky/2',
      'u1/theme/flight/1',
      'u2/tag/sky/1',
    ]);
    for (const p of all) expect(patternSchema.parse(p)).toEqual(p);
  });

  it('updates incrementally without rebuilds for creates and simple edits', () => {
    const store = new Store({
      recentEntries: LIMITS.patternRecentEntries,
      coOccurrences: LIMITS.patternCoOccurrences,
    });
    store.write(ID(1), entry({ objectID: ID(1), date: 100, tags: ['a', 'b'] }));
    store.write(ID(2), entry({ objectID: ID(2), date: 200, tags: ['a', 'c'] }));
    const c = store.write(ID(2), entry({ objectID: ID(2), date: 200, tags: ['a', 'd'] }));
    expect(c.rebuild).toEqual([]);
    expect(c.deletes).toEqual([patternObjectId('u1', 'tag', 'c')]);
    expect(store.rebuilds).toBe(0);
    expect(store.sorted()).toEqual(rebuildPatterns([...store.entries.values()]));
    const a = store.patterns.get(patternObjectId('u1', 'tag', 'a'))!;
    expect(a.count).toBe(2);
    expect(a.co_occurrences).toEqual([
      { kind: 'tag', value: 'b', count: 1 },
      { kind: 'tag', value: 'd', count: 1 },
    ]);
    // Trashing removes the entry from patterns; restoring brings it back.
    store.write(ID(1), entry({ objectID: ID(1), date: 100, tags: ['a', 'b'], trashed: true }));
    expect(store.patterns.has(patternObjectId('u1', 'tag', 'b'))).toBe(false);
    expect(store.patterns.get(patternObjectId('u1', 'tag', 'a'))!.count).toBe(1);
    store.write(ID(1), entry({ objectID: ID(1), date: 100, tags: ['a', 'b'] }));
    expect(store.sorted()).toEqual(rebuildPatterns([...store.entries.values()]));
  });

  it('asks for a rebuild instead of guessing when a bounded list loses information', () => {
    const limits = { recentEntries: 2, coOccurrences: 1 };
    const store = new Store(limits);
    for (let i = 1; i <= 3; i++) store.write(ID(i), entry({ objectID: ID(i), date: i * 100, tags: ['a'] }));
    // Deleting the latest of 3 occurrences when only 2 are listed: the next latest is unknown.
    const c = store.write(ID(3), null);
    expect(c.rebuild).toEqual([{ user_id: 'u1', kind: 'tag', value: 'a' }]);
    expect(
      store.patterns.get(patternObjectId('u1', 'tag', 'a'))!.recent_entries.map((r) => r.objectID),
    ).toEqual([ID(2), ID(1)]);
    expect(store.sorted()).toEqual(rebuildPatterns([...store.entries.values()], limits));
  });

  it('asks for a rebuild when the earliest occurrence leaves and is not listed', () => {
    const limits = { recentEntries: 1, coOccurrences: 4 };
    const store = new Store(limits);
    store.write(ID(1), entry({ objectID: ID(1), date: 100, tags: ['a'] }));
    store.write(ID(2), entry({ objectID: ID(2), date: 500, tags: ['a'] }));
    const c = store.write(ID(1), null);
    expect(c.rebuild).toEqual([{ user_id: 'u1', kind: 'tag', value: 'a' }]);
    expect(store.patterns.get(patternObjectId('u1', 'tag', 'a'))).toMatchObject({
      count: 1,
      first_seen: 500,
      last_seen: 500,
    });
  });

  it('truncates bounded lists deterministically (recent by date then id, co-occurrences by count then kind then value)', () => {
    const limits = { recentEntries: 2, coOccurrences: 2 };
    const entries = [
      entry({ objectID: ID(1), date: 100, tags: ['a', 'c', 'b'], themes: ['z'] }),
      entry({ objectID: ID(2), date: 300, tags: ['a', 'd'] }),
      entry({ objectID: ID(3), date: 300, tags: ['a', 'd'] }),
      entry({ objectID: ID(4), date: 200, tags: ['a'] }),
    ];
    const a = rebuildPatterns(entries, limits).find((p) => p.value === 'a' && p.kind === 'tag')!;
    expect(a.count).toBe(4);
    expect([a.first_seen, a.last_seen]).toEqual([100, 300]);
    expect(a.recent_entries.map((r) => r.objectID)).toEqual([ID(3), ID(2)]);
    expect(a.co_occurrences).toEqual([
      { kind: 'tag', value: 'd', count: 2 },
      { kind: 'tag', value: 'b', count: 1 },
    ]);
    expect(a.co_occurrences_complete).toBe(false);
    const z = rebuildPatterns(entries, { recentEntries: 2, coOccurrences: 3 }).find((p) => p.value === 'z')!;
    expect(z.co_occurrences).toEqual([
      { kind: 'tag', value: 'a', count: 1 },
      { kind: 'tag', value: 'b', count: 1 },
      { kind: 'tag', value: 'c', count: 1 },
    ]);
    expect(z.co_occurrences_complete).toBe(true);
  });

  it('rebuilds when a truncated co-occurrence list cannot stay exact', () => {
    const limits = { recentEntries: 5, coOccurrences: 2 };
    const store = new Store(limits);
    const a = () => store.patterns.get(patternObjectId('u1', 'tag', 'a'))!;
    store.write(ID(1), entry({ objectID: ID(1), date: 1, tags: ['a', 'b', 'c', 'd'] }));
    expect(a().co_occurrences.map((c) => c.value)).toEqual(['b', 'c']);
    // d is not listed: its true count is unknown, so adding to it needs a rebuild.
    expect(store.write(ID(2), entry({ objectID: ID(2), date: 2, tags: ['a', 'd'] })).rebuild).toContainEqual({
      user_id: 'u1',
      kind: 'tag',
      value: 'a',
    });
    expect(a().co_occurrences).toEqual([
      { kind: 'tag', value: 'd', count: 2 },
      { kind: 'tag', value: 'b', count: 1 },
    ]);
    // d drops to a tie with the listed minimum: c (unlisted, same count, sorts first) may belong in the list.
    expect(store.write(ID(2), entry({ objectID: ID(2), date: 2, tags: ['a'] })).rebuild).toContainEqual({
      user_id: 'u1',
      kind: 'tag',
      value: 'a',
    });
    expect(a().co_occurrences.map((c) => c.value)).toEqual(['b', 'c']);
    // c leaves entry 1: c is unlisted now, and whether the list becomes complete is unknown.
    expect(
      store.write(ID(1), entry({ objectID: ID(1), date: 1, tags: ['a', 'b', 'd'] })).rebuild,
    ).toContainEqual({ user_id: 'u1', kind: 'tag', value: 'a' });
    expect(a().co_occurrences_complete).toBe(true);
    expect(store.sorted()).toEqual(rebuildPatterns([...store.entries.values()], limits));
  });

  it('incremental application over any sequence of creates, updates, trashes and deletes equals a rebuild', () => {
    // Few values and mostly one user, so elements recur often enough to overflow the bounded lists;
    // dates collide sometimes (ties) but not always (edges move).
    const value = fc.constantFrom('sky', 'Sky', ' SKY', 'sea', 'mom', 'fall', 'Ünïcode', 'x y');
    const entryFields = fc.record({
      index: fc.constantFrom('dreams' as const, 'things' as const),
      user_id: fc.constantFrom('u1', 'u1', 'u1', 'u2'),
      date: fc.integer({ min: 0, max: 20 }),
      trashed: fc.constantFrom(false, false, false, true),
      tags: fc.array(value, { maxLength: 4 }),
      themes: fc.array(value, { maxLength: 2 }),
      entities: fc.array(value, { maxLength: 3 }),
      symbols: fc.array(value, { maxLength: 2 }),
    });
    const op = fc.record({
      slot: fc.integer({ min: 0, max: 9 }),
      fields: fc.option(entryFields, { nil: null, freq: 3 }),
    });
    const limitsArb = fc.oneof(
      fc.record({
        recentEntries: fc.integer({ min: 1, max: 3 }),
        coOccurrences: fc.integer({ min: 1, max: 4 }),
      }),
      fc.constant({ recentEntries: LIMITS.patternRecentEntries, coOccurrences: LIMITS.patternCoOccurrences }),
    );
    fc.assert(
      fc.property(limitsArb, fc.array(op, { minLength: 1, maxLength: 60 }), (limits, ops) => {
        const store = new Store(limits);
        // An entry keeps its owner and index for life (as records do).
        const identity = new Map<number, Pick<PatternSource, 'user_id' | 'index'>>();
        for (const { slot, fields } of ops) {
          const objectID = ID(slot + 1);
          if (fields === null) {
            store.write(objectID, null);
            identity.delete(slot);
            continue;
          }
          const id = identity.get(slot) ?? { user_id: fields.user_id, index: fields.index };
          identity.set(slot, id);
          store.write(objectID, { ...fields, ...id, objectID });
          expect(store.sorted()).toEqual(rebuildPatterns([...store.entries.values()], limits));
        }
        expect(store.sorted()).toEqual(rebuildPatterns([...store.entries.values()], limits));
      }),
      { numRuns: 300 },
    );
  });

  it('incremental equals rebuild on dense sequences (one user, few values, tiny bounds)', () => {
    const value = fc.constantFrom('a', 'b', 'c', 'd');
    const fields = fc.record({
      date: fc.integer({ min: 0, max: 8 }),
      trashed: fc.constantFrom(false, false, false, false, true),
      tags: fc.array(value, { maxLength: 4 }),
      themes: fc.array(value, { maxLength: 1 }),
    });
    const op = fc.record({
      slot: fc.integer({ min: 0, max: 5 }),
      fields: fc.option(fields, { nil: null, freq: 4 }),
    });
    const limitsArb = fc.record({
      recentEntries: fc.integer({ min: 1, max: 2 }),
      coOccurrences: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(limitsArb, fc.array(op, { minLength: 1, maxLength: 50 }), (limits, ops) => {
        const store = new Store(limits);
        for (const { slot, fields: f } of ops) {
          const objectID = ID(slot + 1);
          store.write(objectID, f === null ? null : entry({ ...f, objectID }));
          expect(store.sorted()).toEqual(rebuildPatterns([...store.entries.values()], limits));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('refuses before/after of different entries', () => {
    expect(() => applyEntryToPatterns([], entry({ objectID: ID(1) }), entry({ objectID: ID(2) }))).toThrow(
      RangeError,
    );
    expect(() =>
      applyEntryToPatterns([], entry({ objectID: ID(1) }), entry({ objectID: ID(1), user_id: 'u2' })),
    ).toThrow(RangeError);
  });

  it('keeps the largest possible pattern record under 10,000 bytes', () => {
    const userId = 'x'.repeat(LIMITS.principalIdChars);
    // 3-byte characters are the worst case per UTF-16 unit (64 of them = 192 bytes).
    const big = (i: number) => String.fromCodePoint(0x4e00 + i).repeat(LIMITS.elementChars);
    const entries: PatternSource[] = Array.from({ length: LIMITS.patternRecentEntries + 5 }, (_, i) =>
      entry({
        objectID: ID(i + 1),
        user_id: userId,
        date: 1_700_000_000 + i,
        entities: Array.from({ length: LIMITS.entitiesPerEntry }, (_, j) => big(j)),
      }),
    );
    const largest = Math.max(...rebuildPatterns(entries).map(recordSizeBytes));
    expect(largest).toBeGreaterThan(7_000);
    expect(largest).toBeLessThanOrEqual(10_000);
  });
});
