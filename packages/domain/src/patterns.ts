import { LIMITS } from './limits';
import {
  PATTERN_KINDS,
  normalizePatternValue,
  patternObjectId,
  type CoOccurrence,
  type Pattern,
  type PatternEntryRef,
  type PatternKind,
} from './records/pattern';
import { userToken } from './visibility';

/**
 * Patterns are derived data: a pure function of a user's non-trashed dreams and things. The key
 * service keeps them current on every write with {@link applyEntryToPatterns} and repairs (or
 * backfills) them with {@link rebuildPatterns} / {@link rebuildPatternsFor}. Both give identical
 * records: the incremental path is exact, and where the bounded record lacks the information to stay
 * exact (an entry leaves a truncated list, or the earliest/latest occurrence is removed) it says so
 * in `rebuild` instead of guessing.
 */

/** The fields of a dream or thing that patterns are built from. */
export interface PatternSource {
  objectID: string;
  index: 'dreams' | 'things';
  user_id: string;
  /** `dream_date` / `thing_date`. */
  date: number;
  trashed: boolean;
  tags: readonly string[];
  themes: readonly string[];
  entities: readonly string[];
  symbols: readonly string[];
}

type ElementFields = Pick<
  PatternSource,
  'user_id' | 'trashed' | 'tags' | 'themes' | 'entities' | 'symbols' | 'objectID'
>;

/** The pattern source of a dream record. */
export function patternSourceOfDream(d: ElementFields & { dream_date: number }): PatternSource {
  return {
    objectID: d.objectID,
    index: 'dreams',
    user_id: d.user_id,
    date: d.dream_date,
    trashed: d.trashed,
    tags: d.tags,
    themes: d.themes,
    entities: d.entities,
    symbols: d.symbols,
  };
}

/** The pattern source of a thing record. */
export function patternSourceOfThing(t: ElementFields & { thing_date: number }): PatternSource {
  return {
    objectID: t.objectID,
    index: 'things',
    user_id: t.user_id,
    date: t.thing_date,
    trashed: t.trashed,
    tags: t.tags,
    themes: t.themes,
    entities: t.entities,
    symbols: t.symbols,
  };
}

/** Identifies one pattern record. `value` is normalized ({@link normalizePatternValue}). */
export interface PatternKey {
  user_id: string;
  kind: PatternKind;
  value: string;
}

/** What to write after an entry changed. */
export interface PatternChanges {
  /** Pattern records to save (whole records). */
  upserts: Pattern[];
  /** objectIDs of pattern records to delete (their element no longer occurs). */
  deletes: string[];
  /**
   * Patterns the bounded records could not update exactly: rebuild them from the user's current
   * entries with {@link rebuildPatternsFor} (after this entry's own write is visible).
   */
  rebuild: PatternKey[];
}

/** Bounds of a pattern record (tests use smaller ones to exercise truncation). */
export interface PatternLimits {
  recentEntries: number;
  coOccurrences: number;
}

const DEFAULT_LIMITS: PatternLimits = {
  recentEntries: LIMITS.patternRecentEntries,
  coOccurrences: LIMITS.patternCoOccurrences,
};

const KIND_FIELD: Record<PatternKind, 'themes' | 'entities' | 'tags' | 'symbols'> = {
  theme: 'themes',
  entity: 'entities',
  tag: 'tags',
  symbol: 'symbols',
};

/** `kind\nvalue`: a pattern's identity within one user. */
type ElementId = string;

function elementId(kind: PatternKind, value: string): ElementId {
  return `${kind}\n${value}`;
}

function splitElementId(id: ElementId): { kind: PatternKind; value: string } {
  const nl = id.indexOf('\n');
  return { kind: id.slice(0, nl) as PatternKind, value: id.slice(nl + 1) };
}

/** The distinct normalized elements of an entry; none when it is absent or in the trash. */
export function entryElements(entry: PatternSource | null): Set<ElementId> {
  const out = new Set<ElementId>();
  if (!entry || entry.trashed) return out;
  for (const kind of PATTERN_KINDS) {
    for (const raw of entry[KIND_FIELD[kind]]) {
      const value = normalizePatternValue(raw);
      if (value !== '') out.add(elementId(kind, value));
    }
  }
  return out;
}

/** objectIDs of the pattern records an entry change touches — fetch these and pass them to {@link applyEntryToPatterns}. */
export function patternObjectIdsFor(before: PatternSource | null, after: PatternSource | null): string[] {
  const user = (after ?? before)?.user_id;
  if (user === undefined) return [];
  const ids = new Set([...entryElements(before), ...entryElements(after)]);
  return [...ids].sort().map((id) => {
    const { kind, value } = splitElementId(id);
    return patternObjectId(user, kind, value);
  });
}

function compareRecent(a: PatternEntryRef, b: PatternEntryRef): number {
  return b.date - a.date || (a.objectID < b.objectID ? 1 : a.objectID > b.objectID ? -1 : 0);
}

function compareCo(a: CoOccurrence, b: CoOccurrence): number {
  if (a.count !== b.count) return b.count - a.count;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** Working state of one pattern while changes are applied. */
interface State {
  count: number;
  first_seen: number;
  last_seen: number;
  recent: PatternEntryRef[];
  co: Map<ElementId, number>;
  coComplete: boolean;
}

function stateOf(p: Pattern): State {
  return {
    count: p.count,
    first_seen: p.first_seen,
    last_seen: p.last_seen,
    recent: p.recent_entries.map((r) => ({ ...r })),
    co: new Map(p.co_occurrences.map((c) => [elementId(c.kind, c.value), c.count])),
    coComplete: p.co_occurrences_complete,
  };
}

function toRecord(userId: string, id: ElementId, s: State, limits: PatternLimits): Pattern {
  const { kind, value } = splitElementId(id);
  let co: CoOccurrence[] = [...s.co]
    .map(([cid, count]) => ({ ...splitElementId(cid), count }))
    .sort(compareCo);
  let complete = s.coComplete;
  if (co.length > limits.coOccurrences) {
    co = co.slice(0, limits.coOccurrences);
    complete = false;
  }
  return {
    objectID: patternObjectId(userId, kind, value),
    user_id: userId,
    visible_to: [userToken(userId)],
    kind,
    value,
    count: s.count,
    first_seen: s.first_seen,
    last_seen: s.last_seen,
    recent_entries: [...s.recent].sort(compareRecent).slice(0, limits.recentEntries),
    co_occurrences: co,
    co_occurrences_complete: complete,
  };
}

class NeedsRebuild extends Error {}

function addOccurrence(s: State, ref: PatternEntryRef, limits: PatternLimits): void {
  s.count += 1;
  s.first_seen = Math.min(s.first_seen, ref.date);
  s.last_seen = Math.max(s.last_seen, ref.date);
  s.recent = [...s.recent, ref].sort(compareRecent).slice(0, limits.recentEntries);
}

function removeOccurrence(s: State, ref: PatternEntryRef): void {
  const hadAll = s.recent.length === s.count;
  const at = s.recent.findIndex((r) => r.objectID === ref.objectID);
  s.count -= 1;
  if (s.count === 0) {
    // The entry may add itself back (a date change): start the occurrence data afresh.
    s.recent = [];
    s.first_seen = Number.POSITIVE_INFINITY;
    s.last_seen = Number.NEGATIVE_INFINITY;
    return;
  }
  if (hadAll) {
    if (at < 0) throw new NeedsRebuild();
    s.recent.splice(at, 1);
    s.first_seen = Math.min(...s.recent.map((r) => r.date));
    s.last_seen = Math.max(...s.recent.map((r) => r.date));
    return;
  }
  // Some occurrences are not listed: only exact when the removed one was neither listed nor at an edge.
  if (at >= 0 || ref.date <= s.first_seen || ref.date >= s.last_seen) throw new NeedsRebuild();
}

function bumpCo(s: State, other: ElementId, delta: 1 | -1): void {
  const current = s.co.get(other);
  if (delta === 1) {
    if (current !== undefined) s.co.set(other, current + 1);
    else if (s.coComplete) s.co.set(other, 1);
    else throw new NeedsRebuild(); // its true count is not stored
    return;
  }
  if (current === undefined) throw new NeedsRebuild(); // unlisted (or missing): cannot tell whether it reaches 0
  if (s.coComplete) {
    if (current === 1) s.co.delete(other);
    else s.co.set(other, current - 1);
    return;
  }
  // Truncated list: unlisted counts are at most the listed minimum, so the list stays the exact
  // top only if the decremented element stays strictly above that minimum.
  const min = Math.min(...s.co.values());
  if (current - 1 > min) {
    s.co.set(other, current - 1);
    return;
  }
  throw new NeedsRebuild();
}

function truncate(s: State, limits: PatternLimits): void {
  if (s.co.size <= limits.coOccurrences) return;
  const kept = [...s.co]
    .map(([id, count]) => ({ ...splitElementId(id), count }))
    .sort(compareCo)
    .slice(0, limits.coOccurrences);
  s.co = new Map(kept.map((c) => [elementId(c.kind, c.value), c.count]));
  s.coComplete = false;
}

/**
 * The pattern writes caused by one entry change: `before` is the stored entry (null on create),
 * `after` the new one (null on delete; a trashed entry counts as absent). `existing` holds the
 * current pattern records of {@link patternObjectIdsFor}(before, after) — those that exist.
 */
export function applyEntryToPatterns(
  existing: readonly Pattern[],
  before: PatternSource | null,
  after: PatternSource | null,
  limits: PatternLimits = DEFAULT_LIMITS,
): PatternChanges {
  if (
    before &&
    after &&
    (before.objectID !== after.objectID || before.user_id !== after.user_id || before.index !== after.index)
  ) {
    throw new RangeError('before and after must be the same entry of the same owner');
  }
  const userId = (after ?? before)?.user_id;
  const result: PatternChanges = { upserts: [], deletes: [], rebuild: [] };
  if (userId === undefined) return result;

  const oldSet = entryElements(before);
  const newSet = entryElements(after);
  const byObjectId = new Map(existing.map((p) => [p.objectID, p]));
  const oldRef = before ? { objectID: before.objectID, index: before.index, date: before.date } : null;
  const newRef = after ? { objectID: after.objectID, index: after.index, date: after.date } : null;

  for (const id of [...new Set([...oldSet, ...newSet])].sort()) {
    const { kind, value } = splitElementId(id);
    const objectID = patternObjectId(userId, kind, value);
    const stored = byObjectId.get(objectID);
    const inOld = oldSet.has(id);
    const inNew = newSet.has(id);
    try {
      let s: State;
      if (stored) s = stateOf(stored);
      else if (inOld)
        throw new NeedsRebuild(); // the entry had it, so the record should exist
      else
        s = {
          count: 0,
          first_seen: Number.POSITIVE_INFINITY,
          last_seen: Number.NEGATIVE_INFINITY,
          recent: [],
          co: new Map(),
          coComplete: true,
        };

      const dateChanged = inOld && inNew && oldRef !== null && newRef !== null && oldRef.date !== newRef.date;
      if (inOld && (!inNew || dateChanged) && oldRef) removeOccurrence(s, oldRef);
      if (s.count === 0 && !inNew) {
        result.deletes.push(objectID);
        continue;
      }
      if (inNew && (!inOld || dateChanged) && newRef) addOccurrence(s, newRef, limits);

      for (const other of oldSet)
        if (other !== id && inOld && !(inNew && newSet.has(other))) bumpCo(s, other, -1);
      for (const other of newSet)
        if (other !== id && inNew && !(inOld && oldSet.has(other))) bumpCo(s, other, 1);
      truncate(s, limits);
      result.upserts.push(toRecord(userId, id, s, limits));
    } catch (e) {
      if (!(e instanceof NeedsRebuild)) throw e;
      result.rebuild.push({ user_id: userId, kind, value });
    }
  }
  return result;
}

/** Every pattern record of `entries` (any users), from scratch, sorted by objectID. */
export function rebuildPatterns(
  entries: readonly PatternSource[],
  limits: PatternLimits = DEFAULT_LIMITS,
): Pattern[] {
  const states = new Map<string, { userId: string; id: ElementId; s: State }>();
  for (const entry of entries) {
    const elements = entryElements(entry);
    const ref = { objectID: entry.objectID, index: entry.index, date: entry.date };
    for (const id of elements) {
      const key = `${entry.user_id}\n${id}`;
      let st = states.get(key);
      if (!st) {
        st = {
          userId: entry.user_id,
          id,
          s: {
            count: 0,
            first_seen: Number.POSITIVE_INFINITY,
            last_seen: Number.NEGATIVE_INFINITY,
            recent: [],
            co: new Map(),
            coComplete: true,
          },
        };
        states.set(key, st);
      }
      addOccurrence(st.s, ref, limits);
      for (const other of elements) if (other !== id) st.s.co.set(other, (st.s.co.get(other) ?? 0) + 1);
    }
  }
  return [...states.values()]
    .map(({ userId, id, s }) => toRecord(userId, id, s, limits))
    .sort((a, b) => (a.objectID < b.objectID ? -1 : a.objectID > b.objectID ? 1 : 0));
}

/**
 * Rebuilds only `keys` from `entries` (at least every current entry of those users that contains
 * them; extra entries are ignored): upserts for patterns that still occur, deletes for the rest.
 */
export function rebuildPatternsFor(
  keys: readonly PatternKey[],
  entries: readonly PatternSource[],
  limits: PatternLimits = DEFAULT_LIMITS,
): PatternChanges {
  const wanted = new Map(keys.map((k) => [patternObjectId(k.user_id, k.kind, k.value), k]));
  const users = new Set(keys.map((k) => k.user_id));
  const rebuilt = rebuildPatterns(
    entries.filter((e) => users.has(e.user_id)),
    limits,
  ).filter((p) => wanted.has(p.objectID));
  const found = new Set(rebuilt.map((p) => p.objectID));
  return { upserts: rebuilt, deletes: [...wanted.keys()].filter((id) => !found.has(id)).sort(), rebuild: [] };
}
