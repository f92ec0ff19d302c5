import { describe, expect, it, vi } from 'vitest';
import type { NewDreamFlowApi, SearchKey } from '../../../shared/ipc';
import { refusesKey, RotatingSearchClient } from './search-client';

// When search refuses the key itself (expired, revoked) main is asked for another; a query that
// is refused for what it asks (a 400 for a query over 512 bytes) is not the key's fault.

/** An error shaped like the Algolia client's ApiError. */
const apiError = (status: number, message: string): Error => Object.assign(new Error(message), { status });

describe('refusesKey', () => {
  it('is true for 401, 403 and an expired key, false for another 400 or a network error', () => {
    expect(refusesKey(apiError(403, 'Invalid Application-ID or API key'))).toBe(true);
    expect(refusesKey(apiError(401, 'Unauthorized'))).toBe(true);
    expect(refusesKey(apiError(400, 'validUntil parameter expired (less than current date)'))).toBe(true);
    expect(refusesKey(apiError(400, 'Query is too long'))).toBe(false);
    expect(refusesKey(new Error('network down'))).toBe(false);
  });
});

/** A search key (its host is never reached: the tests replace the client under it). */
const keyNamed = (searchKey: string): SearchKey => ({
  appId: 'APP',
  searchKey,
  validUntil: 2e9,
  indices: [],
  hosts: ['http://127.0.0.1:1'],
});

describe('RotatingSearchClient', () => {
  it('does not ask main for a new key when the query itself is refused', async () => {
    const key = keyNamed('k1');
    const reportKeyRejected = vi.fn();
    const api = { search: { reportKeyRejected } } as unknown as NewDreamFlowApi;
    const client = new RotatingSearchClient(key, api);
    const inner = (client as unknown as { client: { search: () => Promise<never> } }).client;
    inner.search = () => Promise.reject(apiError(400, 'Query is too long'));
    await expect(client.search({ requests: [] })).rejects.toThrow('Query is too long');
    expect(reportKeyRejected).not.toHaveBeenCalled();
  });

  it('retries with a key another search renewed meanwhile, without asking main again', async () => {
    const k1 = keyNamed('k1');
    const k2 = keyNamed('k2');
    const reportKeyRejected = vi.fn(() => Promise.resolve({ ok: true as const, value: k2 }));
    const api = { search: { reportKeyRejected } } as unknown as NewDreamFlowApi;
    const client = new RotatingSearchClient(k1, api);
    type Inner = { search: () => Promise<unknown> };
    const inner = (): Inner => (client as unknown as { client: Inner }).client;
    const expired = apiError(400, 'validUntil parameter expired (less than current date)');
    // Two searches go out with k1; the slow one is refused only after the first renewed the key.
    const gates = [0, 1].map(() => {
      let open = (): void => {};
      const gate = new Promise<void>((resolve) => (open = resolve));
      return { gate, open };
    });
    let n = 0;
    inner().search = async () => {
      await gates[n++]!.gate;
      throw expired;
    };
    const first = client.search({ requests: [] });
    const slow = client.search({ requests: [] });
    const answered: string[] = [];
    const setKey = client.setKey.bind(client);
    client.setKey = (key) => {
      setKey(key);
      inner().search = () => {
        answered.push(key.searchKey);
        return Promise.resolve({ results: [] });
      };
    };
    gates[0]!.open();
    await expect(first).resolves.toEqual({ results: [] });
    gates[1]!.open();
    await expect(slow).resolves.toEqual({ results: [] });
    // Main was asked once (it would answer the key it issued a moment ago, the same k2).
    expect(reportKeyRejected).toHaveBeenCalledTimes(1);
    expect(answered).toEqual(['k2', 'k2']);
  });
});
