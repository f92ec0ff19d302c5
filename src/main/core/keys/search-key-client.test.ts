import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SearchKey } from '../../../shared/ipc';
import { CoreError } from '../errors';
import type { KeyServiceHttp, KeyServiceResponse } from '../http/key-service-http';
import { silentLogger } from '../log/logger';
import { SearchKeyClient } from './search-key-client';

// Renewal timing and single-flight of the secured-key client, on a fake clock with a scripted
// key service (the real one is exercised in key-service.integration.test.ts).
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

function scripted(ttlSeconds = 600) {
  let n = 0;
  const answers: (() => KeyServiceResponse)[] = [];
  const request = vi.fn(() => {
    n += 1;
    const next = answers.shift();
    if (next) return Promise.resolve(next());
    const body: SearchKey = {
      appId: 'APP',
      searchKey: `key-${n}`,
      validUntil: Math.floor(Date.now() / 1000) + ttlSeconds,
      indices: ['dreams'],
      hosts: [],
    };
    return Promise.resolve({
      status: 200,
      body,
      headers: new Headers({ 'content-type': 'application/json' }),
    });
  });
  return { http: { request } as unknown as KeyServiceHttp, request, answers };
}

describe('SearchKeyClient', () => {
  it('caches the key and renews it 60 s before validUntil, pushing each key', async () => {
    const { http, request } = scripted(600);
    const pushed: (string | null)[] = [];
    const client = new SearchKeyClient({
      http,
      logger: silentLogger,
      onKeyChanged: (key) => pushed.push(key?.searchKey ?? null),
    });
    expect((await client.getKey()).searchKey).toBe('key-1');
    await vi.advanceTimersByTimeAsync(539_000);
    expect((await client.getKey()).searchKey).toBe('key-1');
    expect(request).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(request).toHaveBeenCalledTimes(2);
    expect(pushed).toEqual(['key-1', 'key-2']);
    expect((await client.getKey()).searchKey).toBe('key-2');
    client.clear();
    expect(pushed.at(-1)).toBeNull();
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(request).toHaveBeenCalledTimes(2);
  });

  it('replaces a key search refused, but not one issued moments ago', async () => {
    const { http, request } = scripted();
    const client = new SearchKeyClient({ http, logger: silentLogger, onKeyChanged: () => undefined });
    expect((await client.getKey()).searchKey).toBe('key-1');
    // Refused right after it was issued: another key would be refused alike (each keystroke of a
    // query the engine refuses would otherwise cost a key-service call).
    expect((await client.reportRejected(403)).searchKey).toBe('key-1');
    expect(request).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await client.reportRejected(403)).searchKey).toBe('key-2');
    expect(request).toHaveBeenCalledTimes(2);
    client.dispose();
  });

  it('shares one request among concurrent callers', async () => {
    const { http, request } = scripted();
    const client = new SearchKeyClient({ http, logger: silentLogger, onKeyChanged: () => undefined });
    const keys = await Promise.all(Array.from({ length: 50 }, () => client.getKey()));
    expect(request).toHaveBeenCalledTimes(1);
    expect(new Set(keys.map((k) => k.searchKey))).toEqual(new Set(['key-1']));
    client.dispose();
  });

  it('keeps the old key and retries later when renewal fails', async () => {
    const { http, request, answers } = scripted(600);
    const client = new SearchKeyClient({ http, logger: silentLogger, onKeyChanged: () => undefined });
    await client.getKey();
    answers.push(() => ({ status: 503, body: { error: { message: 'down' } }, headers: new Headers() }));
    await vi.advanceTimersByTimeAsync(540_000);
    expect(request).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(request).toHaveBeenCalledTimes(3);
    expect((await client.getKey()).searchKey).toBe('key-3');
    client.dispose();
  });

  it('refuses a malformed key and maps statuses to typed errors', async () => {
    const { http, answers } = scripted();
    const client = new SearchKeyClient({ http, logger: silentLogger, onKeyChanged: () => undefined });
    answers.push(() => ({ status: 200, body: { appId: 'APP' }, headers: new Headers() }));
    await expect(client.getKey()).rejects.toMatchObject({ code: 'unavailable' });
    answers.push(() => ({ status: 429, body: null, headers: new Headers({ 'retry-after': '7' }) }));
    await expect(client.getKey()).rejects.toEqual(
      new CoreError('rate-limited', 'Too many requests; try again shortly.', { retryAfterSeconds: 7 }),
    );
    answers.push(() => ({ status: 403, body: null, headers: new Headers() }));
    await expect(client.getKey()).rejects.toMatchObject({ code: 'forbidden' });
    client.dispose();
  });
});
