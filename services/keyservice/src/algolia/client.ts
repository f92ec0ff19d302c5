import { algoliasearch, type Algoliasearch } from 'algoliasearch';

/** Host entries in the shape the algoliasearch v5 client takes. */
export interface AlgoliaHost {
  url: string;
  port?: number;
  protocol: 'http' | 'https';
  accept: 'read' | 'write' | 'readWrite';
}

/**
 * Converts `ALGOLIA_HOSTS`-style base URLs (`http://127.0.0.1:7700`) to client host entries.
 * An empty list means Algolia's own hosts (returns undefined so the client uses its defaults).
 */
export function toClientHosts(baseUrls: readonly string[]): AlgoliaHost[] | undefined {
  if (baseUrls.length === 0) return undefined;
  return baseUrls.map((base) => {
    const u = new URL(base);
    const protocol = u.protocol === 'https:' ? 'https' : 'http';
    const host: AlgoliaHost = { url: u.hostname, protocol, accept: 'readWrite' };
    if (u.port) host.port = Number(u.port);
    return host;
  });
}

/** An official algoliasearch v5 client (Node build) for `apiKey`, aimed at `hosts` when given. */
export function createAlgoliaClient(appId: string, apiKey: string, hosts: readonly string[]): Algoliasearch {
  const clientHosts = toClientHosts(hosts);
  return algoliasearch(appId, apiKey, clientHosts ? { hosts: clientHosts } : undefined);
}

/** The HTTP status of an algoliasearch API error, if it is one. */
export function algoliaStatus(error: unknown): number | undefined {
  if (error instanceof Error && 'status' in error && typeof error.status === 'number') return error.status;
  return undefined;
}

/** True for errors worth retrying: 5xx answers and unreachable hosts (the client's RetryError). */
export function isTransient(error: unknown): boolean {
  const status = algoliaStatus(error);
  if (status !== undefined) return status >= 500;
  if (error instanceof Error)
    return error.name === 'RetryError' || /unreachable|ECONNRE|ETIMEDOUT|socket/i.test(error.message);
  return false;
}

/** Options of {@link withRetries}. */
export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs `fn`, retrying transient failures with exponential backoff and full jitter. The client
 * already retries across hosts within one call; this bounds retries of whole steps (waitForTask,
 * read-back) when every host failed.
 */
export async function withRetries<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 100;
  const max = options.maxDelayMs ?? 2_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw error;
      const delay = Math.random() * Math.min(max, base * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
