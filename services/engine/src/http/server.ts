/**
 * Algolia's Search REST protocol over node:http: routing, credentials and ACLs on every route,
 * JSON bodies whatever the content type (gzip accepted), CORS, and `{message, status}` errors.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isAscii, isUtf8 } from 'node:buffer';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { BufferPool } from '../buffer-pool';
import { AlgoliaError, ItemError } from '../errors';
import { forEachMember, skipValue, skipWs } from '../text/json-scan';
import { Engine, replicaNames, type BatchItem, type IndexEntry } from '../engine';
import {
  authorize,
  KeyStore,
  keyStoreSnapshotSchema,
  parseCredentials,
  type Need,
  type Principal,
} from '../keys/index';
import { coerceParams, parseSearchParams, paramsEcho, type SearchParams } from '../core/params';
import {
  applyResponseFields,
  compileFilters,
  projectRecord,
  search,
  searchFacetValues,
  type SearchResponse,
} from '../core/query';
import { jsonStringsOf, type JsonStrings } from '../core/json-bytes';
import { numericFiltering } from '../core/numeric-filtering';
import { isResponseField } from '../core/response-fields';
import { ownCopy } from '../text/own-copy';
import { decodeValidUtf8 } from '../text/utf8-text';
import { asciiJsonText } from '../text/ascii-json';
import { validatePartial } from '../core/operations';
import { parseSettingsBody, resolveSettings, settingsForDisplay } from '../core/settings';
import { matchesFilter } from '../filters/index';

const gunzipAsync = promisify(gunzip);
const MAX_BODY = 64 * 1024 * 1024;

/** What the HTTP layer needs. */
export interface ProtocolOptions {
  engine: Engine;
  appId: string;
  adminKey: string;
  searchKey?: string;
}

interface Ctx {
  req: IncomingMessage;
  url: URL;
  body: Record<string, unknown>;
  /** The body's JSON text (after gzip), '' when there was none. */
  text: string;
  /** What every string in `body` is known to be (see jsonStringsOf). */
  strings: JsonStrings;
  /** `text` is a one-byte string of ASCII (see readBody). */
  asciiText: boolean;
  /** The UTF-8 bytes `text` was decoded from, until `release()` (see RequestBody). */
  utf8?: Buffer;
  release: () => void;
  segments: string[];
  method: string;
}

type Reply = { status: number; body: unknown };

/** Parameters a key forces that are restrictions, not search parameters. */
const NOT_SEARCH_PARAMS = new Set([
  'validUntil',
  'restrictIndices',
  'restrictSources',
  'referers',
  'userToken',
]);

/** The protocol handler: a request listener for node:http. */
export class AlgoliaProtocol {
  readonly keys: KeyStore;
  private readonly engine: Engine;
  private keysWrite: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ProtocolOptions) {
    this.engine = options.engine;
    const snap = options.engine.keysSnapshot;
    this.keys = new KeyStore({
      adminKey: options.adminKey,
      ...(options.searchKey ? { searchKey: options.searchKey } : {}),
      ...(snap ? { snapshot: keyStoreSnapshotSchema.parse(snap) } : {}),
      onChange: (snapshot) => {
        this.keysWrite = this.engine.submit({ k: 'keys', snapshot });
      },
    });
  }

  /** node:http request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    void this.handle(req, res);
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origin = req.headers.origin;
    res.setHeader('access-control-allow-origin', typeof origin === 'string' ? origin : '*');
    res.setHeader('vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.writeHead(200, {
        'access-control-allow-methods': 'GET, POST, PUT, DELETE, PATCH, OPTIONS',
        'access-control-allow-headers':
          req.headers['access-control-request-headers'] ??
          'content-type, x-algolia-api-key, x-algolia-application-id, x-algolia-agent',
        'access-control-max-age': '86400',
        'content-length': '0',
      });
      res.end();
      return;
    }
    let reply: Reply;
    let payload: string;
    try {
      // The context is not kept in a variable here: this function waits for the reply, and
      // what it holds meanwhile (a bulk import's parsed records) would outlive their use.
      reply = await this.dispatch(await requestContext(req));
      payload = JSON.stringify(reply.body);
    } catch (e) {
      if (e instanceof AlgoliaError)
        reply = { status: e.status, body: { message: e.message, ...e.details, status: e.status } };
      else if ((e as { code?: unknown } | null | undefined)?.code === 'ECONNRESET') {
        return; // the client went away mid-request: nobody to answer, nothing wrong here
      } else if (e instanceof RangeError && /call stack/i.test(e.message)) {
        // JSON nested deeper than a walk over it can go (records are refused past 256 levels).
        process.stderr.write(`engine: request too deep to walk: ${e.stack ?? e.message}\n`);
        reply = { status: 400, body: { message: 'The request is nested too deeply', status: 400 } };
      } else {
        process.stderr.write(
          `engine: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
        );
        reply = { status: 500, body: { message: 'Internal server error', status: 500 } };
      }
      payload = JSON.stringify(reply.body);
    }
    if (res.destroyed) return;
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(payload),
    });
    res.end(payload);
  }

  /**
   * Routes a request. The body's buffer goes back to its pool once the route's synchronous part
   * is done: a batch logs its bytes then (Engine.submit); nothing reads them after.
   */
  private dispatch(c: Ctx): Promise<Reply> {
    try {
      return this.route(c);
    } finally {
      c.release();
      // The pool may lend those bytes to another request now: nothing may read them here.
      delete c.utf8;
    }
  }

  private auth(c: Ctx, acl: Need, indexName?: string): Principal {
    const creds = parseCredentials(c.req.headers, c.url.searchParams);
    // A key's referers are checked against the Origin when a browser sends no Referer (a
    // `no-referrer` policy still sends the Origin of a cross-origin request).
    const { referer: refererHeader, origin } = c.req.headers;
    const referer =
      typeof refererHeader === 'string' && refererHeader !== ''
        ? refererHeader
        : typeof origin === 'string' && origin !== ''
          ? origin
          : undefined;
    return authorize(this.keys, creds, this.options.appId, {
      acl,
      ...(indexName !== undefined ? { indexName } : {}),
      ...(c.req.socket.remoteAddress ? { sourceIp: c.req.socket.remoteAddress } : {}),
      ...(referer !== undefined ? { referer } : {}),
    });
  }

  private async route(c: Ctx): Promise<Reply> {
    const s = c.segments;
    const m = c.method;
    // No route has an empty segment (an index, objectID, task or key is never ''): a trailing
    // slash is what the official client sends for an objectID "." or "..", resolved on its side.
    if (s[0] !== '1' || s.includes('')) throw notFound();
    if (s[1] === 'isalive' && s.length === 2 && m === 'GET') return ok({ message: 'server is alive' });
    if (s[1] === 'keys') return this.keysRoute(c);
    if (s[1] === 'task' && s.length === 3 && m === 'GET') {
      this.auth(c, 'addObject');
      return ok({ status: this.engine.taskStatus(taskId(s[2] ?? '')) });
    }
    if (s[1] !== 'indexes') throw notFound();
    if (s.length === 2 && m === 'GET') return this.listIndices(c);
    const index = s[2];
    if (index === undefined) throw notFound();
    if (index === '*' && s.length === 4) {
      if (s[3] === 'queries' && m === 'POST') return this.multiQuery(c);
      if (s[3] === 'objects' && m === 'POST') return this.getObjects(c);
      if (s[3] === 'batch' && m === 'POST') return this.multiBatch(c);
    }
    if (s.length === 3) {
      if (m === 'POST') return this.saveObject(c, index);
      if (m === 'DELETE') return this.deleteIndex(c, index);
      if (m === 'GET') return this.searchGet(c, index);
      throw notFound();
    }
    const op = s[3] ?? '';
    if (s.length === 4) {
      if (op === 'query' && m === 'POST') return this.searchOne(c, index);
      if (op === 'browse' && (m === 'POST' || m === 'GET')) return this.browse(c, index);
      if (op === 'batch' && m === 'POST') return this.batch(c, index);
      if (op === 'deleteByQuery' && m === 'POST') return this.deleteBy(c, index);
      if (op === 'clear' && m === 'POST') return this.clear(c, index);
      if (op === 'operation' && m === 'POST') return this.operation(c, index);
      if (op === 'settings' && m === 'GET') return this.getSettings(c, index);
      if (op === 'settings' && m === 'PUT') return this.setSettings(c, index);
      if (m === 'GET') return this.getObject(c, index, op);
      if (m === 'PUT') return this.putObject(c, index, op);
      if (m === 'DELETE') return this.deleteObject(c, index, op);
      throw notFound();
    }
    if (s.length === 5 && s[4] === 'partial' && m === 'POST') return this.partial(c, index, op);
    if (s.length === 5 && op === 'task' && m === 'GET') {
      this.auth(c, 'addObject', index);
      const status = this.engine.taskStatus(taskId(s[4] ?? ''));
      return ok({ status, pendingTask: status === 'notPublished' });
    }
    if (s.length === 6 && op === 'facets' && s[5] === 'query' && m === 'POST')
      return this.facetSearch(c, index, s[4] ?? '');
    throw notFound();
  }

  // ---- search -------------------------------------------------------------------------------

  /** Request parameters with the key's forced parameters on top. */
  private effectiveParams(body: Record<string, unknown>, p: Principal): SearchParams {
    const params = parseSearchParams(body);
    const forcedRaw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p.forcedSearchParams))
      if (!NOT_SEARCH_PARAMS.has(k)) forcedRaw[k] = v;
    let forced: SearchParams;
    try {
      forced = coerceParams(forcedRaw);
    } catch {
      // A key carrying a parameter the engine does not know: keep the ones it does.
      forced = {};
      for (const [k, v] of Object.entries(forcedRaw)) {
        try {
          Object.assign(forced, coerceParams({ [k]: v }));
        } catch {
          /* ignored */
        }
      }
    }
    // Likewise names no search response has, which would refuse every search with the key (a
    // key made before responseFields was applied).
    if (Array.isArray(forced.responseFields)) {
      const known = (forced.responseFields as unknown[]).filter(
        (f): f is string => typeof f === 'string' && isResponseField(f),
      );
      // An empty list is kept: it answers the least (a secured key and its parent with no field in
      // common); only a list of unknown names is no list.
      if (known.length > 0 || forced.responseFields.length === 0) forced.responseFields = known;
      else delete forced.responseFields;
    }
    return { ...params, ...forced };
  }

  /**
   * A search's answer, `responseFields` applied (or `whole`: as it is, and the parameters to
   * apply them with once the caller has used it).
   */
  private runSearch(
    e: IndexEntry,
    name: string,
    body: Record<string, unknown>,
    p: Principal,
  ): Record<string, unknown> {
    const { res, params } = this.runWholeSearch(e, name, body, p);
    return applyResponseFields(res, params, e.view);
  }

  private runWholeSearch(
    e: IndexEntry,
    name: string,
    body: Record<string, unknown>,
    p: Principal,
  ): { res: SearchResponse; params: SearchParams } {
    const params = this.effectiveParams(body, p);
    const res = search(e.core, e.view, params, {
      indexName: name,
      keyFilters: p.filters,
      isAdmin: seesUnretrievable(p),
      echo: paramsEcho(body),
      ...(p.maxHitsPerQuery !== undefined ? { maxHitsPerQuery: p.maxHitsPerQuery } : {}),
    });
    return { res, params };
  }

  private searchOne(c: Ctx, index: string): Reply {
    const p = this.auth(c, 'search', index);
    const e = this.engine.require(index);
    return ok(this.runSearch(e, index, c.body, p));
  }

  private searchGet(c: Ctx, index: string): Reply {
    const p = this.auth(c, 'search', index);
    const e = this.engine.require(index);
    const body: Record<string, unknown> = {};
    for (const [k, v] of c.url.searchParams) {
      if (k.toLowerCase().startsWith('x-algolia-')) continue;
      body[k] = v;
    }
    return ok(this.runSearch(e, index, body, p));
  }

  private multiQuery(c: Ctx): Reply {
    const p = this.auth(c, 'search');
    const requests = c.body.requests;
    if (!Array.isArray(requests)) throw new AlgoliaError(400, 'Missing requests');
    const strategy = c.body.strategy ?? 'none';
    if (strategy !== 'none' && strategy !== 'stopIfEnoughMatches')
      throw new AlgoliaError(400, `Invalid strategy: ${JSON.stringify(strategy)}`);
    // Authorize and resolve everything first: any failure fails the whole request.
    const prepared = requests.map((r: unknown) => {
      if (r === null || typeof r !== 'object') throw new AlgoliaError(400, 'Invalid request');
      const req = r as Record<string, unknown>;
      const name = req.indexName;
      if (typeof name !== 'string' || name === '') throw new AlgoliaError(400, 'indexName is required');
      if (!p.canAccessIndex(name)) throw new AlgoliaError(403, 'Index not allowed with this API key');
      // The spec's two kinds of entry: anything else would be answered as a search it is not.
      if (req.type !== undefined && req.type !== 'default' && req.type !== 'facet')
        throw new AlgoliaError(400, `Invalid value for type: ${JSON.stringify(req.type)}`);
      return { req, name, entry: this.engine.require(name) };
    });
    const results: unknown[] = [];
    let enough = false;
    // stopIfEnoughMatches: "until the number of hits is reached by the sum of hits" (Algolia).
    let sum = 0;
    for (const { req, name, entry } of prepared) {
      if (req.type === 'facet') {
        const facet = req.facet;
        if (typeof facet !== 'string') throw new AlgoliaError(400, 'facet is required for type facet');
        results.push(this.runFacetSearch(entry, name, facet, req, p));
        continue;
      }
      // The strategy reads the whole answer; responseFields apply to what is sent.
      if (enough) {
        // Run without hits (none are answered), answering the hitsPerPage it asked for.
        const { res, params } = this.runWholeSearch(entry, name, { ...req, hitsPerPage: 0 }, p);
        const asked =
          this.effectiveParams(req, p).hitsPerPage ??
          (entry.view.raw.hitsPerPage as number | null | undefined) ??
          20;
        const hitsPerPage = Math.min(asked, 1000, p.maxHitsPerQuery ?? Infinity);
        const skipped = { ...res, hits: [], nbHits: 0, nbPages: 0, hitsPerPage, processed: false };
        results.push(applyResponseFields(skipped, params, entry.view));
        continue;
      }
      const { res, params } = this.runWholeSearch(entry, name, req, p);
      results.push(applyResponseFields({ ...res }, params, entry.view));
      sum += res.nbHits;
      if (strategy === 'stopIfEnoughMatches' && sum >= (res.hitsPerPage as number)) enough = true;
    }
    return ok({ results });
  }

  private runFacetSearch(
    e: IndexEntry,
    name: string,
    facet: string,
    body: Record<string, unknown>,
    p: Principal,
  ): Record<string, unknown> {
    const params = this.effectiveParams(body, p);
    const facetQuery = typeof params.facetQuery === 'string' ? params.facetQuery : '';
    const rest: SearchParams = { ...params };
    delete rest.facetQuery;
    delete rest.maxFacetHits;
    const max = params.maxFacetHits ?? (e.view.raw.maxFacetHits as number | undefined) ?? 10;
    return searchFacetValues(e.core, e.view, facet, facetQuery, max, rest, {
      indexName: name,
      keyFilters: p.filters,
      isAdmin: seesUnretrievable(p),
      echo: '',
    });
  }

  private facetSearch(c: Ctx, index: string, facet: string): Reply {
    const p = this.auth(c, 'search', index);
    const e = this.engine.require(index);
    return ok(this.runFacetSearch(e, index, facet, c.body, p));
  }

  private browse(c: Ctx, index: string): Reply {
    const p = this.auth(c, 'browse', index);
    const e = this.engine.require(index);
    let body: Record<string, unknown> = { ...c.body };
    for (const [k, v] of c.url.searchParams)
      if (!k.toLowerCase().startsWith('x-algolia-') && !(k in body)) body[k] = v;
    let offset = 0;
    const cursor = body.cursor;
    if (typeof cursor === 'string' && cursor !== '') {
      const decoded = decodeCursor(cursor);
      body = decoded.body;
      offset = decoded.offset;
    }
    const plain = { ...body };
    delete plain.cursor;
    const params = this.effectiveParams(plain, p);
    const res = search(
      e.core,
      e.view,
      params,
      {
        indexName: index,
        keyFilters: p.filters,
        isAdmin: seesUnretrievable(p),
        echo: paramsEcho(plain),
        ...(p.maxHitsPerQuery !== undefined ? { maxHitsPerQuery: p.maxHitsPerQuery } : {}),
      },
      { offset },
    );
    const next = offset + res.hits.length;
    if (res.hits.length > 0 && next < res.nbHits) res.cursor = encodeCursor(plain, next);
    res.page = Math.floor(offset / Math.max(1, res.hitsPerPage as number));
    return ok(applyResponseFields(res, params, e.view));
  }

  // ---- objects ------------------------------------------------------------------------------

  private getObject(c: Ctx, index: string, objectID: string): Reply {
    const p = this.auth(c, 'search', index);
    const e = this.engine.require(index);
    const rec = e.core.get(objectID);
    if (!rec || (p.filters.length > 0 && !matchesFilter(numericFiltering(p.filters, e.view), rec))) {
      throw new AlgoliaError(404, 'ObjectID does not exist');
    }
    const attrs = c.url.searchParams.get('attributesToRetrieve');
    const list = attrs ? attrs.split(',').map((a) => a.trim()) : undefined;
    return ok(projectRecord(rec, list, seesUnretrievable(p) ? [] : e.view.unretrievable));
  }

  private getObjects(c: Ctx): Reply {
    const p = this.auth(c, 'search');
    const requests = c.body.requests;
    if (!Array.isArray(requests)) throw new AlgoliaError(400, 'Missing requests');
    const results = requests.map((r: unknown) => {
      const req = (r ?? {}) as Record<string, unknown>;
      const name = req.indexName;
      if (typeof name !== 'string') throw new AlgoliaError(400, 'indexName is required');
      if (!p.canAccessIndex(name)) throw new AlgoliaError(403, 'Index not allowed with this API key');
      const id = req.objectID;
      // Required (the spec's getObjectsRequest): a missing one must not read the record "undefined".
      if (typeof id !== 'string' && typeof id !== 'number')
        throw new AlgoliaError(400, 'objectID is required');
      const e = this.engine.indices.get(name);
      const rec = e?.core.get(String(id));
      if (!e || !rec || (p.filters.length > 0 && !matchesFilter(numericFiltering(p.filters, e.view), rec)))
        return null;
      const attrs = req.attributesToRetrieve;
      const list = Array.isArray(attrs)
        ? attrs.map(String)
        : typeof attrs === 'string'
          ? attrs.split(',').map((a) => a.trim())
          : undefined;
      return projectRecord(rec, list, seesUnretrievable(p) ? [] : e.view.unretrievable);
    });
    return ok({ results });
  }

  private async saveObject(c: Ctx, index: string): Promise<Reply> {
    this.auth(c, 'addObject', index);
    const item = this.engine.prepareItem({ action: 'addObject', body: c.body }, index, 0);
    const t = await this.engine.submit({ k: 'batch', items: [item] });
    return { status: 201, body: { createdAt: t.at, taskID: t.taskID, objectID: item.body.objectID } };
  }

  private async putObject(c: Ctx, index: string, objectID: string): Promise<Reply> {
    this.auth(c, 'addObject', index);
    const item = this.engine.prepareItem({ action: 'updateObject', body: { ...c.body, objectID } }, index, 0);
    const t = await this.engine.submit({ k: 'batch', items: [item] });
    return ok({ objectID, taskID: t.taskID, updatedAt: t.at });
  }

  private async partial(c: Ctx, index: string, objectID: string): Promise<Reply> {
    this.auth(c, 'addObject', index);
    validatePartial(c.body);
    const create = c.url.searchParams.get('createIfNotExists') !== 'false';
    const item = this.engine.prepareItem(
      {
        action: create ? 'partialUpdateObject' : 'partialUpdateObjectNoCreate',
        body: { ...c.body, objectID },
      },
      index,
      0,
    );
    const t = await this.engine.submit({ k: 'batch', items: [item] });
    return ok({ objectID, taskID: t.taskID, updatedAt: t.at });
  }

  private async deleteObject(c: Ctx, index: string, objectID: string): Promise<Reply> {
    this.auth(c, 'deleteObject', index);
    this.engine.refuseReplicaWrite(index, 'deleteObject');
    const t = await this.engine.submit({
      k: 'batch',
      items: [{ action: 'deleteObject', indexName: index, body: { objectID } }],
    });
    return ok({ taskID: t.taskID, deletedAt: t.at });
  }

  private prepareBatch(
    c: Ctx,
    p: Principal,
    fixedIndex?: string,
    options: { rawLogged?: boolean; strings?: JsonStrings } = {},
  ): BatchItem[] {
    const requests = c.body.requests;
    // Algolia refuses what else a batch body carries (`createIfNotExists` there is a 400 quoted in
    // its Ruby client's issues), pointing at the member's value.
    for (const name of Object.keys(c.body)) {
      if (name !== 'requests')
        throw new AlgoliaError(
          400,
          `Invalid object attributes:${name}${near(c.text, memberValueAt(c.text, name))}`,
        );
    }
    if (!Array.isArray(requests)) throw new AlgoliaError(400, 'Missing requests');
    try {
      return this.prepareItems(requests, p, fixedIndex, options);
    } catch (e) {
      if (!(e instanceof ItemError)) throw e;
      throw new AlgoliaError(400, `${e.message}${near(c.text, requestItemEnd(c.text, e.item))}`);
    }
  }

  private prepareItems(
    requests: unknown[],
    p: Principal,
    fixedIndex: string | undefined,
    options: { rawLogged?: boolean; strings?: JsonStrings },
  ): BatchItem[] {
    const items: BatchItem[] = [];
    requests.forEach((r: unknown, i) => {
      if (r === null || typeof r !== 'object') throw new AlgoliaError(400, 'Invalid request');
      const req = r as Record<string, unknown>;
      const name = fixedIndex ?? req.indexName;
      if (typeof name !== 'string' || name === '') throw new AlgoliaError(400, 'indexName is required');
      const action = req.action;
      const need: 'addObject' | 'deleteObject' | 'deleteIndex' =
        action === 'deleteObject'
          ? 'deleteObject'
          : action === 'delete' || action === 'clear'
            ? 'deleteIndex'
            : 'addObject';
      if (p.kind !== 'admin' && !p.acl.has(need))
        throw new AlgoliaError(403, 'Method not allowed with this API key');
      if (!p.canAccessIndex(name)) throw new AlgoliaError(403, 'Index not allowed with this API key');
      if (action === 'delete') this.refuseReplicasBeyond(p, name);
      items.push(this.engine.prepareItem(req, name, i, items, options));
    });
    return items;
  }

  /**
   * Not async: an async function keeps its arguments while it waits, and `c` holds the parsed
   * request (a bulk import's records), which the engine lets go once the batch is prepared.
   */
  private batch(c: Ctx, index: string): Promise<Reply> {
    const p = this.auth(c, 'addObject', index);
    // Bulk imports: the log keeps the request's own JSON text instead of re-serializing records.
    const requests = c.body.requests;
    const rawLogged = Array.isArray(requests) && c.text !== '';
    const items = this.prepareBatch(c, p, index, { rawLogged, strings: c.strings });
    // Read before the items are handed over: the engine may replace a large batch's items by
    // ones that parse their body again on demand (it lets the parsed records go at once).
    const objectIDs = items.filter((i) => i.body.objectID !== undefined).map((i) => i.body.objectID);
    return this.engine
      .submit(
        { k: 'batch', items },
        rawLogged
          ? { text: c.text, index, requests, ascii: c.asciiText, ...(c.utf8 ? { utf8: c.utf8 } : {}) }
          : undefined,
      )
      .then((t) => ok({ taskID: t.taskID, objectIDs }));
  }

  private async multiBatch(c: Ctx): Promise<Reply> {
    const p = this.auth(c, 'addObject');
    const items = this.prepareBatch(c, p);
    const t = await this.engine.submit({ k: 'batch', items });
    const taskID: Record<string, number> = {};
    for (const i of items) taskID[i.indexName] = t.taskID;
    return ok({
      taskID,
      objectIDs: items.filter((i) => i.body.objectID !== undefined).map((i) => i.body.objectID),
    });
  }

  // ---- index level --------------------------------------------------------------------------

  private async deleteBy(c: Ctx, index: string): Promise<Reply> {
    const p = this.auth(c, 'deleteIndex', index);
    this.engine.refuseReplicaWrite(index, 'deleteBy');
    const params = parseSearchParams(c.body);
    // Only filters (Algolia's DeleteByParams); a query, another parameter or no filter at all is
    // refused with Algolia's message (quoted in its JavaScript client's issues).
    const refuse = (): never => {
      throw new AlgoliaError(
        400,
        'DeleteByQuery endpoint only supports tagFilters, facetFilters, numericFilters and geoQuery condition',
      );
    };
    for (const [name, value] of Object.entries(params)) {
      if (value === undefined || (name === 'query' && value === '')) continue;
      if (GEO_CONDITIONS.has(name))
        // Ignoring it would delete every record the other filters match, far or near.
        throw new AlgoliaError(400, `${name}: geo conditions are not supported by this engine`);
      if (!DELETE_BY_FILTERS.has(name)) refuse();
    }
    // The request's own filters decide (a key's filters alone would delete all it may see).
    if (compileFilters(params, []).length === 0) refuse();
    const filters = compileFilters(params, p.filters);
    // numericAttributesForFiltering applies when it runs, after settings queued before it.
    const t = await this.engine.submit({ k: 'deleteBy', index, filters, numeric: true });
    return ok({ taskID: t.taskID, updatedAt: t.at });
  }

  private async clear(c: Ctx, index: string): Promise<Reply> {
    this.auth(c, 'deleteIndex', index);
    this.engine.refuseReplicaWrite(index, 'clear');
    const t = await this.engine.submit({
      k: 'batch',
      items: [{ action: 'clear', indexName: index, body: {} }],
    });
    return ok({ taskID: t.taskID, updatedAt: t.at });
  }

  private async deleteIndex(c: Ctx, index: string): Promise<Reply> {
    const p = this.auth(c, 'deleteIndex', index);
    this.refuseReplicasBeyond(p, index);
    this.engine.refuseReplicaDelete(index);
    const t = await this.engine.submit({ k: 'deleteIndex', index });
    return ok({ taskID: t.taskID, deletedAt: t.at });
  }

  private async operation(c: Ctx, index: string): Promise<Reply> {
    this.auth(c, 'addObject', index);
    const { operation, destination, scope } = c.body;
    if (operation !== 'copy' && operation !== 'move')
      throw new AlgoliaError(400, 'Invalid operation: expected copy or move');
    if (typeof destination !== 'string' || destination === '')
      throw new AlgoliaError(400, 'destination is required');
    const p = this.auth(c, 'addObject', destination);
    // Onto a primary, its replicas' records change too.
    this.refuseReplicasBeyond(p, destination);
    // Algolia's scopes (its OpenAPI ScopeType): records are copied only when no scope is given.
    const validScopes = ['settings', 'synonyms', 'rules'];
    if (
      scope !== undefined &&
      (!Array.isArray(scope) || scope.some((x) => !validScopes.includes(x as string)))
    ) {
      throw new AlgoliaError(400, 'Invalid scope');
    }
    // A missing source is no error (a move of it is ignored, a copy copies an empty index).
    this.engine.refuseIndexOperation(index, operation, destination, Array.isArray(scope) && scope.length > 0);
    const t = await this.engine.submit({
      k: 'operation',
      index,
      operation,
      destination,
      ...(Array.isArray(scope) ? { scope: scope as string[] } : {}),
    });
    return ok({ taskID: t.taskID, updatedAt: t.at });
  }

  /**
   * Deleting a primary deletes its virtual replicas and releases its standard ones, and a copy or
   * move onto it rewrites them: each must be an index the key may access (as for `replicas` in
   * setSettings), or 403 and nothing changes.
   */
  private refuseReplicasBeyond(p: Principal, index: string): void {
    // Queued settings count too (under an indexing delay an admin's change may not be applied yet).
    if (this.engine.replicasNow(index).some((name) => !p.canAccessIndex(name)))
      throw new AlgoliaError(403, 'Index not allowed with this API key');
  }

  private getSettings(c: Ctx, index: string): Reply {
    this.auth(c, 'settings', index);
    const e = this.engine.require(index);
    return ok(settingsForDisplay(e.settings));
  }

  private async setSettings(c: Ctx, index: string): Promise<Reply> {
    const p = this.auth(c, 'editSettings', index);
    const changes = parseSettingsBody(c.body);
    const existing = this.engine.indices.get(index);
    const forward = c.url.searchParams.get('forwardToReplicas') === 'true';
    refuseReplicasOutside(p, existing?.settings ?? {}, changes, forward, this.engine.replicasNow(index));
    const merged = { ...(existing?.settings ?? {}) };
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) Reflect.deleteProperty(merged, k);
      else merged[k] = v;
    }
    resolveSettings(merged); // validates modifiers and ranking before logging
    if (replicaNames(changes).some((r) => r.name === index))
      throw new AlgoliaError(400, `Index ${index} cannot be a replica of itself`);
    this.engine.refuseClaimedReplicas(index, changes);
    this.engine.refuseReplicaChain(index, changes);
    const t = await this.engine.submit({ k: 'settings', index, settings: changes, forward });
    return ok({ taskID: t.taskID, updatedAt: t.at });
  }

  private listIndices(c: Ctx): Reply {
    const p = this.auth(c, 'listIndexes');
    // Not paginated unless `page` is given; then `hitsPerPage` (default 100) per page (the spec).
    const pageParam = c.url.searchParams.get('page');
    const hppParam = c.url.searchParams.get('hitsPerPage');
    const page = pageParam === null ? null : listParam(pageParam, 'page', 0);
    const hpp = hppParam === null ? 100 : listParam(hppParam, 'hitsPerPage', 1);
    const pendingCounts = this.engine.pendingTaskCounts();
    const all = [...this.engine.indices.values()]
      .filter((e) => p.canAccessIndex(e.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((e) => {
        const size = Engine.dataSize(e);
        const pending = pendingCounts.get(e.name) ?? 0;
        const item: Record<string, unknown> = {
          name: e.name,
          createdAt: e.createdAt,
          updatedAt: e.updatedAt,
          entries: e.core.count,
          dataSize: size,
          fileSize: size,
          lastBuildTimeS: 0,
          numberOfPendingTasks: pending,
          pendingTask: pending > 0,
        };
        if (e.primary) item.primary = e.primary;
        const replicas = e.settings.replicas as string[] | undefined;
        if (replicas && replicas.length > 0) item.replicas = replicas;
        // "Only present if the index is a virtual replica" (the spec).
        if (e.virtual) item.virtual = true;
        return item;
      });
    if (page === null) return ok({ items: all, nbPages: 1 });
    return ok({
      items: all.slice(page * hpp, (page + 1) * hpp),
      nbPages: Math.ceil(all.length / hpp),
    });
  }

  // ---- keys ---------------------------------------------------------------------------------

  private async keysRoute(c: Ctx): Promise<Reply> {
    const s = c.segments;
    const m = c.method;
    const key = s[2] ?? '';
    // Algolia's getApiKey (x-acl `search`): other keys than the admin key may read only themselves,
    // "with the description replaced by `<redacted>`". Not a secured key: it is no key of the API.
    if (s.length === 3 && m === 'GET' && parseCredentials(c.req.headers, c.url.searchParams).apiKey === key) {
      const p = this.auth(c, 'search');
      if (p.kind === 'stored') return ok({ ...this.keys.get(key), description: '<redacted>' });
    }
    this.auth(c, 'admin');
    let out: unknown;
    if (s.length === 2 && m === 'POST') out = this.keys.add(c.body);
    else if (s.length === 2 && m === 'GET') return ok(this.keys.list());
    else if (s.length === 3 && m === 'GET') return ok(this.keys.get(key));
    else if (s.length === 3 && m === 'PUT') out = this.keys.update(key, c.body);
    else if (s.length === 3 && m === 'DELETE') out = this.keys.delete(key);
    else if (s.length === 4 && s[3] === 'restore' && m === 'POST') out = this.keys.restore(key);
    else throw notFound();
    await this.keysWrite;
    return ok(out);
  }
}

/** A request's context: its URL, path segments and body read. */
async function requestContext(req: IncomingMessage): Promise<Ctx> {
  const target = req.url ?? '/';
  const url = new URL(target, 'http://127.0.0.1');
  const { body, text, strings, asciiText, utf8, release } = await readBody(req);
  // Segments of the path as sent: URL parsing would resolve `.` and `..` (objectIDs the client
  // sends as they are: a deleteObject of "." deleted the index) and read `//x` as a host.
  const end = target.search(/[?#]/);
  const path = target.startsWith('/') ? (end < 0 ? target : target.slice(0, end)) : url.pathname;
  // Empty segments are kept: the official client resolves an objectID "." itself
  // (`/1/indexes/i/.` becomes `/1/indexes/i/`), which must not read as the index.
  const segments = path
    .split('/')
    .slice(1)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        // No context is made: the body's lent buffer goes back to its pool here.
        release();
        throw new AlgoliaError(400, 'Invalid URL encoding');
      }
    });
  return {
    req,
    url,
    body,
    text,
    strings,
    asciiText,
    ...(utf8 ? { utf8 } : {}),
    release,
    segments,
    method: req.method ?? 'GET',
  };
}

/**
 * Whether unretrievableAttributes are returned to this caller: the admin key, and keys with the
 * `seeUnretrievableAttributes` ACL ("required to retrieve unretrievableAttributes for all
 * operations that return records", Algolia's spec); a secured key has its parent's ACL.
 * Query's `isAdmin` flag means just this.
 */
function seesUnretrievable(p: Principal): boolean {
  return p.kind === 'admin' || p.acl.has('seeUnretrievableAttributes');
}

/**
 * Settings reach other indices by name through `replicas`: an index listed becomes a replica (its
 * records overwritten), one taken out is released (a virtual one deleted), one listed as the other
 * kind is rebuilt, and `forwardToReplicas` writes the settings to every replica. Each of those
 * indices must be one the key may access, like the index itself (403, nothing changed).
 */
function refuseReplicasOutside(
  p: Principal,
  current: Record<string, unknown>,
  changes: Record<string, unknown>,
  forward: boolean,
  /** Replicas applied or queued (see Engine.replicasNow): a queued change is released too. */
  queued: readonly string[],
): void {
  const before = replicaNames(current);
  const touched: string[] = [];
  if (changes.replicas !== undefined) {
    const after = replicaNames(changes);
    const same = (a: { name: string; virtual: boolean }, list: typeof after): boolean =>
      list.some((b) => b.name === a.name && b.virtual === a.virtual);
    for (const r of after) if (!same(r, before)) touched.push(r.name);
    for (const r of before) if (!same(r, after)) touched.push(r.name);
    for (const name of queued) if (!after.some((r) => r.name === name)) touched.push(name);
    if (forward) touched.push(...after.map((r) => r.name));
  } else if (forward) touched.push(...before.map((r) => r.name), ...queued);
  if (touched.some((name) => !p.canAccessIndex(name)))
    throw new AlgoliaError(403, 'Index not allowed with this API key');
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function notFound(): AlgoliaError {
  return new AlgoliaError(404, 'Not Found');
}

function taskId(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new AlgoliaError(400, 'Invalid taskID');
  return n;
}

/**
 * Node decodes latin1 of about 1 MB and more into an *external* string, which V8 counts as external
 * memory: every 64 MB of it since the last full collection starts another one. A bulk import's
 * bodies (≈ 2 MB each) are decoded as UTF-8 instead, into ordinary heap strings.
 */
const EXTERNAL_STRING_BYTES = 1_000_000;

/** Request bodies of known length are read into reused buffers (see BufferPool). */
const bodyBuffers = new BufferPool();

/** Buffers the request-body pool holds (for tests: a body's buffer comes back). */
export const pooledBodyBuffers = (): number => bodyBuffers.size;

/** What readBody gives: the body, its JSON text, and what is known of both. */
export interface RequestBody {
  body: Record<string, unknown>;
  /** The body's JSON text, '' when there was none. */
  text: string;
  /** What every string in `body` is known to be (see jsonStringsOf). */
  strings: JsonStrings;
  /**
   * `text` is a one-byte string of ASCII: the body was ASCII, or its non-ASCII characters were
   * escaped as it was decoded (see asciiJsonText), so slices of it (a batch's record texts) are
   * kept as they are.
   */
  asciiText: boolean;
  /**
   * The UTF-8 bytes `text` was decoded from, exactly, when it was decoded as it is (non-ASCII,
   * not escaped): the write-ahead log copies them rather than encoding a two-byte text again
   * (a Russian writer's batch: ≈ 2.5 MB measured, then encoded, per request). Valid until
   * `release()`: they may be a pooled buffer.
   */
  utf8?: Buffer;
  /** Gives the body's buffer back to its pool (when `utf8` kept it); idempotent. */
  release: () => void;
}

const NOTHING_TO_RELEASE = (): void => undefined;

/** A request's JSON body (exported for tests). */
export async function readBody(
  req: Pick<IncomingMessage, 'headers'> & AsyncIterable<unknown>,
): Promise<RequestBody> {
  const declared = Number(req.headers['content-length']);
  // node:http delivers exactly content-length bytes (or fails the request), so they fit. Only
  // sizes the pool keeps: a buffer is taken before any byte arrives, and a larger declared size
  // would reserve that much for a client that may never send it.
  const pooled =
    Number.isSafeInteger(declared) && declared >= bodyBuffers.min && declared <= bodyBuffers.max
      ? bodyBuffers.take(declared)
      : undefined;
  // The pooled buffer is handed out with the text's bytes (see RequestBody.utf8) until released.
  let lent = false;
  const release = (): void => {
    if (!lent || !pooled) return;
    lent = false;
    bodyBuffers.give(pooled);
  };
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    let inPool = 0; // the body's first bytes, copied into `pooled`; the rest is in `chunks`
    for await (const chunk of req) {
      const b = chunk as Buffer;
      if (size + b.length > MAX_BODY) throw new AlgoliaError(413, 'Request body too large');
      if (pooled && chunks.length === 0 && size + b.length <= pooled.length) {
        b.copy(pooled, size);
        inPool += b.length;
      } else chunks.push(b);
      size += b.length;
    }
    if (size === 0)
      return { body: {}, text: '', strings: 'plain', asciiText: true, release: NOTHING_TO_RELEASE };
    let buf =
      pooled && chunks.length === 0
        ? pooled.subarray(0, size)
        : Buffer.concat(pooled ? [pooled.subarray(0, inPool), ...chunks] : chunks);
    const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (encoding === 'gzip') {
      try {
        // The size limit holds for what the body expands to, not only for what was sent.
        buf = await gunzipAsync(buf, { maxOutputLength: MAX_BODY });
      } catch (e) {
        if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE')
          throw new AlgoliaError(413, 'Request body too large');
        throw new AlgoliaError(400, 'Invalid gzip body');
      }
    } else if (encoding !== '' && encoding !== 'identity') {
      // Not read as plain text: what it says would be misread.
      throw new AlgoliaError(415, `Unsupported content encoding: ${encoding}`);
    }
    const ascii = isAscii(buf);
    const utf8 = ascii || isUtf8(buf);
    const strings = jsonStringsOf(buf, { ascii, utf8 });
    // ASCII bodies are decoded as latin1 (a plain copy) below EXTERNAL_STRING_BYTES, larger ones
    // as UTF-8 (the same string for ASCII, on the heap); others with their non-ASCII characters
    // escaped, unless that could change their meaning or make them much larger (then decoded as
    // they are).
    const escaped = ascii || !utf8 ? undefined : asciiJsonText(buf, true);
    const decoded =
      escaped ??
      (ascii
        ? buf.length < EXTERNAL_STRING_BYTES
          ? buf.toString('latin1')
          : buf.toString('utf8')
        : utf8
          ? decodeValidUtf8(buf)
          : buf.toString('utf8'));
    // Trimmed, a string of its own: a bulk request's text becomes its records' block (see
    // TextBlocks.join), and a trimmed view would keep the padding alive with it, uncounted.
    const trimmed = decoded.trim();
    const text = trimmed.length === decoded.length ? trimmed : ownCopy(trimmed);
    const asciiText = ascii || escaped !== undefined;
    if (text === '') return { body: {}, text: '', strings, asciiText, release: NOTHING_TO_RELEASE };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new AlgoliaError(400, 'Invalid JSON in the request body');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new AlgoliaError(400, 'The request body must be a JSON object');
    }
    // Decoded as it is and not trimmed: `buf` holds exactly the text's UTF-8.
    const asIs = utf8 && !asciiText && trimmed.length === decoded.length;
    lent = asIs && pooled !== undefined && buf.buffer === pooled.buffer;
    return {
      body: parsed as Record<string, unknown>,
      text,
      strings,
      asciiText,
      ...(asIs ? { utf8: buf } : {}),
      release,
    };
  } finally {
    // The text is a copy (decoded above): the buffer may be reused, unless its bytes were lent.
    if (pooled && !lent) bodyBuffers.give(pooled);
  }
}

/**
 * ` near line:L column:C` for offset `at` of a request's JSON text, -1 for none: where Algolia's
 * parser reports a refused member or item (1-based). Columns count the text as the engine decoded
 * it (a non-ASCII character may be an escape there), so they can differ slightly from Algolia's.
 */
function near(text: string, at: number): string {
  if (at < 0) return '';
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return ` near line:${line} column:${at - lineStart + 1}`;
}

/** Where the value of the top-level member `name` of a JSON object text starts, -1 if unknown. */
function memberValueAt(text: string, name: string): number {
  let at = -1;
  try {
    forEachMember(text, skipWs(text, 0), (keyStart, keyEnd, valueStart) => {
      if (at < 0 && JSON.parse(text.slice(keyStart, keyEnd)) === name) at = valueStart;
    });
  } catch {
    return -1;
  }
  return at;
}

/** Where item `i` of the body's `requests` list ends (just past it), -1 if unknown. */
function requestItemEnd(text: string, i: number): number {
  let j = memberValueAt(text, 'requests');
  if (j < 0 || text[j] !== '[') return -1;
  j = skipWs(text, j + 1);
  for (let k = 0; ; k++) {
    const end = skipValue(text, j);
    if (k === i) return end;
    const next = skipWs(text, end);
    if (text[next] !== ',') return -1;
    j = skipWs(text, next + 1);
  }
}

/** What a deleteBy may carry besides geo conditions (Algolia's DeleteByParams). */
const DELETE_BY_FILTERS: ReadonlySet<string> = new Set([
  'filters',
  'facetFilters',
  'numericFilters',
  'tagFilters',
]);
const GEO_CONDITIONS: ReadonlySet<string> = new Set([
  'aroundLatLng',
  'aroundRadius',
  'insideBoundingBox',
  'insidePolygon',
]);

/** A listIndices query parameter: an integer from `min` on. */
function listParam(raw: string, name: string, min: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min)
    throw new AlgoliaError(400, `Invalid value for parameter ${name}`);
  return n;
}

function encodeCursor(body: Record<string, unknown>, offset: number): string {
  return Buffer.from(JSON.stringify({ b: body, o: offset })).toString('base64url');
}

function decodeCursor(cursor: string): { body: Record<string, unknown>; offset: number } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { b?: unknown; o?: unknown };
    if (v.b && typeof v.b === 'object' && typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0) {
      return { body: v.b as Record<string, unknown>, offset: v.o };
    }
  } catch {
    /* fall through */
  }
  throw new AlgoliaError(400, 'Invalid cursor');
}

/** Creates the HTTP server (not listening). */
export function createProtocolServer(options: ProtocolOptions): {
  server: Server;
  protocol: AlgoliaProtocol;
} {
  const protocol = new AlgoliaProtocol(options);
  // Browser builds of the client send the API key in the URL: a secured key with long filters
  // makes a long one (node's default limit is 16 KB of URL and headers).
  const server = createServer({ keepAliveTimeout: 65_000, maxHeaderSize: 64 * 1024 }, protocol.listener);
  // Requests node's parser refuses (too large, malformed) are answered with CORS headers too: a
  // browser shows an answer without them as no answer (status 0), which the client retries.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // The statuses node's own handler answers, then the socket destroyed as it does.
    const [status, reason] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout']
          : err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
            ? [413, 'Payload Too Large']
            : [400, 'Bad Request'];
    if (socket.writable && err.code !== 'ECONNRESET') {
      const body = JSON.stringify({ message: reason, status });
      socket.write(
        `HTTP/1.1 ${status} ${reason}\r\naccess-control-allow-origin: *\r\n` +
          'content-type: application/json; charset=UTF-8\r\n' +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  });
  return { server, protocol };
}
