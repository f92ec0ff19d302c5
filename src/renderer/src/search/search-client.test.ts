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

describe('RotatingSearchClient', () => {
  it('does not ask main for a new key when the query itself is refused', async () => {
    const key: SearchKey = {
      appId: 'APP',
      searchKey: 'k1',
      validUntil: 2e9,
      indices: [],
      hosts: ['http://127.0.0.1:1'],
    };
    const reportKeyRejected = vi.fn();
    const api = { search: { reportKeyRejected } } as unknown as NewDreamFlowApi;
    const client = new RotatingSearchClient(key, api);
    const inner = (client as unknown as { client: { search: () => Promise<never> } }).client;
    inner.search = () => Promise.reject(apiError(400, 'Query is too long'));
    await expect(client.search({ requests: [] })).rejects.toThrow('Query is too long');
    expect(reportKeyRejected).not.toHaveBeenCalled();
  });
});
