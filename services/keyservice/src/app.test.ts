import { describe, expect, it } from 'vitest';
import { createApp } from './app';
import type { Caller, TokenVerifier } from './auth/token-verifier';
import type { Gateway } from './gateway/gateway';
import { silentLogger } from './logger';
import type { MediaStorage } from './media/storage';
import { createRateLimiter } from './rate-limit';
import * as samples from '../test/media-samples';

// The HTTP app in-process (app.request, no socket) with a media store whose writes the test holds.

function verifierFor(users: Record<string, string>): TokenVerifier {
  return {
    verify: (authorization) => {
      const userId = users[authorization?.replace(/^Bearer /, '') ?? ''];
      if (!userId) return Promise.reject(new Error('unexpected token'));
      const caller: Caller = { userId, issuer: 'http://idp', claims: { sub: userId } };
      return Promise.resolve(caller);
    },
  };
}

/** Storage whose `put` waits for `release()`; `started` counts puts that began. */
function heldStorage(): MediaStorage & {
  started: number;
  release(): void;
  whenStarted(n: number): Promise<void>;
} {
  let gate!: () => void;
  const released = new Promise<void>((resolve) => (gate = resolve));
  const waiters: { n: number; resolve: () => void }[] = [];
  const storage = {
    started: 0,
    async put() {
      storage.started += 1;
      for (const w of waiters.filter((w) => storage.started >= w.n)) w.resolve();
      await released;
    },
    get: () => Promise.resolve(null),
    release: () => gate(),
    whenStarted: (n: number) =>
      storage.started >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
  };
  return storage;
}

describe('media uploads in flight', () => {
  it('holds at most two uploads per user in memory at once (429 beyond), other users unaffected', async () => {
    const media = heldStorage();
    const app = createApp({
      verifier: verifierFor({ a: 'alice', b: 'bob' }),
      gateway: {} as Gateway,
      searchKey: () => Promise.reject(new Error('unused')),
      media,
      rateLimiter: createRateLimiter({ perMinute: 1_000, burst: 1_000 }),
      logger: silentLogger,
      maxBodyBytes: 1_000_000,
      publicUrl: 'http://ks',
    });
    const upload = (token: string) =>
      app.request('/v1/media', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
        body: new Uint8Array(samples.PNG),
      });
    const first = [upload('a'), upload('a')];
    await media.whenStarted(2);
    // A third one either answers at once or reaches the (held) store: that would be the defect.
    const third = await Promise.race([upload('a'), media.whenStarted(3).then(() => 'stored' as const)]);
    expect(third === 'stored' ? 'stored' : third.status).toBe(429);
    if (third !== 'stored') expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const other = upload('b');
    await media.whenStarted(3);
    media.release();
    expect((await Promise.all([...first, other])).map((r) => r.status)).toEqual([201, 201, 201]);
    // The slots are free again.
    expect((await upload('a')).status).toBe(201);
  });
});
