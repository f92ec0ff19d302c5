import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import type { Caller, TokenVerifier } from './auth/token-verifier';
import { ApiError, errorBody } from './errors';
import { MAX_MUTATIONS_PER_BATCH, type Gateway } from './gateway/gateway';
import type { Logger } from './logger';
import { MEDIA_LIMITS } from './media/media-types';
import { MEDIA_KEY_PATTERN, type MediaStorage, type RangeRequest } from './media/storage';
import { storeUpload } from './media/upload';
import type { RateLimiter } from './rate-limit';
import type { SearchKeyResponse } from './secured-key';

/** Everything the HTTP app needs, built by the composition in server.ts (or by tests). */
export interface AppDeps {
  verifier: TokenVerifier;
  gateway: Gateway;
  /** Mints the caller's secured key. */
  searchKey: (caller: Caller) => Promise<SearchKeyResponse>;
  media: MediaStorage;
  rateLimiter: RateLimiter;
  logger: Logger;
  maxBodyBytes: number;
  /** Base URL for media links; the request's origin when undefined. */
  publicUrl: string | undefined;
  /** True while the service is shutting down (healthz answers 503 so balancers drain it). */
  draining?: () => boolean;
}

type Env = { Variables: { caller: Caller } };

/** Uploads one user may have in progress at once (each is buffered in memory). */
export const MAX_UPLOADS_IN_FLIGHT_PER_USER = 2;

/**
 * The key service's HTTP API as a Hono app with no `listen` (see server.ts). Every error leaves
 * through one handler: {@link ApiError}s become `{"error": {code, message, details}}`, anything
 * else an opaque 500 (or 503 when Algolia is unreachable) with the cause logged, not returned.
 */
export function createApp(deps: AppDeps): Hono<Env> {
  const app = new Hono<Env>();

  const tooLarge = (limit: number) => () => {
    throw new ApiError('payload_too_large', `the request body exceeds ${limit} bytes`, { limit });
  };
  const jsonLimit = bodyLimit({ maxSize: deps.maxBodyBytes, onError: tooLarge(deps.maxBodyBytes) });
  const mediaMax = Math.max(...Object.values(MEDIA_LIMITS));
  const mediaLimit = bodyLimit({ maxSize: mediaMax, onError: tooLarge(mediaMax) });
  // An upload is buffered whole (up to mediaMax) before it is sniffed: bound how many one user
  // holds in memory at once, or a burst of concurrent uploads could exhaust the process.
  const uploadsInFlight = new Map<string, number>();
  const uploadSlot = createMiddleware<Env>(async (c, next) => {
    const user = c.get('caller').userId;
    const held = uploadsInFlight.get(user) ?? 0;
    if (held >= MAX_UPLOADS_IN_FLIGHT_PER_USER) {
      throw new ApiError(
        'rate_limited',
        `at most ${MAX_UPLOADS_IN_FLIGHT_PER_USER} uploads at a time`,
        { retryAfterSeconds: 1 },
        1,
      );
    }
    uploadsInFlight.set(user, held + 1);
    try {
      await next();
    } finally {
      const left = (uploadsInFlight.get(user) ?? 1) - 1;
      if (left > 0) uploadsInFlight.set(user, left);
      else uploadsInFlight.delete(user);
    }
  });

  app.use('*', async (c, next) => {
    await next();
    c.header('cache-control', c.res.headers.get('cache-control') ?? 'no-store');
    c.header('x-content-type-options', 'nosniff');
  });

  app.get('/healthz', (c) =>
    deps.draining?.() ? c.json(errorBody('unavailable', 'shutting down'), 503) : c.json({ status: 'ok' }),
  );

  // Media is served by unguessable URL (an <img> cannot send a bearer token); bytes were sniffed
  // on upload and are served with a fixed type, nosniff and a sandboxing CSP. Streamed, never
  // held whole (a voice note is up to 25 MiB), with ranges (audio seeks) and an ETag: a key's
  // bytes never change.
  app.get('/media/:key', async (c) => {
    const key = c.req.param('key');
    if (!MEDIA_KEY_PATTERN.test(key)) throw new ApiError('not_found', 'no such media');
    const etag = `"${key}"`;
    const fixed = {
      etag,
      'accept-ranges': 'bytes',
      'cache-control': 'public, max-age=31536000, immutable',
      'content-security-policy': "default-src 'none'; sandbox",
      'cross-origin-resource-policy': 'cross-origin',
    };
    // A known version: nothing to send (If-None-Match comes before Range, RFC 9110 §13.2.2).
    const known = c.req
      .header('if-none-match')
      ?.split(',')
      .some((t) => [etag, `W/${etag}`, '*'].includes(t.trim()));
    const range = known ? undefined : parseRange(c.req.header('range'));
    const stored = await deps.media.get(key, range);
    if (!stored) throw new ApiError('not_found', 'no such media');
    if ('unsatisfiable' in stored)
      return c.body(null, 416, {
        ...fixed,
        'cache-control': 'no-store', // an answer to this request, not the object's
        'content-range': `bytes */${stored.size}`,
      });
    // Hono answers HEAD with this GET handler and drops the body without closing it: an open file
    // (or an S3 connection) per HEAD. Closed here instead.
    if (known || c.req.method === 'HEAD') await stored.body.cancel();
    if (known) return c.body(null, 304, fixed);
    const all: Record<string, string> = { ...fixed, 'content-type': stored.contentType };
    const length = stored.range ? stored.range.end - stored.range.start + 1 : stored.size;
    if (Number.isSafeInteger(length)) all['content-length'] = String(length);
    if (stored.range) all['content-range'] = `bytes ${stored.range.start}-${stored.range.end}/${stored.size}`;
    const status = stored.range ? 206 : 200;
    if (c.req.method === 'HEAD') return new Response(null, { status, headers: all });
    return c.body(stored.body, status, all);
  });

  // Authentication (header only) and per-user rate limiting for the whole API.
  app.use('/v1/*', async (c, next) => {
    const url = new URL(c.req.url);
    if (url.searchParams.has('access_token')) {
      throw new ApiError('unauthorized', 'access tokens are accepted only in the Authorization header');
    }
    const caller = await deps.verifier.verify(c.req.header('authorization'));
    const wait = deps.rateLimiter.take(caller.userId);
    if (wait > 0) throw new ApiError('rate_limited', 'too many requests', { retryAfterSeconds: wait }, wait);
    c.set('caller', caller);
    await next();
  });

  app.post('/v1/search-key', async (c) => c.json(await deps.searchKey(c.get('caller'))));

  app.get('/v1/records/:index/:id', async (c) =>
    c.json({ record: await deps.gateway.read(c.get('caller'), c.req.param('index'), c.req.param('id')) }),
  );
  // Create, update and delete share a shape: caller, index, id and JSON body in; status and body out.
  const write = (op: 'create' | 'update' | 'remove') => async (c: Context<Env, '/v1/records/:index/:id'>) => {
    const r = await deps.gateway[op](
      c.get('caller'),
      c.req.param('index'),
      c.req.param('id'),
      await readJson(c),
    );
    return c.json(r.body, r.status);
  };
  app.put('/v1/records/:index/:id', jsonLimit, write('create'));
  app.patch('/v1/records/:index/:id', jsonLimit, write('update'));
  app.delete('/v1/records/:index/:id', jsonLimit, write('remove'));
  app.post('/v1/mutations', jsonLimit, async (c) => {
    const body = await readJson(c);
    // A batch is that many writes: charge the budget per item (the request already paid one),
    // or one request could carry MAX_MUTATIONS_PER_BATCH times the per-user rate.
    const items = batchSize(body);
    if (items > 1) {
      const wait = deps.rateLimiter.take(c.get('caller').userId, items - 1);
      if (wait > 0)
        throw new ApiError('rate_limited', 'too many requests', { retryAfterSeconds: wait }, wait);
    }
    return c.json(await deps.gateway.mutations(c.get('caller'), body));
  });

  app.post('/v1/groups/:id/members', jsonLimit, async (c) => {
    const r = await deps.gateway.addMember(c.get('caller'), c.req.param('id'), await readJson(c));
    return c.json(r.body, r.status);
  });
  app.delete('/v1/groups/:id/members/:user', async (c) => {
    // Hono's param() is already percent-decoded: decoding again would name another id (or throw).
    const r = await deps.gateway.removeMember(c.get('caller'), c.req.param('id'), c.req.param('user'));
    return c.json(r.body, r.status);
  });

  app.post('/v1/media', uploadSlot, mediaLimit, async (c) => {
    const body = new Uint8Array(await c.req.arrayBuffer());
    const base = deps.publicUrl ?? new URL(c.req.url).origin;
    const result = await storeUpload(deps.media, body, c.req.header('content-type'), base);
    deps.logger.info('media.upload', {
      user: c.get('caller').userId,
      kind: result.kind,
      size: result.size,
      outcome: 'stored',
    });
    return c.json(result, 201);
  });

  app.notFound((c) => c.json(errorBody('not_found', 'no such route'), 404));

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      if (error.retryAfterSeconds !== undefined) c.header('retry-after', String(error.retryAfterSeconds));
      if (error.code === 'unauthorized') c.header('www-authenticate', 'Bearer error="invalid_token"');
      // The rest of an oversized body was not read: do not let the client reuse this connection.
      if (error.code === 'payload_too_large') c.header('connection', 'close');
      return c.json(error.toBody(), error.status as 400);
    }
    const transient = isAlgoliaUnavailable(error);
    deps.logger.error('request.failed', {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    if (transient) {
      c.header('retry-after', '5');
      return c.json(errorBody('unavailable', 'the search backend is unavailable; retry later'), 503);
    }
    return c.json(errorBody('internal', 'internal error'), 500);
  });

  return app;
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError('invalid_request', 'the request body is not valid JSON');
  }
}

/** Items in a `POST /v1/mutations` body (its schema caps them; a malformed body counts as one). */
function batchSize(body: unknown): number {
  if (typeof body !== 'object' || body === null || !('mutations' in body)) return 1;
  const { mutations } = body;
  return Array.isArray(mutations) ? Math.min(mutations.length, MAX_MUTATIONS_PER_BATCH) : 1;
}

function isAlgoliaUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'RetryError') return true;
  return 'status' in error && typeof error.status === 'number' && error.status >= 500;
}

/**
 * One `bytes=` range of a Range header (`a-b`, `a-`, `-n`); anything else (several ranges, other
 * units, nonsense) is answered with the whole object, as RFC 9110 lets a server do.
 */
export function parseRange(header: string | undefined): RangeRequest | undefined {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const [from, to] = [m[1] === '' ? undefined : Number(m[1]), m[2] === '' ? undefined : Number(m[2])];
  if (from === undefined)
    return to !== undefined && Number.isSafeInteger(to) && to > 0 ? { suffix: to } : undefined;
  if (!Number.isSafeInteger(from) || (to !== undefined && (!Number.isSafeInteger(to) || to < from)))
    return undefined;
  return to === undefined ? { start: from } : { start: from, end: to };
}
