import { z } from 'zod';
import { CoreError } from '../errors';
import type { Logger } from '../log/logger';

/** What the HTTP client needs from the session. */
export interface AccessTokenSource {
  getAccessToken(): Promise<string>;
  /** Forces a new access token (after a 401). */
  refresh(): Promise<string>;
}

/** A response from the key service, body parsed as JSON when it is JSON. */
export interface KeyServiceResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

export interface KeyServiceHttpOptions {
  readonly baseUrl: string;
  readonly session: AccessTokenSource;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

/** The key service's error body: `{"error": {"code", "message", "details"}}`. */
export const keyServiceErrorSchema = z.object({
  error: z.object({
    code: z.string().optional(),
    message: z.string().optional(),
    details: z.unknown().optional(),
  }),
});

/**
 * Authenticated JSON requests to the key service. Adds the bearer token, retries exactly once
 * after a 401 with a fresh token, and turns connection failures into `offline` and timeouts
 * into `unavailable`. Status handling beyond 401 is the caller's.
 */
export class KeyServiceHttp {
  constructor(private readonly options: KeyServiceHttpOptions) {}

  async request(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<KeyServiceResponse> {
    let token = await this.options.session.getAccessToken();
    let response = await this.#send(method, path, token, body);
    if (response.status === 401) {
      this.options.logger.info('keyservice.retry-after-401', { path: pathForLog(path) });
      token = await this.options.session.refresh();
      response = await this.#send(method, path, token, body);
      if (response.status === 401)
        throw new CoreError('unauthenticated', 'The key service did not accept the session. Sign in again.');
    }
    return response;
  }

  async #send(method: string, path: string, token: string, body: unknown): Promise<KeyServiceResponse> {
    const url = new URL(path, `${this.options.baseUrl}/`);
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 20_000),
        redirect: 'error',
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      this.options.logger.warn('keyservice.unreachable', { path: pathForLog(path), timedOut });
      throw timedOut
        ? new CoreError('unavailable', 'The key service did not answer in time.', undefined, { cause: error })
        : new CoreError('offline', 'The key service is not reachable.', undefined, { cause: error });
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== '' && (response.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch {
        parsed = null;
      }
    }
    this.options.logger.info('keyservice.response', {
      method,
      path: pathForLog(path),
      status: response.status,
    });
    return { status: response.status, body: parsed, headers: response.headers };
  }
}

/** Paths carry record ids, not secrets; still, log only the route shape. */
function pathForLog(path: string): string {
  return path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':id');
}

/** Seconds from a `Retry-After` header (delta-seconds or an HTTP date), if present. */
export function retryAfterSeconds(headers: Headers, now: number = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Maps a non-2xx status to the app's typed error (records and search keys share it). */
export function errorForStatus(response: KeyServiceResponse, what: string): CoreError {
  const parsed = keyServiceErrorSchema.safeParse(response.body);
  const serverMessage = parsed.success ? parsed.data.error.message : undefined;
  const detail = serverMessage ? `: ${serverMessage.slice(0, 300)}` : '.';
  switch (response.status) {
    case 400:
    case 413:
    case 422:
      return new CoreError('validation', `The key service refused the ${what}${detail}`);
    case 403:
      return new CoreError('forbidden', `You may not access this ${what}.`);
    case 404:
      return new CoreError('not-found', `The ${what} does not exist or is not visible to you.`);
    case 409: {
      const current = currentRecord(parsed.success ? parsed.data.error.details : undefined);
      return new CoreError('conflict', `The ${what} changed elsewhere.`, current ? { current } : undefined);
    }
    case 429: {
      const seconds = retryAfterSeconds(response.headers);
      return new CoreError(
        'rate-limited',
        'Too many requests; try again shortly.',
        seconds === undefined ? undefined : { retryAfterSeconds: seconds },
      );
    }
    default:
      return new CoreError(
        'unavailable',
        `The key service could not handle the ${what} (HTTP ${response.status}).`,
      );
  }
}

function currentRecord(details: unknown): Record<string, unknown> | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const d = details as Record<string, unknown>;
  const candidate = d['current'] ?? d['record'];
  return typeof candidate === 'object' && candidate !== null && !Array.isArray(candidate)
    ? (candidate as Record<string, unknown>)
    : undefined;
}
