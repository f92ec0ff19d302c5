import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isCoreError } from '../errors';
import { createMemoryLogger } from '../log/logger';
import { startLoopbackReceiver } from './loopback-receiver';

async function get(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { redirect: 'manual', ...init });
}

describe('loopback receiver', () => {
  it('listens on 127.0.0.1 with a random port and accepts one valid callback', async () => {
    const receiver = await startLoopbackReceiver({
      expectedState: 's1',
      timeoutMs: 10_000,
      logger: createMemoryLogger(),
    });
    expect(receiver.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const response = await get(`${receiver.redirectUri}?code=abc&state=s1&iss=x`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    const text = await response.text();
    expect(text).toContain('You can close this tab');
    // The app has not exchanged the code yet: the page does not claim success.
    expect(text).not.toContain('signed in to');
    const url = await receiver.callback;
    expect(url.searchParams.get('code')).toBe('abc');
    expect(url.href.startsWith(receiver.redirectUri)).toBe(true);
    // Closed after the first valid request.
    await expect(get(`${receiver.redirectUri}?code=abc&state=s1`)).rejects.toThrow();
  });

  it('does not say the sign-in went well when the identity provider refused it', async () => {
    const receiver = await startLoopbackReceiver({
      expectedState: 's2',
      timeoutMs: 10_000,
      logger: createMemoryLogger(),
    });
    const response = await get(`${receiver.redirectUri}?error=access_denied&state=s2`);
    expect(await response.text()).toContain('Sign-in did not complete');
    // The app gets the answer all the same, and reports the IdP's error.
    expect((await receiver.callback).searchParams.get('error')).toBe('access_denied');
  });

  it('refuses wrong paths, methods and states without ending the wait', async () => {
    const logger = createMemoryLogger();
    const receiver = await startLoopbackReceiver({ expectedState: 'good', timeoutMs: 10_000, logger });
    const base = new URL(receiver.redirectUri);
    expect((await get(`${base.origin}/?state=good`)).status).toBe(404);
    expect((await get(`${base.origin}/callback/x?state=good`)).status).toBe(404);
    expect((await get(`${receiver.redirectUri}?state=good`, { method: 'POST' })).status).toBe(405);
    expect((await get(`${receiver.redirectUri}?state=bad`)).status).toBe(400);
    expect((await get(`${receiver.redirectUri}?code=1`)).status).toBe(400);
    expect((await get(`${receiver.redirectUri}?state=good&state=good`)).status).toBe(400);
    expect((await get(`${receiver.redirectUri}?state=good&code=ok`)).status).toBe(200);
    await expect(receiver.callback).resolves.toBeInstanceOf(URL);
    expect(JSON.stringify(logger.entries)).not.toContain('good');
  });

  it('answers 400 to a request target that is not a URL, without crashing or ending the wait', async () => {
    const receiver = await startLoopbackReceiver({
      expectedState: 'good',
      timeoutMs: 10_000,
      logger: createMemoryLogger(),
    });
    const { port } = new URL(receiver.redirectUri);
    // Any local process can send this; `new URL()` of it throws inside the request listener.
    const statusLine = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('GET http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      });
      socket.once('data', (data) => {
        resolve(String(data).split('\r\n')[0] ?? '');
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect(statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect((await get(`${receiver.redirectUri}?state=good&code=ok`)).status).toBe(200);
    await expect(receiver.callback).resolves.toBeInstanceOf(URL);
  });

  it('times out and then refuses connections', async () => {
    const receiver = await startLoopbackReceiver({
      expectedState: 's',
      timeoutMs: 200,
      logger: createMemoryLogger(),
    });
    await expect(receiver.callback).rejects.toSatisfy((error) => isCoreError(error, 'sign-in-timeout'));
    await expect(get(`${receiver.redirectUri}?state=s`)).rejects.toThrow();
  });

  it('is cancelled by its abort signal', async () => {
    const controller = new AbortController();
    const receiver = await startLoopbackReceiver({
      expectedState: 's',
      timeoutMs: 10_000,
      signal: controller.signal,
      logger: createMemoryLogger(),
    });
    controller.abort();
    await expect(receiver.callback).rejects.toSatisfy((error) => isCoreError(error, 'sign-in-cancelled'));
  });
});
