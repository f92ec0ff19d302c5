/**
 * The search operation of one index: merges request parameters with the index settings,
 * compiles every filter form, ranks, paginates and formats hits exactly as Algolia answers.
 */
import { randomBytes } from 'node:crypto';
import { AlgoliaError } from '../errors';
import {
  andFilters,
  facetFiltersToExpr,
  numericFiltersToExpr,
  optionalFiltersToList,
  parseFilters,
  tagFiltersToExpr,
} from '../filters/index';
import type { FilterExpr } from '../filters/types';
import {
  highlightLookup,
  highlightValue,
  mirror,
  snippetValue,
  type HighlightLookup,
  type HighlightOptions,
} from './highlight';
import type { SearchParams } from './params';
import { omitPath, selectPaths, valuesAt, type JsonRecord } from './record-path';
import type { RankRequest, RankResult, SearchIndex } from './search-index';
import { EXHAUSTIVE_FORMS, isResponseField, NEVER_EXCLUDED } from './response-fields';
import { numericFiltering } from './numeric-filtering';
import type { ResolvedSettings } from './settings';
import { tokenizeWithOffsets, tokenize } from '../text/normalize';

/** Who is asking and what they may not change. */
export interface QueryContext {
  indexName: string;
  /** Filters imposed by the API key (ANDed, never widened). */
  keyFilters: FilterExpr;
  /** Sees unretrievable attributes: the admin key, or a key with `seeUnretrievableAttributes`. */
  isAdmin: boolean;
  /** The `params` echo. */
  echo: string;
  /** A key's maxHitsPerQuery. */
  maxHitsPerQuery?: number;
}

/** Algolia's search response. */
export type SearchResponse = Record<string, unknown> & { hits: Record<string, unknown>[]; nbHits: number };

const MAX_FILTER_ATOMS = 1000;

function setting<T>(params: SearchParams, view: ResolvedSettings, name: string, fallback: T): T {
  const p = params[name];
  if (p !== undefined) return p as T;
  const s = view.raw[name];
  if (s !== undefined && s !== null) return s as T;
  return fallback;
}

/** Compiles every filter parameter and the key's filters into one CNF expression. */
export function compileFilters(params: SearchParams, keyFilters: FilterExpr): FilterExpr {
  const parts: FilterExpr[] = [];
  // Only the empty string means "no filter"; a blank one is refused by the parser, as by Algolia.
  if (typeof params.filters === 'string' && params.filters !== '') parts.push(parseFilters(params.filters));
  if (params.facetFilters !== undefined) parts.push(facetFiltersToExpr(params.facetFilters));
  if (params.numericFilters !== undefined) parts.push(numericFiltersToExpr(params.numericFilters));
  if (params.tagFilters !== undefined) parts.push(tagFiltersToExpr(params.tagFilters));
  const expr = andFilters(...parts);
  const atoms = expr.reduce((n, g) => n + g.length, 0);
  if (atoms > MAX_FILTER_ATOMS) {
    throw new AlgoliaError(400, `Too many filters: the maximum is ${MAX_FILTER_ATOMS}`);
  }
  return andFilters(expr, keyFilters);
}

/** The ranking request for `params` against `view`. */
export function rankRequest(
  view: ResolvedSettings,
  params: SearchParams,
  keyFilters: FilterExpr,
  facets: string[],
): RankRequest {
  const distinctSetting = setting<number | boolean>(params, view, 'distinct', 0);
  const features = setting<string[]>(params, view, 'advancedSyntaxFeatures', ['exactPhrase', 'excludeWords']);
  return {
    query: params.query ?? '',
    filters: numericFiltering(compileFilters(params, keyFilters), view),
    optionalFilters:
      params.optionalFilters !== undefined ? optionalFiltersToList(params.optionalFilters) : [],
    typoTolerance: setting(params, view, 'typoTolerance', true),
    minWordSizefor1Typo: setting(params, view, 'minWordSizefor1Typo', 4),
    minWordSizefor2Typos: setting(params, view, 'minWordSizefor2Typos', 8),
    queryType: setting(params, view, 'queryType', 'prefixLast'),
    optionalWords: toList(setting<string[] | string>(params, view, 'optionalWords', [])),
    syntax: setting(params, view, 'advancedSyntax', false)
      ? {
          exactPhrase: features.includes('exactPhrase'),
          excludeWords: features.includes('excludeWords'),
        }
      : undefined,
    removeWordsIfNoResults: setting(params, view, 'removeWordsIfNoResults', 'none'),
    exactOnSingleWordQuery: setting(params, view, 'exactOnSingleWordQuery', 'attribute'),
    allowTyposOnNumericTokens: setting(params, view, 'allowTyposOnNumericTokens', true),
    // Settings only, in Algolia's spec (not search parameters).
    disableTypoToleranceOnWords: view.raw.disableTypoToleranceOnWords as string[] | undefined,
    disablePrefixOnAttributes: view.raw.disablePrefixOnAttributes as string[] | undefined,
    disableTypoToleranceOnAttributes: setting<string[] | undefined>(
      params,
      view,
      'disableTypoToleranceOnAttributes',
      undefined,
    ),
    disableExactOnAttributes: setting<string[] | undefined>(
      params,
      view,
      'disableExactOnAttributes',
      undefined,
    ),
    minProximity: setting(params, view, 'minProximity', 1),
    restrictSearchableAttributes: params.restrictSearchableAttributes,
    distinct: distinctSetting === true ? 1 : distinctSetting === false ? 0 : distinctSetting,
    attributeForDistinct: view.raw.attributeForDistinct as string | undefined,
    ranking: view.ranking,
    customRanking: view.customRanking,
    facets,
    facetingAfterDistinct: params.facetingAfterDistinct === true,
  };
}

function toList(v: string[] | string): string[] {
  return typeof v === 'string' ? [v] : v;
}

/** The facets to count: `*` means every declared facet that is not filter-only. */
export function resolveFacets(index: SearchIndex, requested: string[] | undefined): string[] {
  if (!requested || requested.length === 0) return [];
  const out: string[] = [];
  // objectID is filterable, never a facet: "the engine ignores it if you declare it in
  // attributesForFaceting" (Algolia's faceting guide).
  for (const name of requested) {
    if (name === 'objectID') continue;
    if (name === '*') {
      for (const d of index.settings.facets.values())
        if (!d.filterOnly && d.attribute !== 'objectID' && !out.includes(d.attribute)) out.push(d.attribute);
      continue;
    }
    const d = index.facetDecl(name);
    if (d && !d.filterOnly && !out.includes(name)) out.push(name);
  }
  return out;
}

/** Most hits one page returns: Algolia answers a larger `hitsPerPage` with this many, no error. */
const MAX_HITS_PER_PAGE = 1000;

/** Runs a search and formats Algolia's response. */
export function search(
  index: SearchIndex,
  view: ResolvedSettings,
  params: SearchParams,
  ctx: QueryContext,
  browse?: { offset: number },
): SearchResponse {
  const started = performance.now();
  let hpp = Math.min(setting(params, view, 'hitsPerPage', browse ? 1000 : 20), MAX_HITS_PER_PAGE);
  if (ctx.maxHitsPerQuery !== undefined) hpp = Math.min(hpp, ctx.maxHitsPerQuery);
  // A query cannot lift it (not a search parameter): it is what keeps a search key from paging
  // through a whole index. Browsing is not limited.
  const limit = browse
    ? Number.MAX_SAFE_INTEGER
    : ((view.raw.paginationLimitedTo as number | null | undefined) ?? 1000);
  const page = params.page ?? 0;
  let start: number;
  let count: number;
  if (browse) {
    start = browse.offset;
    count = hpp;
  } else if (params.offset !== undefined) {
    start = params.offset;
    count = params.length ?? hpp;
    if (ctx.maxHitsPerQuery !== undefined) count = Math.min(count, ctx.maxHitsPerQuery);
  } else {
    start = page * hpp;
    count = hpp;
  }
  const facetNames = resolveFacets(index, params.facets);
  // Made (and so the filters checked) even for a page past the limit, which answers without
  // searching.
  const req = rankRequest(view, params, ctx.keyFilters, facetNames);
  if (start >= limit) return beyondLimit(params, view, ctx, page, hpp, count, limit, started);
  // Browsing returns every matching record: no deduplication (Algolia's browse documentation).
  if (browse) req.distinct = 0;
  const ranked = index.rank(req);
  const maxValues = setting(params, view, 'maxValuesPerFacet', 100);
  const sortBy = setting<string>(params, view, 'sortFacetValuesBy', 'count');
  // With distinct > 1, pages and nbHits count groups (Algolia's `distinct` documentation): a
  // page is `count` groups, each its members in a row.
  const groups = ranked.groupStarts;
  const nbHits = groups ? groups.length : ranked.docs.length;
  const reachable = Math.min(nbHits, limit);
  const from = Math.min(start, reachable);
  const to = Math.min(start + count, reachable);
  let pageDocs = groups
    ? ranked.docs.slice(groups[from] ?? ranked.docs.length, groups[to] ?? ranked.docs.length)
    : ranked.docs.slice(from, to);
  // A key's maxHitsPerQuery bounds the records a query returns, groups or not.
  if (ctx.maxHitsPerQuery !== undefined) pageDocs = pageDocs.slice(0, ctx.maxHitsPerQuery);
  // exactOnSingleWordQuery `word`: "only exact matches will be highlighted, partial and prefix
  // matches won't" (Algolia's documentation).
  const single = ranked.words.length === 1 ? ranked.words[0] : undefined;
  if (single !== undefined && req.exactOnSingleWordQuery === 'word') {
    const exact = [...single.matches].filter(([, m]) => m.typos === 0 && m.full);
    ranked.words = [{ ...single, matches: new Map(exact) }];
  }
  const lookup = highlightLookup(ranked.words, index.dict);
  const hits = pageDocs.map((d) => formatHit(index, view, params, ctx, ranked, d, lookup));
  if (groups) {
    // A member's place in its group: 0 for the group's best record.
    const first = groups[from] ?? 0;
    let g = from;
    hits.forEach((hit, i) => {
      while ((groups[g + 1] ?? Infinity) <= first + i) g++;
      hit._distinctSeqID = first + i - (groups[g] ?? 0);
    });
  }
  const nbPages = hpp === 0 ? 0 : Math.ceil(reachable / hpp);
  // "If the facets parameter is empty, the engine returns no facet information" (Algolia).
  const faceted = params.facets !== undefined && params.facets.length > 0;
  const res: SearchResponse = {
    hits,
    nbHits,
    page,
    nbPages,
    hitsPerPage: hpp,
    // Facet-count exhaustiveness only comes with facets (as in Algolia's answers without them).
    ...(faceted ? { exhaustiveFacetsCount: true } : {}),
    exhaustiveNbHits: true,
    ...exhaustiveness(params, view, faceted),
    query: params.query ?? '',
    params: ctx.echo,
    index: ctx.indexName,
    // The index's (or the query's): InstantSearch's dynamic widgets read facetOrdering there.
    renderingContent: setting<unknown>(params, view, 'renderingContent', {}),
    processingTimeMS: 0,
  };
  const removal = req.removeWordsIfNoResults;
  if (removal === 'lastWords' || removal === 'firstWords') {
    res.queryAfterRemoval = queryAfterRemoval(params.query ?? '', ranked);
  }
  if (params.offset !== undefined && !browse) {
    res.offset = params.offset;
    res.length = count;
  }
  if (faceted) {
    res.facets = limitFacets(ranked.facets, maxValues, sortBy);
    if (Object.keys(ranked.facetsStats).length > 0) res.facets_stats = ranked.facetsStats;
  }
  if (params.clickAnalytics === true) res.queryID = randomBytes(16).toString('hex');
  const took = performance.now() - started;
  res.processingTimeMS = Math.max(1, Math.round(took));
  if (took > 50) {
    // Algolia's convention for slow queries.
    (res.exhaustive as Record<string, boolean>).nbHits = false;
    res.exhaustiveNbHits = false;
  }
  return res;
}

/**
 * The query with the words removeWordsIfNoResults removed in `<em>` tags (Algolia's
 * `queryAfterRemoval`: "the removed parts are surrounded by <em> tags"); the query itself when
 * none was removed.
 */
function queryAfterRemoval(query: string, ranked: RankResult): string {
  if (ranked.removed === undefined) return query;
  let out = '';
  let at = 0;
  ranked.words.forEach((w, i) => {
    if (ranked.removed?.[i] !== true) return;
    out += query.slice(at, w.start) + '<em>' + query.slice(w.start, w.end) + '</em>';
    at = w.end;
  });
  return out + query.slice(at);
}

/**
 * `exhaustiveTypo` and `exhaustive` (every count here is exact): without `typo` when typo
 * tolerance is off ("This field will not be included when typo-tolerance is entirely disabled",
 * the spec's `exhaustive.typo`; the same of the deprecated `exhaustiveTypo`).
 */
function exhaustiveness(
  params: SearchParams,
  view: ResolvedSettings,
  faceted: boolean,
): { exhaustiveTypo?: true; exhaustive: Record<string, true> } {
  const typo = setting<unknown>(params, view, 'typoTolerance', true) !== false;
  return {
    ...(typo ? { exhaustiveTypo: true as const } : {}),
    exhaustive: { ...(faceted ? { facetsCount: true } : {}), nbHits: true, ...(typo ? { typo: true } : {}) },
  };
}

/**
 * A page that starts past `paginationLimitedTo`: no search, no hits, and Algolia's message (its
 * answer, quoted in public code: `nbHits` and `nbPages` 0).
 */
function beyondLimit(
  params: SearchParams,
  view: ResolvedSettings,
  ctx: QueryContext,
  page: number,
  hpp: number,
  count: number,
  limit: number,
  started: number,
): SearchResponse {
  const res: SearchResponse = {
    hits: [],
    nbHits: 0,
    page,
    nbPages: 0,
    hitsPerPage: hpp,
    exhaustiveNbHits: true,
    ...exhaustiveness(params, view, false),
    query: params.query ?? '',
    params: ctx.echo,
    index: ctx.indexName,
    message:
      `you can only fetch the ${limit} hits for this query. You can extend the number of hits ` +
      'returned via the paginationLimitedTo index parameter or use the browse method. You can read ' +
      'our FAQ for more details about browsing: ' +
      'https://www.algolia.com/doc/faq/index-configuration/how-can-i-retrieve-all-the-records-in-my-index',
    renderingContent: setting<unknown>(params, view, 'renderingContent', {}),
    processingTimeMS: Math.max(1, Math.round(performance.now() - started)),
  };
  if (params.offset !== undefined) {
    res.offset = params.offset;
    res.length = count;
  }
  if (params.clickAnalytics === true) res.queryID = randomBytes(16).toString('hex');
  return res;
}

/**
 * `res` with only the properties `responseFields` lists (`*`: all), and those it cannot leave
 * out (message, warning, cursor, …). Names no search response has are refused (the documentation:
 * "If you include unknown field names, the API returns an error"); the setting is checked when
 * set. For the HTTP layer, once it used the whole answer (a browse cursor, a multi-query strategy).
 */
export function applyResponseFields(
  res: SearchResponse,
  params: SearchParams,
  view: ResolvedSettings,
): SearchResponse {
  const fields = setting<unknown>(params, view, 'responseFields', null);
  if (!Array.isArray(fields)) return res;
  for (const f of fields as unknown[]) {
    if (typeof f !== 'string' || !isResponseField(f))
      throw new AlgoliaError(400, `Unknown field in responseFields: ${String(f)}`);
  }
  if (fields.includes('*')) return res;
  const keep = new Set(fields as string[]);
  const out = res as Record<string, unknown>;
  for (const name of Object.keys(out)) {
    // The deprecated forms of `exhaustive` go with it.
    const drop = EXHAUSTIVE_FORMS.includes(name)
      ? !keep.has(name) && !keep.has('exhaustive')
      : !keep.has(name) && !NEVER_EXCLUDED.has(name);
    if (drop) Reflect.deleteProperty(out, name);
  }
  return res;
}

function limitFacets(
  facets: RankResult['facets'],
  max: number,
  sortBy: string,
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [name, counts] of Object.entries(facets)) {
    const entries = Object.entries(counts);
    entries.sort(
      sortBy === 'alpha'
        ? (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
        : (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
    );
    const o: Record<string, number> = {};
    for (const [v, c] of entries.slice(0, max)) o[v] = c;
    out[name] = o;
  }
  return out;
}

/** Applies attributesToRetrieve and unretrievableAttributes (paths read through arrays too). */
export function projectRecord(
  record: JsonRecord,
  retrieve: string[] | undefined,
  unretrievable: string[],
): Record<string, unknown> {
  const list = retrieve ?? ['*'];
  let out: Record<string, unknown>;
  // Exclusions (`-attr`) only work with `*` (Algolia's attributesToRetrieve documentation):
  // without it they retrieve nothing, and an empty list retrieves only the objectID.
  if (list.includes('*')) {
    out = { ...record };
    for (const a of list) if (a.startsWith('-')) out = omitPath(out, a.slice(1));
  } else {
    const paths = list.filter((a) => !a.startsWith('-')).map((a) => [a, undefined] as const);
    out = selectPaths(record, paths, (v) => v);
  }
  for (const a of unretrievable) out = omitPath(out, a);
  out.objectID = record.objectID;
  return out;
}

function defaultHighlightAttributes(view: ResolvedSettings): string[] {
  const explicit = view.raw.attributesToHighlight as string[] | undefined | null;
  if (explicit) return explicit;
  if (view.searchable === null) return ['*'];
  return view.searchable.flatMap((g) => g.paths);
}

function formatHit(
  index: SearchIndex,
  view: ResolvedSettings,
  params: SearchParams,
  ctx: QueryContext,
  ranked: RankResult,
  doc: number,
  lookup: HighlightLookup,
): Record<string, unknown> {
  const record = index.recordAt(doc);
  if (!record) throw new Error(`doc ${doc} has no record`);
  const unretrievable = ctx.isAdmin ? [] : view.unretrievable;
  const retrieve = params.attributesToRetrieve ?? (view.raw.attributesToRetrieve as string[] | undefined);
  const hit = projectRecord(record, retrieve, unretrievable);
  const visible = projectRecord(record, ['*'], unretrievable);
  delete visible.objectID;
  const opts: HighlightOptions = {
    words: ranked.words,
    dict: index.dict,
    lookup,
    preTag: setting(params, view, 'highlightPreTag', '<em>'),
    postTag: setting(params, view, 'highlightPostTag', '</em>'),
    ellipsis: setting(params, view, 'snippetEllipsisText', '…'),
  };
  const toHighlight = params.attributesToHighlight ?? defaultHighlightAttributes(view);
  if (toHighlight.length > 0) {
    const highlight = (v: unknown): unknown => mirror(v, (s) => highlightValue(s, opts));
    hit._highlightResult = buildMirror(
      visible,
      toHighlight.map((a) => [a, highlight] as const),
    );
  }
  const toSnippet =
    params.attributesToSnippet ?? (view.raw.attributesToSnippet as string[] | undefined) ?? [];
  if (toSnippet.length > 0) {
    const specs = toSnippet.map((s) => {
      const i = s.lastIndexOf(':');
      const n = i > 0 ? Number(s.slice(i + 1)) : NaN;
      return Number.isInteger(n) && n > 0 ? { attr: s.slice(0, i), n } : { attr: s, n: 10 };
    });
    const snippet =
      (n: number) =>
      (v: unknown): unknown =>
        mirror(v, (s) => snippetValue(s, n, opts));
    const out = buildMirror(
      visible,
      specs.map(({ attr, n }) => [attr, snippet(n)] as const),
    );
    if (Object.keys(out).length > 0) hit._snippetResult = out;
  }
  if (params.getRankingInfo === true) {
    const info = ranked.info?.(doc);
    hit._rankingInfo = {
      promoted: false, // no rules here: nothing is promoted (the spec requires the member)
      nbTypos: info?.nbTypos ?? 0,
      firstMatchedWord: info?.firstMatchedWord ?? 0,
      proximityDistance: info?.proximityDistance ?? 0,
      userScore: 0,
      geoDistance: 0,
      geoPrecision: 1,
      nbExactWords: info?.nbExactWords ?? 0,
      words: info?.words ?? 0,
      filters: info?.filters ?? 0,
    };
  }
  return hit;
}

/**
 * The highlight/snippet tree of the listed attributes, each mirrored by its own function; `*`
 * (the last one listed) mirrors every attribute, and the others are then ignored, as before paths
 * went through arrays.
 */
function buildMirror(
  visible: Record<string, unknown>,
  attributes: ReadonlyArray<readonly [attribute: string, leaf: (v: unknown) => unknown]>,
): Record<string, unknown> {
  const all = attributes.findLast(([a]) => a === '*');
  if (all) return all[1](visible) as Record<string, unknown>;
  return selectPaths(visible, attributes, (v, leaf) => leaf(v));
}

/** Facet value search: values of `facet` among the docs matching `params`, filtered by `facetQuery`. */
export function searchFacetValues(
  index: SearchIndex,
  view: ResolvedSettings,
  facet: string,
  facetQuery: string,
  maxFacetHits: number,
  params: SearchParams,
  ctx: QueryContext,
): Record<string, unknown> {
  const started = performance.now();
  const decl = index.facetDecl(facet);
  // objectID is never a facet (Algolia's faceting guide), searchable or not.
  if (!decl || !decl.searchable || facet === 'objectID') {
    throw new AlgoliaError(
      400,
      `Cannot search in \`${facet}\` attribute, you need to add \`searchable(${facet})\` to attributesForFaceting.`,
    );
  }
  const req = rankRequest(view, params, ctx.keyFilters, []);
  const ranked = index.rank(req);
  const values = index.facetValueCounts(ranked.candidates, facet);
  const qWords = tokenize(facetQuery);
  const pre = setting<string>(params, view, 'highlightPreTag', '<em>');
  const post = setting<string>(params, view, 'highlightPostTag', '</em>');
  const hits: { value: string; highlighted: string; count: number }[] = [];
  for (const v of values) {
    const h = facetHighlight(v.value, qWords, pre, post);
    if (h !== null) hits.push({ value: v.value, highlighted: h, count: v.count });
  }
  const sortBy = setting<string>(params, view, 'sortFacetValuesBy', 'count');
  hits.sort(
    sortBy === 'alpha'
      ? (a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)
      : (a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
  );
  return {
    facetHits: hits.slice(0, maxFacetHits),
    exhaustiveFacetsCount: true,
    processingTimeMS: Math.max(1, Math.round(performance.now() - started)),
  };
}

/** Highlighted value when every query word prefixes one of its words, else null. */
function facetHighlight(value: string, qWords: string[], pre: string, post: string): string | null {
  if (qWords.length === 0) return value;
  const spans = tokenizeWithOffsets(value);
  const marks: { start: number; end: number }[] = [];
  for (const q of qWords) {
    const s = spans.find((sp) => sp.norm.startsWith(q));
    if (!s) return null;
    marks.push({ start: s.start, end: s.start + Math.min(q.length, s.end - s.start) });
  }
  marks.sort((a, b) => a.start - b.start);
  let out = '';
  let cur = 0;
  for (const m of marks) {
    if (m.start < cur) continue;
    out += value.slice(cur, m.start) + pre + value.slice(m.start, m.end) + post;
    cur = m.end;
  }
  return out + value.slice(cur);
}

/** Values of `attr` in a record, for callers outside the index. */
export { valuesAt };
