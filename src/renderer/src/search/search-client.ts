import { liteClient } from 'algoliasearch/lite';
import type { NewDreamFlowApi, SearchKey } from '../../../shared/ipc';

type LiteClient = ReturnType<typeof liteClient>;

/** `http://127.0.0.1:7700` → the client's host shape; empty list → Algolia's own hosts. */
export function clientHosts(urls: readonly string[]) {
  return urls.map((raw) => {
    const url = new URL(raw);
    const protocol = url.protocol === 'http:' ? ('http' as const) : ('https' as const);
    return {
      url: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      protocol,
      accept: 'read' as const,
    };
  });
}

function clientFor(key: SearchKey): LiteClient {
  return key.hosts.length > 0
    ? liteClient(key.appId, key.searchKey, { hosts: clientHosts(key.hosts) })
    : liteClient(key.appId, key.searchKey);
}

function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number')
    return error.status;
  return undefined;
}

/**
 * Whether search refused the key itself: 401/403, or the 400 Algolia answers an expired secured
 * key with ("validUntil parameter expired (less than current date)"). Any other 400 is the
 * query's fault (say, longer than 512 bytes): a new key would not help.
 */
export function refusesKey(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 401 || status === 403) return true;
  const message = error instanceof Error ? error.message : '';
  return status === 400 && /validUntil/.test(message);
}

/**
 * A search client that stays the same object for InstantSearch while the key under it rotates:
 * each search uses the current key. When Algolia refuses the key (expired, revoked), main is
 * told, answers with a fresh key, and the search is retried once with it.
 */
export class RotatingSearchClient {
  private client: LiteClient;

  constructor(
    private key: SearchKey,
    private readonly api: NewDreamFlowApi,
  ) {
    this.client = clientFor(key);
  }

  /** Swaps in a new key (from `search:keyChanged`); later searches use it. */
  setKey(key: SearchKey): void {
    if (key.searchKey === this.key.searchKey) return;
    this.key = key;
    this.client = clientFor(key);
  }

  readonly search: LiteClient['search'] = async (...args) => {
    // The key this search goes out with: another search may renew it meanwhile.
    const used = this.key;
    try {
      return await this.client.search(...args);
    } catch (error) {
      const status = statusOf(error);
      if ((status !== 400 && status !== 401 && status !== 403) || !refusesKey(error)) throw error;
      // Already renewed (by another search, or main's push): retry with it, nothing to report.
      if (this.key.searchKey !== used.searchKey) return this.client.search(...args);
      const renewed = await this.api.search.reportKeyRejected({ status });
      if (!renewed.ok || renewed.value.searchKey === used.searchKey) throw error;
      this.setKey(renewed.value);
      return this.client.search(...args);
    }
  };
}

/** The prefix of an environment's index names, read off the key's `indices` (`prod_dreams` → `prod_`). */
export function indexPrefixOf(indices: readonly string[]): string {
  const dreams = indices.find((name) => name.endsWith('dreams'));
  return dreams ? dreams.slice(0, -'dreams'.length) : '';
}
