import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../../../shared/ipc';
import { CoreError } from '../errors';
import { createMemoryLogger } from '../log/logger';
import { createDispatcher, type MainHandlers } from './dispatcher';
import { checkPayload } from './payload-limits';
import { appTopFrameOnly } from './sender';
import { recordingHandlers } from './test-handlers';

const APP = 'app://newdreamflow';
const trusted = { frameIsTop: true, origin: APP };
const uuid = '2d1f1c6e-8f7a-4c59-9d3e-4c0a4b0f5a10';

function setup(overrides: Partial<MainHandlers> = {}) {
  const { handlers, calls } = recordingHandlers();
  const logger = createMemoryLogger();
  const dispatcher = createDispatcher({
    handlers: { ...handlers, ...overrides },
    isTrustedSender: appTopFrameOnly([APP]),
    logger,
  });
  return { dispatcher, calls, logger };
}

describe('IPC dispatcher', () => {
  it('answers a valid call with the handler’s value', async () => {
    const { dispatcher, calls } = setup();
    await expect(dispatcher.dispatch('app:getInfo', undefined, trusted)).resolves.toEqual({
      ok: true,
      value: { name: 'NewDreamFlow', version: '1', platform: 'linux', theme: 'dark' },
    });
    expect(calls).toEqual([{ channel: 'app:getInfo', input: undefined }]);
  });

  it('refuses other frames and origins before parsing', async () => {
    const { dispatcher, calls } = setup();
    for (const sender of [
      { frameIsTop: false, origin: APP },
      { frameIsTop: true, origin: null },
      { frameIsTop: true, origin: 'null' },
      { frameIsTop: true, origin: 'https://evil.example' },
      { frameIsTop: true, origin: 'app://newdreamflow.evil' },
    ]) {
      await expect(dispatcher.dispatch('auth:signIn', undefined, sender)).resolves.toMatchObject({
        ok: false,
        error: { code: 'forbidden-sender' },
      });
    }
    expect(calls).toEqual([]);
  });

  it('refuses unknown channels, including prototype names', async () => {
    const { dispatcher } = setup();
    for (const channel of ['nope', '__proto__', 'constructor', 'toString', 42, null]) {
      await expect(dispatcher.dispatch(channel, undefined, trusted)).resolves.toMatchObject({
        ok: false,
        error: { code: 'unknown-channel' },
      });
    }
  });

  it('parses strictly: unknown keys, wrong types and extra input are rejected', async () => {
    const { dispatcher, calls } = setup();
    const ref = { index: 'dreams', id: uuid };
    await expect(dispatcher.dispatch('records:get', { ...ref, extra: 1 }, trusted)).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-input' },
    });
    await expect(
      dispatcher.dispatch('records:get', { index: 'users', id: uuid }, trusted),
    ).resolves.toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    await expect(dispatcher.dispatch('auth:signIn', {}, trusted)).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-input' },
    });
    await expect(dispatcher.dispatch('records:get', ref, trusted)).resolves.toMatchObject({ ok: true });
    expect(calls).toHaveLength(1);
  });

  it('rejects oversize, deep and polluting payloads structurally', async () => {
    const { dispatcher, calls } = setup();
    const big = {
      index: 'dreams',
      id: uuid,
      record: { title: 'x'.repeat(5 * 1024 * 1024) },
      mutationId: uuid,
    };
    const tooLarge = await dispatcher.dispatch('records:create', big, trusted);
    expect(tooLarge).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(JSON.stringify(tooLarge)).toContain('too large');
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    await expect(
      dispatcher.dispatch(
        'records:create',
        { index: 'dreams', id: uuid, record: { a: deep }, mutationId: uuid },
        trusted,
      ),
    ).resolves.toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const polluting = JSON.parse(
      `{"index":"dreams","id":"${uuid}","mutationId":"${uuid}","record":{"__proto__":{"polluted":true}}}`,
    ) as unknown;
    await expect(dispatcher.dispatch('records:create', polluting, trusted)).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-input' },
    });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('returns typed errors and hides unexpected ones', async () => {
    const { dispatcher, logger } = setup({
      'records:get': () => {
        throw new CoreError('conflict', 'changed', { current: { objectID: uuid } });
      },
      'auth:getSession': () => {
        throw new Error('database password is hunter2');
      },
    });
    await expect(dispatcher.dispatch('records:get', { index: 'dreams', id: uuid }, trusted)).resolves.toEqual(
      {
        ok: false,
        error: { code: 'conflict', message: 'changed', details: { current: { objectID: uuid } } },
      },
    );
    const hidden = await dispatcher.dispatch('auth:getSession', undefined, trusted);
    expect(hidden).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(hidden)).not.toContain('hunter2');
    expect(JSON.stringify(logger.entries)).not.toContain('hunter2');
    expect(logger.entries.filter((entry) => entry.event === 'ipc').map((entry) => entry.fields)).toEqual([
      expect.objectContaining({ channel: 'records:get', outcome: 'conflict' }),
      expect.objectContaining({ channel: 'auth:getSession', outcome: 'internal' }),
    ]);
  });

  it('strips fields a handler returns beyond the contract (a token cannot leak by accident)', async () => {
    const { dispatcher } = setup({
      'app:getInfo': () =>
        ({ name: 'n', version: 'v', platform: 'p', theme: 'light', accessToken: 'secret' }) as never,
    });
    const result = await dispatcher.dispatch('app:getInfo', undefined, trusted);
    expect(result).toEqual({ ok: true, value: { name: 'n', version: 'v', platform: 'p', theme: 'light' } });
  });

  it('refuses to start with a missing handler', () => {
    const { handlers } = recordingHandlers();
    const { 'records:delete': _dropped, ...partial } = handlers;
    expect(() =>
      createDispatcher({
        handlers: partial as MainHandlers,
        isTrustedSender: () => true,
        logger: createMemoryLogger(),
      }),
    ).toThrow(/records:delete/);
  });

  it('covers every contract channel', () => {
    expect(setup().dispatcher.channels).toEqual(INVOKE_CHANNELS);
  });
});

describe('payload check', () => {
  it('accepts JSON-like data and refuses everything else', () => {
    expect(checkPayload({ a: [1, 'x', null, true, { b: undefined }] })).toBeNull();
    expect(checkPayload(new Date())).toBe('not a plain object');
    expect(checkPayload(new Map())).toBe('not a plain object');
    expect(checkPayload(() => 1)).toBe('unsupported function');
    expect(checkPayload(1n)).toBe('unsupported bigint');
    expect(checkPayload({ [Symbol('s')]: 1 })).toBe('symbol key');
    expect(checkPayload(Object.defineProperty({}, 'x', { get: () => 1, enumerable: true }))).toBe(
      'accessor property',
    );
    expect(checkPayload({ constructor: {} })).toBe('forbidden key');
    expect(checkPayload(Number.NaN)).toBe('non-finite number');
    expect(checkPayload(Array.from({ length: 60_000 }, () => 0))).toBe('too many nodes');
  });
});
