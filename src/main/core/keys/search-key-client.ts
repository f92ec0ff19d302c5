import { searchKeySchema, type SearchKey } from '../../../shared/ipc';
import { CoreError } from '../errors';
import { errorForStatus, type KeyServiceHttp } from '../http/key-service-http';
import type { Logger } from '../log/logger';

export interface SearchKeyClientOptions {
  readonly http: KeyServiceHttp;
  readonly logger: Logger;
  /** Called with every new key, and with `null` when the key is dropped (sign-out). */
  readonly onKeyChanged: (key: SearchKey | null) => void;
  readonly clock?: () => number;
  /** Renew this long before `validUntil` (at most half the key's lifetime). */
  readonly renewBeforeMs?: number;
}

/** How long a new key is trusted over a refusal from search (see reportRejected). */
const REISSUE_AFTER_MS = 10_000;

/**
 * Secured search keys for the renderer: fetched from `POST /v1/search-key` with the session's
 * access token (which never reaches the renderer), cached, renewed ahead of expiry and after
 * the renderer reports a 400/403 from search, and pushed to the renderer on every change.
 */
export class SearchKeyClient {
  readonly #o: SearchKeyClientOptions;
  #key: { value: SearchKey; renewAt: number; issuedAt: number } | null = null;
  #inflight: Promise<SearchKey> | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #generation = 0;

  constructor(options: SearchKeyClientOptions) {
    this.#o = options;
  }

  #now(): number {
    return (this.#o.clock ?? Date.now)();
  }

  /** The cached key while it is fresh, otherwise a new one (concurrent callers share one request). */
  async getKey(): Promise<SearchKey> {
    if (this.#key && this.#key.renewAt > this.#now()) return this.#key.value;
    return this.#fetch();
  }

  /** The renderer's search was refused with the current key: drop it and fetch another. */
  async reportRejected(status: number): Promise<SearchKey> {
    this.#o.logger.warn('search-key.rejected-by-search', { status });
    // A key issued moments ago that search refuses is not stale: another one would be refused
    // the same way, and every keystroke would cost a key-service call. The same key comes back
    // (the renderer then gives up on that search).
    if (this.#key && this.#now() - this.#key.issuedAt < REISSUE_AFTER_MS) return this.#key.value;
    this.#key = null;
    return this.#fetch();
  }

  /** Forgets the key (sign-out) and tells the renderer. */
  clear(): void {
    this.#generation += 1;
    this.#cancelTimer();
    const had = this.#key !== null;
    this.#key = null;
    this.#inflight = null;
    if (had) this.#o.onKeyChanged(null);
  }

  /** Stops the renewal timer. */
  dispose(): void {
    this.#generation += 1;
    this.#cancelTimer();
  }

  #fetch(): Promise<SearchKey> {
    this.#inflight ??= this.#request().finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  async #request(): Promise<SearchKey> {
    const generation = this.#generation;
    const response = await this.#o.http.request('POST', 'v1/search-key', {});
    if (response.status < 200 || response.status > 299) throw errorForStatus(response, 'search key');
    const parsed = searchKeySchema.safeParse(response.body);
    if (!parsed.success)
      throw new CoreError('unavailable', 'The key service answered with a malformed search key.');
    const key = parsed.data;
    if (generation !== this.#generation)
      throw new CoreError('unauthenticated', 'The session changed while fetching a search key.');
    const now = this.#now();
    const expiresAt = key.validUntil * 1000;
    const lifetime = Math.max(0, expiresAt - now);
    const renewAt = expiresAt - Math.min(this.#o.renewBeforeMs ?? 60_000, lifetime / 2);
    this.#key = { value: key, renewAt, issuedAt: now };
    this.#schedule(renewAt - now);
    this.#o.logger.info('search-key.issued', { validUntil: key.validUntil, indices: key.indices.length });
    this.#o.onKeyChanged(key);
    return key;
  }

  #schedule(delayMs: number): void {
    this.#cancelTimer();
    const generation = this.#generation;
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        if (generation !== this.#generation) return;
        this.#fetch().catch((error: unknown) => {
          this.#o.logger.warn('search-key.renew-failed', {
            errorCode: error instanceof CoreError ? error.code : 'internal',
          });
          // Try again later; the cached key stays until it really expires.
          if (generation === this.#generation) this.#schedule(30_000);
        });
      },
      Math.max(1_000, delayMs),
    );
    this.#timer.unref?.();
  }

  #cancelTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
