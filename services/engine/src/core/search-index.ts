/* eslint-disable @typescript-eslint/no-non-null-assertion -- hot loops over typed arrays and
   dense id-indexed arrays: indices are in bounds by construction, and noUncheckedIndexedAccess
   would otherwise cost a check per element. */
/**
 * The in-memory index of one Algolia index: records by integer doc id, an inverted index over
 * normalized tokens (doc-level posting lists in typed arrays), a forward index of token ids per
 * doc (for proximity, attribute and exact criteria), facet value lists, and numeric/boolean
 * columns for filters.
 *
 * Updates never rewrite posting lists: a replaced or deleted record's doc id becomes dead and
 * a new id is appended; dead ids are skipped on read and dropped when the index is compacted.
 */
import type { FilterExpr, OptionalFilter } from '../filters/types';
import { Bitset } from './bitset';
import { PostingStore, type Segment } from './postings';
import { TermDictionary, type TermMatch } from './dictionary';
import { atomBits, exprBits, type FilterSource } from './filter-eval';
import { allLeaves, recordTextProjector, valuesAt, valuesInto, type JsonRecord } from './record-path';
import {
  resolveSettings,
  type FacetDecl,
  type ResolvedSettings,
  type SortCriterion,
  type StoredSettings,
} from './settings';
import { storedJsonBytes } from '../text/ascii-json';
import { internTokens, TokenBuffer, tokenize } from '../text/normalize';
import { NO_SYNTAX, parseQuery, type SyntaxFeatures } from './query-syntax';
import { ownCopy } from '../text/own-copy';
import { TextBlocks } from './text-blocks';
import { freeSoon } from './free-soon';

/**
 * A posting list: ascending doc ids. Plain small-integer arrays: V8 keeps them packed on the heap,
 * which is much cheaper to grow than many small typed arrays with external backing stores.
 */
interface Posting {
  ids: number[];
  n: number;
}

function newPosting(): Posting {
  return { ids: [], n: 0 };
}

function push(p: Posting, id: number): void {
  if (p.n > 0 && p.ids[p.n - 1] === id) return;
  p.ids.push(id);
  p.n++;
}

interface FacetIndex {
  decl: FacetDecl;
  /** lowercased value → value id */
  ids: Map<string, number>;
  /** display string by value id (first casing seen) */
  display: string[];
  /** numeric value by value id, when the value was a number */
  numeric: (number | undefined)[];
  docs: Posting[];
  /**
   * Value ids per doc: one id as a plain number, several as an exact-size array. A doc has one
   * value per facet most of the time, and a small array per doc and facet (V8 gives a pushed-to
   * array 17 slots) was a fifth of the index's heap.
   */
  byDoc: (number | number[] | undefined)[];
}

/** A query word with its dictionary expansion. */
export interface QueryWord {
  /** Normalized word. */
  text: string;
  prefix: boolean;
  maxTypos: number;
  optional: boolean;
  /** Index of the quoted phrase (advancedSyntax) it belongs to, -1 outside quotes. */
  phrase: number;
  /** Where it stands in the query text (UTF-16 offsets). */
  start: number;
  end: number;
  matches: Map<number, TermMatch>;
  /** Sum of posting lengths (cost estimate). */
  cost: number;
}

/** What the ranking pass needs from the request, already validated and merged with settings. */
export interface RankRequest {
  query: string;
  filters: FilterExpr;
  optionalFilters: OptionalFilter[];
  typoTolerance: boolean | 'min' | 'strict';
  minWordSizefor1Typo: number;
  minWordSizefor2Typos: number;
  queryType: 'prefixLast' | 'prefixAll' | 'prefixNone';
  optionalWords: string[];
  /** `advancedSyntax` features in effect (phrases in quotes, `-` exclusions). */
  syntax?: SyntaxFeatures;
  /** What to make optional when the query finds nothing (`removeWordsIfNoResults`). */
  removeWordsIfNoResults?: 'none' | 'lastWords' | 'firstWords' | 'allOptional';
  exactOnSingleWordQuery?: 'attribute' | 'none' | 'word';
  allowTyposOnNumericTokens?: boolean;
  /** Query words matched without typos (`disableTypoToleranceOnWords`). */
  disableTypoToleranceOnWords?: string[];
  /** Attributes where matches count only without typos, as whole words, or not as exact. */
  disableTypoToleranceOnAttributes?: string[];
  disablePrefixOnAttributes?: string[];
  disableExactOnAttributes?: string[];
  /** Smallest proximity a pair of words scores (`minProximity`, 1–7). */
  minProximity?: number;
  restrictSearchableAttributes?: string[];
  distinct: number;
  attributeForDistinct?: string;
  /** Ranking and custom ranking of the view (a virtual replica has its own). */
  ranking: ResolvedSettings['ranking'];
  customRanking: SortCriterion[];
  /** Facets to count (already resolved against attributesForFaceting). */
  facets: string[];
  facetingAfterDistinct: boolean;
}

export interface RankingInfo {
  nbTypos: number;
  words: number;
  filters: number;
  proximityDistance: number;
  firstMatchedWord: number;
  nbExactWords: number;
}

/** The ranked result of a query, before pagination and hit formatting. */
export interface RankResult {
  /** Doc ids in ranking order (after distinct; with distinct > 1, each group's members in a row). */
  docs: number[];
  /**
   * With distinct > 1: where each group starts in `docs`, groups in the order of their best
   * member (a record without the distinct attribute is a group of its own).
   */
  groupStarts?: number[];
  /** Matching docs before distinct. */
  nbCandidates: number;
  words: QueryWord[];
  facets: Record<string, Record<string, number>>;
  facetsStats: Record<string, { min: number; max: number; avg: number; sum: number }>;
  /** Ranking details of a doc (getRankingInfo); undefined without query words. */
  info?: (doc: number) => RankingInfo | undefined;
  /** Candidate docs before distinct (for facet value search). */
  candidates: Int32Array | number[];
  /** Words removeWordsIfNoResults made optional to find these (true at their index). */
  removed?: boolean[];
}

const TYPO_NONE = 255;
const ALL_DIGITS = /^\p{N}+$/u;
/** Most dictionary terms one query word may expand to. */
const MAX_VARIANTS = 1000;

export class SearchIndex implements FilterSource {
  settings: ResolvedSettings;
  /**
   * Records by doc id: the object, or its JSON text until something reads it. Bulk imports and
   * snapshots keep text (one string per record instead of a graph of a dozen objects for the
   * garbage collector to copy and trace); reading a record parses and keeps it.
   */
  private records: (JsonRecord | string | undefined)[] = [];
  private objectIds: (string | undefined)[] = [];
  /** Forward index: every doc's token ids in one arena; dead docs' ranges are dropped on rebuild. */
  private arena: Int32Array = new Int32Array(1 << 16);
  private arenaUsed = 0;
  private fwdOff: number[] = [];
  private fwdLen: number[] = [];
  /**
   * Every doc's `searchableGroups + 1` group starts (relative to its first token), doc after doc
   * in one array: one object instead of a view per doc for the garbage collector.
   */
  private fwdStarts: Int32Array = new Int32Array(0);
  private readonly idByObject = new Map<string, number>();
  private alive = new Uint8Array(1024);
  private nextId = 0;
  private liveCount = 0;
  dict = new TermDictionary();
  private postings: PostingStore = this.newPostings();
  private facetIdx = new Map<string, FacetIndex>();
  private tagIdx = new Map<string, Posting>();
  private numCols = new Map<string, (number | number[] | undefined)[]>();
  /** Sort values by doc for ranking attributes (custom ranking, replicas' sorts). */
  private sortCols = new Map<string, (number | string | undefined)[]>();
  /** Bumped on every change; keys caches. */
  mutation = 0;
  private aliveCache: { m: number; bits: Bitset } | null = null;
  private groupCache = new Map<string, Bitset>();
  private groupCacheMutation = -1;
  private lookupCache = new Map<string, Map<number, TermMatch>>();
  private lookupCacheVersion = -1;
  private orderCache = new Map<string, { m: number; order: Int32Array }>();
  /** Batches' record texts kept as views of one string per batch. */
  private readonly textBlocks = new TextBlocks();
  /** Scratch marks of {@link textCandidates}, all zero between queries. */
  private candidateMarks = new Uint8Array(0);
  private termMask = new Int32Array(1024);
  private searchableGroups = 1;
  private readonly tokBuf = new TokenBuffer();
  private readonly facetScratch: number[] = [];
  private readonly leafScratch: unknown[] = [];

  constructor(settings: StoredSettings = {}) {
    this.settings = resolveSettings(settings);
    this.searchableGroups = this.settings.searchable?.length ?? 1;
    this.initFacets();
  }

  /** Number of live records. */
  get count(): number {
    return this.liveCount;
  }

  get capacity(): number {
    return this.nextId;
  }

  /** Record by objectID (the stored object itself: do not mutate). */
  get(objectID: string): JsonRecord | undefined {
    const id = this.idByObject.get(objectID);
    return id === undefined ? undefined : this.recordAt(id);
  }

  /** Record by doc id (parsed from its text on first read, and kept). */
  recordAt(doc: number): JsonRecord | undefined {
    const r = this.records[doc];
    if (typeof r !== 'string') return r;
    const parsed = parseStoredRecord(r);
    this.textBlocks.release(doc, r, this.records);
    this.records[doc] = parsed;
    return parsed;
  }

  /** Record by doc id without keeping a parse of its text (whole-index passes). */
  private readAt(doc: number): JsonRecord | undefined {
    const r = this.records[doc];
    return typeof r === 'string' ? parseStoredRecord(r) : r;
  }

  /**
   * All live records in doc order. Records kept as text are parsed for the caller and not kept
   * (a browse or a copy does not turn the index back into objects).
   */
  *all(): IterableIterator<JsonRecord> {
    for (let i = 0; i < this.nextId; i++) {
      if (this.alive[i] !== 1) continue;
      const r = this.readAt(i);
      if (r !== undefined) yield r;
    }
  }

  /** All live records as stored, in doc order: objects, or JSON text (snapshots write it as is). */
  *stored(): IterableIterator<JsonRecord | string> {
    for (let i = 0; i < this.nextId; i++) {
      const r = this.records[i];
      if (r !== undefined && this.alive[i] === 1) yield r;
    }
  }

  /**
   * {@link stored}, with texts that are views of a batch's block copied out: what another index,
   * or this one rebuilt, keeps (so the block is not held by records it does not track).
   */
  private *ownedStored(): IterableIterator<JsonRecord | string> {
    for (let i = 0; i < this.nextId; i++) {
      const r = this.records[i];
      if (r === undefined || this.alive[i] !== 1) continue;
      yield typeof r === 'string' && this.textBlocks.isView(i) ? ownCopy(r) : r;
    }
  }

  /** Upserts every live record of `other` (records kept as text stay text). */
  copyFrom(other: SearchIndex): void {
    for (const r of other.ownedStored()) this.upsertStored(r);
  }

  /** Batches whose record texts are still kept as views of one string (diagnostics, tests). */
  get textBlockCount(): number {
    return this.textBlocks.liveBlocks;
  }

  /** Upserts a record as stored: an object, or JSON text (parsed for indexing, kept as text). */
  upsertStored(r: JsonRecord | string): void {
    if (typeof r === 'string') this.upsert(parseStoredRecord(r), r);
    else this.upsert(r);
  }

  /** UTF-8 bytes of every live record's JSON (stored texts may be escaped: see asciiJson). */
  storedBytes(): number {
    let n = 0;
    for (const r of this.stored())
      n += typeof r === 'string' ? storedJsonBytes(r) : Buffer.byteLength(JSON.stringify(r));
    return n;
  }

  /**
   * Adds or replaces a record (keyed by objectID). `text`, when given, is the record's JSON text
   * (JSON.parse(text) deep-equals `record`): it is kept instead of the object.
   */
  upsert(record: JsonRecord, text?: string): void {
    const id = this.admit(record, text);
    this.indexDoc(id, record);
    this.mutation++;
    this.maybeCompact();
  }

  /** A new doc id for `record`, replacing the doc of the same objectID. */
  private admit(record: JsonRecord, text?: string): number {
    const old = this.idByObject.get(record.objectID);
    if (old !== undefined) this.kill(old);
    const id = this.nextId++;
    if (id >= this.alive.length) {
      const next = new Uint8Array(this.alive.length * 2);
      next.set(this.alive);
      this.alive = next;
    }
    this.alive[id] = 1;
    this.records[id] = text ?? record;
    this.objectIds[id] = record.objectID;
    this.idByObject.set(record.objectID, id);
    this.liveCount++;
    return id;
  }

  /** Deletes a record; false when it did not exist. */
  remove(objectID: string): boolean {
    const id = this.idByObject.get(objectID);
    if (id === undefined) return false;
    this.kill(id);
    this.idByObject.delete(objectID);
    this.mutation++;
    this.maybeCompact();
    return true;
  }

  /** Removes every record (settings stay). */
  clear(): void {
    const settings = this.settings.raw;
    this.reset();
    this.settings = resolveSettings(settings);
    this.initFacets();
  }

  /** Applies new settings; rebuilds the index when its structure changes. */
  setSettings(raw: StoredSettings): void {
    const next = resolveSettings(raw);
    const structural =
      JSON.stringify(raw.searchableAttributes ?? null) !==
        JSON.stringify(this.settings.raw.searchableAttributes ?? null) ||
      JSON.stringify(raw.attributesForFaceting ?? null) !==
        JSON.stringify(this.settings.raw.attributesForFaceting ?? null);
    this.settings = next;
    if (structural) this.rebuild();
    this.epoch++;
    this.mutation++;
  }

  private kill(id: number): void {
    if (this.alive[id] !== 1) return;
    this.alive[id] = 0;
    const r = this.records[id];
    if (typeof r === 'string') this.textBlocks.release(id, r, this.records);
    this.records[id] = undefined;
    this.objectIds[id] = undefined;
    this.fwdLen[id] = 0;
    for (const f of this.facetIdx.values()) f.byDoc[id] = undefined;
    for (const col of this.numCols.values()) col[id] = undefined;
    for (const col of this.sortCols.values()) col[id] = undefined;
    this.liveCount--;
  }

  private reset(): void {
    this.epoch++;
    this.records = [];
    this.textBlocks.clear();
    this.candidateMarks = new Uint8Array(0);
    this.objectIds = [];
    this.arena = new Int32Array(1 << 16);
    this.arenaUsed = 0;
    this.fwdOff = [];
    this.fwdLen = [];
    this.fwdStarts = new Int32Array(0);
    this.idByObject.clear();
    this.alive = new Uint8Array(1024);
    this.nextId = 0;
    this.liveCount = 0;
    this.dict = new TermDictionary();
    this.postings = this.newPostings();
    this.facetIdx = new Map();
    this.tagIdx = new Map();
    this.numCols = new Map();
    this.sortCols = new Map();
    this.termMask = new Int32Array(1024);
    this.lookupCache.clear();
    this.orderCache.clear();
    this.groupCache.clear();
    this.mutation++;
  }

  private initFacets(): void {
    this.facetIdx = new Map();
    for (const decl of this.settings.facets.values()) {
      this.facetIdx.set(decl.attribute, {
        decl,
        ids: new Map(),
        display: [],
        numeric: [],
        docs: [],
        byDoc: [],
      });
    }
    this.searchableGroups = this.settings.searchable?.length ?? 1;
    // Custom ranking reads these on every query after a write: kept up to date as docs come,
    // so a ranking never reads (or parses) every record.
    for (const c of this.settings.customRanking) this.sortColumn(c.attribute);
  }

  private newPostings(): PostingStore {
    return new PostingStore({
      arena: () => this.arena,
      offset: (d) => this.fwdOff[d]!,
      length: (d) => this.fwdLen[d]!,
    });
  }

  /** Re-indexes every live record with compact doc ids. */
  private rebuild(): void {
    const live = [...this.ownedStored()];
    const settings = this.settings.raw;
    this.reset();
    this.settings = resolveSettings(settings);
    this.initFacets();
    for (const r of live) this.upsertStored(r);
  }

  private maybeCompact(): void {
    const dead = this.nextId - this.liveCount;
    if (dead > 10_000 && dead > this.liveCount) this.rebuild();
  }

  private indexDoc(id: number, record: JsonRecord): void {
    this.tokenizeDoc(id, record);
    this.indexAttributes(id, record);
  }

  /**
   * Calls `fn` with every searchable text of `record` and its searchable group, in index order
   * (numbers as their decimal text). What {@link tokenizeDoc} tokenizes, and what a batch
   * tokenized off the main thread is given.
   */
  forEachSearchableText(record: JsonRecord, fn: (group: number, text: string) => void): void {
    const groups = this.settings.searchable;
    // Reused: indexing calls this per record (callers' `fn` never re-enter it).
    const leaves = this.leafScratch;
    leaves.length = 0;
    if (groups === null) allLeaves(record, leaves);
    for (let g = 0; g < (groups === null ? 1 : groups.length); g++) {
      if (groups !== null) {
        leaves.length = 0;
        for (const path of groups[g]!.paths) valuesInto(record, path, leaves);
      }
      for (const v of leaves) {
        if (typeof v === 'string') fn(g, v);
        else if (typeof v === 'number') fn(g, String(v));
      }
    }
  }

  /** Number of searchable groups (the forward index's `starts` hold one more entry). */
  get searchableGroupCount(): number {
    return this.searchableGroups;
  }

  /**
   * Bumped whenever settings are applied or the index is emptied: a batch tokenized under one
   * epoch is placed only if the epoch is unchanged.
   */
  epoch = 0;

  /** Forward index: token ids by searchable rank; -1 separates values. */
  private tokenizeDoc(id: number, record: JsonRecord): void {
    const toks = this.tokBuf;
    toks.n = 0;
    const starts = new Int32Array(this.searchableGroups + 1);
    const dict = this.dict;
    let group = -1;
    this.forEachSearchableText(record, (g, text) => {
      // Groups without values start where the next one does.
      while (group < g) starts[++group] = toks.n;
      internTokens(text, dict, toks);
      toks.push(-1);
    });
    while (group < this.searchableGroups) starts[++group] = toks.n;
    this.placeTokens(id, toks.a, toks.n, starts);
  }

  /**
   * Adds or replaces records whose searchable texts were already tokenized, in this epoch:
   * record `d`'s tokens are `tokens[ends[d - 1], ends[d])` (term ids of this dictionary), its
   * `groups + 1` starts at `starts[d * (groups + 1)]`, as {@link tokenizeDoc} makes them.
   * `segment`, when given, holds the batch's postings (dictionary term ids in any order, each
   * record as its index in `records`); its doc ids are rewritten in place to the records' ids.
   * `texts[d]`, when given, is record `d`'s JSON text, kept instead of the object (see upsert):
   * the batch's texts are one string (a block: `parent`, or a copy), of which each record keeps a view.
   */
  upsertTokenizedBatch(
    records: readonly JsonRecord[],
    tokens: Int32Array,
    ends: Int32Array,
    starts: Int32Array,
    segment?: Segment,
    texts?: readonly (string | undefined)[],
    /** The texts are one-byte strings of ASCII (cut from a request decoded so), or dense text. */
    asciiTexts = false,
    /** The one-byte ASCII string every text is a slice of (see TextBlocks.join). */
    parent?: string,
  ): void {
    const firstDoc = this.nextId;
    // admit() numbers the records consecutively from firstDoc: their texts become one block.
    const kept = texts ? this.textBlocks.join(firstDoc, texts, asciiTexts, parent) : undefined;
    const stride = this.searchableGroups + 1;
    this.reserveArena(tokens.length);
    const at = this.arenaUsed;
    this.arena.set(tokens, at);
    this.arenaUsed += tokens.length;
    for (let d = 0; d < records.length; d++) {
      const record = records[d]!;
      const id = this.admit(record, kept?.[d]);
      const from = d === 0 ? 0 : ends[d - 1]!;
      this.fwdOff[id] = at + from;
      this.fwdLen[id] = ends[d]! - from;
      this.setStarts(id, starts, d * stride);
      if (segment === undefined) this.postings.add(id, this.dict.size);
      this.indexAttributes(id, record);
    }
    this.textBlocks.settle(this.records);
    if (segment !== undefined) {
      // admit() numbers the records consecutively from firstDoc.
      const ids = segment.ids;
      for (let i = 0; i < ids.length; i++) ids[i]! += firstDoc;
      this.postings.addBatch(segment, records.length, this.dict.size);
    }
    this.mutation++;
    this.maybeCompact();
  }

  private reserveArena(n: number): void {
    if (this.arenaUsed + n > this.arena.length) {
      const next = new Int32Array(Math.max(this.arena.length * 2, this.arenaUsed + n));
      next.set(this.arena.subarray(0, this.arenaUsed));
      // The arena is the index's own (no one keeps a view of it across a write).
      freeSoon(this.arena);
      this.arena = next;
    }
  }

  /** Doc `id`'s group starts: `stride` values of `from` from `at`. */
  private setStarts(id: number, from: Int32Array, at: number): void {
    const stride = this.searchableGroups + 1;
    const end = (id + 1) * stride;
    if (this.fwdStarts.length < end) {
      const next = new Int32Array(Math.max(end, this.fwdStarts.length * 2, 1024 * stride));
      next.set(this.fwdStarts);
      this.fwdStarts = next;
    }
    this.fwdStarts.set(from.subarray(at, at + stride), id * stride);
  }

  private placeTokens(id: number, tokens: Int32Array, n: number, starts: Int32Array, post = true): void {
    this.reserveArena(n);
    this.arena.set(tokens.subarray(0, n), this.arenaUsed);
    this.fwdOff[id] = this.arenaUsed;
    this.fwdLen[id] = n;
    this.arenaUsed += n;
    this.setStarts(id, starts, 0);
    if (post) this.postings.add(id, this.dict.size);
  }

  /**
   * The attribute paths {@link indexAttributes} reads (facets, `_tags`, numeric and sort
   * columns), which change with settings and as queries add columns: a record projected on
   * them (projectPaths) is indexed exactly as the whole record while they stay the same.
   */
  attributePaths(): string[] {
    const paths = [...this.facetIdx.keys(), '_tags'];
    for (const attr of this.numCols.keys()) paths.push(attr);
    for (const attr of this.sortCols.keys()) paths.push(attr);
    return paths;
  }

  /**
   * Facet values, tags and numeric columns of a doc. Reads only the paths attributePaths() lists:
   * a batch waiting for its tokens keeps records projected on them (keep the two in step).
   */
  private indexAttributes(id: number, record: JsonRecord): void {
    const ids = this.facetScratch;
    const vals = this.leafScratch;
    for (const f of this.facetIdx.values()) {
      vals.length = 0;
      valuesInto(record, f.decl.attribute, vals);
      if (vals.length === 0) continue;
      ids.length = 0;
      for (const v of vals) {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
        const display = String(v);
        const key = display.toLowerCase();
        let vid = f.ids.get(key);
        if (vid === undefined) {
          vid = f.display.length;
          f.ids.set(key, vid);
          f.display.push(display);
          f.numeric.push(typeof v === 'number' ? v : undefined);
          f.docs.push(newPosting());
        }
        if (!ids.includes(vid)) ids.push(vid);
        push(f.docs[vid]!, id);
      }
      if (ids.length > 0) f.byDoc[id] = ids.length === 1 ? ids[0] : ids.slice();
    }
    const tags = record._tags;
    if (tags !== undefined) {
      for (const t of Array.isArray(tags) ? tags : [tags]) {
        if (typeof t !== 'string') continue;
        let p = this.tagIdx.get(t);
        if (!p) {
          p = newPosting();
          this.tagIdx.set(t, p);
        }
        push(p, id);
      }
    }
    for (const [attr, col] of this.numCols) col[id] = numericOf(record, attr);
    for (const [attr, col] of this.sortCols) col[id] = sortValue(record, attr);
  }

  // ---- persistence of the forward index ------------------------------------------------------

  /**
   * The forward index of the live docs, in the order of {@link all}: lets a snapshot restore
   * the index without tokenizing every record again.
   */
  exportForward(): ForwardExport {
    let total = 0;
    let n = 0;
    for (let i = 0; i < this.nextId; i++) {
      if (this.alive[i] !== 1) continue;
      total += this.fwdLen[i]!;
      n++;
    }
    const stride = this.searchableGroups + 1;
    const lens = new Int32Array(n);
    const starts = new Int32Array(n * stride);
    const tokens = new Int32Array(total);
    let k = 0;
    let pos = 0;
    for (let i = 0; i < this.nextId; i++) {
      if (this.alive[i] !== 1) continue;
      const len = this.fwdLen[i]!;
      lens[k] = len;
      starts.set(this.fwdStarts.subarray(i * stride, (i + 1) * stride), k * stride);
      const off = this.fwdOff[i]!;
      tokens.set(this.arena.subarray(off, off + len), pos);
      pos += len;
      k++;
    }
    const map = new Int32Array(this.nextId).fill(-1);
    let next = 0;
    for (let i = 0; i < this.nextId; i++) if (this.alive[i] === 1) map[i] = next++;
    const postings = this.postings.exportRemapped(map, this.dict.size);
    return { terms: this.dict.terms.slice(), stride, lens, starts, tokens, postings };
  }

  /**
   * Loads records with their exported forward index (same settings as when exported). Returns
   * false, loading nothing, when the export does not fit. `textBlock`: the records are texts read
   * that many at a time into one string (a snapshot's), tracked as blocks from here on.
   */
  restoreForward(
    records: readonly (JsonRecord | string)[],
    fwd: ForwardExport,
    textBlock?: number,
    /**
     * The texts are as they were written (their checksum matched): each is read only for what
     * indexing needs (recordTextProjector). Otherwise each is parsed whole, which also checks it.
     */
    verified = false,
  ): boolean {
    if (this.nextId !== 0 || fwd.stride !== this.searchableGroups + 1 || fwd.lens.length !== records.length)
      return false;
    let total = 0;
    for (let i = 0; i < fwd.lens.length; i++) total += fwd.lens[i]!;
    if (total !== fwd.tokens.length || fwd.starts.length !== records.length * fwd.stride) return false;
    for (let i = 0; i < fwd.tokens.length; i++) {
      const t = fwd.tokens[i]!;
      if (t >= fwd.terms.length || t < -1) return false;
    }
    for (const t of fwd.terms) this.dict.intern(t);
    if (this.dict.size !== fwd.terms.length) {
      this.reset();
      this.initFacets();
      return false;
    }
    // The arena keeps a quarter of headroom (the first writes after a restart do not grow it):
    // tokens loaded with room behind them are adopted as they are, others copied. The loaded
    // group starts are laid out as the index keeps them (docs get ids 0, 1, … in order): adopted.
    const room = Math.max(1 << 16, total + (total >> 2));
    const buffer = fwd.tokens.buffer;
    if (fwd.tokens.byteOffset === 0 && buffer instanceof ArrayBuffer && buffer.byteLength >= room * 4)
      this.arena = new Int32Array(buffer);
    else {
      this.arena = new Int32Array(room);
      this.arena.set(fwd.tokens);
    }
    this.arenaUsed = total;
    this.fwdStarts = fwd.starts;
    // Posting lists saved with the snapshot are taken as they are (after validation); otherwise
    // they are rebuilt in large segments (no merge cascade while restoring).
    const postingsLoaded =
      fwd.postings !== undefined && this.postings.importSegment(fwd.postings, records.length, this.dict.size);
    this.postings.batchSize = 32_768;
    if (this.alive.length < records.length) this.alive = new Uint8Array(records.length);
    let pos = 0;
    const project = verified ? recordTextProjector(this.attributePaths()) : undefined;
    for (let i = 0; i < records.length; i++) {
      const len = fwd.lens[i]!;
      const stored = records[i]!;
      // A record read as text stays text: only what indexing reads of it is parsed here.
      const r = typeof stored === 'string' ? storedAttributes(stored, project) : stored;
      const id = this.nextId++;
      this.alive[id] = 1;
      this.records[id] = stored;
      this.objectIds[id] = r.objectID;
      this.idByObject.set(r.objectID, id);
      this.liveCount++;
      this.fwdOff[id] = pos;
      this.fwdLen[id] = len;
      if (!postingsLoaded) this.postings.add(id, this.dict.size);
      this.indexAttributes(id, r);
      pos += len;
    }
    // Texts read `textBlock` at a time into one string are tracked as blocks (see TextBlocks).
    if (textBlock !== undefined && textBlock > 0)
      for (let first = 0; first < records.length; first += textBlock)
        this.textBlocks.adopt(
          first,
          records.slice(first, first + textBlock).map((r) => (typeof r === 'string' ? r : undefined)),
        );
    this.postings.batchSize = 16_384;
    this.postings.flush(this.dict.size);
    this.mutation++;
    return true;
  }

  // ---- FilterSource -------------------------------------------------------------------------

  aliveBits(): Bitset {
    if (this.aliveCache && this.aliveCache.m === this.mutation) return this.aliveCache.bits;
    const bits = new Bitset(this.nextId);
    for (let i = 0; i < this.nextId; i++) if (this.alive[i] === 1) bits.add(i);
    this.aliveCache = { m: this.mutation, bits };
    return bits;
  }

  facetDocs(attribute: string, value: string, into: Bitset): void {
    if (attribute === 'objectID') {
      const id = this.idByObject.get(value);
      if (id !== undefined) into.add(id);
      return;
    }
    const f = this.facetIdx.get(attribute);
    if (!f) {
      if (attribute === '_tags') this.tagDocs(value, into);
      return;
    }
    const vid = f.ids.get(value.toLowerCase());
    if (vid === undefined) return;
    const p = f.docs[vid]!;
    for (let i = 0; i < p.n; i++) into.add(p.ids[i]!);
  }

  tagDocs(value: string, into: Bitset): void {
    const p = this.tagIdx.get(value);
    if (!p) return;
    for (let i = 0; i < p.n; i++) into.add(p.ids[i]!);
  }

  numericColumn(attribute: string): ReadonlyArray<number | number[] | undefined> {
    let col = this.numCols.get(attribute);
    if (!col) {
      col = new Array<number | number[] | undefined>(this.nextId);
      for (let i = 0; i < this.nextId; i++) {
        const r = this.alive[i] === 1 ? this.readAt(i) : undefined;
        col[i] = r === undefined ? undefined : numericOf(r, attribute);
      }
      this.numCols.set(attribute, col);
    }
    return col;
  }

  /** Live docs matching a filter expression (null: no filter). */
  filterBits(expr: FilterExpr): Bitset | null {
    if (this.groupCacheMutation !== this.mutation) {
      this.groupCache.clear();
      this.groupCacheMutation = this.mutation;
    }
    return exprBits(this, expr, this.groupCache);
  }

  /** Declared facet attribute, if any. */
  facetDecl(attribute: string): FacetDecl | undefined {
    return this.settings.facets.get(attribute);
  }

  // ---- Query words --------------------------------------------------------------------------

  /**
   * Splits and expands the query into words (typo and prefix variants from the dictionary), and
   * the term ids of its excluded words (`-word` with advancedSyntax; absent terms left out).
   */
  queryWords(req: RankRequest): { words: QueryWord[]; excluded: number[] } {
    const parsed = parseQuery(req.query, req.syntax ?? NO_SYNTAX);
    const excluded: number[] = [];
    for (const text of parsed.excluded) {
      const id = this.dict.idOf(text);
      if (id >= 0 && !excluded.includes(id)) excluded.push(id);
    }
    const texts = parsed.words;
    if (texts.length === 0 && excluded.length === 0) return { words: [], excluded };
    this.postings.flush(this.dict.size);
    if (this.lookupCacheVersion !== this.dict.version) {
      this.lookupCache.clear();
      this.lookupCacheVersion = this.dict.version;
    }
    const optional = new Set(req.optionalWords.flatMap((w) => tokenize(w)));
    const exactWords = new Set((req.disableTypoToleranceOnWords ?? []).flatMap((w) => tokenize(w)));
    const words = texts.slice(0, 32).map(({ text, phrase, start, end }, i) => {
      const last = i === texts.length - 1;
      // Inside quotes a word is matched as it is: no typo, no prefix (Algolia's exactPhrase) —
      // except the word being typed at the end of a phrase not closed yet (a phrase word that
      // ends the query has no quote after it), so that results follow as a writer types
      // `"the red do` (Algolia does not say; this is our choice).
      const typing = last && parsed.lastIsOpen && req.queryType !== 'prefixNone';
      const prefix =
        phrase < 0 ? req.queryType === 'prefixAll' || (req.queryType === 'prefixLast' && typing) : typing;
      let maxTypos = 0;
      if (
        req.typoTolerance !== false &&
        phrase < 0 &&
        !exactWords.has(text) &&
        (req.allowTyposOnNumericTokens !== false || !ALL_DIGITS.test(text))
      ) {
        const len = Array.from(text).length;
        if (len >= req.minWordSizefor2Typos) maxTypos = 2;
        else if (len >= req.minWordSizefor1Typo) maxTypos = 1;
      }
      const key = `${text}\u0000${maxTypos}\u0000${prefix ? 1 : 0}`;
      let matches = this.lookupCache.get(key);
      if (!matches) {
        matches = new Map();
        let found = this.dict.lookup(text, maxTypos, prefix);
        if (found.length > MAX_VARIANTS) {
          // Bound the expansion of short prefixes and typo-dense vocabularies: keep the closest
          // variants (fewest typos, whole words, then shortest terms).
          const terms = this.dict.terms;
          found = found
            .sort(
              (a, b) =>
                a.typos - b.typos ||
                Number(b.full) - Number(a.full) ||
                terms[a.term]!.length - terms[b.term]!.length ||
                // Then by term id: which variants are kept must not depend on the order the
                // dictionary's walk found them in.
                a.term - b.term,
            )
            .slice(0, MAX_VARIANTS);
        }
        for (const m of found) matches.set(m.term, m);
        if (this.lookupCache.size > 10_000) this.lookupCache.clear();
        this.lookupCache.set(key, matches);
      }
      let cost = 0;
      for (const t of matches.keys()) cost += this.postings.count(t);
      return { text, prefix, maxTypos, optional: optional.has(text), phrase, start, end, matches, cost };
    });
    return { words, excluded };
  }

  // ---- Ranking ------------------------------------------------------------------------------

  /** Runs the text query, filters, ranking, distinct and facet counts. */
  rank(req: RankRequest): RankResult {
    const { words, excluded } = this.queryWords(req);
    let filter = this.filterBits(req.filters);
    const restrictGroups = this.restrictGroups(req.restrictSearchableAttributes);
    if (excluded.length > 0) {
      // Records with an excluded word (as a whole word, no typo) in the attributes searched are
      // left out, as filters do. A copy: the filter's bits may be cached.
      const without = (filter ?? this.aliveBits()).copy();
      const ranges: { ids: Int32Array; from: number; to: number }[] = [];
      for (const t of excluded) {
        this.postings.ranges(t, ranges);
        for (const r of ranges)
          for (let k = r.from; k < r.to; k++) {
            const d = r.ids[k]!;
            if (restrictGroups === null || this.hasTermIn(d, t, restrictGroups)) without.remove(d);
          }
      }
      filter = without;
    }
    let candidates: number[];
    let info: ((doc: number) => RankingInfo | undefined) | undefined;
    let textKeys: TextKeys | null = null;
    let removed: boolean[] | undefined;
    if (words.length === 0) {
      candidates = [];
      if (filter) {
        const arr = filter.toArray();
        for (const d of arr) candidates.push(d);
      } else {
        for (let i = 0; i < this.nextId; i++) if (this.alive[i] === 1) candidates.push(i);
      }
    } else {
      const scan = this.scanOptions(req, words);
      let r = this.textCandidates(words, filter, restrictGroups, scan);
      // removeWordsIfNoResults: words made optional one more at a time (or all at once) until
      // something matches.
      // (Not when the filters leave nothing: no word removed would find more.)
      const retry = r.docs.length === 0 && (filter === null || filter.count() > 0);
      for (const optional of retry ? removals(words, req.removeWordsIfNoResults) : []) {
        r = this.textCandidates(
          words.map((w, i) => (optional[i] === true ? { ...w, optional: true } : w)),
          filter,
          restrictGroups,
          scan,
        );
        if (r.docs.length > 0) {
          removed = optional.map((o, i) => o && !words[i]!.optional);
          break;
        }
      }
      candidates = r.docs;
      textKeys = r.keys;
      // typoTolerance min / strict: keep only the lowest (two lowest) typo counts.
      if ((req.typoTolerance === 'min' || req.typoTolerance === 'strict') && candidates.length > 0) {
        const levels = [...new Set(candidates.map((_, i) => textKeys!.typo[i]!))].sort((a, b) => a - b);
        const keep = req.typoTolerance === 'min' ? levels.slice(0, 1) : levels.slice(0, 2);
        const keepSet = new Set(keep);
        const nd: number[] = [];
        const nk = emptyKeys(0);
        candidates.forEach((d, i) => {
          if (keepSet.has(textKeys!.typo[i]!)) {
            nd.push(d);
            copyKey(textKeys!, i, nk);
          }
        });
        candidates = nd;
        textKeys = nk;
      }
    }

    // Optional filters score.
    let scores: Int32Array | null = null;
    if (req.optionalFilters.length > 0) {
      scores = new Int32Array(candidates.length);
      for (const of of req.optionalFilters) {
        const bits = atomBits(this, of.atom);
        for (let i = 0; i < candidates.length; i++) if (bits.has(candidates[i]!)) scores[i]! += of.score;
      }
    }

    const ordered = this.order(candidates, textKeys, scores, req);
    const facetSource = ordered;
    // Distinct.
    let docs = ordered;
    let groupStarts: number[] | undefined;
    const distinctAttr = req.attributeForDistinct;
    if (req.distinct > 0 && distinctAttr) {
      // Each group's first `distinct` members, in ranking order; a group is placed where its
      // best member ranks.
      const groups = new Map<string, number[]>();
      const placed: number[][] = [];
      for (const d of ordered) {
        const v = valuesAt(this.recordAt(d)!, distinctAttr)[0];
        if (v === undefined || v === null || typeof v === 'object') {
          placed.push([d]);
          continue;
        }
        const k = JSON.stringify(v);
        const members = groups.get(k);
        if (members === undefined) {
          const g = [d];
          groups.set(k, g);
          placed.push(g);
        } else if (members.length < req.distinct) members.push(d);
      }
      docs = [];
      if (req.distinct > 1) groupStarts = [];
      for (const g of placed) {
        groupStarts?.push(docs.length);
        for (const d of g) docs.push(d);
      }
    }
    // afterDistinct(attr) facets (or facetingAfterDistinct) count the deduplicated hits.
    const after = req.facets.filter(
      (f) => req.facetingAfterDistinct || this.settings.facets.get(f)?.afterDistinct,
    );
    const before = req.facets.filter((f) => !after.includes(f));
    const counted = this.countFacets(facetSource, before);
    const countedAfter = this.countFacets(docs, after);
    const facets = { ...counted.facets, ...countedAfter.facets };
    const facetsStats = { ...counted.facetsStats, ...countedAfter.facetsStats };
    if (textKeys && words.length > 0) {
      // Only for getRankingInfo: the map of candidates' places is made on the first ask.
      const keys = textKeys;
      let pos: Map<number, number> | undefined;
      info = (d) => {
        if (pos === undefined) {
          const m = new Map<number, number>();
          candidates.forEach((c, i) => m.set(c, i));
          pos = m;
        }
        const i = pos.get(d);
        if (i === undefined) return undefined;
        return {
          nbTypos: keys.typo[i]!,
          words: keys.words[i]!,
          filters: scores ? scores[i]! : 0,
          proximityDistance: keys.proximity[i]!,
          firstMatchedWord: keys.attribute[i]!,
          nbExactWords: keys.exact[i]!,
        };
      };
    }
    return {
      docs,
      ...(groupStarts ? { groupStarts } : {}),
      nbCandidates: ordered.length,
      words,
      facets,
      facetsStats,
      info,
      candidates: facetSource,
      ...(removed ? { removed } : {}),
    };
  }

  /** Whether doc `d` has term `t` in one of `groups` (its forward index). */
  private hasTermIn(d: number, t: number, groups: Set<number>): boolean {
    const base = this.fwdOff[d]!;
    const sAt = d * (this.searchableGroups + 1);
    for (const g of groups) {
      const to = base + this.fwdStarts[sAt + g + 1]!;
      for (let i = base + this.fwdStarts[sAt + g]!; i < to; i++) if (this.arena[i] === t) return true;
    }
    return false;
  }

  private restrictGroups(restrict: string[] | undefined): Set<number> | null {
    if (!restrict || restrict.length === 0 || this.settings.searchable === null) return null;
    const set = new Set<number>();
    this.settings.searchable.forEach((g, i) => {
      if (g.paths.some((p) => restrict.includes(p))) set.add(i);
    });
    return set;
  }

  /**
   * Searchable groups whose every attribute `attrs` lists (1), or null when there are none: the
   * forward index knows a token's group, not which of the group's attributes it came from, so a
   * group of several attributes is affected only when they are all listed (and none is without
   * `searchableAttributes`, where the whole record is one group).
   */
  private groupFlags(attrs: string[] | undefined): Uint8Array | null {
    const groups = this.settings.searchable;
    if (attrs === undefined || attrs.length === 0 || groups === null) return null;
    const flags = new Uint8Array(groups.length);
    let any = false;
    groups.forEach((g, i) => {
      if (g.paths.length > 0 && g.paths.every((p) => attrs.includes(p))) {
        flags[i] = 1;
        any = true;
      }
    });
    return any ? flags : null;
  }

  private scanOptions(req: RankRequest, words: QueryWord[]): ScanOptions {
    const single = words.length === 1 ? (req.exactOnSingleWordQuery ?? 'attribute') : undefined;
    const noPrefix = this.groupFlags(req.disablePrefixOnAttributes);
    return {
      noTypo: this.groupFlags(req.disableTypoToleranceOnAttributes),
      noPrefix,
      // Where prefixes are off, a term a prefix word reached may still match it as a whole word
      // with typos (`road` → `roads`, one typo): its typo count as a whole word.
      whole: words.map((w) => {
        if (noPrefix === null || !w.prefix) return null;
        const m = new Map<number, number>();
        for (const x of this.dict.lookup(w.text, w.maxTypos, false)) m.set(x.term, x.typos);
        return m;
      }),
      noExact: this.groupFlags(req.disableExactOnAttributes),
      // "The query word must have at least 3 characters" for `word` (Algolia's documentation).
      exact:
        single === 'none' || (single === 'word' && Array.from(words[0]!.text).length < 3)
          ? 'never'
          : single === 'attribute'
            ? 'value'
            : 'word',
      minProximity: req.minProximity ?? 1,
      phrases: phraseRuns(words),
    };
  }

  /** Docs matching every required word, with their text ranking keys. */
  private textCandidates(
    words: QueryWord[],
    filter: Bitset | null,
    restrictGroups: Set<number> | null,
    scan: ScanOptions,
  ): { docs: number[]; keys: TextKeys } {
    const { noTypo, noPrefix, whole, noExact, exact: exactMode, minProximity, phrases } = scan;
    const required = words.map((w, i) => ({ w, i })).filter((x) => !x.w.optional);
    const seeds = required.length > 0 ? required : words.map((w, i) => ({ w, i }));
    seeds.sort((a, b) => a.w.cost - b.w.cost);
    const alive = this.alive;
    // Candidates from the rarest required word (or the union of all words when all are optional).
    // Reused across queries (zeroed again below): a fresh array per query would be allocated
    // outside the heap, and V8 answers such allocations with extra garbage collections.
    if (this.candidateMarks.length < this.nextId)
      this.candidateMarks = new Uint8Array(Math.max(this.nextId, this.candidateMarks.length * 2));
    const mark = this.candidateMarks;
    let cand: number[] = [];
    const firstSeeds = required.length > 0 ? [seeds[0]!] : seeds;
    const ranges: { ids: Int32Array; from: number; to: number }[] = [];
    for (const { w } of firstSeeds) {
      for (const t of w.matches.keys()) {
        this.postings.ranges(t, ranges);
        for (const r of ranges) {
          const ids = r.ids;
          for (let k = r.from; k < r.to; k++) {
            const d = ids[k]!;
            if (mark[d] === 1 || alive[d] !== 1) continue;
            if (filter !== null && !filter.has(d)) continue;
            mark[d] = 1;
            cand.push(d);
          }
        }
      }
    }
    // Candidates must be in doc order (ranking ties and facet order rely on it).
    if (firstSeeds.length > 1 || firstSeeds[0]!.w.matches.size > 1) cand.sort((a, b) => a - b);
    // Narrow with the other required words by marking their postings while that is cheaper than
    // scanning the candidates' forward index.
    const avgLen = 200;
    const marked = cand;
    if (required.length > 0) {
      for (let s = 1; s < seeds.length; s++) {
        const { w } = seeds[s]!;
        if (w.cost > cand.length * avgLen) break;
        for (const t of w.matches.keys()) {
          this.postings.ranges(t, ranges);
          for (const r of ranges) {
            const ids = r.ids;
            for (let k = r.from; k < r.to; k++) {
              const d = ids[k]!;
              if (mark[d] === s) mark[d] = s + 1;
            }
          }
        }
        cand = cand.filter((d) => mark[d] === s + 1);
      }
    }
    for (const d of marked) mark[d] = 0;
    // Forward scan: verifies every required word and computes the text ranking keys.
    const W = words.length;
    const dictSize = this.dict.size;
    if (this.termMask.length < dictSize)
      this.termMask = new Int32Array(Math.max(dictSize, this.termMask.length * 2));
    const mask = this.termMask;
    const touched: number[] = [];
    words.forEach((w, i) => {
      for (const t of w.matches.keys()) {
        if (mask[t] === 0) touched.push(t);
        mask[t]! |= 1 << i;
      }
    });
    const keys = emptyKeys(cand.length);
    const docs: number[] = [];
    const best = new Uint8Array(W);
    const exact = new Uint8Array(W);
    const firstPos = new Int32Array(W);
    const positions: number[][] = words.map(() => []);
    const requiredMask = required.reduce((m, x) => m | (1 << x.i), 0);
    try {
      for (const d of cand) {
        const base = this.fwdOff[d]!;
        const tokLen = this.fwdLen[d]!;
        const arena = this.arena;
        const starts = this.fwdStarts;
        const sAt = d * (this.searchableGroups + 1);
        best.fill(TYPO_NONE);
        exact.fill(0);
        firstPos.fill(-1);
        for (const p of positions) p.length = 0;
        let found = 0;
        let gEnd = -1;
        let g = -1;
        for (let i = 0; i < tokLen; i++) {
          while (i >= gEnd && g < this.searchableGroups) {
            g++;
            gEnd = g < this.searchableGroups ? starts[sAt + g + 1]! : tokLen;
          }
          const t = arena[base + i]!;
          if (t < 0) continue;
          const m = mask[t]!;
          if (m === 0) continue;
          if (restrictGroups !== null && !restrictGroups.has(g)) continue;
          for (let wi = 0; wi < W; wi++) {
            if ((m & (1 << wi)) === 0) continue;
            const tm = words[wi]!.matches.get(t)!;
            let typos = tm.typos;
            let full = tm.full;
            if (!full && noPrefix !== null && noPrefix[g] === 1) {
              const asWhole = whole[wi]?.get(t);
              if (asWhole === undefined) continue;
              typos = asWhole;
              full = true;
            }
            if (typos > 0 && noTypo !== null && noTypo[g] === 1) continue;
            if (typos < best[wi]!) best[wi] = typos;
            if (typos === 0 && full && exactMode !== 'never' && (noExact === null || noExact[g] === 0)) {
              // A one-word query is exact where it is a whole value (a string, or an array's
              // item): exactOnSingleWordQuery `attribute`, Algolia's default.
              if (
                exactMode === 'word' ||
                ((i === 0 || arena[base + i - 1]! < 0) && (i + 1 >= tokLen || arena[base + i + 1]! < 0))
              )
                exact[wi] = 1;
            }
            if (firstPos[wi] === -1) firstPos[wi] = i;
            positions[wi]!.push(i);
            found |= 1 << wi;
          }
        }
        // A phrase's words count only where they stand in a row; elsewhere they are unmatched.
        for (const run of phrases) {
          if (run.every((wi) => best[wi] !== TYPO_NONE) && inARow(positions, run)) continue;
          for (const wi of run) {
            best[wi] = TYPO_NONE;
            exact[wi] = 0;
            found &= ~(1 << wi);
          }
        }
        if ((found & requiredMask) !== requiredMask || found === 0) continue;
        const k = docs.length;
        docs.push(d);
        let typo = 0;
        let nWords = 0;
        let nExact = 0;
        let attr = Number.MAX_SAFE_INTEGER;
        for (let wi = 0; wi < W; wi++) {
          if (best[wi] === TYPO_NONE) continue;
          typo += best[wi]!;
          nWords++;
          nExact += exact[wi]!;
          const fp = firstPos[wi]!;
          const grp = groupOf(starts, sAt, fp, this.searchableGroups);
          const unordered = this.settings.searchable === null || this.settings.searchable[grp]!.unordered;
          const score = grp * 1_048_576 + (unordered ? 0 : Math.min(fp - starts[sAt + grp]!, 1_048_575));
          if (score < attr) attr = score;
        }
        let prox = 0;
        let prev = -1;
        for (let wi = 0; wi < W; wi++) {
          if (best[wi] === TYPO_NONE) continue;
          if (prev >= 0)
            prox += Math.max(
              minProximity,
              minDistance(positions[prev]!, positions[wi]!, starts, sAt, this.searchableGroups),
            );
          prev = wi;
        }
        keys.typo[k] = typo;
        keys.words[k] = nWords;
        keys.exact[k] = nExact;
        keys.attribute[k] = attr;
        keys.proximity[k] = prox;
      }
    } finally {
      for (const t of touched) mask[t] = 0;
    }
    return { docs, keys: trimKeys(keys, docs.length) };
  }

  /** Sorts candidates by the view's ranking. */
  private order(
    candidates: number[],
    keys: TextKeys | null,
    scores: Int32Array | null,
    req: RankRequest,
  ): number[] {
    const sortCrit = req.ranking.filter((c): c is SortCriterion => c.kind === 'sort');
    if (keys === null && scores === null) {
      // Empty query: only sort criteria and custom ranking matter; use a cached global order.
      if (sortCrit.length === 0 && req.customRanking.length === 0) return candidates;
      const order = this.globalOrder([
        ...sortCrit,
        ...(req.ranking.some((c) => c.kind === 'custom') ? req.customRanking : []),
      ]);
      const inSet = new Uint8Array(this.nextId);
      for (const d of candidates) inSet[d] = 1;
      const out: number[] = [];
      for (const d of order) if (inSet[d] === 1) out.push(d);
      return out;
    }
    const n = candidates.length;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    const cmps: ((a: number, b: number) => number)[] = [];
    for (const c of req.ranking) {
      switch (c.kind) {
        case 'typo':
          if (keys) cmps.push((a, b) => keys.typo[a]! - keys.typo[b]!);
          break;
        case 'words':
          if (keys) cmps.push((a, b) => keys.words[b]! - keys.words[a]!);
          break;
        case 'filters':
          if (scores) cmps.push((a, b) => scores[b]! - scores[a]!);
          break;
        case 'proximity':
          if (keys) cmps.push((a, b) => keys.proximity[a]! - keys.proximity[b]!);
          break;
        case 'attribute':
          if (keys) cmps.push((a, b) => keys.attribute[a]! - keys.attribute[b]!);
          break;
        case 'exact':
          if (keys) cmps.push((a, b) => keys.exact[b]! - keys.exact[a]!);
          break;
        case 'custom':
          for (const cc of req.customRanking) cmps.push(this.valueComparator(candidates, cc));
          break;
        case 'sort':
          cmps.push(this.valueComparator(candidates, c));
          break;
        case 'geo':
          break;
      }
    }
    const sorted = Array.from(idx).sort((a, b) => {
      for (const c of cmps) {
        const r = c(a, b);
        if (r !== 0) return r;
      }
      return candidates[a]! - candidates[b]!;
    });
    return sorted.map((i) => candidates[i]!);
  }

  private valueComparator(candidates: number[], c: SortCriterion): (a: number, b: number) => number {
    const col = this.sortColumn(c.attribute);
    const vals = candidates.map((d) => col[d]);
    return (a, b) => compareValues(vals[a], vals[b], c.desc);
  }

  private globalOrder(criteria: SortCriterion[]): Int32Array {
    const key = JSON.stringify(criteria);
    const hit = this.orderCache.get(key);
    if (hit && hit.m === this.mutation) return hit.order;
    const docs: number[] = [];
    for (let i = 0; i < this.nextId; i++) if (this.alive[i] === 1) docs.push(i);
    const cols = criteria.map((c) => this.sortColumn(c.attribute));
    docs.sort((a, b) => {
      for (let i = 0; i < criteria.length; i++) {
        const r = compareValues(cols[i]![a], cols[i]![b], criteria[i]!.desc);
        if (r !== 0) return r;
      }
      return a - b;
    });
    const order = Int32Array.from(docs);
    if (this.orderCache.size > 16) this.orderCache.clear();
    this.orderCache.set(key, { m: this.mutation, order });
    return order;
  }

  /** Facet counts and stats over `docs`. */
  countFacets(docs: ArrayLike<number>, facets: string[]): Pick<RankResult, 'facets' | 'facetsStats'> {
    const out: RankResult['facets'] = {};
    const stats: RankResult['facetsStats'] = {};
    for (const name of facets) {
      const f = this.facetIdx.get(name);
      if (!f) continue;
      const counts = new Int32Array(f.display.length);
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      let n = 0;
      for (let i = 0; i < docs.length; i++) {
        const vals = f.byDoc[docs[i]!];
        if (vals === undefined) continue;
        const many = typeof vals !== 'number';
        for (let k = 0, len = many ? vals.length : 1; k < len; k++) {
          const v = many ? vals[k]! : vals;
          counts[v]!++;
          const num = f.numeric[v];
          if (num !== undefined) {
            if (num < min) min = num;
            if (num > max) max = num;
            sum += num;
            n++;
          }
        }
      }
      const map: Record<string, number> = {};
      for (let v = 0; v < counts.length; v++) if (counts[v]! > 0) map[f.display[v]!] = counts[v]!;
      out[name] = map;
      if (n > 0) stats[name] = { min, max, avg: sum / n, sum };
    }
    return { facets: out, facetsStats: stats };
  }

  /** Counts of every value of `facet` over `docs` (for facet value search). */
  facetValueCounts(docs: ArrayLike<number>, facet: string): { value: string; count: number }[] {
    const f = this.facetIdx.get(facet);
    if (!f) return [];
    const counts = new Int32Array(f.display.length);
    for (let i = 0; i < docs.length; i++) {
      const vals = f.byDoc[docs[i]!];
      if (typeof vals === 'number') counts[vals]!++;
      else if (vals !== undefined) for (const v of vals) counts[v]!++;
    }
    const out: { value: string; count: number }[] = [];
    for (let v = 0; v < counts.length; v++)
      if (counts[v]! > 0) out.push({ value: f.display[v]!, count: counts[v]! });
    return out;
  }

  /** objectID of a doc id. */
  objectIdAt(doc: number): string {
    return this.objectIds[doc]!;
  }

  /** Sort values by doc for `attribute`, built on first use and then kept up to date. */
  private sortColumn(attribute: string): ReadonlyArray<number | string | undefined> {
    let col = this.sortCols.get(attribute);
    if (!col) {
      col = new Array<number | string | undefined>(this.nextId);
      for (let i = 0; i < this.nextId; i++) {
        const r = this.alive[i] === 1 ? this.readAt(i) : undefined;
        col[i] = r === undefined ? undefined : sortValue(r, attribute);
      }
      this.sortCols.set(attribute, col);
    }
    return col;
  }
}

/** A serializable copy of the forward index (see {@link SearchIndex.exportForward}). */
export interface ForwardExport {
  terms: string[];
  /** Searchable ranks + 1. */
  stride: number;
  lens: Int32Array;
  starts: Int32Array;
  tokens: Int32Array;
  /** Posting lists of the exported docs (ids = positions in the export). */
  postings?: Segment;
}

interface TextKeys {
  typo: Int32Array;
  words: Int32Array;
  exact: Int32Array;
  attribute: Float64Array;
  proximity: Int32Array;
}

function emptyKeys(n: number): TextKeys {
  return {
    typo: new Int32Array(n),
    words: new Int32Array(n),
    exact: new Int32Array(n),
    attribute: new Float64Array(n),
    proximity: new Int32Array(n),
  };
}

function trimKeys(k: TextKeys, n: number): TextKeys {
  return {
    typo: k.typo.subarray(0, n),
    words: k.words.subarray(0, n),
    exact: k.exact.subarray(0, n),
    attribute: k.attribute.subarray(0, n),
    proximity: k.proximity.subarray(0, n),
  };
}

function copyKey(from: TextKeys, i: number, to: TextKeys): void {
  const grow = <T extends Int32Array | Float64Array>(a: T, v: number): T => {
    const n = new (a.constructor as new (n: number) => T)(a.length + 1);
    n.set(a);
    n[a.length] = v;
    return n;
  };
  to.typo = grow(to.typo, from.typo[i]!);
  to.words = grow(to.words, from.words[i]!);
  to.exact = grow(to.exact, from.exact[i]!);
  to.attribute = grow(to.attribute, from.attribute[i]!);
  to.proximity = grow(to.proximity, from.proximity[i]!);
}

/** How {@link SearchIndex.textCandidates} matches and scores, from the request. */
interface ScanOptions {
  /** Searchable groups without typos, without prefixes, without the exact criterion. */
  noTypo: Uint8Array | null;
  noPrefix: Uint8Array | null;
  /** Per word: terms it matches as a whole word, with their typos (only with `noPrefix`). */
  whole: (Map<number, number> | null)[];
  noExact: Uint8Array | null;
  /** When a whole word without typo counts as exact: anywhere, as a whole value, never. */
  exact: 'word' | 'value' | 'never';
  minProximity: number;
  /** Word indices of each quoted phrase of two or more words. */
  phrases: number[][];
}

/** The query's phrases of two words or more, as runs of word indices (advancedSyntax). */
function phraseRuns(words: QueryWord[]): number[][] {
  const runs: number[][] = [];
  words.forEach((w, i) => {
    if (w.phrase < 0) return;
    const prev = runs[runs.length - 1];
    if (prev !== undefined && words[prev[0]!]!.phrase === w.phrase) prev.push(i);
    else runs.push([i]);
  });
  return runs.filter((r) => r.length > 1);
}

/**
 * Whether the words of `run` occur at consecutive positions somewhere: one walk over each word's
 * ascending positions (a search per position would be quadratic in a long text).
 */
function inARow(positions: number[][], run: number[]): boolean {
  const at = new Array<number>(run.length).fill(0);
  outer: for (const p of positions[run[0]!]!) {
    for (let k = 1; k < run.length; k++) {
      const list = positions[run[k]!]!;
      let j = at[k]!;
      while (j < list.length && list[j]! < p + k) j++;
      at[k] = j;
      if (j === list.length) return false;
      if (list[j] !== p + k) continue outer;
    }
    return true;
  }
  return false;
}

/**
 * The words each retry of a query that found nothing makes optional (`removeWordsIfNoResults`):
 * for `lastWords` the last word, then the last two, … (at most 5, and never every word); for
 * `firstWords` the same from the start; for `allOptional` every word at once.
 */
function removals(words: QueryWord[], mode: RankRequest['removeWordsIfNoResults']): boolean[][] {
  // Only required words are removed (optionalWords already are), and never all of them.
  const required = words.flatMap((w, i) => (w.optional ? [] : [i]));
  const r = required.length;
  if (mode === undefined || mode === 'none' || r === 0) return [];
  // One word made optional finds what it found as required.
  if (mode === 'allOptional') return words.length > 1 ? [words.map(() => true)] : [];
  const out: boolean[][] = [];
  for (let k = 1; k <= Math.min(5, r - 1); k++) {
    const removed = new Set(mode === 'lastWords' ? required.slice(r - k) : required.slice(0, k));
    out.push(words.map((w, i) => w.optional || removed.has(i)));
  }
  return out;
}

/** The searchable group of token `pos` of the doc whose group starts are at `starts[at]`. */
function groupOf(starts: Int32Array, at: number, pos: number, groups: number): number {
  let g = 0;
  while (g + 1 < groups && pos >= starts[at + g + 1]!) g++;
  return g;
}

/** Proximity of two words: smallest in-order distance (reversed order costs one more), max 8. */
function minDistance(a: number[], b: number[], starts: Int32Array, at: number, groups: number): number {
  let best = 8;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const p = a[i]!;
    const q = b[j]!;
    if (groupOf(starts, at, p, groups) === groupOf(starts, at, q, groups)) {
      const d = q >= p ? q - p : p - q + 1;
      if (d < best) best = d === 0 ? 1 : d;
      if (best === 1) return 1;
    }
    if (p < q) i++;
    else j++;
  }
  return best;
}

/** A record's JSON text parsed, checked to be a record (an object with a string objectID). */
export function parseStoredRecord(text: string): JsonRecord {
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text (a writer's journal has no place in a log).
    throw new Error('a stored record is not valid JSON');
  }
  if (
    r === null ||
    typeof r !== 'object' ||
    Array.isArray(r) ||
    typeof (r as JsonRecord).objectID !== 'string'
  )
    throw new Error('a stored record is not an object with a string objectID');
  return r as JsonRecord;
}

/**
 * What {@link SearchIndex.attributePaths} reads of a stored record's text (`project`, see
 * recordTextProjector), or the whole record parsed when there is no projector or the scan cannot
 * read it (the parse then throws what is wrong).
 */
function storedAttributes(
  text: string,
  project: ((text: string) => JsonRecord | undefined) | undefined,
): JsonRecord {
  if (project !== undefined)
    try {
      const r = project(text);
      if (r !== undefined) return r;
    } catch {
      // Not JSON the scan can read: parsed below, which says how.
    }
  return parseStoredRecord(text);
}

function numericOf(record: JsonRecord, attr: string): number | number[] | undefined {
  const vals = valuesAt(record, attr).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (vals.length === 0) return undefined;
  return vals.length === 1 ? vals[0]! : vals;
}

function sortValue(record: JsonRecord, attr: string): number | string | undefined {
  const vals = valuesAt(record, attr);
  for (const v of vals) {
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/** Compares sort values; missing values always last. */
function compareValues(
  a: number | string | undefined,
  b: number | string | undefined,
  desc: boolean,
): number {
  if (a === undefined) return b === undefined ? 0 : 1;
  if (b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return desc ? b - a : a - b;
  const sa = String(a);
  const sb = String(b);
  const r = sa < sb ? -1 : sa > sb ? 1 : 0;
  return desc ? -r : r;
}
