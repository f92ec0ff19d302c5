/**
 * The engine's state machine: indices (with standard and virtual replicas), tasks, the indexing
 * delay, and durability (every write is a logical operation appended to the write-ahead log
 * before it is acknowledged; snapshots compact the log).
 */
import { randomUUID } from 'node:crypto';
import { AlgoliaError, ItemError } from './errors';
import type { FilterExpr } from './filters/types';
import {
  applyPartial,
  checkRecordNesting,
  checkRecordSize,
  MAX_NESTING,
  recordBytes,
  validatePartial,
} from './core/operations';
import { jsonBytes, TOO_DEEP, type JsonStrings } from './core/json-bytes';
import { projectPaths, type JsonRecord } from './core/record-path';
import { numericFiltering } from './core/numeric-filtering';
import { SearchIndex } from './core/search-index';
import { resolveSettings, type ResolvedSettings, type StoredSettings } from './core/settings';
import { BatchTokenizer } from './indexing/batch-tokenizer';
import { requestBodySpans } from './indexing/request-spans';
import { ownCopy } from './text/own-copy';
import { isDenseEscaped, keptJson, storedJsonBytes } from './text/ascii-json';
import { jobFor, VocabularyMap, type TokenizedBatch, type TokenizeJob } from './indexing/tokenize-batch';
import { Persistence, type SnapshotState } from './store/persistence';
import { EncodedEntry } from './store/wal';

/** One index as the API sees it. */
export interface IndexEntry {
  name: string;
  /** The data: a virtual replica shares its primary's. */
  core: SearchIndex;
  /** Settings set on this index. */
  settings: StoredSettings;
  /** Ranking view (a virtual replica: primary settings overlaid with its own). */
  view: ResolvedSettings;
  virtual: boolean;
  primary?: string;
  createdAt: string;
  updatedAt: string;
}

/** `Engine.projectedRecord`: the record cannot be computed at request time. */
const UNKNOWN = Symbol('unknown');

/** {@link jsonBytes} of a record, which is refused like checkRecordNesting refuses it past MAX_NESTING. */
function sizedAndNested(
  body: Record<string, unknown>,
  strings: JsonStrings | undefined,
  position: number,
): number {
  try {
    return jsonBytes(body, strings, MAX_NESTING);
  } catch (e) {
    if (e === TOO_DEEP) checkRecordNesting(body, position);
    throw e;
  }
}

/** A batch action as logged. */
export interface BatchItem {
  action:
    | 'addObject'
    | 'updateObject'
    | 'partialUpdateObject'
    | 'partialUpdateObjectNoCreate'
    | 'deleteObject'
    | 'delete'
    | 'clear';
  indexName: string;
  body: Record<string, unknown>;
}

/** Logged operations: replaying them in order rebuilds the state. */
export type Operation =
  | { k: 'batch'; items: BatchItem[] }
  | { k: 'settings'; index: string; settings: StoredSettings; forward: boolean }
  | { k: 'deleteIndex'; index: string }
  /**
   * `numeric`: numericAttributesForFiltering applies (as the index has it when this runs); a
   * deleteBy logged before it was applied has none and replays as it ran.
   */
  | { k: 'deleteBy'; index: string; filters: FilterExpr; numeric?: true }
  | { k: 'operation'; index: string; operation: 'copy' | 'move'; destination: string; scope?: string[] }
  | { k: 'keys'; snapshot: unknown };

interface Logged {
  op: Operation;
  taskID: number;
  at: string;
}

export interface EngineOptions {
  dataDir?: string;
  indexingDelayMs?: number;
  maxRecordBytes?: number;
  /** Log size that triggers a snapshot (default 128 MiB). */
  compactBytes?: number;
  /**
   * Tokenizes large batches off the main thread (default: a worker thread); `null` tokenizes
   * everything on the main thread.
   */
  tokenizer?: Tokenizer | null;
}

/**
 * What the engine needs from a batch tokenizer (see {@link BatchTokenizer}). Jobs must be
 * tokenized in the order they are given (a job's term ids continue its vocabulary's earlier
 * ones); their answers may arrive in any order.
 */
export interface Tokenizer {
  readonly usable: boolean;
  tokenize(job: TokenizeJob): Promise<TokenizedBatch>;
  close(): Promise<void>;
}

/**
 * Batches of at least this many records into one index are tokenized on a worker thread while
 * the main thread goes on (smaller ones are not worth the hand-off).
 */
const WORKER_MIN_RECORDS = 256;

/** A batch being tokenized off the main thread for one index's core. */
interface Prepared {
  indexName: string;
  core: SearchIndex;
  vocab: VocabularyMap;
  epoch: number;
  /** Undefined while the worker runs; null when it failed (the batch is tokenized here). */
  result: TokenizedBatch | null | undefined;
  ready: Promise<void>;
  /** What the batch keeps of its request, when it came as one (see Engine.leanRequest). */
  request?: {
    /**
     * Each record's text to keep instead of the parsed object (a slice of the request's JSON
     * text, or the record's own JSON for a dense one), undefined for one kept as an object.
     */
    texts: (string | undefined)[];
    /** The request text is a one-byte string of ASCII (see RawRequest). */
    ascii: boolean;
    /**
     * The request text, when every kept text is a slice of it and it is ASCII: the index keeps
     * them as they are, the request text their block (see TextBlocks.join).
     */
    parent?: string;
    /**
     * What indexing reads of the records kept as text (projectPaths on `paths`): their items are
     * {@link ReparsedItem}s, which parse their body again only when something else needs it.
     */
    lean: (JsonRecord | undefined)[];
    /** The index's attribute paths when `lean` was made (JSON): it holds while they are the same. */
    paths: string;
  };
}

const BATCH_ACTIONS = new Set<BatchItem['action']>([
  'addObject',
  'updateObject',
  'partialUpdateObject',
  'partialUpdateObjectNoCreate',
  'deleteObject',
  'delete',
  'clear',
]);

export class Engine {
  readonly indices = new Map<string, IndexEntry>();
  private lastTask = 0;
  /** Every task up to this one is applied. */
  private appliedThrough = 0;
  /** Applied tasks above `appliedThrough`: key changes apply at once, overtaking queued writes. */
  private readonly appliedAhead = new Set<number>();
  /** Accepted operations not applied yet, in order (indexing delay, or a batch being tokenized). */
  private pending: { logged: Logged; due: number; prep?: Prepared }[] = [];
  private readonly tokenizer: Tokenizer | null;
  /** The worker's term tables, by index (reset when the index's core is replaced). */
  private readonly vocabs = new Map<string, { core: SearchIndex; map: VocabularyMap }>();
  private readonly appliedWaiters: { taskID: number; resolve: () => void }[] = [];
  private closed = false;
  private restoredByTokenizing = false;
  private timer: NodeJS.Timeout | null = null;
  private persistence: Persistence | null = null;
  /** Latest keys snapshot (restored on open). */
  keysSnapshot: unknown = undefined;
  readonly maxRecordBytes: number;
  readonly indexingDelayMs: number;

  private constructor(options: EngineOptions) {
    this.maxRecordBytes = options.maxRecordBytes ?? 10_000;
    this.indexingDelayMs = options.indexingDelayMs ?? 0;
    this.tokenizer = options.tokenizer === undefined ? new BatchTokenizer() : options.tokenizer;
  }

  /** Opens (or creates) the engine, replaying the data folder when there is one. */
  static open(options: EngineOptions): Engine {
    const engine = new Engine(options);
    if (options.dataDir) {
      const p = Persistence.open(options.dataDir, options.compactBytes);
      const loaded = p.load();
      if (loaded.state) engine.restore(loaded.state);
      for (const entry of loaded.log) {
        const l = decodeRawBatch(entry as Logged | RawLogged);
        engine.lastTask = Math.max(engine.lastTask, l.taskID);
        engine.apply(l);
      }
      p.startLog();
      // Re-tokenized on load: the next close writes a snapshot whose forward index fits.
      if (engine.restoredByTokenizing) p.markStale();
      engine.persistence = p;
    }
    return engine;
  }

  // ---- reads ---------------------------------------------------------------------------------

  /** The index or a 404 like Algolia's. */
  require(name: string): IndexEntry {
    const e = this.indices.get(name);
    if (!e) throw new AlgoliaError(404, `Index ${name} does not exist`);
    return e;
  }

  /**
   * For each index, the accepted writes to it not applied yet (its indexing delay, or queued
   * behind a batch): one pass over what is pending. Settings forwarded to replicas count for them.
   */
  pendingTaskCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    const names = new Set<string>();
    for (const { logged } of this.pending) {
      const op = logged.op;
      names.clear();
      if (op.k === 'batch') for (const i of op.items) names.add(i.indexName);
      else if (op.k === 'operation') names.add(op.index).add(op.destination);
      else if (op.k !== 'keys') {
        names.add(op.index);
        if (op.k === 'settings' && op.forward) {
          const current = this.indices.get(op.index)?.settings ?? {};
          for (const r of replicaNames(op.settings.replicas !== undefined ? op.settings : current))
            names.add(r.name);
        }
      }
      for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    return counts;
  }

  taskStatus(taskID: number): 'published' | 'notPublished' {
    if (this.isApplied(taskID)) return 'published';
    if (taskID <= this.lastTask) return 'notPublished';
    throw new AlgoliaError(404, 'Task does not exist');
  }

  // ---- writes --------------------------------------------------------------------------------

  /**
   * Logs an operation, applies it (now or after the indexing delay), resolves once durable.
   * `raw`: the batch's request text, logged as it is instead of re-serializing every record (the
   * items must be `prepareItem(..., { rawLogged: true })` of its `requests`, fixed to `index`).
   * The op is the engine's from then on: a large batch's items may be replaced in `op.items` by
   * ones that parse their body again from `raw.text` when read (see ReparsedItem).
   */
  submit(op: Operation, raw?: RawRequest): Promise<{ taskID: number; at: string }> {
    // Not async: an async function keeps its arguments while it waits, and `raw` holds the
    // parsed request (a bulk import's records), which prepare() lets go.
    try {
      if (raw && op.k === 'batch') this.rawBatches.set(op, rawBatchEncoding(op.items, raw));
      const logged: Logged = { op, taskID: ++this.lastTask, at: new Date().toISOString() };
      const durable = this.persistence
        ? this.persistence.append(this.encode(logged, raw?.utf8))
        : Promise.resolve();
      const prep = this.prepare(op, raw);
      if (op.k === 'keys') this.apply(logged);
      else if (this.indexingDelayMs > 0 || this.pending.length > 0 || prep) {
        this.pending.push({
          logged,
          due: this.indexingDelayMs > 0 ? Date.now() + this.indexingDelayMs : 0,
          ...(prep ? { prep } : {}),
        });
        this.drain();
      } else this.apply(logged);
      return this.acknowledge(logged.taskID, logged.at, durable);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Resolves once a submitted write is durable (and, without an indexing delay, applied). */
  private async acknowledge(
    taskID: number,
    at: string,
    durable: Promise<void>,
  ): Promise<{ taskID: number; at: string }> {
    await durable;
    // Without an indexing delay a write is searchable once acknowledged, as before the hand-off.
    if (this.indexingDelayMs === 0) await this.applied(taskID);
    this.persistence?.maybeCompact(() => this.snapshotState());
    return { taskID, at };
  }

  private isApplied(taskID: number): boolean {
    return taskID <= this.appliedThrough || this.appliedAhead.has(taskID);
  }

  private markApplied(taskID: number): void {
    if (taskID <= this.appliedThrough) return;
    this.appliedAhead.add(taskID);
    while (this.appliedAhead.delete(this.appliedThrough + 1)) this.appliedThrough++;
  }

  /** Resolves once task `taskID` is applied (or the engine closed: it is in the log). */
  private applied(taskID: number): Promise<void> {
    if (this.isApplied(taskID) || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.appliedWaiters.push({ taskID, resolve }));
  }

  /**
   * Starts tokenizing a large batch of records for one index on the worker thread; undefined
   * when the batch does not qualify (it is then tokenized when applied, as always).
   */
  private prepare(op: Operation, raw?: RawRequest): Prepared | undefined {
    if (op.k !== 'batch' || op.items.length < WORKER_MIN_RECORDS || !this.tokenizer?.usable) return undefined;
    const indexName = op.items[0]?.indexName ?? '';
    const e = this.indices.get(indexName);
    if (!e || e.virtual) return undefined;
    for (const item of op.items)
      if (item.indexName !== indexName || (item.action !== 'addObject' && item.action !== 'updateObject'))
        return undefined;
    const core = e.core;
    let vocab = this.vocabs.get(indexName);
    const reset = vocab?.core !== core;
    if (!vocab || reset) {
      vocab = { core, map: new VocabularyMap() };
      this.vocabs.set(indexName, vocab);
    }
    const map = vocab.map;
    const job = jobFor(core, op.items.map(recordOf), indexName, reset);
    const request = raw ? this.leanRequest(op.items, raw, core, this.writeTargets(e).length > 1) : undefined;
    const prep: Prepared = {
      indexName,
      core,
      vocab: map,
      epoch: core.epoch,
      result: undefined,
      ready: Promise.resolve(),
      ...(request ? { request } : {}),
    };
    // Answers arrive in job order, so the vocabulary grows in the worker's order.
    prep.ready = this.tokenizer.tokenize(job).then(
      (r) => {
        map.add(r.firstTermId, r.newTerms);
        prep.result = r;
      },
      () => {
        prep.result = null;
      },
    );
    return prep;
  }

  /**
   * What a tokenized batch keeps of its request (see Prepared): its own function, so that no
   * closure of `prepare` that outlives it (the worker's answer) holds the parsed request.
   */
  private leanRequest(
    items: BatchItem[],
    raw: RawRequest,
    core: SearchIndex,
    replicated: boolean,
  ): Prepared['request'] {
    const n = items.length;
    if (raw.requests.length !== n) return undefined;
    // A scan of the text (≈ 1 ms per 2 MB) costs less than sending the text to the worker.
    const spans = requestBodySpans(raw.text);
    if (!spans || spans.length !== n * 2) return undefined;
    const ascii = raw.ascii === true;
    const texts = new Array<string | undefined>(n);
    const lean = new Array<JsonRecord | undefined>(n);
    const attributePaths = core.attributePaths();
    let sliced = ascii;
    raw.requests.forEach((r, i) => {
      const sent = (r as { body?: { objectID?: unknown } } | null)?.body?.objectID;
      const item = items[i];
      const from = spans[2 * i] ?? -1;
      const to = spans[2 * i + 1] ?? -1;
      // Records the client sent as they are stored (prepareItem changed nothing else) keep their
      // text from the request instead of the parsed object, when that text is as long as the
      // record's own JSON and on one line: then sizes (dataSize) are exact and a snapshot line
      // stays one record. A text with spaces, or numbers written otherwise than JSON.stringify
      // writes them (`1e21`, `1.0`), usually is not (when such differences happen to cancel out
      // the text is kept: it still parses to the record, and is sized as the record). The sizes
      // are counted with escapes as the characters they stand for.
      if (typeof sent !== 'string' || sent === '' || item === undefined || from < 0) return;
      const size = this.jsonSizes.get(item.body);
      const slice = raw.text.slice(from, to);
      if (size === undefined || slice.includes('\n') || storedJsonBytes(slice) !== size) return;
      const record = recordOf(item);
      // A dense non-Latin record in an escaped request (a Russian entry among English ones) is
      // kept as its own JSON unescaped (see asciiViews): escaped it is up to 3 times larger.
      const dense = ascii && isDenseEscaped(slice, size);
      texts[i] = dense ? JSON.stringify(record) : slice;
      if (dense) sliced = false;
      // The parsed record is let go here, before the worker answers (see ReparsedItem), unless
      // replicas will tokenize it (they take whole records).
      if (replicated) return;
      lean[i] = projectPaths(record, attributePaths);
      items[i] = new ReparsedItem(item.action, item.indexName, sent, raw.text, from, to);
    });
    return {
      texts,
      ascii,
      lean,
      paths: JSON.stringify(attributePaths),
      ...(sliced ? { parent: raw.text } : {}),
    };
  }

  /**
   * UTF-8 size of JSON.stringify of record bodies validated for a raw-logged batch: a record's
   * text from the request is kept only when it has exactly this size (see leanRequest).
   */
  private readonly jsonSizes = new WeakMap<object, number>();

  /** Record bodies' JSON from request validation, reused when logging the batch. */
  private readonly bodyJson = new WeakMap<object, string>();

  /** Batches logged as their request text: the log entry's `op` JSON. */
  private readonly rawBatches = new WeakMap<object, readonly string[]>();

  /** The log entry of `l`; `utf8`: its raw batch's request text as bytes (written as they are). */
  private encode(l: Logged, utf8?: Buffer): unknown {
    if (l.op.k !== 'batch') return l;
    const rawOp = this.rawBatches.get(l.op);
    if (rawOp !== undefined) {
      const [head = '', text = '', tail = ''] = rawOp;
      return new EncodedEntry(
        '{"op":',
        head,
        utf8 ?? text,
        tail,
        `,"taskID":${l.taskID},"at":${JSON.stringify(l.at)}}`,
      );
    }
    const parts: string[] = [];
    for (const it of l.op.items) {
      const body = this.bodyJson.get(it.body) ?? JSON.stringify(it.body);
      parts.push(
        `{"action":${JSON.stringify(it.action)},"indexName":${JSON.stringify(it.indexName)},"body":${body}}`,
      );
    }
    return new EncodedEntry(
      `{"op":{"k":"batch","items":[${parts.join(',')}]},"taskID":${l.taskID},"at":${JSON.stringify(l.at)}}`,
    );
  }

  /**
   * Applies pending operations in order: each once its indexing delay has passed and, for a
   * batch tokenized off the main thread, once the worker has answered.
   */
  private drain(): void {
    if (this.timer || this.closed) return;
    for (let next = this.pending[0]; next !== undefined; next = this.pending[0]) {
      const wait = next.due - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.drain();
        }, wait);
        return;
      }
      if (next.prep && next.prep.result === undefined) {
        void next.prep.ready.then(() => this.drain());
        return;
      }
      this.pending.shift();
      this.apply(next.logged, next.prep);
    }
  }

  /** Applies an operation to memory. Never throws for a logged operation. */
  private apply(l: Logged, prep?: Prepared): void {
    const op = l.op;
    switch (op.k) {
      case 'batch':
        if (prep?.result) this.applyTokenized(op.items, prep.result, prep, l.at);
        else for (const item of op.items) this.applyItem(item, l.at);
        break;
      case 'settings':
        this.applySettings(op.index, op.settings, op.forward, l.at);
        break;
      case 'deleteIndex':
        this.dropIndex(op.index);
        break;
      case 'deleteBy': {
        const e = this.indices.get(op.index);
        if (e && !e.virtual) {
          const bits = e.core.filterBits(op.numeric ? numericFiltering(op.filters, e.view) : op.filters);
          if (bits) {
            const ids = [...bits.toArray()].map((d) => e.core.objectIdAt(d));
            for (const target of this.writeTargets(e)) for (const id of ids) target.remove(id);
          }
          this.touch(e, l.at);
        }
        break;
      }
      case 'operation':
        this.applyIndexOperation(op, l.at);
        break;
      case 'keys':
        this.keysSnapshot = op.snapshot;
        break;
    }
    this.markApplied(l.taskID);
    if (this.appliedWaiters.length > 0) {
      const due = this.appliedWaiters.filter((w) => this.isApplied(w.taskID));
      if (due.length > 0) {
        this.appliedWaiters.splice(
          0,
          this.appliedWaiters.length,
          ...this.appliedWaiters.filter((w) => !this.isApplied(w.taskID)),
        );
        for (const w of due) w.resolve();
      }
    }
  }

  /**
   * Applies a batch of upserts whose texts the worker tokenized: its terms are interned once,
   * its tokens renumbered, and each record placed as it is. Any record the tokens no longer fit
   * (settings applied or the index rebuilt since) is tokenized here instead.
   */
  private applyTokenized(
    items: readonly BatchItem[],
    batch: TokenizedBatch,
    prep: Prepared,
    at: string,
  ): void {
    const e = this.indices.get(prep.indexName);
    if (!e || e.primary !== undefined || e.core !== prep.core || e.core.epoch !== prep.epoch) {
      for (const item of items) this.applyItem(item, at);
      return;
    }
    const core = e.core;
    prep.vocab.renumber(batch.tokens, core.epoch, (term) => core.dict.intern(term));
    prep.vocab.mapTerms(batch.segment.terms);
    // The texts are slices of the request here: the index keeps them with the request text as
    // their block (let go once under half of it is viewed), or copies them into one string per
    // batch; replicas each copy their own.
    const req = prep.request;
    const texts = req?.texts;
    // What indexing reads of a record kept as text, without parsing it again, while the index
    // reads the same attributes as when the batch was prepared; whole records otherwise.
    const lean = req && JSON.stringify(core.attributePaths()) === req.paths ? req.lean : undefined;
    const records = items.map((item, d) => lean?.[d] ?? recordOf(item));
    core.upsertTokenizedBatch(
      records,
      batch.tokens,
      batch.tokenEnds,
      batch.starts,
      batch.segment,
      texts,
      req?.ascii === true,
      req?.parent,
    );
    // Replicas tokenize each record themselves: whole records.
    for (const r of this.writeTargets(e).slice(1))
      items.forEach((item, d) => {
        const text = texts?.[d];
        r.upsert(recordOf(item), text === undefined ? undefined : keptJson(text));
      });
    this.touch(e, at);
  }

  private ensure(name: string, at: string): IndexEntry {
    let e = this.indices.get(name);
    if (!e) {
      const core = new SearchIndex({});
      e = { name, core, settings: {}, view: core.settings, virtual: false, createdAt: at, updatedAt: at };
      this.indices.set(name, e);
    }
    return e;
  }

  private touch(e: IndexEntry, at: string): void {
    e.updatedAt = at;
  }

  /** The cores a record write lands in: the index and its standard replicas. */
  private writeTargets(e: IndexEntry): SearchIndex[] {
    const out = [e.core];
    for (const r of replicaNames(e.settings)) {
      const re = this.indices.get(r.name);
      if (re && !re.virtual && re.primary === e.name) out.push(re.core);
    }
    return out;
  }

  private applyItem(item: BatchItem, at: string): void {
    switch (item.action) {
      case 'delete':
        this.dropIndex(item.indexName);
        return;
      case 'clear': {
        const e = this.indices.get(item.indexName);
        if (e) {
          for (const t of this.writeTargets(e)) t.clear();
          this.touch(e, at);
        }
        return;
      }
      default:
        break;
    }
    const e = this.ensure(item.indexName, at);
    // Refused at request time; a write accepted while settings making the index a replica were
    // still queued is dropped here, so a replica only ever mirrors its primary.
    if (e.primary !== undefined) return;
    const targets = this.writeTargets(e);
    const objectID = String(item.body.objectID);
    switch (item.action) {
      case 'addObject':
      case 'updateObject': {
        // Records are never mutated once stored, so every target can share the body object.
        const record = recordOf(item);
        for (const t of targets) t.upsert(record);
        break;
      }
      case 'partialUpdateObject':
      case 'partialUpdateObjectNoCreate': {
        const next = applyPartial(
          e.core.get(objectID),
          objectID,
          item.body,
          item.action === 'partialUpdateObject',
        );
        if (next && recordBytes(next) <= this.maxRecordBytes) for (const t of targets) t.upsert(next);
        break;
      }
      case 'deleteObject':
        for (const t of targets) t.remove(objectID);
        break;
    }
    this.touch(e, at);
  }

  private dropIndex(name: string): void {
    const e = this.indices.get(name);
    if (!e) return;
    this.indices.delete(name);
    // Replicas of a deleted primary become regular indices (virtual ones go with it).
    for (const r of replicaNames(e.settings)) {
      const re = this.indices.get(r.name);
      if (!re || re.primary !== name) continue;
      if (re.virtual) this.indices.delete(r.name);
      else {
        delete re.primary;
        delete re.settings.primary;
      }
    }
    if (e.primary) {
      const p = this.indices.get(e.primary);
      if (p) {
        const list = (p.settings.replicas as string[] | undefined) ?? [];
        p.settings.replicas = list.filter((x) => stripVirtual(x) !== name);
        p.view = p.core.settings;
      }
    }
  }

  private applySettings(name: string, changes: StoredSettings, forward: boolean, at: string): void {
    const e = this.ensure(name, at);
    const merged: StoredSettings = { ...e.settings };
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) Reflect.deleteProperty(merged, k);
      else merged[k] = v;
    }
    const beforeReplicas = replicaNames(e.settings);
    e.settings = merged;
    this.refreshView(e);
    this.touch(e, at);
    // Replicas.
    const after = replicaNames(merged);
    for (const r of after) {
      let re = this.indices.get(r.name);
      if (!re) {
        if (r.virtual) {
          re = {
            name: r.name,
            core: e.core,
            settings: { primary: name },
            view: e.core.settings,
            virtual: true,
            primary: name,
            createdAt: at,
            updatedAt: at,
          };
        } else {
          const s: StoredSettings = { ...merged, primary: name };
          delete s.replicas;
          const core = new SearchIndex(s);
          core.copyFrom(e.core);
          re = {
            name: r.name,
            core,
            settings: s,
            view: core.settings,
            virtual: false,
            primary: name,
            createdAt: at,
            updatedAt: at,
          };
        }
        this.indices.set(r.name, re);
        this.refreshView(re);
      } else if (re.primary !== name || re.virtual !== r.virtual) {
        // An index newly listed, or listed as the other kind: it becomes what the list says.
        if (r.virtual) {
          // A virtual replica shares its primary's records; its settings stay, as overrides.
          re.virtual = true;
          re.core = e.core;
        } else if (re.virtual) {
          // A virtual replica made standard: its own copy, with the settings it had in effect.
          const s: StoredSettings = { ...merged, ...re.settings };
          delete s.replicas;
          re.settings = s;
          re.virtual = false;
          re.core = new SearchIndex(s);
          re.core.copyFrom(e.core);
        } else {
          // An index listed as a standard replica: its records are overwritten (Algolia's docs).
          re.core.clear();
          re.core.copyFrom(e.core);
        }
        re.primary = name;
        re.settings.primary = name;
        this.refreshView(re);
      }
    }
    for (const r of beforeReplicas) {
      if (after.some((a) => a.name === r.name)) continue;
      const re = this.indices.get(r.name);
      if (re && re.primary === name) {
        delete re.primary;
        delete re.settings.primary;
        if (re.virtual) this.indices.delete(r.name);
      }
    }
    if (forward) {
      const fwd = { ...changes };
      delete fwd.replicas;
      for (const r of after) {
        const re = this.indices.get(r.name);
        if (re) this.applySettings(r.name, fwd, false, at);
      }
    }
    for (const r of after) {
      const re = this.indices.get(r.name);
      if (re?.virtual) this.refreshView(re);
    }
  }

  private refreshView(e: IndexEntry): void {
    if (e.virtual && e.primary) {
      const p = this.indices.get(e.primary);
      const base: StoredSettings = p ? { ...p.settings } : {};
      delete base.replicas;
      e.view = resolveSettings({ ...base, ...e.settings });
      if (p) e.core = p.core;
    } else {
      const s = { ...e.settings };
      e.core.setSettings(s);
      e.view = e.core.settings;
    }
  }

  private applyIndexOperation(op: Extract<Operation, { k: 'operation' }>, at: string): void {
    // A missing source: a move is ignored, a copy copies an empty index with default settings
    // (Algolia's documentation). Moving an index onto itself leaves it as it is.
    const src =
      this.indices.get(op.index) ??
      (op.operation === 'copy' ? { settings: {}, core: new SearchIndex({}) } : undefined);
    if (!src || (op.operation === 'move' && op.index === op.destination)) return;
    // A scope applies to copies only (Algolia's documentation): a move takes everything.
    const scope =
      op.operation === 'copy' && op.scope && op.scope.length > 0
        ? op.scope
        : ['settings', 'synonyms', 'rules', 'records'];
    const existing = this.indices.get(op.destination);
    // A virtual replica shares its primary's records: never replaced (refused at request time).
    if (existing?.virtual) return;
    const keepReplicas = existing ? existing.settings.replicas : undefined;
    const settings: StoredSettings = scope.includes('settings')
      ? { ...src.settings }
      : { ...(existing?.settings ?? {}) };
    delete settings.primary;
    delete settings.replicas;
    if (keepReplicas !== undefined) settings.replicas = keepReplicas;
    if (op.operation === 'copy' && scope.includes('settings')) {
      // A copy leaves out `mode` and `enableReRanking` (Algolia's documentation): the
      // destination keeps its own.
      for (const k of ['mode', 'enableReRanking']) {
        Reflect.deleteProperty(settings, k);
        const own = existing?.settings[k];
        if (own !== undefined) settings[k] = own;
      }
    }
    // A standard replica given its primary's settings by a scoped copy stays its replica.
    const primary = existing?.primary;
    if (primary !== undefined) settings.primary = primary;
    const core = new SearchIndex(settings);
    const from = scope.includes('records') || op.operation === 'move' ? src.core : existing?.core;
    if (from) core.copyFrom(from);
    const dest: IndexEntry = {
      name: op.destination,
      core,
      settings,
      view: core.settings,
      virtual: false,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
      ...(primary !== undefined ? { primary } : {}),
    };
    this.indices.set(op.destination, dest);
    // Replicas of the destination follow its new content (virtual ones share its new core).
    for (const t of this.writeTargets(dest).slice(1)) {
      t.clear();
      t.copyFrom(core);
    }
    for (const r of replicaNames(dest.settings)) {
      const re = this.indices.get(r.name);
      if (re?.virtual && re.primary === dest.name) this.refreshView(re);
    }
    if (op.operation === 'move') this.dropIndex(op.index);
  }

  // ---- request-time validation (before logging) ----------------------------------------------

  /**
   * Validates and normalizes one batch item; assigns objectIDs to new records. `earlier` are the
   * items of the same request before this one (a partial update is sized on the record they and
   * every accepted write leave behind). Options: `rawLogged`, the request's text is logged as it
   * is (no JSON kept per record); `strings`, what the request's text says of its strings (see
   * `jsonStringsOf`: records are sized without scanning them when it says enough).
   */
  prepareItem(
    raw: { action?: unknown; body?: unknown; indexName?: unknown },
    indexName: string,
    position: number,
    earlier: readonly BatchItem[] = [],
    options: { rawLogged?: boolean; strings?: JsonStrings } = {},
  ): BatchItem {
    const action = raw.action;
    if (typeof action !== 'string' || !BATCH_ACTIONS.has(action as BatchItem['action'])) {
      throw new AlgoliaError(400, `invalid action: ${String(action)}`);
    }
    const a = action as BatchItem['action'];
    const bodyIn = raw.body ?? {};
    if (bodyIn === null || typeof bodyIn !== 'object' || Array.isArray(bodyIn)) {
      throw new AlgoliaError(400, 'Invalid body: expected a JSON object');
    }
    const body = { ...(bodyIn as Record<string, unknown>) };
    if (a === 'delete') this.refuseReplicaDelete(indexName, earlier);
    else this.refuseReplicaWrite(indexName, a, earlier);
    if (a === 'delete' || a === 'clear') return { action: a, indexName, body: {} };
    if (body.objectID === undefined || body.objectID === null || body.objectID === '') {
      // Algolia's words (quoted in its C# client's issues), with where the item ends (ItemError).
      if (a !== 'addObject')
        throw new ItemError(`The 'objectID' attribute is required to use action=${a}`, position);
      body.objectID = randomUUID();
    }
    if (typeof body.objectID !== 'string' && typeof body.objectID !== 'number') {
      throw new AlgoliaError(400, 'objectID must be a string');
    }
    const objectID = String(body.objectID);
    body.objectID = objectID;
    const upsert = a === 'addObject' || a === 'updateObject';
    // A bulk import's records are checked while they are sized (one walk, not two).
    if (!(upsert && options.rawLogged)) checkRecordNesting(body, position);
    // A batch logged as its request text needs only the size; otherwise the JSON is logged too.
    const json = options.rawLogged ? undefined : JSON.stringify(body);
    if (upsert) {
      const bytes =
        json === undefined ? sizedAndNested(body, options.strings, position) : Buffer.byteLength(json);
      checkRecordSize(body, this.maxRecordBytes, position, bytes);
      if (json === undefined) this.jsonSizes.set(body, bytes);
    } else if (a === 'partialUpdateObject' || a === 'partialUpdateObjectNoCreate') {
      // Algolia limits records, not requests: size the record this update produces.
      validatePartial(body);
      const base = this.projectedRecord(indexName, objectID, earlier);
      if (base !== UNKNOWN) {
        const next = applyPartial(base, objectID, body, a === 'partialUpdateObject');
        if (next) checkRecordSize(next, this.maxRecordBytes, position);
      }
    }
    if (json !== undefined) this.bodyJson.set(body, json);
    return { action: a, indexName, body };
  }

  /**
   * The record `objectID` will be once every accepted write (applied, still pending under the
   * indexing delay, and `earlier` items of the same request) is applied; `UNKNOWN` when a pending
   * deleteBy or index copy/move makes that uncomputable here (the apply-time check then drops an
   * update that would make the record too big).
   */
  private projectedRecord(
    indexName: string,
    objectID: string,
    earlier: readonly BatchItem[],
  ): JsonRecord | undefined | typeof UNKNOWN {
    let record = this.indices.get(indexName)?.core.get(objectID);
    const replay = (item: BatchItem): void => {
      if (item.indexName !== indexName) return;
      if (item.action === 'delete' || item.action === 'clear') record = undefined;
      else if (itemObjectID(item) !== objectID) return;
      else if (item.action === 'addObject' || item.action === 'updateObject')
        record = item.body as JsonRecord;
      else if (item.action === 'deleteObject') record = undefined;
      else {
        const next = applyPartial(record, objectID, item.body, item.action === 'partialUpdateObject');
        if (next && recordBytes(next) <= this.maxRecordBytes) record = next;
      }
    };
    for (const { logged } of this.pending) {
      const op = logged.op;
      if (op.k === 'batch') for (const item of op.items) replay(item);
      else if (op.k === 'deleteIndex' && op.index === indexName) record = undefined;
      else if (op.k === 'deleteBy' && op.index === indexName) return UNKNOWN;
      else if (op.k === 'operation' && (op.destination === indexName || op.index === indexName))
        return UNKNOWN;
    }
    for (const item of earlier) replay(item);
    return record;
  }

  /**
   * Writes to a replica are refused, as on Algolia: to an index that is one, or will be once the
   * operations accepted before this request are applied. Algolia's answer, as a client's bug
   * report quotes it for an addObject: 403 "cannot apply a add object request on a replica index"
   * (`action` in its words: the API's action name, camelCase split).
   */
  refuseReplicaWrite(indexName: string, action: string, earlier: readonly BatchItem[] = []): void {
    if (this.primaryOf(indexName, earlier) === undefined) return;
    const words = action.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
    throw new AlgoliaError(403, `cannot apply a ${words} request on a replica index`);
  }

  /**
   * A replica cannot be deleted while its primary lists it (Algolia's documentation: unlink it
   * first; deleting the primary makes its replicas regular indices). Algolia's answer, as a
   * Terraform provider's code quotes it: 403 "cannot apply the deleteIndex operation on a
   * replica index".
   */
  refuseReplicaDelete(indexName: string, earlier: readonly BatchItem[] = []): void {
    if (this.primaryOf(indexName, earlier) !== undefined)
      throw new AlgoliaError(403, 'cannot apply the deleteIndex operation on a replica index');
  }

  /**
   * The copies and moves Algolia's documentation rules out, as the operations accepted so far
   * will leave the indices:
   * - a copy cannot go to an index that has replicas, nor replace a replica's records (a user's
   *   report quotes the answer: "cannot copy to a primary/replica index"); copying only
   *   settings, synonyms or rules to a standard replica is how its documentation syncs one;
   * - an index that has replicas cannot be moved (it "would break the relationship with its
   *   replicas"), nor can a replica (unlink it first) — our wording, no source quotes Algolia's;
   * - a move onto a primary replaces its records and its replicas' (how a primary is
   *   reindexed); onto a replica it is refused as a write to it.
   */
  refuseIndexOperation(
    source: string,
    operation: 'copy' | 'move',
    destination: string,
    scoped: boolean,
  ): void {
    if (operation === 'copy') {
      const link = this.replicaLink(destination);
      if (this.replicasOf(destination).length > 0 || (link !== undefined && (!scoped || link.virtual)))
        throw new AlgoliaError(403, 'cannot copy to a primary/replica index');
      return;
    }
    if (this.primaryOf(source) !== undefined) throw new AlgoliaError(403, 'cannot move a replica index');
    if (this.replicasOf(source).length > 0)
      throw new AlgoliaError(403, 'cannot move an index that has replicas');
    this.refuseReplicaWrite(destination, operation);
  }

  /**
   * Replicas cannot have replicas of their own (Algolia's documentation: no chains): settings
   * that list replicas for an index that is one, or that list an index with replicas, are
   * refused. The wording is ours: no source quotes Algolia's.
   */
  refuseReplicaChain(indexName: string, settings: StoredSettings): void {
    const listed = replicaNames(settings);
    if (listed.length === 0) return;
    if (this.primaryOf(indexName) !== undefined || listed.some((r) => this.replicasOf(r.name).length > 0))
      throw new AlgoliaError(400, 'A replica index cannot have replicas');
  }

  /**
   * A replica has one primary, as on Algolia: listing as a replica an index that is one of
   * another index (or will be once the operations accepted before are applied) is refused.
   */
  refuseClaimedReplicas(indexName: string, settings: StoredSettings): void {
    for (const r of replicaNames(settings)) {
      const primary = this.primaryOf(r.name);
      if (primary !== undefined && primary !== indexName)
        throw new AlgoliaError(400, 'A replica index is already replica of another index');
    }
  }

  /**
   * The primary `indexName` is a replica of once the operations accepted so far are applied (and
   * `earlier` items of the same request: a batch's `delete` of its primary lets it go).
   */
  private primaryOf(indexName: string, earlier: readonly BatchItem[] = []): string | undefined {
    return this.replicaLink(indexName, earlier)?.primary;
  }

  /** {@link primaryOf}, and whether `indexName` is (or will be) a virtual replica. */
  private replicaLink(
    indexName: string,
    earlier: readonly BatchItem[] = [],
  ): { primary: string; virtual: boolean } | undefined {
    const e = this.indices.get(indexName);
    let primary = e?.primary;
    let virtual = e?.virtual ?? false;
    for (const { logged } of this.pending) {
      const op = logged.op;
      if (op.k === 'settings' && op.settings.replicas !== undefined) {
        const listed = replicaNames(op.settings).find((r) => r.name === indexName);
        if (listed) {
          primary = op.index;
          virtual = listed.virtual;
        } else if (primary === op.index) primary = undefined;
      } else if (op.k === 'deleteIndex' && (op.index === indexName || op.index === primary)) {
        primary = undefined;
      } else if (op.k === 'batch' && primary !== undefined && deletesEither(op.items, primary, indexName)) {
        primary = undefined;
      }
    }
    if (primary !== undefined && deletesEither(earlier, primary, indexName)) primary = undefined;
    return primary === undefined ? undefined : { primary, virtual };
  }

  /** The replicas `indexName` has once the operations accepted so far are applied. */
  /**
   * Every index that is, or by a queued change will be, a replica of `indexName` (applied
   * settings and the operations waiting under the indexing delay): what a key must be allowed
   * to touch before it changes or deletes the primary.
   */
  replicasNow(indexName: string): string[] {
    const e = this.indices.get(indexName);
    const applied = e ? replicaNames(e.settings).map((r) => r.name) : [];
    const pending: string[] = [];
    for (const { logged } of this.pending) {
      const op = logged.op;
      if (op.k === 'settings' && op.index === indexName && op.settings.replicas !== undefined)
        pending.push(...replicaNames(op.settings).map((r) => r.name));
    }
    return [...new Set([...applied, ...pending])];
  }

  private replicasOf(indexName: string): string[] {
    const e = this.indices.get(indexName);
    let replicas = e ? replicaNames(e.settings).map((r) => r.name) : [];
    for (const { logged } of this.pending) {
      const op = logged.op;
      if (op.k === 'settings' && op.index === indexName && op.settings.replicas !== undefined)
        replicas = replicaNames(op.settings).map((r) => r.name);
      else if (op.k === 'deleteIndex' && op.index === indexName) replicas = [];
      else if (op.k === 'batch' && deletesEither(op.items, indexName, indexName)) replicas = [];
      else if (op.k === 'operation' && op.operation === 'move' && op.index === indexName) replicas = [];
    }
    return replicas;
  }

  // ---- persistence ---------------------------------------------------------------------------

  private snapshotState(): SnapshotState {
    const indices = [...this.indices.values()].map((e) => ({
      name: e.name,
      settings: { ...e.settings },
      virtual: e.virtual,
      primary: e.primary,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      records: e.virtual ? [] : [...e.core.stored()],
      ...(e.virtual ? {} : { forward: e.core.exportForward() }),
    }));
    return {
      // Pending operations are in the snapshot and apply when it is restored.
      lastTask: this.lastTask,
      keys: this.keysSnapshot,
      indices,
      pending: this.pending.map((p) => p.logged),
    };
  }

  private restore(state: SnapshotState): void {
    this.lastTask = state.lastTask;
    this.appliedThrough = state.lastTask;
    this.appliedAhead.clear();
    this.keysSnapshot = state.keys;
    // Primaries and plain indices first, then replicas (virtual ones share their primary's core).
    const ordered = [...state.indices].sort((a, b) => Number(a.virtual) - Number(b.virtual));
    for (const s of ordered) {
      let core: SearchIndex;
      const primary = s.virtual && s.primary ? this.indices.get(s.primary) : undefined;
      if (primary) core = primary.core;
      else {
        core = new SearchIndex(s.settings);
        try {
          if (!s.forward || !core.restoreForward(s.records, s.forward, s.textBlock, s.verified === true)) {
            // Texts read as views of a shared string are copied: upserts do not track them.
            for (const r of s.records)
              core.upsertStored(typeof r === 'string' && s.textBlock !== undefined ? ownCopy(r) : r);
            if (s.records.length > 0) this.restoredByTokenizing = true;
          }
        } catch (e) {
          throw new Error(
            `the snapshot in the data folder is damaged: index ${JSON.stringify(s.name)}: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      }
      const e: IndexEntry = {
        name: s.name,
        core,
        settings: s.settings,
        view: core.settings,
        virtual: s.virtual,
        primary: s.primary,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
      };
      this.indices.set(s.name, e);
    }
    for (const e of this.indices.values()) if (e.virtual) this.refreshView(e);
    for (const p of state.pending) {
      const l = p as Logged;
      this.lastTask = Math.max(this.lastTask, l.taskID);
      this.apply(l);
    }
  }

  /** Waits for every logged write to be durable. */
  async flush(): Promise<void> {
    await this.persistence?.drain();
  }

  /**
   * Writes a snapshot (pending delayed writes included) when anything changed since the last
   * one, and closes the log.
   */
  async close(): Promise<void> {
    // Operations still pending are in the log (and the snapshot): they apply on the next open.
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.tokenizer?.close();
    for (const w of this.appliedWaiters.splice(0)) w.resolve();
    await this.flush();
    if (this.persistence) {
      if (this.persistence.changedSinceSnapshot) await this.persistence.snapshot(this.snapshotState());
      this.persistence.close();
      this.persistence = null;
    }
  }

  /** Total bytes of records (for list indices). */
  static dataSize(e: IndexEntry): number {
    return e.core.storedBytes();
  }
}

/**
 * A batch item whose body is parsed again from the request text when it is read. A batch waiting
 * for the worker's tokens keeps its request text anyway (the log and the records' kept texts come
 * from it); holding the 1,000 parsed records as well made them outlive two young-generation
 * collections, so an import copied each into the old generation, where they died (most of its
 * garbage collection, and its peak memory). The tokenized path never reads the body; the rest (the
 * inline fallback, a replica added while the batch waits, a numeric or sort column a query starts
 * meanwhile, partial updates sized against pending writes, a snapshot of pending writes) parse it
 * when they need it. Only for records kept as text, of indexes without standard replicas when the
 * batch was prepared (replicas take whole records).
 */
class ReparsedItem implements BatchItem {
  private parsed: Record<string, unknown> | undefined;

  constructor(
    readonly action: BatchItem['action'],
    readonly indexName: string,
    readonly objectID: string,
    private readonly text: string,
    private readonly from: number,
    private readonly to: number,
  ) {}

  get body(): Record<string, unknown> {
    return (this.parsed ??= this.parse());
  }

  /** For a snapshot of pending writes: parsed for the occasion, not kept. */
  toJSON(): BatchItem {
    return { action: this.action, indexName: this.indexName, body: this.parsed ?? this.parse() };
  }

  private parse(): Record<string, unknown> {
    return JSON.parse(this.text.slice(this.from, this.to)) as Record<string, unknown>;
  }
}

/** An item's objectID as a string (without parsing a {@link ReparsedItem}'s body). */
function itemObjectID(item: BatchItem): string {
  return item instanceof ReparsedItem ? item.objectID : String(item.body.objectID);
}

/** The record an addObject/updateObject item stores (its objectID always a string). */
function recordOf(item: BatchItem): JsonRecord {
  const objectID = String(item.body.objectID);
  return (item.body.objectID === objectID ? item.body : { ...item.body, objectID }) as JsonRecord;
}

/** Whether batch `items` delete index `a` or index `b`. */
function deletesEither(items: readonly BatchItem[], a: string, b: string): boolean {
  return items.some((i) => i.action === 'delete' && (i.indexName === a || i.indexName === b));
}

/** Parsed `replicas` setting. */
export function replicaNames(settings: StoredSettings): { name: string; virtual: boolean }[] {
  const list = (settings.replicas as string[] | undefined) ?? [];
  // A blank name is no replica: `replicas: [""]` is how Algolia's documentation unlinks them all.
  return list
    .map((r) => {
      const m = /^virtual\((.+)\)$/.exec(r.trim());
      return m ? { name: (m[1] ?? '').trim(), virtual: true } : { name: r.trim(), virtual: false };
    })
    .filter((r) => r.name !== '');
}

function stripVirtual(r: string): string {
  const m = /^virtual\((.+)\)$/.exec(r.trim());
  return m ? (m[1] ?? '') : r.trim();
}

/** A batch request's JSON text and what it held (see `Engine.submit`). */
export interface RawRequest {
  text: string;
  index: string;
  /** `JSON.parse(text).requests`: item bodies may be parsed again from `text` (see ReparsedItem). */
  requests: readonly unknown[];
  /** `text` is a one-byte string of ASCII (its record texts are kept as they are). */
  ascii?: boolean;
  /** The UTF-8 bytes of `text`, read only while submit() logs them (a pooled buffer). */
  utf8?: Buffer;
}

/** A batch as logged from its request text (see `Engine.submit`). */
interface RawLogged {
  op: { k: 'rawBatch'; index: string; ids: Record<string, string>; raw: { requests: unknown[] } };
  taskID: number;
  at: string;
}

/**
 * The log entry `op` of a batch logged as its request text: the index, the objectIDs the engine
 * generated (by position), and the text itself (already valid JSON: it was parsed), as parts.
 */
function rawBatchEncoding(items: readonly BatchItem[], raw: RawRequest): string[] {
  const ids: Record<string, string> = {};
  items.forEach((item, i) => {
    if (item.action !== 'addObject') return;
    const sent = (raw.requests[i] as { body?: { objectID?: unknown } } | undefined)?.body?.objectID;
    if (sent === undefined || sent === null || sent === '') ids[i] = String(item.body.objectID);
  });
  return [
    `{"k":"rawBatch","index":${JSON.stringify(raw.index)},"ids":${JSON.stringify(ids)},"raw":`,
    raw.text,
    '}',
  ];
}

/**
 * A logged batch back as items, normalized exactly as `Engine.prepareItem` did when it was accepted
 * (objectIDs as strings, generated ones from the log); other entries unchanged.
 */
function decodeRawBatch(entry: Logged | RawLogged): Logged {
  if (entry.op.k !== 'rawBatch') return entry as Logged;
  const { index, ids, raw } = entry.op;
  const items = raw.requests.map((r, i): BatchItem => {
    const req = r as { action: BatchItem['action']; body?: Record<string, unknown> };
    if (req.action === 'delete' || req.action === 'clear')
      return { action: req.action, indexName: index, body: {} };
    const body = { ...(req.body ?? {}) };
    const generated = ids[i];
    if (generated !== undefined) body.objectID = generated;
    body.objectID = String(body.objectID);
    return { action: req.action, indexName: index, body };
  });
  return { op: { k: 'batch', items }, taskID: entry.taskID, at: entry.at };
}
