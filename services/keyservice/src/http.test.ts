/* eslint-disable @typescript-eslint/no-unsafe-member-access -- HTTP replies are probed as untyped JSON in assertions */
import { readdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlgoliaClient } from './algolia/client';
import { ParentKeyError } from './algolia/parent-key';
import { silentLogger } from './logger';
import { startKeyService } from './server';
import * as samples from '../test/media-samples';
import { dreamInput, startHarness, type Harness } from '../test/harness';

// HTTP-level robustness: rate limit, body limit, media upload and serving, startup refusal.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ rateLimit: { perMinute: 60, burst: 5 } });
});
afterAll(async () => {
  await h.close();
});

describe('robustness', () => {
  it('rate-limits per user with 429 and Retry-After', async () => {
    const token = await h.token('linus');
    const replies = [];
    for (let i = 0; i < 7; i++)
      replies.push(await h.call('GET', `/v1/records/dreams/${randomUUID()}`, { token }));
    expect(replies.slice(0, 5).map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    const limited = replies[6];
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited?.json.error.code).toBe('rate_limited');
    // Another user is not affected.
    expect(
      (await h.call('GET', `/v1/records/dreams/${randomUUID()}`, { token: await h.token('grace') })).status,
    ).toBe(404);
  });

  it('refuses bodies over the limit with 413 and malformed JSON with 400', async () => {
    const token = await h.token('ada');
    const big = await h.call('PUT', `/v1/records/dreams/${randomUUID()}`, {
      token,
      body: { record: dreamInput({ description: 'x'.repeat(1_100_000) }), mutationId: randomUUID() },
    });
    expect(big.status).toBe(413);
    const bad = await h.call('PUT', `/v1/records/dreams/${randomUUID()}`, {
      token,
      body: undefined,
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    const res = await fetch(`${h.ks.url}/v1/records/dreams/${randomUUID()}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}` },
      body: '{nope',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('answers unknown routes in the error envelope', async () => {
    const r = await h.call('GET', '/nope');
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('not_found');
  });
});

describe('media over HTTP', () => {
  it('uploads an image, serves it back at an unguessable URL with safe headers', async () => {
    const token = await h.token('grace');
    const up = await h.call('POST', '/v1/media', {
      token,
      body: samples.WEBP,
      headers: { 'content-type': 'image/webp' },
    });
    expect(up.status).toBe(201);
    expect(up.json).toMatchObject({
      kind: 'image',
      contentType: 'image/webp',
      size: samples.WEBP.byteLength,
    });
    const url = up.json.url as string;
    expect(url.startsWith(`${h.ks.url}/media/`)).toBe(true);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(samples.WEBP))).toBe(true);
    expect(res.headers.get('content-length')).toBe(String(samples.WEBP.byteLength));
  });

  it('serves ranges (a voice note seeks), answers a known ETag with 304 and a range past the end with 416', async () => {
    const up = await h.call('POST', '/v1/media', {
      token: await h.token('grace'),
      body: samples.MP3,
      headers: { 'content-type': 'audio/mpeg' },
    });
    const url = up.json.url as string;
    const all = Buffer.from(samples.MP3);
    const part = await fetch(url, { headers: { range: 'bytes=3-10' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 3-10/${all.length}`);
    expect(part.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await part.arrayBuffer()).equals(all.subarray(3, 11))).toBe(true);
    const tail = await fetch(url, { headers: { range: 'bytes=-5' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(all.subarray(all.length - 5))).toBe(true);
    const past = await fetch(url, { headers: { range: `bytes=${all.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${all.length}`);
    expect(past.headers.get('cache-control')).toBe('no-store');
    await past.arrayBuffer();
    // Several ranges or nonsense: the whole object, as RFC 9110 allows.
    const whole = await fetch(url, { headers: { range: 'bytes=0-1,5-6' } });
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(all)).toBe(true);
    const etag = whole.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(url, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    await again.arrayBuffer();
  });

  it('answers HEAD with the headers and no body, leaving no file open', async () => {
    // Larger than a stream reads ahead: a small file would be read to its end and closed anyway.
    const big = new Uint8Array(2 * 1024 * 1024);
    big.set(samples.MP3);
    const up = await h.call('POST', '/v1/media', {
      token: await h.token('grace'),
      body: big,
      headers: { 'content-type': 'audio/mpeg' },
    });
    const url = up.json.url as string;
    const openFiles = (): number => readdirSync('/proc/self/fd').length;
    const before = openFiles();
    for (let i = 0; i < 20; i++) {
      const head = await fetch(url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(big.byteLength));
      expect((await head.arrayBuffer()).byteLength).toBe(0);
    }
    // Each HEAD used to leave the file open until garbage collection.
    expect(openFiles() - before).toBeLessThan(5);
  });

  it('refuses uploads without a token and disguised files', async () => {
    expect((await h.call('POST', '/v1/media', { body: samples.PNG })).status).toBe(401);
    const token = await h.token('grace');
    expect(
      (
        await h.call('POST', '/v1/media', {
          token,
          body: samples.HTML,
          headers: { 'content-type': 'image/png' },
        })
      ).status,
    ).toBe(415);
  });
});

describe('startup checks', () => {
  it('refuses to start when the search key can do more than search, or does not exist', async () => {
    const admin = createAlgoliaClient(
      h.config.algolia.appId,
      h.config.algolia.adminKey,
      h.config.algolia.hosts,
    );
    const { key: writer } = await admin.addApiKey({ acl: ['search', 'addObject'] });
    await expect(
      startKeyService(
        { ...h.config, algolia: { ...h.config.algolia, searchKey: writer } },
        { logger: silentLogger },
      ),
    ).rejects.toBeInstanceOf(ParentKeyError);
    const { key: browser } = await admin.addApiKey({ acl: ['search', 'browse'] });
    await expect(
      startKeyService(
        { ...h.config, algolia: { ...h.config.algolia, searchKey: browser } },
        { logger: silentLogger },
      ),
    ).rejects.toThrow(/exactly the "search" ACL/);
    await expect(
      startKeyService(
        { ...h.config, algolia: { ...h.config.algolia, searchKey: 'f'.repeat(32) } },
        { logger: silentLogger },
      ),
    ).rejects.toThrow(/does not exist/);
    await expect(
      startKeyService(
        { ...h.config, algolia: { ...h.config.algolia, searchKey: h.config.algolia.adminKey } },
        { logger: silentLogger },
      ),
    ).rejects.toThrow(/admin key/);
  });

  it('drains on close: healthz turns 503 while in-flight requests finish', async () => {
    const ks = await startKeyService({ ...h.config, port: 0 }, { logger: silentLogger });
    expect((await fetch(`${ks.url}/healthz`)).status).toBe(200);
    ks.drain();
    expect((await fetch(`${ks.url}/healthz`)).status).toBe(503);
    await ks.close();
    await expect(fetch(`${ks.url}/healthz`)).rejects.toThrow();
  });
});
