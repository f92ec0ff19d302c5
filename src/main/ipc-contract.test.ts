import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createApi,
  EVENT_CHANNELS,
  eventMethodName,
  INVOKE_CHANNELS,
  splitChannel,
  type IpcTransport,
  type NewDreamFlowApi,
} from '../shared/ipc';
import { createCore } from './core/create-core';
import { EMBEDDED_DEFAULTS } from './core/config/app-config';
import { silentLogger } from './core/log/logger';
import { MemorySecretStore } from './core/vault/secret-store';

// Structural test of the IPC contract: every channel has a main handler, a preload method and
// (for events) a subscription; the preload exposes exactly the contract's API and nothing else.
const exposed: { key: string; api: unknown }[] = [];
const ipcRendererCalls: { invoke: unknown[][]; on: string[]; removeListener: string[] } = {
  invoke: [],
  on: [],
  removeListener: [],
};

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => exposed.push({ key, api }),
  },
  ipcRenderer: {
    invoke: (...args: unknown[]) => {
      ipcRendererCalls.invoke.push(args);
      return Promise.resolve({ ok: true, value: null });
    },
    on: (channel: string) => ipcRendererCalls.on.push(channel),
    removeListener: (channel: string) => ipcRendererCalls.removeListener.push(channel),
  },
}));

function method(api: unknown, domain: string, name: string): unknown {
  return (api as Record<string, Record<string, unknown>>)[domain]?.[name];
}

describe('IPC contract structure', () => {
  it('main has a handler for every invoke channel, and only those', () => {
    const core = createCore({
      config: EMBEDDED_DEFAULTS,
      secretStore: new MemorySecretStore(),
      openBrowser: () => Promise.resolve(),
      openExternal: () => Promise.resolve(),
      appInfo: { name: 'n', version: 'v', platform: 'p' },
      getTheme: () => 'light',
      logger: silentLogger,
    });
    expect(Object.keys(core.handlers).sort()).toEqual([...INVOKE_CHANNELS].sort());
    core.dispose();
  });

  describe('the preload', () => {
    beforeEach(() => {
      exposed.length = 0;
      vi.resetModules();
    });

    it('exposes one frozen object with a method per channel and nothing else', async () => {
      await import('../preload/index');
      expect(exposed.map((entry) => entry.key)).toEqual(['newdreamflow']);
      const api = exposed[0]!.api;
      expect(Object.isFrozen(api)).toBe(true);
      const expected = new Map<string, Set<string>>();
      for (const channel of INVOKE_CHANNELS) {
        const { domain, action } = splitChannel(channel);
        expect(typeof method(api, domain, action)).toBe('function');
        expected.set(domain, (expected.get(domain) ?? new Set()).add(action));
      }
      for (const channel of EVENT_CHANNELS) {
        const { domain } = splitChannel(channel);
        expect(typeof method(api, domain, eventMethodName(channel))).toBe('function');
        expected.set(domain, (expected.get(domain) ?? new Set()).add(eventMethodName(channel)));
      }
      expect(Object.keys(api as object).sort()).toEqual([...expected.keys()].sort());
      for (const [domain, names] of expected) {
        const ns = (api as Record<string, object>)[domain]!;
        expect(Object.isFrozen(ns)).toBe(true);
        expect(Object.keys(ns).sort()).toEqual([...names].sort());
      }
    });

    it('forwards invokes on the contract channel and passes event payloads only', async () => {
      await import('../preload/index');
      const api = exposed[0]!.api as NewDreamFlowApi;
      ipcRendererCalls.invoke.length = 0;
      await api.auth.signIn();
      await api.records.get({ index: 'dreams', id: 'x' });
      expect(ipcRendererCalls.invoke).toEqual([
        ['auth:signIn', undefined],
        ['records:get', { index: 'dreams', id: 'x' }],
      ]);
      const stop = api.session.onChanged(() => undefined);
      stop();
      stop();
      expect(ipcRendererCalls.on).toContain('session:changed');
      expect(ipcRendererCalls.removeListener.filter((c) => c === 'session:changed')).toHaveLength(1);
    });
  });
});

describe('createApi', () => {
  function transport(answer: unknown): IpcTransport & { listeners: Map<string, (payload: unknown) => void> } {
    const listeners = new Map<string, (payload: unknown) => void>();
    return {
      listeners,
      invoke: () => (answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)),
      subscribe: (channel, listener) => {
        listeners.set(channel, listener);
        return () => listeners.delete(channel);
      },
    };
  }

  it('ignores arguments to no-input methods and refuses malformed answers', async () => {
    const calls: unknown[] = [];
    const api = createApi({
      invoke: (channel, input) => {
        calls.push([channel, input]);
        return Promise.resolve({ ok: 'yes' });
      },
      subscribe: () => () => undefined,
    });
    const result = await (api.auth.signIn as (...args: unknown[]) => Promise<unknown>)({ evil: true });
    expect(calls).toEqual([['auth:signIn', undefined]]);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('turns a failing transport into an envelope', async () => {
    const api = createApi(transport(new Error('boom')));
    await expect(api.app.getInfo()).resolves.toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('delivers payloads until unsubscribed', () => {
    const t = transport(null);
    const api = createApi(t);
    const got: unknown[] = [];
    const stop = api.app.onThemeChanged((theme) => got.push(theme));
    t.listeners.get('app:themeChanged')!('dark');
    stop();
    expect(got).toEqual(['dark']);
    expect(t.listeners.has('app:themeChanged')).toBe(false);
  });
});
