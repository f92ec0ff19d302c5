/* eslint-disable @typescript-eslint/no-non-null-assertion -- a hot loop over typed arrays whose
   indices are in bounds by construction (noUncheckedIndexedAccess would cost a check each). */
/**
 * Tokenizing a batch of records' searchable texts off the main thread. The worker keeps its own
 * term table per index; the main thread maps each of its terms to the index's dictionary once
 * and renumbers the tokens (a sequential pass over integers).
 */
import { TermDictionary } from '../core/dictionary';
import { SegmentBuilder, type Segment } from '../core/postings';
import type { JsonRecord } from '../core/record-path';
import { internTokensIn, TokenBuffer } from '../text/normalize';

/** The searchable texts of `docs` records, as `SearchIndex.forEachSearchableText` lists them. */
export interface TokenizeJob {
  /** Whose term table the worker uses and extends (one per index). */
  vocab: string;
  /** Start that term table afresh (first job for this index). */
  reset: boolean;
  /**
   * Every text, record by record, group by group. Sent as they are: joining them into one string
   * cost more than cloning them (≈ 4 ms per 1,000 journal entries: a writer's text with one curly
   * quote is a two-byte string, and so becomes the whole join), and the worker reads each as it is.
   */
  texts: string[];
  /** For each text, its searchable group. */
  groupOf: Int32Array;
  /** For each record, the number of texts up to and including its own. */
  docEnds: Int32Array;
  /** Searchable groups of the index. */
  groups: number;
}

/** Token ids index the vocabulary's terms; each record's slice is laid out like the forward index. */
export interface TokenizedBatch {
  /** Terms this job added to the vocabulary, with ids from `firstTermId` on. */
  newTerms: string[];
  /** The vocabulary's size before this job. */
  firstTermId: number;
  /** Every record's tokens (-1 after each text), record after record. */
  tokens: Int32Array;
  /** For each record, the offset in `tokens` just after its tokens. */
  tokenEnds: Int32Array;
  /** For each record, `groups + 1` offsets (relative to the record's first token). */
  starts: Int32Array;
  /**
   * The batch's posting lists: vocabulary term ids (in first-seen order) → the records (their index in the
   * batch, ascending) that contain them. Built here so the main thread only renumbers it.
   */
  segment: Segment;
}

/** What {@link jobFor} needs from an index. */
export interface SearchableTexts {
  forEachSearchableText(record: JsonRecord, fn: (group: number, text: string) => void): void;
  readonly searchableGroupCount: number;
}

/** The job that tokenizes `records` for `index` (with its current settings). */
export function jobFor(
  index: SearchableTexts,
  records: readonly JsonRecord[],
  vocab: string,
  reset: boolean,
): TokenizeJob {
  const texts: string[] = [];
  const groups: number[] = [];
  const docEnds = new Int32Array(records.length);
  records.forEach((r, i) => {
    index.forEachSearchableText(r, (g, text) => {
      texts.push(text);
      groups.push(g);
    });
    docEnds[i] = groups.length;
  });
  return {
    vocab,
    reset,
    texts,
    groupOf: Int32Array.from(groups),
    docEnds,
    groups: index.searchableGroupCount,
  };
}

/**
 * Term tables by vocabulary, kept across jobs: after the first batches of an import almost
 * every term is known, so a job sends back only the few new ones.
 */
export class Vocabularies {
  private readonly tables = new Map<string, TermDictionary>();
  private readonly segments = new SegmentBuilder();

  /** Tokenizes a job exactly as `SearchIndex` tokenizes one record at a time. */
  tokenize(job: TokenizeJob): TokenizedBatch {
    let local = job.reset ? undefined : this.tables.get(job.vocab);
    if (!local) {
      local = new TermDictionary({ trie: false });
      this.tables.set(job.vocab, local);
    }
    const known = local.size;
    const toks = new TokenBuffer();
    const docs = job.docEnds.length;
    const stride = job.groups + 1;
    const starts = new Int32Array(docs * stride);
    const tokenEnds = new Int32Array(docs);
    let t = 0;
    for (let d = 0; d < docs; d++) {
      const base = toks.n;
      const s = d * stride;
      let group = -1;
      for (const end = job.docEnds[d]!; t < end; t++) {
        const g = job.groupOf[t]!;
        while (group < g) starts[s + ++group] = toks.n - base;
        const text = job.texts[t]!;
        internTokensIn(text, 0, text.length, local, toks);
        toks.push(-1);
      }
      while (group < job.groups) starts[s + ++group] = toks.n - base;
      tokenEnds[d] = toks.n;
    }
    const tokens = toks.a.slice(0, toks.n);
    return {
      newTerms: local.terms.slice(known),
      firstTermId: known,
      tokens,
      tokenEnds,
      starts,
      segment: this.segments.build(
        tokens,
        docStarts(tokenEnds),
        tokenEnds,
        docIndexes(docs),
        local.size,
        false,
      ),
    };
  }
}

/** Where each record's tokens start, from where they end. */
function docStarts(ends: Int32Array): Int32Array {
  const from = new Int32Array(ends.length);
  for (let d = 1; d < ends.length; d++) from[d] = ends[d - 1]!;
  return from;
}

/** 0, 1, …, n - 1: a batch's records numbered by their place in it. */
function docIndexes(n: number): Int32Array {
  const docs = new Int32Array(n);
  for (let d = 0; d < n; d++) docs[d] = d;
  return docs;
}

/**
 * The main thread's side of one vocabulary: its terms (in the worker's id order) and their ids
 * in the index's dictionary, found on first use (so terms are added to the dictionary in the
 * order a record-by-record tokenizer would add them).
 */
export class VocabularyMap {
  readonly terms: string[] = [];
  private ids = new Int32Array(1024).fill(-1);
  private epoch = -1;

  /**
   * Records a job's new terms at their ids (`firstTermId` on): answers may arrive in any order,
   * the worker numbered them in the order it took the jobs.
   */
  add(firstTermId: number, newTerms: readonly string[]): void {
    const terms = this.terms as (string | undefined)[];
    for (let i = 0; i < newTerms.length; i++) terms[firstTermId + i] = newTerms[i];
  }

  /**
   * Rewrites `tokens` in place from vocabulary ids to dictionary ids. `epoch` names the
   * dictionary: when it changes (index emptied or rebuilt), earlier mappings are dropped.
   */
  renumber(tokens: Int32Array, epoch: number, intern: (term: string) => number): void {
    if (epoch !== this.epoch) {
      this.ids.fill(-1);
      this.epoch = epoch;
    }
    if (this.ids.length < this.terms.length) {
      const next = new Int32Array(Math.max(this.terms.length, this.ids.length * 2)).fill(-1);
      next.set(this.ids);
      this.ids = next;
    }
    const ids = this.ids;
    const terms = this.terms;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t < 0) continue;
      let id = ids[t]!;
      if (id < 0) {
        id = intern(terms[t]!);
        ids[t] = id;
      }
      tokens[i] = id;
    }
  }

  /** Rewrites vocabulary ids already seen by {@link renumber} (same epoch) to dictionary ids. */
  mapTerms(terms: Int32Array): void {
    const ids = this.ids;
    for (let i = 0; i < terms.length; i++) {
      const id = ids[terms[i]!]!;
      if (id < 0) throw new Error(`vocabulary term ${terms[i]} has no dictionary id`);
      terms[i] = id;
    }
  }
}
